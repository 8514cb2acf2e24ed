"""A small returned batch, built once: what the office gets back in a real round.

- 101001: an honest, clean return (no finding);
- 101002: a 填报人 left blank, an indicator weight raised by 5 (I01, I02), text that looks
  like a formula typed as 全年执行数 (V02: formula-injection text), and "1180 元" typed as
  another 全年执行数 (V02 and V05 on one cell);
- a blank workbook whose department name is `<script>alert(1)</script>` (R03 and V01s);
- a damaged file (F01) and a text file (skipped);
- the roster lists a third department, 101003, which sends nothing (R04).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from perfxl.generate import blank_workbook, department_workbook
from perfxl.layout.workbook import build_layout
from perfxl.naming import workbook_name
from perfxl.roster.model import Roster
from perfxl.roster.reader import read_roster
from perfxl.samples import realistic_inputs
from perfxl.scheme import load_scheme
from perfxl.validator.engine import validate
from perfxl.validator.model import Report
from perfxl.writer.issue import department_values

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2025
GENERATED = date(2026, 1, 5)
INJECTION = "=cmd|' /C calc'!A0"
SCRIPT = "<script>alert(1)</script>"


@dataclass(frozen=True)
class Batch:
    folder: Path
    roster: Roster
    report: Report
    clean: Path
    faulty: Path
    blank: Path
    broken: Path
    hashes: dict[Path, str]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _workbook(dept, scheme, mistakes: dict | None = None, drop: tuple = ()) -> bytes:
    layout = build_layout(scheme, len(dept.projects), goals_issued=tuple(bool(p.goal) for p in dept.projects))
    issued = department_values(layout, dept, YEAR, scheme, GENERATED)
    inputs = realistic_inputs(layout, scheme, 7, budgets=issued)
    for key in drop:
        inputs.pop(key)
    inputs.update(mistakes or {})
    return department_workbook(dept, YEAR, scheme, GENERATED, inputs=inputs)


@pytest.fixture(scope="session")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    scheme = load_scheme("national")
    full = read_roster([ROOT / "examples" / "roster.xlsx"])
    roster = Roster(full.departments[:3])
    clean_dept, faulty_dept = roster.departments[0], roster.departments[1]
    folder = tmp_path_factory.mktemp("returned")

    clean = folder / workbook_name(YEAR, clean_dept.code, clean_dept.name)
    clean.write_bytes(_workbook(clean_dept, scheme))

    layout = build_layout(scheme, len(faulty_dept.projects))
    weight = realistic_inputs(layout, scheme, 7, budgets=department_values(
        layout, faulty_dept, YEAR, scheme, GENERATED))[("p1", "ind.3.weight")]
    faulty = folder / workbook_name(YEAR, faulty_dept.code, faulty_dept.name)
    faulty.write_bytes(_workbook(faulty_dept, scheme, drop=(("dept", "filler"),), mistakes={
        ("p1", "ind.3.weight"): weight + 5,
        ("p1", "funds.fiscal.executed"): INJECTION,
        ("p1", "funds.other.executed"): "1180 元",
    }))

    blank = folder / "外单位_自评表.xlsx"
    blank.write_bytes(blank_workbook(1, YEAR, scheme, GENERATED, inputs={("dept", "name"): SCRIPT}))
    broken = folder / "损坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "说明.txt").write_text("随附说明", encoding="utf-8")

    report = validate([folder], roster=roster, year=YEAR)
    hashes = {p: sha256(p) for p in (clean, faulty, blank, broken)}
    return Batch(folder, roster, report, clean, faulty, blank, broken, hashes)


def result_of(batch: Batch, path: Path):
    return next(r for r in batch.report.files if r.path == str(path))
