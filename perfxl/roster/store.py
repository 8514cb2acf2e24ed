"""The checked roster in SQLite: read once, then one department at a time.

A province's roster may hold tens of thousands of departments. `load_into` streams the rows of
the roster's files (perfxl.roster.reader) into SQLite tables, checking every cell on the way;
the checks across rows (repeated codes, unknown departments, projects per workbook) are SQL
queries afterwards, with the same messages, row numbers and order as ever. Of the roster, only
the row being read and the problems found (capped) are held in memory (and, for an .xlsx, the
shared-string table openpyxl keeps while it reads), so `perfxl generate` holds one
department at a time whatever the roster's size.

The tables are part of the round database's schema: `load_into` fills them on any connection
(inside a SAVEPOINT, so it nests in the caller's transaction), and `RosterStore` reads them,
on that connection or on a private temporary file (`open_roster`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .. import scratch
from ..limits import MAX_PROJECTS
from .model import Department, Project, Roster
from .reader import (
    DEPARTMENT_SPEC,
    PROJECT_SPEC,
    _convert,
    _is_blank,
    _map_columns,
    _Problems,
    _resolve,
    _Spec,
    _Table,
    open_tables,
)

__all__ = ["RosterStore", "load_into", "open_roster", "SCHEMA"]

DEPARTMENT_FIELDS = ("code", "name", "basic_initial", "basic_budget")
PROJECT_FIELDS = (
    "department_code", "code", "name", "supervisor", "implementer", "fiscal_initial", "fiscal_budget",
    "carryover_initial", "carryover_budget", "other_initial", "other_budget", "goal",
)

# seq is the roster order (1, 2, ... as read); a department's projects keep theirs.
SCHEMA = """
CREATE TABLE IF NOT EXISTS roster_department (
    seq INTEGER PRIMARY KEY,
    code TEXT UNIQUE NOT NULL,
    name TEXT NOT NULL,
    basic_initial REAL NOT NULL,
    basic_budget REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS roster_project (
    seq INTEGER PRIMARY KEY,
    department_code TEXT NOT NULL,
    code TEXT UNIQUE NOT NULL,
    name TEXT NOT NULL,
    supervisor TEXT NOT NULL,
    implementer TEXT NOT NULL,
    fiscal_initial REAL NOT NULL,
    fiscal_budget REAL NOT NULL,
    carryover_initial REAL NOT NULL,
    carryover_budget REAL NOT NULL,
    other_initial REAL NOT NULL,
    other_budget REAL NOT NULL,
    goal TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS roster_project_department ON roster_project (department_code, seq);
CREATE INDEX IF NOT EXISTS roster_department_name ON roster_department (name, seq);
CREATE TABLE IF NOT EXISTS roster_source (
    seq INTEGER PRIMARY KEY,
    path TEXT NOT NULL
);
"""

# The rows as read, before the checks across rows: `row` is the row number the office sees,
# a value is NULL where its cell was wrong (the problem is already reported) or its column absent.
_STAGE = {
    "department": ("perfxl_stage_department", DEPARTMENT_FIELDS),
    "project": ("perfxl_stage_project", PROJECT_FIELDS),
}
_BATCH = 1000
_SAVEPOINT = "perfxl_roster_load"


def load_into(conn: sqlite3.Connection, paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str]) -> None:
    """Read and check the roster in `paths` (as `read_roster` takes them) into `conn`'s roster tables.

    The tables are created if absent and the previous roster's rows replaced, in one SAVEPOINT
    (nested in the caller's transaction, if any). Any problem raises the RosterError
    `read_roster` raises, every problem listed, and leaves the tables as they were.
    """
    files = _resolve(paths)
    conn.execute(f"SAVEPOINT {_SAVEPOINT}")
    try:
        for statement in _statements(SCHEMA):  # not executescript: it would COMMIT the caller's transaction
            conn.execute(statement)
        for table, fields in _STAGE.values():
            conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
            conn.execute(f"CREATE TEMP TABLE {table} (row INTEGER NOT NULL, {', '.join(fields)})")
        with open_tables(files) as (departments, projects):
            problems = _Problems([departments, projects])
            dept_columns = _stage(conn, "department", departments, DEPARTMENT_SPEC, problems)
            project_columns = _stage(conn, "project", projects, PROJECT_SPEC, problems)
        _check_across_rows(conn, (departments, dept_columns), (projects, project_columns), problems)
        problems.raise_if_any()
        _replace(conn, tuple(os.fspath(f) for f in files))
        for table, _ in _STAGE.values():
            conn.execute(f"DROP TABLE temp.{table}")
    except BaseException:
        conn.execute(f"ROLLBACK TO {_SAVEPOINT}")
        conn.execute(f"RELEASE {_SAVEPOINT}")
        raise
    conn.execute(f"RELEASE {_SAVEPOINT}")


def _statements(script: str) -> Iterator[str]:
    return (s.strip() for s in script.split(";") if s.strip())


def _rows(conn: sqlite3.Connection, query: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
    """A query's rows as plain tuples, whatever row_factory the caller's connection has."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(query, params)


def _stage(conn: sqlite3.Connection, role: str, table: _Table, spec: _Spec, problems: _Problems) -> dict[str, int]:
    """Each row of `table` checked cell by cell and inserted, in batches, into the staging table;
    returns the columns found (field -> index). Blank rows are passed over."""
    columns = _map_columns(table, spec, problems)
    if not columns:
        return columns
    name, fields = _STAGE[role]
    insert = f"INSERT INTO {name} (row, {', '.join(fields)}) VALUES ({', '.join('?' * (len(fields) + 1))})"
    batch: list[tuple[Any, ...]] = []
    staged = 0
    for number, row in table.rows:
        cells = {field: row[index] if index < len(row) else None for field, index in columns.items()}
        if all(_is_blank(value) for value in cells.values()):
            continue
        values = {field: _convert(table, spec, number, columns[field], field, value, problems)
                  for field, value in cells.items()}
        # an absent 预期目标 column is an empty goal, as in Project
        batch.append((number, *(values.get(f, "" if f in spec.optional_columns else None) for f in fields)))
        staged += 1
        if len(batch) >= _BATCH:
            conn.executemany(insert, batch)
            batch.clear()
    if batch:
        conn.executemany(insert, batch)
    if not staged:
        problems.add("roster.no_rows", table.where())
    return columns


def _check_across_rows(conn: sqlite3.Connection, departments: tuple[_Table, dict[str, int]],
                       projects: tuple[_Table, dict[str, int]], problems: _Problems) -> None:
    """Repeated codes, projects of departments not in the roster, departments with more projects
    than a workbook holds: reported at the cell to fix, in the order they were always found.

    A column the table lacks is NULL in every staged row, so its queries find nothing. Blank
    and wrong codes are NULL too (their cells are reported already).
    """
    (dept_table, dept_columns), (project_table, project_columns) = departments, projects
    dept_stage, project_stage = _STAGE["department"][0], _STAGE["project"][0]
    for stage, column in ((dept_stage, "code"), (project_stage, "code"), (project_stage, "department_code")):
        conn.execute(f"CREATE INDEX temp.{stage}_{column} ON {stage} ({column}, row)")
    for table, columns, stage, key in ((dept_table, dept_columns, dept_stage, "roster.duplicate_department"),
                                       (project_table, project_columns, project_stage, "roster.duplicate_project")):
        for number, code, first in _rows(
            conn, f"SELECT s.row, s.code, (SELECT MIN(t.row) FROM {stage} AS t WHERE t.code = s.code) "
            f"FROM {stage} AS s "
            f"WHERE s.code <> '' AND EXISTS (SELECT 1 FROM {stage} AS t WHERE t.code = s.code AND t.row < s.row) "
            f"ORDER BY s.row"
        ):
            problems.add(key, table.at(number, columns["code"]), code=code, first=first)
    if "code" not in dept_columns:
        return
    for number, code in _rows(
        conn, f"SELECT p.row, p.department_code FROM {project_stage} AS p WHERE p.department_code <> '' "
        f"AND NOT EXISTS (SELECT 1 FROM {dept_stage} AS d WHERE d.code = p.department_code) ORDER BY p.row"
    ):
        problems.add("roster.unknown_department", project_table.at(number, project_columns["department_code"]),
                     code=code, table=dept_table.where())
    for code, count, first in _rows(
        conn, f"SELECT c.department_code, c.projects, (SELECT MIN(d.row) FROM {dept_stage} AS d "
        f"WHERE d.code = c.department_code) FROM (SELECT department_code, COUNT(*) AS projects, MIN(row) AS start "
        f"FROM {project_stage} WHERE department_code <> '' GROUP BY department_code HAVING COUNT(*) > ?) AS c "
        f"WHERE EXISTS (SELECT 1 FROM {dept_stage} AS d WHERE d.code = c.department_code) ORDER BY c.start",
        (MAX_PROJECTS,),
    ):
        problems.add("roster.too_many_projects", dept_table.at(first, dept_columns["code"]), code=code, count=count,
                     limit=MAX_PROJECTS)


def _replace(conn: sqlite3.Connection, sources: tuple[str, ...]) -> None:
    """The staged rows become the roster, in roster order (seq 1, 2, ...), replacing the last one."""
    for table in ("roster_project", "roster_department", "roster_source"):
        conn.execute(f"DELETE FROM {table}")
    for table, (stage, fields) in (("roster_department", _STAGE["department"]), ("roster_project", _STAGE["project"])):
        conn.execute(f"INSERT INTO {table} (seq, {', '.join(fields)}) "
                     f"SELECT ROW_NUMBER() OVER (ORDER BY row), {', '.join(fields)} FROM {stage} ORDER BY row")
    conn.executemany("INSERT INTO roster_source (seq, path) VALUES (?, ?)", enumerate(sources, start=1))


_DEPARTMENT_SELECT = f"SELECT {', '.join(DEPARTMENT_FIELDS)} FROM roster_department"
_PROJECT_SELECT = f"SELECT {', '.join(PROJECT_FIELDS)} FROM roster_project"


class RosterStore:
    """A checked roster in SQLite, given one department at a time.

    `open_roster(paths)` reads a roster into a private temporary file that is removed on close;
    `RosterStore(conn)` reads the roster tables `load_into` filled on the caller's connection
    (and leaves it open on close; its row_factory does not matter, its text_factory must give
    str). Departments come in roster order, each with its projects in roster order, as
    `Department` objects equal to `read_roster`'s.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._close: Callable[[], None] | None = None  # set by open_roster: its private file

    def __len__(self) -> int:
        """The number of departments."""
        return _rows(self.conn, "SELECT COUNT(*) FROM roster_department").fetchone()[0]

    def __iter__(self) -> Iterator[Department]:
        """Every department with its projects, built one at a time from one ordered query."""
        fields = len(DEPARTMENT_FIELDS)
        rows = _rows(
            self.conn, f"SELECT d.seq, {', '.join('d.' + f for f in DEPARTMENT_FIELDS)}, "
            f"{', '.join('p.' + f for f in PROJECT_FIELDS)} FROM roster_department AS d "
            f"LEFT JOIN roster_project AS p ON p.department_code = d.code ORDER BY d.seq, p.seq"
        )
        current: tuple[Any, ...] | None = None
        projects: list[Project] = []
        for seq, *row in rows:
            if current is None or seq != current[0]:
                if current is not None:
                    yield Department(*current[1:], projects=tuple(projects))
                current, projects = (seq, *row[:fields]), []
            if row[fields] is not None:  # LEFT JOIN: a department without projects has one row of NULLs
                projects.append(Project(*row[fields:]))
        if current is not None:
            yield Department(*current[1:], projects=tuple(projects))

    def department(self, code: str) -> Department | None:
        """The department with this code, or None."""
        return self._one(f"{_DEPARTMENT_SELECT} WHERE code = ?", (code,))

    def department_by_name(self, name: str) -> Department | None:
        """The first department in roster order with exactly this name, or None."""
        return self._one(f"{_DEPARTMENT_SELECT} WHERE name = ? ORDER BY seq LIMIT 1", (name,))

    def names(self) -> Iterator[tuple[str, str]]:
        """(code, name) of every department in roster order: what file names are made of,
        without building the departments."""
        return iter(_rows(self.conn, "SELECT code, name FROM roster_department ORDER BY seq"))

    @property
    def sources(self) -> tuple[str, ...]:
        """The files the roster was read from, as given."""
        return tuple(path for (path,) in _rows(self.conn, "SELECT path FROM roster_source ORDER BY seq"))

    def roster(self) -> Roster:
        """The whole roster in memory, for small uses and tests."""
        return Roster(departments=tuple(self), sources=self.sources)

    def _one(self, query: str, params: tuple[Any, ...]) -> Department | None:
        row = _rows(self.conn, query, params).fetchone()
        if row is None:
            return None
        projects = _rows(self.conn, f"{_PROJECT_SELECT} WHERE department_code = ? ORDER BY seq", (row[0],))
        return Department(*row, projects=tuple(Project(*p) for p in projects))

    def close(self) -> None:
        """Close and remove open_roster's private file; a caller's connection stays open."""
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> RosterStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_roster(paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str]) -> RosterStore:
    """Read and check a roster (as `read_roster` does) into a private temporary SQLite file
    (perfxl.scratch: on disk, removed on close and even if the process is killed): a
    `RosterStore` to use as a context manager. Raises RosterError, leaving nothing behind."""
    conn, close = scratch.scratch_connection()
    try:
        load_into(conn, paths)
    except BaseException:
        close()
        raise
    store = RosterStore(conn)
    store._close = close
    return store
