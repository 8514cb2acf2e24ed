"""Private temporary SQLite databases: data that would grow with a roster, kept out of memory.

SQLite's own temporary database (the empty file name) lives in a file that SQLite removes
itself, even if the process is killed, and pages to disk beyond a small cache (2 MB by
default), so what it holds costs no memory. A build that keeps temporary databases in memory
instead (SQLITE_TEMP_STORE=2 or 3: its journal mode says "memory") gets a file in a temporary
folder, removed on close.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable


def scratch_connection() -> tuple[sqlite3.Connection, Callable[[], None]]:
    """A connection to a new private database on disk, and what closes and removes it."""
    conn = sqlite3.connect("")
    folder: str | None = None
    if in_memory(conn):
        conn.close()
        folder = tempfile.mkdtemp(prefix="perfxl-")
        conn = sqlite3.connect(os.path.join(folder, "scratch.sqlite"))
    conn.execute("PRAGMA temp_store = FILE")  # its TEMP tables too
    conn.execute("PRAGMA synchronous = OFF")  # scratch data: nothing to keep after a crash

    def close() -> None:
        conn.close()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    return conn, close


def in_memory(conn: sqlite3.Connection) -> bool:
    """Whether the connection's main database is kept in memory."""
    return conn.execute("PRAGMA journal_mode").fetchone()[0] == "memory"
