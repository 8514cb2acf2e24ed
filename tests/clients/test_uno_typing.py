"""A workbook filled through LibreOffice as a user fills it: typed into input cells, then saved.

Values are typed with the `.uno:EnterString` dispatch (LibreOffice parses "97.5%" or a
date as typing does, and sheet protection applies). The saved file must keep every
locked formula (compared with the layout, after the quoting LibreOffice drops), keep
protection, refuse typing into locked cells, and hold values that agree with the engine.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from perfxl.evaluate import evaluate_workbook
from perfxl.formula_text import normalise
from perfxl.generate import department_workbook
from perfxl.layout import build_layout
from perfxl.layout.model import Kind
from perfxl.roster import read_roster
from perfxl.samples import realistic_inputs
from perfxl.scheme import load_scheme
from perfxl.writer import department_values

from .cells import disagreements
from .uno import run_uno, typed_text, uno_available

pytestmark = pytest.mark.libreoffice

ROOT = Path(__file__).resolve().parents[2]
GENERATED = date(2026, 1, 5)


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory):
    if not uno_available():
        pytest.fail("python3-uno is needed for the UNO tests (install python3-uno)")
    tmp = tmp_path_factory.mktemp("uno")
    scheme = load_scheme("national")
    dept = read_roster([ROOT / "examples" / "roster.xlsx"]).department("101004")
    layout = build_layout(scheme, len(dept.projects), goals_issued=tuple(bool(p.goal) for p in dept.projects))
    issued = department_values(layout, dept, 2025, scheme, GENERATED)
    inputs = realistic_inputs(layout, scheme, 7, budgets=issued)
    source = tmp / "issued.xlsx"
    source.write_bytes(department_workbook(dept, 2025, scheme, GENERATED))
    actions = []
    for (code, key), value in inputs.items():
        if code not in ("p1", "dept", "basic"):
            continue
        sheet = layout.sheet(code)
        actions.append({"op": "type", "sheet": sheet.name, "cell": sheet.get(key).ref, "text": typed_text(value)})
    p1 = layout.sheet("p1")
    locked = [p1.get("ind.1.score").ref, p1.get("funds.fiscal.budget").ref, p1.get("total.score").ref]
    for cell in locked:
        actions.append({"op": "type", "sheet": p1.name, "cell": cell, "text": "100"})
    saved = tmp / "typed.xlsx"
    result = run_uno(source, saved, actions, timeout=300)
    return layout, scheme, issued, actions, locked, result, saved


def test_typing_reaches_unlocked_cells_and_not_locked_ones(typed) -> None:
    layout, scheme, issued, actions, locked, result, saved = typed
    outcome = result["actions"]
    typed_into = [a for a, r in zip(actions, outcome) if a["cell"] not in locked]
    assert len(typed_into) > 60
    assert all(r["changed"] for a, r in zip(actions, outcome) if a["cell"] not in locked
               and a["text"] != "")
    refused = [r for a, r in zip(actions, outcome) if a["cell"] in locked and a["sheet"] == "项目1"]
    assert len(refused) == 3 and not any(r["changed"] for r in refused)


def test_formulas_and_protection_survive_the_round_trip(typed) -> None:
    layout, scheme, issued, actions, locked, result, saved = typed
    wb = openpyxl.load_workbook(saved)
    for sheet in layout.sheets:
        ws = wb[sheet.name]
        assert ws.protection.sheet, sheet.name
        for f in sheet.fields:
            cell = ws.cell(row=f.row + 1, column=f.col + 1)
            if f.kind == Kind.FORMULA:
                assert isinstance(cell.value, str) and normalise(cell.value) == normalise(f.formula), \
                    (sheet.name, f.key, cell.value)
                assert cell.protection.locked
            elif f.kind == Kind.INPUT:
                assert not cell.protection.locked, (sheet.name, f.key)


def test_values_libreoffice_computed_agree_with_the_engine(typed) -> None:
    layout, scheme, issued, actions, locked, result, saved = typed
    values = openpyxl.load_workbook(saved, data_only=True)
    stored: dict[tuple[str, str], object] = dict(issued)
    for sheet in layout.sheets:
        ws = values[sheet.name]
        for f in sheet.fields:
            if f.kind == Kind.INPUT:
                value = ws.cell(row=f.row + 1, column=f.col + 1).value
                if value is not None:
                    stored[(sheet.code, f.key)] = value
    assert isinstance(stored[("p1", "ind.1.weight")], (int, float))  # typed "12.34" became a number
    expected = evaluate_workbook(layout, stored, scheme)
    mismatches, _ = disagreements(layout, expected, values)
    assert not mismatches, "\n".join(mismatches[:30])
    assert expected[("p1", "total.score")] not in ("", None)
