"""An annotated copy corrected in LibreOffice, typed as a user types, validates clean.

The department gets the copy, types the corrections into the marked cells through
LibreOffice (`.uno:EnterString`, which obeys protection), saves it as xlsx and sends it
back: the file must give no finding, and no mark may be left standing (every status on
the 校验结果 sheet, the same condition as the mark, reads 已修改 or 已恢复 as LibreOffice
computed it, and the headline says 通过). Before correcting, LibreOffice's own
recalculation must keep every status at 待修改: the marks' conditions hold in a real
client exactly as the copy's cached values say.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from perfxl.generate import department_workbook
from perfxl.layout import build_layout
from perfxl.report.annotate import SHEET, annotate_bytes
from perfxl.roster import read_roster
from perfxl.samples import realistic_inputs
from perfxl.scheme import load_scheme
from perfxl.validator.context import Options
from perfxl.validator.engine import check_file
from perfxl.writer import department_values

from .libreoffice import recalculate
from .uno import run_uno, typed_text, uno_available

pytestmark = pytest.mark.libreoffice

ROOT = Path(__file__).resolve().parents[2]
GENERATED = date(2026, 1, 5)
YEAR = 2025
HEADER_ROW = 7


def statuses(path: Path) -> tuple[str, list[str]]:
    """The headline and each finding's status, as the file's cached values hold them."""
    ws = openpyxl.load_workbook(path, data_only=True)[SHEET]
    return ws["A2"].value, [row[9] for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory):
    if not uno_available():
        pytest.fail("python3-uno is needed for the UNO tests (install python3-uno)")
    tmp = tmp_path_factory.mktemp("annotate-uno")
    scheme = load_scheme("national")
    dept = read_roster([ROOT / "examples" / "roster.xlsx"]).department("101002")
    layout = build_layout(scheme, len(dept.projects), goals_issued=tuple(bool(p.goal) for p in dept.projects))
    issued = department_values(layout, dept, YEAR, scheme, GENERATED)
    inputs = realistic_inputs(layout, scheme, 7, budgets=issued)
    right = {key: inputs[key] for key in (("dept", "filler"), ("p1", "ind.3.weight"), ("p1", "funds.other.executed"))}
    wrong = dict(inputs)
    del wrong[("dept", "filler")]                                    # V01
    wrong[("p1", "ind.3.weight")] = inputs[("p1", "ind.3.weight")] + 5  # I01, I02
    wrong[("p1", "funds.other.executed")] = "1180 元"                 # V02, V05
    filled = tmp / "filled.xlsx"
    filled.write_bytes(department_workbook(dept, YEAR, scheme, GENERATED, inputs=wrong))
    book = openpyxl.load_workbook(filled)                          # and the 总分 formula typed over
    p1 = layout.sheet("p1")
    book[p1.name][p1.get("total.score").ref] = 100
    returned = tmp / "returned.xlsx"
    book.save(returned)

    result = check_file(str(returned), Options(year=YEAR))
    copy = tmp / "copy.xlsx"
    copy.write_bytes(annotate_bytes(result))
    recalculated = recalculate([copy], tmp / "recalculated")[copy]

    actions = [{"op": "type", "sheet": layout.sheet(code).name, "cell": layout.sheet(code).get(key).ref,
                "text": typed_text(value)} for (code, key), value in right.items()]
    corrected = tmp / "corrected.xlsx"
    outcome = run_uno(copy, corrected, actions, timeout=300)
    return result, copy, recalculated, corrected, outcome


def test_the_returned_file_had_the_mistakes(case) -> None:
    result = case[0]
    codes = {f.code for f in result.all_findings()}  # roots and the consequences under them
    assert {"V01", "I01", "I02", "V02", "V05", "S02", "T01"} <= codes


def test_libreoffice_keeps_the_marks_of_an_uncorrected_copy(case) -> None:
    result, copy, recalculated = case[:3]
    headline, status = statuses(recalculated)
    assert (headline, status) == statuses(copy)
    assert headline.startswith("未通过")
    assert "待修改" in status and set(status) <= {"待修改", "请核实", "已恢复"}


def test_corrected_in_libreoffice_validates_with_no_finding_and_no_stale_mark(case) -> None:
    result, copy, recalculated, corrected, outcome = case
    assert all(a["changed"] and not a["message"] for a in outcome["actions"])
    assert check_file(str(corrected), Options(year=YEAR)).findings == []
    headline, status = statuses(corrected)
    assert len(status) == len(result.findings)
    assert set(status) <= {"已修改", "已恢复"} and "已修改" in status
    assert headline.startswith("通过")
    book = openpyxl.load_workbook(corrected)
    assert book.sheetnames[0] == SHEET
    assert all(book[name].protection.sheet for name in book.sheetnames if name != SHEET)
