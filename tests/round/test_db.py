"""The round database: versions, migration of a committed version-1 file, refusals."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfxl.cli import cli
from perfxl.round import db
from perfxl.round.season import Round

ROOT = Path(__file__).resolve().parents[2]
V1 = Path(__file__).resolve().parent / "fixtures" / "round-v1"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_new_round_is_current(tmp_path: Path) -> None:
    with Round.init(tmp_path / "r", ROOT / "examples" / "roster.xlsx", 2025, deadline="2026-03-31") as rnd:
        assert rnd.conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        assert rnd.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        info = rnd.info
        assert (info.year, info.deadline, info.scheme_name) == (2025, date(2026, 3, 31), "national")
        assert info.scheme.name == "national"
        assert len(rnd.roster()) == 5


def test_version_1_is_migrated(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    shutil.copytree(V1, folder)
    raw = sqlite3.connect(folder / db.DB_NAME)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    raw.close()
    with Round.open(folder) as rnd:
        conn = rnd.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        columns = [row[1] for row in conn.execute("PRAGMA table_info(submission)")]
        assert "findings_json" not in columns
        rows = conn.execute("SELECT s.number, f.ord, f.parent, f.code FROM finding f JOIN submission s"
                            " ON s.id = f.submission_id WHERE s.department_code = '101003'"
                            " ORDER BY s.number, f.ord").fetchall()
        assert rows == [(1, 1, None, "V02"), (1, 2, 1, "I04"), (1, 3, None, "B04"), (2, 1, None, "B04")]
        assert "figures_json" not in columns and "figures" in columns
        status = {d.code: d for d in rnd.status(today=date(2026, 3, 1)).departments}
        entries = {e.code: e for e in rnd.consolidation().entries}
    assert entries["101001"].figures is not None and len(entries["101001"].figures.projects) == 4
    assert entries["101003"].figures is None
    assert status["101003"].submissions == 2 and status["101003"].state == "failed"
    assert status["101001"].state == "passed" and status["101002"].state == "missing"
    # the migrated round goes on: a new wave is recorded after the old submissions
    code, out = run("validate", str(ROOT / "examples" / "returned" / "2025_101002_隆回县行政审批服务局_绩效自评表.xlsx"),
                    "--round", str(folder))
    assert code == 0, out
    code, out = run("status", "--round", str(folder), "--format", "json")
    assert '"passed": 2' in out


def test_newer_database_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    shutil.copytree(V1, folder)
    raw = sqlite3.connect(folder / db.DB_NAME)
    raw.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    raw.close()
    code, out = run("status", "--round", str(folder))
    assert code == 2 and "更新版本" in out and "Traceback" not in out
    assert sqlite3.connect(folder / db.DB_NAME).execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION + 1


def test_damaged_database_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / db.DB_NAME).write_bytes(b"this is not a database" * 100)
    code, out = run("status", "--round", str(folder))
    assert code == 2 and "已损坏" in out and "Traceback" not in out


def test_a_failing_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Migrations run in one transaction: one that fails leaves the database at its old version, whole."""
    folder = tmp_path / "m"
    shutil.copytree(V1, folder)
    v2 = db.MIGRATIONS[1]

    def explode(conn: sqlite3.Connection) -> None:
        v2(conn)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(db, "MIGRATIONS", (db.MIGRATIONS[0], explode))
    with pytest.raises(db.RoundError):
        db.connect(folder)
    raw = sqlite3.connect(folder / db.DB_NAME)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "findings_json" in [row[1] for row in raw.execute("PRAGMA table_info(submission)")]
    assert raw.execute("SELECT COUNT(*) FROM submission").fetchone()[0] == 3
    raw.close()


def test_a_round_cannot_be_made_where_a_file_is(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("not a folder")
    code, out = run("round", "init", str(tmp_path / "taken"), "--roster", str(ROOT / "examples" / "roster.xlsx"),
                    "--year", "2025")
    assert code == 2 and "无法建立轮次文件夹" in out and "Traceback" not in out
    assert (tmp_path / "taken").read_text() == "not a folder"
