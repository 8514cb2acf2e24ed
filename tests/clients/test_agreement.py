"""The workbook's formulas and the Python engine agree, cell by cell, through LibreOffice.

Generated workbooks are filled with seeded random inputs (unused and partial rows,
zero budgets, reverse and 定性 indicators, out-of-band scores), written WITHOUT cached
values, recalculated by LibreOffice headless, and every formula cell LibreOffice computed
is compared with perfxl.evaluate (which runs perfxl.scoring). Set PERFXL_AGREEMENT_SEED
to explore other inputs; a failure prints the seed and the cells that disagree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from perfxl.evaluate import evaluate_workbook
from perfxl.generate import blank_workbook, department_workbook
from perfxl.layout import build_layout
from perfxl.layout.model import WorkbookLayout
from perfxl.roster import read_roster
from perfxl.samples import random_inputs, realistic_inputs
from perfxl.scheme import Scheme, load_scheme
from perfxl.writer import department_values, info_values

from .cells import disagreements
from .libreoffice import recalculate

pytestmark = pytest.mark.libreoffice

ROOT = Path(__file__).resolve().parents[2]
BASE_SEED = int(os.environ.get("PERFXL_AGREEMENT_SEED", "20251"))
GENERATED = date(2026, 1, 5)
WORKBOOKS = 64


@dataclass
class Case:
    name: str
    seed: int
    scheme: Scheme
    layout: WorkbookLayout
    values: dict
    path: Path


def _cases(tmp: Path) -> list[Case]:
    roster = read_roster([ROOT / "examples" / "roster.xlsx"])
    schemes = [load_scheme("national"), load_scheme("province-example")]
    cases = []
    for n in range(WORKBOOKS):
        seed = BASE_SEED * 1000 + n
        scheme = schemes[n % 2]
        if n % 4 == 3:  # a blank workbook: names and budgets are inputs too
            projects = n % 3
            layout = build_layout(scheme, projects, blank=True)
            inputs = random_inputs(layout, scheme, seed)
            data = blank_workbook(projects, 2025, scheme, GENERATED, inputs=inputs, cache=False)
            values = {**info_values(2025, scheme, GENERATED), **inputs}
        else:
            dept = roster.departments[n % len(roster.departments)]
            layout = build_layout(scheme, len(dept.projects), goals_issued=tuple(bool(p.goal) for p in dept.projects))
            issued = department_values(layout, dept, 2025, scheme, GENERATED)
            if n % 8 == 0:  # some clean, realistic ones too
                inputs = realistic_inputs(layout, scheme, seed, budgets=issued)
            else:
                inputs = random_inputs(layout, scheme, seed)
            data = department_workbook(dept, 2025, scheme, GENERATED, inputs=inputs, cache=False)
            values = {**issued, **inputs}
        path = tmp / f"case{n:03d}.xlsx"
        path.write_bytes(data)
        cases.append(Case(path.stem, seed, scheme, layout, values, path))
    return cases


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Case], dict[Path, Path]]:
    src = tmp_path_factory.mktemp("agreement_in")
    out = tmp_path_factory.mktemp("agreement_out")
    cases = _cases(src)
    return cases, recalculate([c.path for c in cases], out, jobs=2)


def test_every_formula_cell_agrees_with_the_engine(recalculated) -> None:
    import openpyxl

    cases, outputs = recalculated
    assert len(cases) >= 50
    problems: list[str] = []
    compared = nonblank = 0
    for case in cases:
        expected = evaluate_workbook(case.layout, case.values, case.scheme)
        wb = openpyxl.load_workbook(outputs[case.path], data_only=True)
        found, count = disagreements(case.layout, expected, wb, f"{case.name} (seed {case.seed}, {case.scheme.name}) ")
        wb.close()
        problems += found
        compared += count
        nonblank += sum(1 for v in expected.values() if v not in ("", None, 0))
    assert not problems, f"{len(problems)} of {compared} cells disagree:\n" + "\n".join(problems[:40])
    # Written without cached values: agreement on non-zero values proves LibreOffice really recalculated.
    assert nonblank > compared // 10


def test_live_problem_counts_are_exercised(recalculated) -> None:
    """The random inputs reach the live checks (else the count agreement above proves little)."""
    cases, _ = recalculated
    totals = [evaluate_workbook(c.layout, c.values, c.scheme)[("info", "problems.total")] for c in cases]
    assert sum(1 for t in totals if t == 0) >= 1
    assert sum(1 for t in totals if t > 0) >= len(cases) // 2


def test_percent_typed_inputs_are_exercised(recalculated) -> None:
    """Among the inputs: % rows typed as "95%" in both cells (scored alike) and in one (V07, blank score)."""
    from perfxl.scoring import is_percent

    cases, _ = recalculated
    mixed = both = 0
    for c in cases:
        expected = evaluate_workbook(c.layout, c.values, c.scheme)
        mixed += sum(1 for (code, key), v in expected.items() if key.endswith(".mixed") and v == 1)
        for sheet in c.layout.sheets:
            for r in sheet.indicator_rows:
                target, actual = (c.values.get((sheet.code, f"ind.{r.index}.{k}")) for k in ("target", "actual"))
                if is_percent(target) and is_percent(actual):
                    both += expected[(sheet.code, f"ind.{r.index}.score")] not in ("", None)
    assert mixed >= 5 and both >= 5, (mixed, both)
