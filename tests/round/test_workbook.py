"""The consolidated workbook read back with openpyxl and as zip parts: sheets, values, number
formats, filters, print setup and the three native charts with the ranges they plot."""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.utils.cell import range_boundaries

from perfxl.errors import OutputError
from perfxl.round.consolidation import MISSING, Entry
from perfxl.round.stats import compute
from perfxl.round.workbook import _figure_text, consolidation_bytes, write_consolidation
from perfxl.scoring import Percent
from perfxl.scoring import round2

from .conftest import Round

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
ZH_SHEETS = ["总览", "项目明细", "部门汇总", "整改-等级偏低的项目", "整改-执行率偏低的项目", "整改-未完成的指标"]
AMOUNT, SCORE, RATE = "#,##0.00", "0.00", "0.00%"


@pytest.fixture(scope="module")
def book_path(round_: Round, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_consolidation(round_.consolidation, tmp_path_factory.mktemp("round-book") / "汇总.xlsx")


@pytest.fixture(scope="module")
def wb(book_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(book_path)


def rows(ws) -> list[list]:
    """The data rows of a list sheet (row 1 the caption, row 2 the header)."""
    return [[c.value for c in r] for r in ws.iter_rows(min_row=3)]


def labelled(ws, label: str) -> int:
    """The row whose column A holds `label` (the overview is read by its labels, not coordinates)."""
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == label)


def test_sheets_in_order(wb) -> None:
    assert wb.sheetnames == ZH_SHEETS


def test_overview_counts_and_totals(round_: Round, wb) -> None:
    ws, s = wb["总览"], compute(round_.consolidation)
    assert ws["A1"].value == "2025年度预算绩效自评汇总"
    facts = {label: ws.cell(labelled(ws, label), 2).value for label in
             ("年度", "花名册部门数", "已通过", "其中有警告", "未通过", "未提交", "生成时间", "报送截止日期")}
    assert facts["年度"] == 2025
    assert (facts["花名册部门数"], facts["已通过"], facts["其中有警告"], facts["未通过"], facts["未提交"]) == (5, 3, 1, 1, 1)
    assert facts["生成时间"] == datetime(2026, 3, 2, 9, 15)
    assert facts["报送截止日期"] == datetime(2026, 2, 28)
    assert "national" in ws.cell(labelled(ws, "评分方案"), 2).value
    for label, totals in (("部门整体支出（已通过的部门）", s.department_totals), ("项目支出（已通过部门的项目）", s.project_totals)):
        r = labelled(ws, label)
        count, budget, executed, rate = (ws.cell(r, col) for col in (2, 3, 4, 5))
        assert count.value == totals.count
        assert budget.value == round2(totals.budget) and budget.number_format == AMOUNT
        assert executed.value == round2(totals.executed) and executed.number_format == AMOUNT
        assert rate.value == pytest.approx(totals.rate, rel=1e-12) and rate.number_format == RATE
    assert ws.cell(labelled(ws, "部门整体支出（已通过的部门）"), 3).value == 4613.45  # no float noise


def test_overview_distributions(round_: Round, wb) -> None:
    ws, s = wb["总览"], compute(round_.consolidation)
    first = labelled(ws, "等级") + 1
    grades = [[ws.cell(first + i, col).value for col in range(1, 6)] for i in range(4)]
    assert grades == [["优", 10, 10 / 12, 3, 1.0], ["良", 0, 0, 0, 0], ["中", 1, 1 / 12, 0, 0], ["差", 1, 1 / 12, 0, 0]]
    assert ws.cell(first, 3).number_format == RATE
    first = labelled(ws, "执行率区间") + 1
    bands = [[ws.cell(first + i, col).value for col in (1, 2, 4)] for i in range(len(s.bands))]
    assert bands == [[b.label(), b.projects, b.departments] for b in s.bands]
    first = labelled(ws, "部门名称") + 1  # the scores table: the name in the wide column A, then the code
    scores = [[ws.cell(first + i, col).value for col in (1, 2, 3, 4)] for i in range(3)]
    assert scores == [[d.entry.name, d.entry.code, d.table.score, d.table.grade] for d in s.scored_departments]
    assert ws.cell(first, 3).number_format == SCORE


def test_project_details(round_: Round, wb) -> None:
    ws, s = wb["项目明细"], compute(round_.consolidation)
    assert [c.value for c in ws[2]] == ["部门编码", "部门名称", "项目编码", "项目名称", "全年预算数\n（万元）",
                                       "全年执行数\n（万元）", "执行率", "得分", "等级"]
    expected = [[p.entry.code, p.entry.name, p.project.code, p.project.name, round2(p.project.budget),
                 round2(p.project.executed), p.project.rate, p.project.score, p.project.grade] for p in s.projects]
    assert rows(ws) == expected and len(expected) == 12
    assert not any(r[0] in ("101002", "101003") for r in rows(ws))
    for r in range(3, ws.max_row + 1):
        assert [ws.cell(r, col).number_format for col in (5, 6, 7, 8)] == [AMOUNT, AMOUNT, RATE, SCORE]
        assert all(isinstance(ws.cell(r, col).value, (int, float)) for col in (5, 6, 7, 8))
    assert ws.auto_filter.ref == "A2:I14"
    assert ws.freeze_panes == "A3"


@pytest.mark.parametrize("sheet", ZH_SHEETS[1:])
def test_list_sheets_print_on_a4_landscape_one_page_wide(wb, sheet: str) -> None:
    ws = wb[sheet]
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)  # absent: 1, OOXML's default
    assert ws.print_title_rows == "$1:$2"
    assert ws.auto_filter.ref.startswith("A2:") and ws.freeze_panes == "A3"
    widths = [ws.column_dimensions[col].width for col in "ABCD"]
    assert all(w and w >= 8 for w in widths)


def test_overview_prints_a4_portrait(wb) -> None:
    ws = wb["总览"]
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "portrait"
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)  # absent: 1, OOXML's default
    assert len(ws.row_breaks.brk) == 2  # tables, then the two distribution charts, then the scores


def test_department_summary_lists_every_roster_department(round_: Round, wb) -> None:
    ws = wb["部门汇总"]
    data = rows(ws)
    assert [(r[0], r[2], r[3], r[4]) for r in data] == [
        ("101001", "已通过", 0, 1), ("101002", "未提交", 0, 0), ("101003", "未通过", round_.entry("101003").errors, 2),
        ("101004", "已通过（有警告）", 0, 1), ("101005", "已通过", 0, 1)]
    by_code = {r[0]: r for r in data}
    for code in ("101002", "101003"):
        assert by_code[code][6:] == [None] * 6, code  # no figures for a department that does not count
    assert by_code["101002"][5] is None
    assert by_code["101003"][5] == datetime(2026, 2, 12, 9, 30)
    dept = round_.entry("101004").figures.department
    assert by_code["101004"][6:] == [2, round2(dept.budget), round2(dept.executed), dept.rate, dept.score, dept.grade]
    r = 3 + [row[0] for row in data].index("101004")
    assert [ws.cell(r, col).number_format for col in (6, 8, 9, 10, 11)] == [
        "yyyy-mm-dd hh:mm", AMOUNT, AMOUNT, RATE, SCORE]
    assert ws.auto_filter.ref == "A2:L7"


def test_rectify_sheets(round_: Round, wb) -> None:
    s = compute(round_.consolidation)
    low = rows(wb["整改-等级偏低的项目"])
    assert [(r[2], r[4], r[5]) for r in low] == [(p.project.code, p.project.score, p.project.grade) for p in s.low_grades]
    assert wb["整改-等级偏低的项目"]["A1"].value == "自评等级为 中、差 的项目：2 个"
    rates = rows(wb["整改-执行率偏低的项目"])
    assert [(r[2], r[6], r[7]) for r in rates] == [(p.project.code, p.project.rate, p.project.execution_reason)
                                                   for p in s.low_rates]
    assert wb["整改-执行率偏低的项目"]["A1"].value.startswith("执行率低于 90% 的项目：4 个")
    ws = wb["整改-未完成的指标"]
    assert [c.value for c in ws[2]] == ["部门名称", "项目名称", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值",
                                       "分值", "得分", "偏差原因分析及改进措施"]
    unmet = rows(ws)
    assert len(unmet) == len(s.unmet)
    for r, u in zip(unmet, s.unmet):
        i = u.indicator
        assert r[:2] == [u.entry.name, u.project.name if u.project else "部门整体"]
        assert r[2:5] == [i.level, i.category, i.name] and r[7:] == [i.weight, i.score, i.reason]
        # The target with its operator and unit, the actual value with its unit.
        assert r[5] == _figure_text(i.target, i.unit, i.op) and r[6] == _figure_text(i.actual, i.unit)
        if isinstance(i.target, (int, float)) and i.op != "定性":
            assert r[5].startswith(i.op) and r[5].endswith(i.unit or "")
    assert any(r[5] == "≥95%" for r in unmet), [r[5] for r in unmet]
    assert ws.auto_filter.ref == f"A2:J{len(unmet) + 2}"


def chart_parts(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as zf:
        return {n: etree.fromstring(zf.read(n)) for n in sorted(zf.namelist()) if re.fullmatch(r"xl/charts/chart\d+\.xml", n)}


def series(chart: etree._Element) -> list[tuple[str, str]]:
    return [(ser.find(f"{C}cat//{C}f").text, ser.find(f"{C}val//{C}f").text) for ser in chart.iter(f"{C}ser")]


def values(wb: openpyxl.Workbook, ref: str) -> list:
    sheet, cells = ref.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    return [ws.cell(r, c).value for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]


def test_three_native_charts_plot_the_overview_tables(round_: Round, book_path: Path, wb) -> None:
    s = compute(round_.consolidation)
    charts = chart_parts(book_path)
    assert len(charts) == 3
    by_dir = {}
    for chart in charts.values():
        [bar] = chart.iter(f"{C}barChart")
        by_dir.setdefault(bar.find(f"{C}barDir").get("val"), []).append(series(chart))
    [grades, bands] = by_dir["col"]
    [scores] = by_dir["bar"]
    assert [values(wb, cat) for cat, _ in grades] == [[g.grade for g in s.grades]] * 2
    assert [values(wb, val) for _, val in grades] == [[g.projects for g in s.grades], [g.departments for g in s.grades]]
    assert [(values(wb, cat), values(wb, val)) for cat, val in bands] == [
        ([b.label() for b in s.bands], [b.projects for b in s.bands])]
    assert [(values(wb, cat), values(wb, val)) for cat, val in scores] == [
        ([d.entry.name for d in s.scored_departments], [d.table.score for d in s.scored_departments])]
    with zipfile.ZipFile(book_path) as zf:
        drawing = zf.read("xl/drawings/drawing1.xml").decode()
    assert drawing.count("<c:chart ") == 3 and "<xdr:pic>" not in drawing  # charts, not pictures


def test_english(round_: Round, tmp_path: Path) -> None:
    path = write_consolidation(round_.consolidation, tmp_path / "round.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Overview", "Projects", "Departments", "Rectify - low grades", "Rectify - low execution",
                             "Rectify - targets missed"]
    assert [r[2] for r in rows(wb["Departments"])] == [
        "passed", "not submitted", "failed", "passed (with warnings)", "passed"]


def test_same_round_same_bytes_and_no_silent_overwrite(round_: Round, book_path: Path) -> None:
    assert consolidation_bytes(round_.consolidation) == book_path.read_bytes()
    with pytest.raises(OutputError):
        write_consolidation(round_.consolidation, book_path)
    later = replace(round_.consolidation, generated=datetime(2026, 3, 3, 8, 0))
    write_consolidation(later, book_path, force=True)
    ws = openpyxl.load_workbook(book_path)["总览"]
    assert ws.cell(labelled(ws, "生成时间"), 2).value == datetime(2026, 3, 3, 8, 0)
    write_consolidation(round_.consolidation, book_path, force=True)


def test_non_finite_figures_are_never_numbers(round_: Round, tmp_path: Path) -> None:
    c = round_.consolidation
    entry = round_.entry("101001")
    odd = replace(entry.figures.projects[0], budget=math.inf, rate=math.nan)
    figures = replace(entry.figures, projects=(odd, *entry.figures.projects[1:]))
    c = replace(c, entries=tuple(replace(e, figures=figures) if e.code == "101001" else e for e in c.entries))
    wb = openpyxl.load_workbook(write_consolidation(c, tmp_path / "odd.xlsx"))
    first = rows(wb["项目明细"])[0]
    assert first[2] == odd.code and first[4] == "inf" and first[6] == "NaN"


def test_a_round_where_nobody_passed(round_: Round, tmp_path: Path) -> None:
    c = round_.consolidation
    nobody = replace(c, entries=tuple(Entry(e.code, e.name, MISSING, 0, 0, None, None) for e in c.entries),
                     deadline=None)
    path = write_consolidation(nobody, tmp_path / "empty.xlsx")
    wb = openpyxl.load_workbook(path)
    assert rows(wb["项目明细"]) == [] and len(rows(wb["部门汇总"])) == 5
    ws = wb["总览"]
    assert "没有已通过的部门，暂无得分。" in [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert len(chart_parts(path)) == 2  # no score chart without scores
    assert "报送截止日期" not in [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]


# --- print layout ---------------------------------------------------------------------------------

XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"


def chart_anchors(path: Path) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Each chart's ((from column, offset), (to column, offset)) on 总览."""
    with zipfile.ZipFile(path) as zf:
        drawing = etree.fromstring(zf.read("xl/drawings/drawing1.xml"))
    anchors = []
    for anchor in drawing.iter(f"{XDR}twoCellAnchor"):
        ends = [anchor.find(f"{XDR}{end}") for end in ("from", "to")]
        anchors.append(tuple((int(e.find(f"{XDR}col").text), int(e.find(f"{XDR}colOff").text)) for e in ends))
    return anchors


def px(width: float) -> int:
    """A column's pixels from the width xlsxwriter stores (characters + its padding)."""
    return round(width * 7)


def test_overview_charts_span_the_tables_exactly(round_: Round, book_path: Path, wb) -> None:
    """The charts are as wide as the five columns of the tables: they start at column A and end
    where column E ends, in every client (the anchor is a cell, not a pixel count)."""
    assert chart_anchors(book_path) == [((0, 0), (5, 0))] * 3
    ws = wb["总览"]
    widths = [ws.column_dimensions[col].width for col in "ABCDE"]
    names = [d.entry.name for d in compute(round_.consolidation).scored_departments]
    assert widths[0] >= max(len(name) * 2 for name in names)  # the longest name on one line
    assert max(widths[1:]) < widths[0]  # 数量 and 项目数 sit next to their labels, not beyond a name's width


def test_score_chart_value_axis_at_the_bottom(book_path: Path) -> None:
    """The first department on top (category axis reversed), the 0–100 axis below the bars."""
    [scores] = [c for c in chart_parts(book_path).values() if c.find(f".//{C}barDir").get("val") == "bar"]
    cat, val = scores.find(f".//{C}catAx"), scores.find(f".//{C}valAx")
    assert cat.find(f"{C}scaling/{C}orientation").get("val") == "maxMin"
    assert val.find(f"{C}crosses").get("val") == "max"  # crosses the category axis at its last category


def test_grades_are_centred_clear_of_the_scores(wb) -> None:
    ws = wb["总览"]
    first = labelled(ws, "部门名称") + 1
    assert ws.cell(first, 4).alignment.horizontal == "center" and ws.cell(first, 4).value == "优"
    assert wb["项目明细"]["I3"].alignment.horizontal == "center"
    assert wb["部门汇总"]["L3"].alignment.horizontal == "center"


@pytest.mark.parametrize("sheet", ZH_SHEETS)
def test_money_headers_break_before_the_bracket(wb, sheet: str) -> None:
    headers = [c.value for row in wb[sheet].iter_rows() for c in row
               if isinstance(c.value, str) and "（万元）" in c.value and c.fill.fgColor.rgb in ("FFF2F4F7", "00F2F4F7")]
    assert sheet == "整改-未完成的指标" or headers, sheet
    assert all(h.endswith("\n（万元）") for h in headers), headers


@pytest.mark.parametrize("sheet", ZH_SHEETS[1:])
def test_list_captions_span_the_table(wb, sheet: str) -> None:
    """Merged across the table, the caption prints no gridline boxes around empty cells."""
    ws = wb[sheet]
    last = ws.max_column
    assert f"A1:{openpyxl.utils.get_column_letter(last)}1" in {str(r) for r in ws.merged_cells.ranges}


def test_rectify_indicators_print_at_a_readable_size(wb) -> None:
    """Ten columns, the long texts wrapped: one landscape page wide at 90% or more (Excel's geometry;
    it was 14 columns at about 60%)."""
    ws = wb["整改-未完成的指标"]
    content_pt = sum(px(ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width)
                     for c in range(1, ws.max_column + 1)) * 0.75
    printable_pt = 841.89 - 0.8 * 72
    assert ws.max_column == 10 and printable_pt / content_pt >= 0.9
    reasons = [r for r in range(3, ws.max_row + 1) if ws.cell(r, 10).value]
    assert reasons and all(ws.cell(r, 10).alignment.wrap_text for r in reasons)


def test_rows_are_as_tall_as_their_wrapped_text(wb) -> None:
    """Department names fit their column: a row is taller only for text that wraps (a long
    project name), estimated for Excel's column widths and 宋体."""
    ws = wb["部门汇总"]
    assert all(ws.row_dimensions[r].height is None for r in range(3, ws.max_row + 1))
    ws = wb["项目明细"]
    tall = {r for r in range(3, ws.max_row + 1) if ws.row_dimensions[r].height}
    # Column D is 32 characters wide: 30 half-width units of text (a CJK character takes two).
    long_names = {r for r in range(3, ws.max_row + 1)
                  if sum(2 if ord(ch) > 0x2E7F else 1 for ch in ws.cell(r, 4).value) > 30}
    assert ws.column_dimensions["D"].width == 32.7109375
    assert long_names and tall == long_names


def test_figure_text() -> None:
    assert _figure_text(95, "%", "≥") == "≥95%"
    assert _figure_text(146.68, "万元", "≤") == "≤146.68万元"
    assert _figure_text(0.1 + 0.2, "次", "=") == "=0.3次"  # no float noise
    assert _figure_text(Percent(0.98), "%", "≥") == "≥98%"  # typed as a percentage: not 0.98%
    assert _figure_text("有效提升", None, "定性") == "有效提升"
    assert _figure_text(None, "%", "≥") is None and _figure_text(312, None) == "312"
