"""The office's tracking workbook: a row per department, per project and per finding."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from perfxl.errors import OutputError
from perfxl.report.summary import write_summary
from perfxl.validator.model import Report

from .conftest import INJECTION, SCRIPT, result_of


@pytest.fixture(scope="module")
def book(batch, tmp_path_factory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("summary") / "汇总" / "2025年绩效自评汇总.xlsx"
    assert write_summary(batch.report, path, roster=batch.roster) == path
    return openpyxl.load_workbook(path)


def rows(ws) -> list[dict]:
    headers = [c.value for c in ws[1]]
    return [dict(zip(headers, row)) for row in ws.iter_rows(min_row=2, values_only=True)]


def test_sheets_and_layout(book):
    assert book.sheetnames == ["部门汇总", "项目得分", "问题清单"]
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert all(ws.column_dimensions[c.column_letter].width >= 6 for c in ws[1])
    assert book["部门汇总"].column_dimensions["C"].width >= len("承德高新技术产业开发区行政审批局") * 1.5


def test_prints_on_a4_one_page_wide(book):
    for ws in book.worksheets:
        setup = ws.page_setup
        assert setup.paperSize == 9 and setup.orientation == "landscape"
        # One page wide (1 is the OOXML default, so the attribute may be omitted), any height.
        assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1" and ws.print_options.gridLines


def test_long_text_wraps_in_a_capped_column(book):
    """A long message wraps rather than widening its column past 32 characters, in a row tall
    enough for it (LibreOffice does not grow rows on load)."""
    ws = book["问题清单"]
    long = [c for row in ws.iter_rows(min_row=2) for c in row
            if isinstance(c.value, str) and sum(2 if ord(ch) > 0x2E7F else 1 for ch in c.value) > 40]
    assert long and all(c.alignment.wrap_text for c in long)
    assert all(d.width < 33 for d in ws.column_dimensions.values())  # the file adds 5 pixels of padding
    assert all(ws.row_dimensions[c.row].height >= 2 * 15 for c in long)


def test_one_row_per_department_in_roster_order(batch, book):
    found = rows(book["部门汇总"])
    assert [(r["部门编码"], r["状态"]) for r in found] == [
        ("101001", "通过"), ("101002", "未通过"), ("101003", "未提交"), (None, "未通过"), (None, "未通过")]
    clean, faulty, missing, blank, broken = found
    result = result_of(batch, batch.clean)
    assert clean["文件名"] == batch.clean.name and clean["部门名称"] == "怀来县行政审批局"
    assert (clean["错误数"], clean["警告数"], clean["总分"], clean["等级"]) == (0, 0, result.total_score, result.grade)
    assert clean["项目数"] == 4
    assert [clean[f"项目{i}得分"] for i in range(1, 5)] == [p.score for p in result.projects]
    assert faulty["错误数"] == result_of(batch, batch.faulty).errors and faulty["警告数"] == 0
    assert faulty["项目2得分"] is None
    assert missing["部门名称"] == "承德高新技术产业开发区行政审批局" and missing["文件名"] is None
    assert blank["部门名称"] == SCRIPT and blank["文件名"] == batch.blank.name
    assert broken["文件名"] == batch.broken.name and broken["错误数"] == 1 and broken["总分"] is None


def test_project_rows(batch, book):
    found = rows(book["项目得分"])
    result = result_of(batch, batch.clean)
    assert len(found) == sum(len(r.projects) for r in batch.report.files)
    first = found[0]
    project = result.projects[0]
    assert (first["部门编码"], first["工作表"], first["项目编码"], first["项目名称"]) == \
        ("101001", "项目1", project.code, project.name)
    assert (first["全年预算数（万元）"], first["全年执行数（万元）"], first["得分"], first["等级"]) == \
        (project.budget, project.executed, project.score, project.grade)
    assert first["执行率"] == pytest.approx(project.executed / project.budget)
    ws = book["项目得分"]
    assert ws["H2"].number_format == "0.00%" and ws["F2"].number_format == "#,##0.00"


def test_findings_sheet_keeps_formula_like_text_as_text(batch, book):
    ws = book["问题清单"]
    found = rows(ws)
    # roots and, marked 随之, the consequences listed under them
    assert len(found) == sum(len(r.all_findings()) for r in batch.report.files) + len(batch.report.batch)
    assert sum(1 for r in found if r["级别"] == "随之（不另计数）") == sum(
        len(f.consequences) for r in batch.report.files for f in r.findings)
    v02 = next(r for r in found if r["规则"] == "V02" and r["单元格"] == "F7")
    assert v02["表中为"] == INJECTION and v02["部门编码"] == "101002"
    cells = [c for row in ws.iter_rows() for c in row if c.value == INJECTION]
    assert cells and all(c.data_type == "s" for c in cells)
    assert found[-1]["规则"] == "R04" and found[-1]["文件名"] is None


def test_without_roster_the_missing_come_from_r04(batch, tmp_path):
    path = write_summary(batch.report, tmp_path / "s.xlsx")
    found = rows(openpyxl.load_workbook(path)["部门汇总"])
    assert [r["文件名"] for r in found[:4]] == [Path(r.path).name for r in batch.report.files]
    assert (found[4]["部门编码"], found[4]["部门名称"], found[4]["状态"]) == \
        ("101003", "承德高新技术产业开发区行政审批局", "未提交")


def test_english(batch, tmp_path):
    path = write_summary(batch.report, tmp_path / "s.xlsx", lang="en", roster=batch.roster)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Departments", "Projects", "Findings"]
    found = rows(book["Departments"])
    assert [r["Status"] for r in found] == ["passed", "failed", "not returned", "failed", "failed"]


def test_refuses_to_overwrite_without_force(batch, tmp_path):
    path = tmp_path / "s.xlsx"
    path.write_bytes(b"the office's own notes")
    with pytest.raises(OutputError):
        write_summary(batch.report, path)
    assert path.read_bytes() == b"the office's own notes"
    write_summary(Report(batch.report.files[:1]), path, force=True)
    assert rows(openpyxl.load_workbook(path)["部门汇总"])[0]["状态"] == "通过"
    assert [p.name for p in tmp_path.iterdir()] == ["s.xlsx"]
