"""Two offices' runs at once lose nothing; a run killed mid-batch leaves a consistent round."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from perfxl.round import db

ROOT = Path(__file__).resolve().parents[2]
RETURNED = ROOT / "examples" / "returned"
ROSTER = ROOT / "examples" / "roster.xlsx"
PERFXL = [sys.executable, "-m", "perfxl"]


def variants(src: Path, folder: Path, count: int) -> list[Path]:
    """Copies that differ in bytes only (a zip comment), as files re-saved without changes do."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        dst = folder / f"{src.stem}_{i:02d}.xlsx"
        shutil.copy(src, dst)
        with zipfile.ZipFile(dst, "a") as z:
            z.comment = f"copy {i}".encode()
        out.append(dst)
    return out


def init(folder: Path) -> None:
    subprocess.run([*PERFXL, "round", "init", str(folder), "--roster", str(ROSTER), "--year", "2025"],
                   check=True, capture_output=True, cwd=ROOT)


def counts(folder: Path) -> tuple[int, int]:
    conn = sqlite3.connect(folder / db.DB_NAME)
    try:
        return (conn.execute("SELECT COUNT(*) FROM submission").fetchone()[0],
                conn.execute("SELECT COUNT(DISTINCT sha256) FROM submission").fetchone()[0])
    finally:
        conn.close()


def consistent(folder: Path) -> None:
    """The database is whole, and every recorded submission has all its findings."""
    conn = sqlite3.connect(folder / db.DB_NAME)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("""
            SELECT s.id, s.errors + s.warnings,
                   (SELECT COUNT(*) FROM finding f WHERE f.submission_id = s.id AND f.parent IS NULL)
            FROM submission s""").fetchall()
        assert rows and all(expected == found for _, expected, found in rows), rows
        numbers = conn.execute("SELECT department_code, number FROM submission ORDER BY department_code, number")
        by_dept: dict[str, list[int]] = {}
        for code, number in numbers:
            by_dept.setdefault(code, []).append(number)
        assert all(nums == list(range(1, len(nums) + 1)) for nums in by_dept.values()), by_dept
    finally:
        conn.close()


def test_two_runs_at_once_lose_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "round"
    init(folder)
    a = variants(RETURNED / "2025_101001_怀来县行政审批局_绩效自评表.xlsx", tmp_path / "a", 12)
    b = variants(RETURNED / "2025_101002_隆回县行政审批服务局_绩效自评表.xlsx", tmp_path / "b", 12)
    runs = [subprocess.Popen([*PERFXL, "validate", str(tmp_path / name), "--round", str(folder), "--jobs", "1",
                              "--format", "json"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
            for name in ("a", "b")]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 1, err.decode()   # a department with many different files: F09
    assert counts(folder) == (len(a) + len(b), len(a) + len(b))
    consistent(folder)


# Burns ~0.2 s of SQLite's own time inside each file's record transaction, so the kill below
# lands while files are being recorded however fast recording is (no hook in perfxl itself).
SLOW_RECORD = """
    CREATE TRIGGER slow_record AFTER INSERT ON submission BEGIN
        SELECT COUNT(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000)
                              SELECT x FROM c);
    END"""


def test_a_killed_run_leaves_a_consistent_round(tmp_path: Path) -> None:
    folder = tmp_path / "round"
    init(folder)
    conn = sqlite3.connect(folder / db.DB_NAME)
    conn.execute(SLOW_RECORD)
    conn.close()
    files = variants(RETURNED / "2025_101005_长沙市望城区行政审批服务局_绩效自评表.xlsx", tmp_path / "in", 40)
    run = subprocess.Popen([*PERFXL, "validate", str(tmp_path / "in"), "--round", str(folder), "--jobs", "1"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            try:
                if counts(folder)[0] >= 3:
                    break
            except sqlite3.OperationalError:  # a writer holds the lock for a moment
                pass
            time.sleep(0.01)
        else:
            pytest.fail("the run recorded nothing in time")
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    recorded, _ = counts(folder)
    assert 3 <= recorded < len(files)
    consistent(folder)
    conn = sqlite3.connect(folder / db.DB_NAME)
    conn.execute("DROP TRIGGER slow_record")
    conn.close()
    # run again: what was recorded is recognised, the rest recorded once
    again = subprocess.run([*PERFXL, "validate", str(tmp_path / "in"), "--round", str(folder), "--jobs", "1"],
                           capture_output=True, cwd=ROOT, timeout=300)
    assert again.returncode == 1 and b"Traceback" not in again.stderr
    assert counts(folder) == (len(files), len(files))
    consistent(folder)
