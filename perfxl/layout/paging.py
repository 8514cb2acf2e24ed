"""Where the printed pages of a sheet break, and how tall rows holding long text must be.

Excel, WPS and LibreOffice break pages wherever the paper runs out, which cut merged
一级/二级 label blocks in two (the label then prints on one page only). The writer
places a manual break at the start of every page instead, computed here from the row
heights and the paper the sheet prints on, so no merged block of rows spans a break.

The geometry is Excel's: column widths in characters of the default font (Calibri 11,
7 pixels a digit, 5 pixels of padding), 96 pixels to 72 points, fit to one page wide
(the scale only ever shrinks). A client with wider columns (LibreOffice without the
Carlito font) prints smaller, so every page computed here still fits there.

Nothing here changes a Field: heights and breaks are print settings, outside the
layout digest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .model import Field, SheetLayout, VType

# A4 in points, and the margins the writer sets (inches).
A4 = (595.28, 841.89)
MARGIN_LEFT = MARGIN_RIGHT = 0.4
MARGIN_TOP = MARGIN_BOTTOM = 0.6
DEFAULT_ROW = 15.0        # points: Excel's default row for the workbook font (Calibri 11)
DEFAULT_WIDTH = 8.43      # characters: a column without a set width
FILL = 0.97               # share of the printable height used: room for rounding to pixels
# Body text is 宋体 10 pt: a CJK character is as wide as the font size, a Latin one half that.
FONT_PT = 10.0
LINE_SPACING = 1.4        # a wrapped line takes 1.4 times the font size
LINE = FONT_PT * LINE_SPACING
CELL_PAD_PX = 6           # pixels a cell keeps free around its text
TEXT_TYPES = (VType.TEXT, VType.LONGTEXT)


def column_px(width: float) -> int:
    """A column's width in pixels, as Excel (and xlsxwriter) turn characters into pixels."""
    if width < 1:
        return int(width * 12 + 0.5)
    return int(width * 7 + 0.5) + 5


def text_units(text: str) -> int:
    """Width of `text` in half-width units: a CJK (full-width) character counts two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def text_lines(text: str, px: int, font_pt: float = FONT_PT) -> int:
    """Lines `text` wraps to in a cell `px` pixels wide (each paragraph starts a line)."""
    per_line = max(1, int((px - CELL_PAD_PX) / (font_pt / 2 * 96 / 72)))
    return sum(max(1, math.ceil(text_units(part) / per_line)) for part in text.split("\n"))


def span_px(sheet: SheetLayout, first_col: int, last_col: int) -> int:
    """Printed width of columns first_col..last_col (hidden ones take no room)."""
    return sum(column_px(sheet.widths.get(c, DEFAULT_WIDTH)) for c in range(first_col, last_col + 1)
               if c not in sheet.hidden_cols)


def row_heights(sheet: SheetLayout, texts: Mapping[str, object]) -> dict[int, float]:
    """The sheet's row heights with rows tall enough for the text they show.

    `texts` maps field keys to the text a cell shows (issued names, cached formula text):
    known at render time, not in the shared layout. Only one-row text fields are sized;
    Excel does not grow a row for a merged cell, so these need it most.
    """
    heights = dict(sheet.heights)
    for f in sheet.fields:
        text = texts.get(f.key)
        if f.vtype not in TEXT_TYPES or not isinstance(text, str) or not text or _rows(f) != 1:
            continue
        lines = text_lines(text, span_px(sheet, f.col, f.last_col if f.last_col is not None else f.col))
        if lines > 1:
            need = lines * LINE + 3
            heights[f.row] = max(heights.get(f.row, DEFAULT_ROW), need)
    return heights


def _rows(f: Field) -> int:
    return (f.last_row if f.last_row is not None else f.row) - f.row + 1


def page_size(landscape: bool) -> tuple[float, float]:
    """(width, height) of the paper in points."""
    return (A4[1], A4[0]) if landscape else A4


def fit_scale(sheet: SheetLayout) -> float:
    """Excel's fit-to-one-page-wide scale: whole percent, never above 100%."""
    width, _ = page_size(sheet.landscape)
    printable = width - (MARGIN_LEFT + MARGIN_RIGHT) * 72
    content = span_px(sheet, 0, max(sheet.print_cols - 1, 0)) * 0.75
    if content <= printable:
        return 1.0
    return math.floor(printable / content * 100) / 100


def page_capacity(sheet: SheetLayout) -> float:
    """Points of unscaled rows one printed page holds."""
    _, height = page_size(sheet.landscape)
    return (height - (MARGIN_TOP + MARGIN_BOTTOM) * 72) / fit_scale(sheet) * FILL


def keep_together(sheet: SheetLayout) -> list[tuple[int, int]]:
    """Row ranges no page break may fall inside: merged blocks over several rows, the
    layout's `keep_rows`, and the repeated header with the first row under it (a header
    alone at the foot of a page)."""
    spans = set()
    for item in [*sheet.labels, *sheet.fields]:
        if item.last_row is not None and item.last_row > item.row and item.col < sheet.print_cols:
            spans.add((item.row, item.last_row))
    spans.update(sheet.keep_rows)
    if sheet.repeat_rows:
        first, last = sheet.repeat_rows
        spans.add((first, last + 1))
    return sorted(spans)


def page_breaks(sheet: SheetLayout, heights: Mapping[int, float]) -> list[int]:
    """First row of every printed page after the first (0-based, as xlsxwriter takes them).

    Greedy: fill a page, then break at the latest row that cuts no block; when every
    candidate cuts one (a block taller than a page), cut the fewest, so a 一级 block
    breaks between its 二级 blocks rather than through one. Empty for a sheet without
    blocks: its client's own breaks are as good.
    """
    spans = keep_together(sheet)
    if all(span == _header_span(sheet) for span in spans):
        return []
    last_row = sheet.last_row
    capacity = page_capacity(sheet)
    header = sheet.repeat_rows
    header_height = sum(heights.get(r, DEFAULT_ROW) for r in range(header[0], header[1] + 1)) if header else 0.0

    def cuts(row: int) -> int:
        return sum(1 for first, last in spans if first < row <= last)

    breaks: list[int] = []
    start = 0
    while True:
        used = header_height if header and start > header[1] else 0.0
        end = start
        while end <= last_row and used + heights.get(end, DEFAULT_ROW) <= capacity:
            used += heights.get(end, DEFAULT_ROW)
            end += 1
        if end > last_row:
            return breaks
        end = max(end, start + 1)  # a row taller than a page gets a page of its own
        best = min(range(start + 1, end + 1), key=lambda row: (cuts(row), -row))
        breaks.append(best)
        start = best


def _header_span(sheet: SheetLayout) -> tuple[int, int] | None:
    return (sheet.repeat_rows[0], sheet.repeat_rows[1] + 1) if sheet.repeat_rows else None
