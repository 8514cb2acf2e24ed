"""Printing: no merged 一级/二级 block (or any merged block of rows) cut by a page break,
rows tall enough for long issued names, A4 fit one page wide.

The page check reads the written xlsx back with openpyxl and recomputes each page from the
file alone (paper, margins, column widths, row heights, repeated rows, manual breaks), in
Excel's geometry: if a page held more than the paper does, the client would add a break of
its own there, so a page that fits plus breaks outside every merged block is a clean print.
"""

from __future__ import annotations

import io
import math
import re
from datetime import date

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, range_boundaries

from perfxl.generate import blank_workbook, department_workbook
from perfxl.layout import build_layout, paging
from perfxl.layout.model import Label, SheetLayout
from perfxl.roster.model import Department, Project
from perfxl.scheme import load_scheme

GENERATED = date(2026, 1, 5)
LONG_UNIT = "某某市某某区人民政府政务服务管理办公室（某某市某某区大数据发展服务中心）综合业务科"
LONG_PROJECT = ("某某区二〇二五年度政务服务事项标准化建设及一体化在线政务服务平台运行维护与升级改造专项经费"
                "（含政务服务大厅智能化改造、自助服务终端购置及基层便民服务站点建设）")


def _project(i: int, long: bool) -> Project:
    return Project("900001", f"P{i:03d}", LONG_PROJECT if long else f"项目{i}", "某某区行政审批局",
                   LONG_UNIT if long else "某某区行政审批局", 100.0 + i, 100.0 + i, 5.0, 5.0, 0.0, 0.0)


def _department(projects: int) -> Department:
    return Department("900001", "某某区行政审批局", 500.0, 520.0,
                      tuple(_project(i, long=i % 2 == 1) for i in range(1, projects + 1)))


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


WORKBOOKS = [(scheme, n, blank) for scheme in ("national", "province-example") for n in (1, 3, 7)
             for blank in (False, True)]


@pytest.fixture(scope="module", params=WORKBOOKS, ids=lambda p: f"{p[0]}-{p[1]}-{'blank' if p[2] else 'issued'}")
def book(request) -> openpyxl.Workbook:
    name, projects, blank = request.param
    scheme = load_scheme(name)
    if blank:
        return _book(blank_workbook(projects, 2025, scheme, GENERATED))
    return _book(department_workbook(_department(projects), 2025, scheme, GENERATED))


def _pages(ws) -> list[tuple[int, int]]:
    """(first, last) 1-based rows of each printed page, from the print area and the manual breaks."""
    _, first, _, last = range_boundaries(ws.print_area.split("!")[-1].replace("$", ""))
    starts = [first] + [b.id + 1 for b in ws.row_breaks.brk]  # a break with id n falls below row n
    return [(start, end - 1) for start, end in zip(starts, starts[1:] + [last + 1])]


def _height(ws, row: int) -> float:
    height = ws.row_dimensions[row].height
    return height if height is not None else paging.DEFAULT_ROW


def _capacity(ws) -> float:
    """Points of rows one page holds, from the sheet's own print settings (Excel's geometry)."""
    setup = ws.page_setup
    assert setup.paperSize == 9
    paper_w, paper_h = (841.89, 595.28) if setup.orientation == "landscape" else (595.28, 841.89)
    m = ws.page_margins
    min_col, _, max_col, _ = range_boundaries(ws.print_area.split("!")[-1].replace("$", ""))
    px = 0
    for letter, dim in ws.column_dimensions.items():
        for col in range(dim.min or column_index_from_string(letter), (dim.max or dim.min or 0) + 1):
            if min_col <= col <= max_col and not dim.hidden:
                px += round(dim.width * 7)  # the file stores characters including the 5-pixel padding
    scale = min(1.0, math.floor((paper_w - (m.left + m.right) * 72) / (px * 0.75) * 100) / 100)
    return (paper_h - (m.top + m.bottom) * 72) / scale


def test_no_merged_block_spans_a_page_break(book) -> None:
    checked = 0
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        breaks = {b.id for b in ws.row_breaks.brk}
        blocks = [r for r in ws.merged_cells.ranges if r.max_row > r.min_row]
        for block in blocks:
            assert not any(block.min_row <= b < block.max_row for b in breaks), (ws.title, str(block), breaks)
        if re.fullmatch(r"项目\d+", ws.title):
            # The 一级 and 二级 labels are merged blocks in columns A and B; 3 pages of A4.
            assert sum(1 for r in blocks if r.min_col == r.max_col == 2) >= 9
            assert len(breaks) == 2
            checked += 1
    assert checked >= 1


def test_every_page_fits_the_paper(book) -> None:
    """No page between two manual breaks is taller than the paper: no client break inside."""
    for ws in book.worksheets:
        if ws.sheet_state != "visible" or not ws.row_breaks.brk:
            continue
        capacity = _capacity(ws)
        titles = (ws.print_title_rows or "").replace("$", "")
        title_rows = range(int(titles.split(":")[0]), int(titles.split(":")[1]) + 1) if titles else range(0)
        for first, last in _pages(ws):
            used = sum(_height(ws, r) for r in range(first, last + 1))
            if title_rows and first > title_rows[-1]:
                used += sum(_height(ws, r) for r in title_rows)
            assert used <= capacity, (ws.title, first, last, used, capacity)


def test_long_issued_names_get_taller_rows() -> None:
    book = _book(department_workbook(_department(2), 2025, load_scheme("national"), GENERATED))
    long, short = book["项目1"], book["项目2"]
    assert long["I4"].value == LONG_UNIT and long["C3"].value == LONG_PROJECT
    assert long.row_dimensions[4].height > paging.DEFAULT_ROW  # 实施单位: I:K holds ~21 characters a line
    assert long.row_dimensions[3].height > paging.DEFAULT_ROW  # 项目名称 over C:K: ~59 characters a line
    assert short.row_dimensions[4].height is None and short.row_dimensions[3].height is None
    summary = book["项目支出绩效自评情况汇总表"]
    assert "'项目1'!I4" in summary["B4"].value  # 资金使用单位 shows 实施单位
    # 资金使用单位 in a 20-character column (10 CJK characters a line): 41 characters take 5 lines.
    assert summary.row_dimensions[4].height >= 4 * paging.LINE
    assert summary.row_dimensions[5].height is None
    assert summary["B4"].alignment.wrap_text and summary["C4"].alignment.wrap_text


def test_print_settings_leave_the_layout_alone() -> None:
    """Heights and breaks are computed at render time: the shared layout (and its digest) stays."""
    scheme = load_scheme("national")
    layout = build_layout(scheme, 2)
    digest, heights = layout.digest, {s.code: dict(s.heights) for s in layout.sheets}
    department_workbook(_department(2), 2025, scheme, GENERATED)
    assert build_layout(scheme, 2) is layout and layout.digest == digest
    assert {s.code: s.heights for s in layout.sheets} == heights


# --- the paging function on small made-up sheets ------------------------------------------

def _sheet(rows: int, blocks: list[tuple[int, int]], header: tuple[int, int] | None = None) -> SheetLayout:
    s = SheetLayout("t", "project", "t", widths={0: 10}, print_cols=1, repeat_rows=header)
    s.labels.extend(Label(first, 0, "x", last_row=last) for first, last in blocks)
    s.labels.append(Label(rows - 1, 0, "end"))
    return s


def test_a_block_that_would_be_cut_moves_to_the_next_page() -> None:
    per_page = int(paging.page_capacity(_sheet(2, [])) // paging.DEFAULT_ROW)
    sheet = _sheet(per_page + 10, [(per_page - 2, per_page + 2)])
    assert paging.page_breaks(sheet, {}) == [per_page - 2]
    assert paging.page_breaks(_sheet(per_page + 10, [(per_page - 6, per_page - 2)]), {}) == [per_page]


def test_a_block_taller_than_a_page_breaks_between_its_inner_blocks() -> None:
    per_page = int(paging.page_capacity(_sheet(2, [])) // paging.DEFAULT_ROW)
    outer = (0, 2 * per_page - 1)
    inner = [(i, i + 4) for i in range(0, 2 * per_page - 5, 5)]
    breaks = paging.page_breaks(_sheet(2 * per_page, [outer, *inner]), {})
    assert breaks[0] == per_page // 5 * 5  # the latest boundary between two inner blocks


def test_the_repeated_header_is_counted_and_never_left_alone() -> None:
    per_page = int(paging.page_capacity(_sheet(2, [])) // paging.DEFAULT_ROW)
    # Header at the last row of page 1 with a block under it: the header goes over too.
    sheet = _sheet(3 * per_page, [(per_page, per_page + 3)], header=(per_page - 1, per_page - 1))
    breaks = paging.page_breaks(sheet, {})
    assert breaks[0] == per_page - 1
    # Later pages hold one row fewer: the header repeats on them.
    assert breaks[1] - breaks[0] == per_page
    assert breaks[2] - breaks[1] == per_page - 1


def test_a_sheet_without_blocks_keeps_its_clients_breaks() -> None:
    assert paging.page_breaks(_sheet(500, []), {}) == []


def test_cjk_text_is_twice_as_wide_as_latin() -> None:
    px = paging.column_px(20)
    assert paging.text_units("资金使用单位") == 12 == paging.text_units("abcdefghijkl")
    assert paging.text_lines("资" * 10, px) == 1 < paging.text_lines("资" * 20, px) == 2
    assert paging.text_lines("a" * 20, px) == 1
    assert paging.text_lines("第一行\n第二行", px) == 2
