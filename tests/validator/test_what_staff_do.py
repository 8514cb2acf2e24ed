"""Everyday acts of department staff, typed through LibreOffice (tests/fixtures/build.py):
percentages written two ways, a project over budget seen on the department-wide sheet,
an issued budget typed over after unprotecting — each one finding, said as the file shows it."""

from __future__ import annotations

from pathlib import Path

from perfxl.livechecks import PERCENT_RULE
from perfxl.roster import read_roster
from perfxl.scoring import is_percent
from perfxl.reader.xlsx import read_book
from perfxl.validator.engine import Options, check_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ROSTER = read_roster(FIXTURES / "roster")


def _check(name: str, roster: bool = False):
    return check_file(str(FIXTURES / name), Options(2025, ROSTER if roster else None))


def test_percent_typed_in_one_cell_is_v07_and_nothing_about_the_score() -> None:
    for name in ("actual_typed_as_percent.xlsx", "target_typed_as_percent.xlsx"):
        result = _check(f"should_fail/V07/{name}")
        found = result.all_findings()
        assert [f.code for f in found] == ["V07"], [(f.code, f.text()) for f in found]
        message = found[0].text()
        assert PERCENT_RULE in message  # the same rule as the prompts and 填报说明 give
        assert "written" in found[0].text("en")


def test_libreoffice_stores_a_typed_percent_as_a_fraction_with_a_percent_format() -> None:
    """What the reader sees of "88%" typed in LibreOffice: 0.88, marked as typed with %."""
    book = read_book(str(FIXTURES / "should_fail/V07/actual_typed_as_percent.xlsx"))
    row = next(r for r in book.sheet("项目1").cells.values() if is_percent(r.value))
    assert 0 < row.value < 1.5


def test_percent_typed_in_both_cells_scores_as_plain_numbers() -> None:
    """Both typed with % in LibreOffice: read as percentages, not mixed (LibreOffice's own helper
    says 0), and scored exactly as the same row typed as plain numbers."""
    import openpyxl

    name = "should_pass/percent_both_typed_in_libreoffice.xlsx"
    cells = read_book(str(FIXTURES / name)).sheet("项目1").cells
    typed = sorted(pos for pos, c in cells.items() if is_percent(c.value) and c.formula is None)
    assert len(typed) == 2 and typed[0][0] == typed[1][0]  # 年度指标值 and 实际完成值 of one row
    from perfxl.layout.table import MIXED_COL

    helper = openpyxl.load_workbook(FIXTURES / name, data_only=True)["项目1"].cell(typed[0][0] + 1, MIXED_COL + 1)
    assert helper.value == 0  # the row's V07 helper, as LibreOffice computed it
    result = _check(name)
    assert result.all_findings() == [] and result.total_score is not None
    plain = _check("should_pass/clean_101002.xlsx")
    assert [p.score for p in result.projects] == [p.score for p in plain.projects]


def test_project_over_budget_shows_on_the_department_wide_sheet_under_one_root() -> None:
    result = _check("should_fail/B02/department_project_spending_over_budget.xlsx")
    assert [f.code for f in result.findings] == ["B02"]
    root = result.findings[0]
    assert (root.sheet, root.expected, root.actual) == ("项目1", 1300.0, 1683.71)
    dept = [c for c in root.consequences if c.sheet == "部门整体支出绩效自评表" and c.code == "B02"]
    assert len(dept) == 2 and all(c.actual > c.expected for c in dept)  # 项目支出 and 年度资金总额
    assert result.errors == 1


def test_roster_compares_what_the_file_shows() -> None:
    result = _check("should_fail/R01/issued_budget_typed_over.xlsx", roster=True)
    (root,) = result.findings
    assert root.code == "S03" and [c.code for c in root.consequences] == ["R01"]
    r01 = root.consequences[0]
    assert (r01.expected, r01.actual) == (8.0, 10.5) and "10.5" in r01.text()
    assert result.errors == 1


def test_libreoffice_marks_the_mix_the_moment_it_is_typed() -> None:
    """What LibreOffice itself computed when "88%" was typed (cached in the saved file): the
    row's helper says mixed, 得分 is blank, and 填报说明 counts one problem on 项目1."""
    import openpyxl

    from perfxl.layout import build_layout
    from perfxl.scheme import load_scheme

    wb = openpyxl.load_workbook(FIXTURES / "should_fail/V07/actual_typed_as_percent.xlsx", data_only=True)
    result = _check("should_fail/V07/actual_typed_as_percent.xlsx")
    cell = result.findings[0].cell
    p1 = build_layout(load_scheme("national"), 1, goals_issued=(True,)).sheet("p1")
    index = next(f.key for f in p1.fields if f.ref == cell).split(".")[1]
    ws = wb["项目1"]
    assert ws[p1.get(f"ind.{index}.mixed").ref].value == 1
    assert ws[p1.get(f"ind.{index}.score").ref].value in (None, "")
    info = build_layout(load_scheme("national"), 1, goals_issued=(True,)).sheet("info")
    assert wb["填报说明"][info.get("problems.p1").ref].value == 1
    assert wb["填报说明"][info.get("problems.total").ref].value == 1
