"""The roster in SQLite (perfxl.roster.store): the same roster as read_roster, one department at a
time, loaded into a caller's connection all or nothing, and a private file that leaves nothing behind."""

from __future__ import annotations

import csv
import os
import sqlite3
import types
from pathlib import Path

import openpyxl
import pytest

from perfxl import scratch
from perfxl.errors import RosterError
from perfxl.roster import read_roster
from perfxl.roster import store as store_module
from perfxl.roster.model import DEPARTMENT_COLUMNS, PROJECT_COLUMNS, Department
from perfxl.roster.store import RosterStore, load_into, open_roster
from perfxl.samples import write_roster_csv

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "roster.xlsx"
ROSTER_TABLES = {"roster_department", "roster_project", "roster_source"}


DEPT_HEADER = list(DEPARTMENT_COLUMNS.values())
PROJ_HEADER = list(PROJECT_COLUMNS.values())
DEPT_ROWS = [["101001", "甲局", "1,018.06", "1018.06"], ["101002", "乙局", "704.72", "704.72"]]
PROJ_ROWS = [
    ["101001", "101001-2022-001", "运行维护经费", "甲局", "甲局", "80.58", "80.58", "", "", "0", "0", "保障正常运行"],
    ["101002", "101002-2022-001", "分中心建设", "", "", "8", "8", "0", "0", "", "4", ""],
]


def rows_of(header: list[str], rows: list[list[object]]) -> list[list[object]]:
    return [list(header)] + [list(r) for r in rows]


def roster_csvs(folder: Path, dept: list[list[object]] | None = None,
                proj: list[list[object]] | None = None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in (("部门.csv", dept or rows_of(DEPT_HEADER, DEPT_ROWS)),
                       ("项目.csv", proj or rows_of(PROJ_HEADER, PROJ_ROWS))):
        with open(folder / name, "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows(rows)
        paths.append(folder / name)
    return paths


def roster_xlsx(path: Path, dept: list[list[object]], proj: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "部门"
    for row in dept:
        book["部门"].append(row)
    sheet = book.create_sheet("项目")
    for row in proj:
        sheet.append(row)
    book.save(path)
    return path


def tables(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def temp_tables(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")}


def test_the_store_gives_read_rosters_departments_one_at_a_time() -> None:
    expected = read_roster(EXAMPLE)
    with open_roster(EXAMPLE) as store:
        departments = iter(store)
        assert isinstance(departments, types.GeneratorType)  # built as they are asked for
        assert next(departments) == expected.departments[0]
        assert tuple(store) == expected.departments
        assert len(store) == len(expected.departments) == 5
        assert store.sources == expected.sources == (str(EXAMPLE),)
        assert store.roster() == expected
        assert list(store.names()) == [(d.code, d.name) for d in expected.departments]
        third = expected.departments[2]
        assert store.department(third.code) == third
        assert store.department_by_name(third.name) == third
        assert store.department("nope") is None and store.department_by_name("") is None


def test_a_department_without_projects_and_projects_in_roster_order(tmp_path: Path) -> None:
    dept = rows_of(DEPT_HEADER, DEPT_ROWS + [["101003", "无项目局", "1", "1"]])
    proj = rows_of(PROJ_HEADER, [PROJ_ROWS[1], PROJ_ROWS[0], [*PROJ_ROWS[1][:1], "101002-2022-000",
                                                           *PROJ_ROWS[1][2:]]])
    path = roster_xlsx(tmp_path / "roster.xlsx", dept, proj)
    with open_roster(path) as store:
        departments = list(store)
        assert [d.code for d in departments] == ["101001", "101002", "101003"]
        assert [p.code for p in departments[1].projects] == ["101002-2022-001", "101002-2022-000"]
        assert departments[2] == Department("101003", "无项目局", 1.0, 1.0, ())
        assert store.department("101003") == departments[2]
        assert departments == list(read_roster(path).departments)


def test_load_into_a_callers_connection_replaces_the_last_roster(tmp_path: Path) -> None:
    write_roster_csv(tmp_path / "big", 30, 2)
    conn = sqlite3.connect(tmp_path / "round.sqlite")
    load_into(conn, EXAMPLE)
    assert tables(conn) >= ROSTER_TABLES and not temp_tables(conn)  # staging tables are gone
    conn.row_factory = lambda cursor, row: {d[0]: v for d, v in zip(cursor.description, row)}  # the caller's
    load_into(conn, tmp_path / "big")
    store = RosterStore(conn)
    assert tuple(store) == read_roster(tmp_path / "big").departments
    assert store.sources == (str(tmp_path / "big" / "部门.csv"), str(tmp_path / "big" / "项目.csv"))
    conn.row_factory = None
    assert conn.execute("SELECT MIN(seq), MAX(seq) FROM roster_department").fetchone() == (1, 30)
    store.close()  # a caller's connection stays open
    assert conn.execute("SELECT COUNT(*) FROM roster_project").fetchone()[0] == 60
    conn.close()
    # committed: another connection sees it
    assert len(RosterStore(sqlite3.connect(tmp_path / "round.sqlite"))) == 30


def test_a_refused_roster_leaves_the_tables_as_they_were(tmp_path: Path) -> None:
    proj = rows_of(PROJ_HEADER, PROJ_ROWS + [list(PROJ_ROWS[0])])  # a repeated project code
    bad = roster_csvs(tmp_path / "bad", proj=proj)
    conn = sqlite3.connect(":memory:")
    with pytest.raises(RosterError) as caught:
        load_into(conn, bad)
    assert caught.value.render() == _error_of_read_roster(bad)
    assert tables(conn) == set() and not temp_tables(conn) and not conn.in_transaction  # not even created

    load_into(conn, EXAMPLE)
    before = conn.execute("SELECT * FROM roster_project ORDER BY seq").fetchall()
    with pytest.raises(RosterError):
        load_into(conn, bad)
    assert conn.execute("SELECT * FROM roster_project ORDER BY seq").fetchall() == before
    assert RosterStore(conn).sources == (str(EXAMPLE),)


def _error_of_read_roster(paths: list[Path]) -> str:
    with pytest.raises(RosterError) as caught:
        read_roster(paths)
    return caught.value.render()


def test_load_into_nests_in_the_callers_transaction(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "round.sqlite")
    conn.execute("CREATE TABLE round (year INTEGER)")
    conn.commit()
    conn.execute("INSERT INTO round VALUES (2025)")  # opens the caller's transaction
    with pytest.raises(RosterError):
        load_into(conn, tmp_path / "nope.xlsx")
    with pytest.raises(RosterError):
        load_into(conn, roster_csvs(tmp_path / "bad", proj=rows_of(PROJ_HEADER, PROJ_ROWS + [list(PROJ_ROWS[0])])))
    assert conn.in_transaction  # a refused roster rolls back its own work only
    load_into(conn, EXAMPLE)
    assert conn.in_transaction and len(RosterStore(conn)) == 5
    conn.rollback()  # the caller decides: the roster goes with the rest of the transaction
    assert tables(conn) == {"round"} and conn.execute("SELECT COUNT(*) FROM round").fetchone()[0] == 0


def test_a_failure_part_way_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An interruption while rows are staged (Ctrl-C, a full disk) leaves the tables as they were."""
    conn = sqlite3.connect(":memory:")
    load_into(conn, EXAMPLE)
    before = conn.execute("SELECT * FROM roster_department").fetchall()
    write_roster_csv(tmp_path / "r", 3000, 1)

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(store_module, "_replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load_into(conn, tmp_path / "r")
    assert conn.execute("SELECT * FROM roster_department").fetchall() == before
    assert not temp_tables(conn) and not conn.in_transaction


def test_open_roster_keeps_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_roster(EXAMPLE) as store:
        conn = store.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] != "memory"  # pages go to a file
    with pytest.raises(sqlite3.ProgrammingError):
        conn.execute("SELECT 1")
    with pytest.raises(RosterError):
        open_roster(tmp_path / "nope.xlsx")

    # a build keeping SQLite's temporary databases in memory gets a file of its own, removed on close
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(scratch, "in_memory", lambda conn: True)
    monkeypatch.setattr(scratch.tempfile, "tempdir", str(temp))
    with open_roster(EXAMPLE) as store:
        assert len(store) == 5
        assert [p.name for p in temp.rglob("*") if p.is_file()] == ["scratch.sqlite"]
    assert not any(temp.iterdir())
    with pytest.raises(RosterError):
        open_roster(roster_csvs(tmp_path / "bad", proj=rows_of(PROJ_HEADER, PROJ_ROWS + [list(PROJ_ROWS[0])])))
    assert not any(temp.iterdir())


def test_codes_are_text_and_amounts_numbers(tmp_path: Path) -> None:
    """SQLite keeps what it was given: a code that looks like a number stays text ("007"), an
    amount that is whole stays a float."""
    dept = rows_of(DEPT_HEADER, [["007", "甲", "12", "0012.50"]])
    proj = rows_of(PROJ_HEADER, [["007", "0001", "项目", "", "", "1", "1", "", "", "", "", ""]])
    with open_roster(roster_csvs(tmp_path / "r", dept, proj)) as store:
        dept_ = store.department("007")
        assert dept_ is not None and dept_.code == "007" and dept_.projects[0].code == "0001"
        assert isinstance(dept_.basic_initial, float) and dept_.basic_budget == 12.5
        assert os.fspath(tmp_path / "r" / "部门.csv") in store.sources
