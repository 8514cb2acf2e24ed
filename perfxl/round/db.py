"""The round's database: one SQLite file in the round folder, versioned and migrated.

SQLite through the standard library's sqlite3: a round is one office's season on one
machine or a shared folder, with a handful of writers at most, so an embedded file with
WAL and a busy timeout is all the concurrency it needs, and nothing has to be installed.
SQLAlchemy Core would add a dependency for queries this module writes in a few lines.

The schema's version is SQLite's `user_version`. A new database runs every migration in
order; an older one runs those it lacks, in one transaction; a database from a newer
perfxl is refused, since this one cannot know what the newer columns mean.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import PerfxlError
from ..i18n import Message, register

__all__ = ["DB_NAME", "SCHEMA_VERSION", "RoundError", "connect", "transaction"]

DB_NAME = "perfxl-round.sqlite"
BUSY_TIMEOUT_S = 60  # another run's transaction (one file's record) waits at most this long

register({
    "round.header": ("本轮评价的文件夹无法使用：", "The round folder cannot be used:"),
    "round.not_a_round": ("{dir} 不是评价轮次文件夹（其中没有 {db}）。请先运行 perfxl round init。",
                          "{dir} is not a round folder (it holds no {db}). Run perfxl round init first."),
    "round.exists": ("{dir} 已经是一个评价轮次文件夹（{year} 年度）。如需重新开始，请换一个文件夹。",
                     "{dir} is already a round folder (year {year}). To start again, choose another folder."),
    "round.newer": ("{dir} 由更新版本的 perfxl 创建（数据库版本 {found}，本版本只认识到 {known}）。请升级 perfxl 后再试。",
                    "{dir} was made by a newer perfxl (database version {found}; this one knows up to {known}). "
                    "Upgrade perfxl and try again."),
    "round.damaged": ("{dir} 中的数据库已损坏或不是 perfxl 的数据库（{reason}）。",
                      "The database in {dir} is damaged or not a perfxl database ({reason})."),
    "round.cannot_write": ("无法写入 {dir} 中的数据库（{reason}）：请确认对这个文件夹有写入权限，且它不在只读的位置。",
                           "Cannot write the database in {dir} ({reason}): check that the folder is writable "
                           "and not on a read-only medium."),
    "round.busy": ("{dir} 正被另一个 perfxl 占用，等待 {seconds} 秒后仍未释放。请稍后再试。",
                   "{dir} is in use by another perfxl run and was not released within {seconds} s. Try again later."),
})


class RoundError(PerfxlError):
    """A round folder that cannot be used: missing, from a newer perfxl, damaged or busy."""

    header_key = "round.header"


# --- migrations: each takes the database from version n-1 to n -------------------------------


def _run(conn: sqlite3.Connection, script: str) -> None:
    """Statements one by one: executescript() would commit the migration's transaction first."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _v1(conn: sqlite3.Connection) -> None:
    """The first schema: the round, its submissions with findings kept as one JSON document."""
    _run(conn, """
        CREATE TABLE round_info (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            year INTEGER NOT NULL,
            scheme_name TEXT NOT NULL,
            scheme_json TEXT NOT NULL,
            deadline TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL
        );
        CREATE TABLE batch (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            perfxl_version TEXT NOT NULL
        );
        CREATE TABLE submission (
            id INTEGER PRIMARY KEY,
            department_code TEXT,
            number INTEGER,
            batch_id INTEGER NOT NULL REFERENCES batch(id),
            file_name TEXT NOT NULL,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            submitted_at TEXT NOT NULL,
            department_name TEXT,
            readable INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            warnings INTEGER NOT NULL,
            total_score REAL,
            grade TEXT,
            findings_json TEXT NOT NULL,
            figures_json TEXT,
            UNIQUE (department_code, number)
        );
        CREATE INDEX submission_by_department ON submission(department_code, number);
        CREATE INDEX submission_by_hash ON submission(sha256);
    """)


def _v2(conn: sqlite3.Connection) -> None:
    """Findings as rows (the resubmission diff and the 整改 lists query them by rule and cell),
    and figures compressed: a submission's typed inputs are ~30 KB of JSON, ~5 KB packed."""
    _run(conn, """
        CREATE TABLE finding (
            submission_id INTEGER NOT NULL REFERENCES submission(id) ON DELETE CASCADE,
            ord INTEGER NOT NULL,
            parent INTEGER,
            code TEXT NOT NULL,
            severity TEXT NOT NULL,
            sheet TEXT,
            cell TEXT,
            label TEXT,
            message_zh TEXT NOT NULL,
            message_en TEXT NOT NULL,
            PRIMARY KEY (submission_id, ord)
        );
        CREATE INDEX finding_by_code ON finding(code);
    """)
    rows = conn.execute("SELECT id, findings_json FROM submission").fetchall()
    for sid, text in rows:
        conn.executemany("INSERT INTO finding VALUES (?,?,?,?,?,?,?,?,?,?)", list(_v1_findings(sid, text)))
    conn.execute("ALTER TABLE submission DROP COLUMN findings_json")
    conn.execute("ALTER TABLE submission ADD COLUMN figures BLOB")
    rows = conn.execute("SELECT id, figures_json FROM submission WHERE figures_json IS NOT NULL").fetchall()
    conn.executemany("UPDATE submission SET figures = ? WHERE id = ?",
                     [(pack(json.loads(text)), sid) for sid, text in rows])
    conn.execute("ALTER TABLE submission DROP COLUMN figures_json")


def _v1_findings(sid: int, text: str) -> Iterator[tuple]:
    """Rows of a version-1 findings document: a list of finding dicts with consequences nested."""
    ord_ = 0

    def walk(items: list, parent: int | None) -> Iterator[tuple]:
        nonlocal ord_
        for item in items:
            ord_ += 1
            me = ord_
            yield (sid, me, parent, item["code"], item["severity"], item.get("sheet"), item.get("cell"),
                   item.get("label"), item["message_zh"], item["message_en"])
            yield from walk(item.get("consequences", []), me)

    yield from walk(json.loads(text or "[]"), None)


def pack(data: object) -> bytes:
    """A JSON document as the database keeps it: UTF-8, zlib-compressed."""
    return zlib.compress(json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8"), 6)


def unpack(blob: bytes) -> object:
    return json.loads(zlib.decompress(blob).decode("utf-8"))


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2)
SCHEMA_VERSION = len(MIGRATIONS)


# --- connections ----------------------------------------------------------------------------


def connect(folder: Path, create: bool = False, upto: int = SCHEMA_VERSION) -> sqlite3.Connection:
    """The round's database, migrated to this perfxl's version. `create` makes a new one (the
    folder must not hold one); `upto` stops migrations early (tests build old databases)."""
    path = Path(folder) / DB_NAME
    where = str(folder)
    if create and path.exists():
        raise RoundError(Message("round.exists", {"dir": where, "year": _year_of(path)}))
    if not create and not path.is_file():
        raise RoundError(Message("round.not_a_round", {"dir": where, "db": DB_NAME}))
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise RoundError(Message("round.damaged", {"dir": where, "reason": str(exc)})) from exc
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # with WAL: consistent after any crash
        conn.execute("PRAGMA foreign_keys=ON")
        _migrate(conn, where, upto)
    except sqlite3.OperationalError as exc:
        conn.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise RoundError(Message("round.busy", {"dir": where, "seconds": BUSY_TIMEOUT_S})) from exc
        if create or "readonly" in str(exc) or "unable to open" in str(exc):  # a folder it may not write in
            raise RoundError(Message("round.cannot_write", {"dir": where, "reason": str(exc)})) from exc
        raise RoundError(Message("round.damaged", {"dir": where, "reason": str(exc)})) from exc
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise RoundError(Message("round.damaged", {"dir": where, "reason": str(exc)})) from exc
    except RoundError:
        conn.close()
        raise
    return conn


def _year_of(path: Path) -> str:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT year FROM round_info").fetchone()
        return str(row[0]) if row else "?"
    except sqlite3.Error:
        return "?"


def _migrate(conn: sqlite3.Connection, where: str, upto: int) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise RoundError(Message("round.newer", {"dir": where, "found": version, "known": SCHEMA_VERSION}))
    if version >= upto:
        return
    with transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # another run may have migrated it
        for number in range(version + 1, upto + 1):
            MIGRATIONS[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT: the write lock is taken first, so two runs queue, never deadlock."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
