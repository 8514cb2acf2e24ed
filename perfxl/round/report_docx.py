"""The draft 自评情况报告 of a round, as a Word document the office finishes and signs.

The words live in a jinja2 template (templates/reports/self-evaluation-report.md.j2; the .en
variant in English) that renders a tiny line-based markup, converted here to docx: "# " the
title, "## "/"### " headings, "- " bullets, "| a | b |" table rows (a run of them is one
table, its first row the header; a row such as "| :-- | --: | :-: |" right under it aligns
each column left, right or centred, as in Markdown, where "---" leaves numbers right and text
left), "> " right-aligned lines, anything else a paragraph. The office's own words go where
the template calls fill("…"): a yellow-highlighted 【请填写：…】.

Tables are laid out for print: columns as wide as their content needs (the names get the
room), rows that never split across pages, the header repeated on every page, the paragraph
that introduces a table kept on its page, and no empty paragraph after it.

Every value the template prints is escaped (a backslash before the markup characters,
line breaks flattened), so a department or project name from a returned file can neither
start a heading nor add a table column. The figures come from perfxl.round.stats, as in the
consolidated workbook.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..atomic import write_output
from ..i18n import register, text
from ..report.html import template_dirs
from ..scoring import round2
from .consolidation import PASSED_WARNINGS, Consolidation
from .stats import Stats, compute, percent_text, status_text

__all__ = ["write_report", "report_bytes", "render_markup", "parse", "build", "TEMPLATES"]

TEMPLATES = {"zh": "self-evaluation-report.md.j2", "en": "self-evaluation-report.en.md.j2"}

register({
    "round_report.fill": ("【请填写：{what}】", "[To fill in: {what}]"),
})
_NONE = "—"  # a figure that cannot be given (no passed department, a blank budget)

# Fonts as in Chinese official documents (GB/T 9704): 仿宋 body, 黑体 and 楷体 headings, a 宋体 title.
BODY_FONT, HEADING1_FONT, HEADING2_FONT, TITLE_FONT, TABLE_FONT = "仿宋", "黑体", "楷体", "宋体", "宋体"
LATIN_FONT = "Times New Roman"
BODY_PT, TITLE_PT, TABLE_PT = 16, 22, 10.5
TABLE_STYLE = "Report Table Text"
# A4 portrait with GB/T 9704 margins (top, bottom, left, right), in millimetres.
PAGE_MM, MARGINS_MM = (210, 297), (37, 35, 28, 26)
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM[2] - MARGINS_MM[3]  # what a table spans

# Placeholder markers: private-use characters only fill() emits (values are stripped of them).
_OPEN, _CLOSE = "\ue000", "\ue001"
_ESCAPED = "\\|#->"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")
_NUMERIC = re.compile(r"^[-+]?[\d,]+(\.\d+)?%?$")


class _Raw(str):
    """Template output that is markup already (a placeholder), not a value to escape."""


def _escape(value: Any) -> Any:
    """jinja2 `finalize`: every printed value, flattened to one line with its markup escaped."""
    if isinstance(value, _Raw):
        return value
    if value is None:
        return ""
    shown = _CONTROL.sub("", re.sub(r"\s*[\r\n\t\u2028\u2029]+\s*", " ", str(value)))
    return "".join("\\" + ch if ch in _ESCAPED else ch for ch in shown)


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


# --- the template ----------------------------------------------------------------------------------

def _amount(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return _NONE
    return f"{round2(value):,.2f}"


def _pct(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return _NONE
    return f"{value * 100:.2f}%"


def _score(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return _NONE
    return f"{round2(value):.2f}"


def _share(part: int, whole: int) -> str:
    return _pct(part / whole) if whole else _NONE


def _date(value: date | datetime, lang: str) -> str:
    """One date style in a report: 2026年3月31日 (en: 31 March 2026)."""
    return f"{value.year}年{value.month}月{value.day}日" if lang == "zh" else value.strftime("%d %B %Y")


def _time(value: datetime, lang: str) -> str:
    return f"{_date(value, lang)} {value:%H:%M}"


def _submitted(value: str | None, lang: str) -> str:
    """A submission time as the report's other dates: 2026年3月26日 15:40 (en: 2026-03-26 15:40)."""
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return value
    return _time(when, lang) if lang == "zh" else f"{when:%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class _UnmetRow:
    name: str
    indicators: int
    projects: int
    department_wide: int


def _context(c: Consolidation, stats: Stats, lang: str) -> dict[str, Any]:
    joiner = "、" if lang == "zh" else ", "
    by_department: dict[str, list[Any]] = {}
    for row in stats.unmet:
        by_department.setdefault(row.entry.code, []).append(row)
    unmet_by_department = [
        _UnmetRow(rows[0].entry.name, len(rows), len({r.project.code for r in rows if r.project is not None}),
                  sum(1 for r in rows if r.project is None))
        for rows in by_department.values()]
    levels = [lv.name if lang == "zh" else lv.name_en for lv in c.scheme.levels]
    names = {lv.name: (lv.name if lang == "zh" else lv.name_en) for lv in c.scheme.levels}
    counts = {name: 0 for name in levels}
    for row in stats.unmet:
        label = names.get(row.indicator.level, row.indicator.level)
        counts[label] = counts.get(label, 0) + 1

    def fill(what: str) -> _Raw:
        return _Raw(_OPEN + _escape(what) + _CLOSE)

    def departments_of(rows: Iterable[Any]) -> int:
        return len({r.entry.code for r in rows})

    warned = sum(1 for e in c.entries if e.status == PASSED_WARNINGS)
    return {
        "c": c, "s": stats, "fill": fill, "share": _share, "departments_of": departments_of,
        "status": lambda status: status_text(status, lang), "submitted": lambda value: _submitted(value, lang),
        "generated": _time(c.generated, lang), "today": _date(c.generated, lang),
        "deadline": _date(c.deadline, lang) if c.deadline else "",
        "warned": warned, "threshold": percent_text(stats.reason_below),
        "rectify_grades": joiner.join(stats.rectify_grades) or _NONE,
        "unmet_by_level": [(name, n) for name, n in counts.items() if n],
        "unmet_by_department": unmet_by_department,
        "outstanding": [e for e in c.entries if not e.counted],
    }


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader([str(p) for p in template_dirs()]), autoescape=False,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      finalize=_escape)
    env.filters.update(amount=_amount, pct=_pct, score=_score)
    return env


def render_markup(c: Consolidation, *, lang: str = "zh") -> str:
    """The report as the template renders it (the markup, before it becomes a docx)."""
    stats = compute(c)
    template = _environment().get_template(TEMPLATES["en" if lang == "en" else "zh"])
    return template.render(**_context(c, stats, lang))


# --- markup → docx -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Block:
    kind: str  # "title" | "h1" | "h2" | "bullet" | "right" | "para" | "table"
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    align: tuple[str, ...] = ()  # a table's columns: "left", "right", "center" or "" (numbers right)


_ALIGN_CELL = re.compile(r"^(:?)-+(:?)$")  # a value's "-" is escaped, so no value can look like this


def _alignment(cells: tuple[str, ...]) -> tuple[str, ...] | None:
    """("left", "right", …) when `cells` is an alignment row such as | :-- | --: | :-: | ---; else None."""
    found = [_ALIGN_CELL.match(cell) for cell in cells]
    if not cells or not all(found):
        return None
    names = {(":", ""): "left", ("", ":"): "right", (":", ":"): "center", ("", ""): ""}
    return tuple(names[m.groups()] for m in found if m is not None)


_PREFIXES = (("### ", "h2"), ("## ", "h1"), ("# ", "title"), ("- ", "bullet"), ("> ", "right"))


def _cells(line: str) -> tuple[str, ...]:
    """`| a | b\\|c |` → ("a", "b\\|c"): split on the unescaped bars; the cells stay escaped."""
    cells: list[str] = []
    current, i = "", 1  # line[0] is the opening bar
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            current += line[i:i + 2]
            i += 2
            continue
        if ch == "|":
            cells.append(current.strip())
            current = ""
        else:
            current += ch
        i += 1
    if current.strip():  # a row without its closing bar
        cells.append(current.strip())
    return tuple(cells)


def parse(markup: str) -> list[_Block]:
    """The markup's blocks in order; table rows that follow each other form one table."""
    blocks: list[_Block] = []
    rows: list[tuple[str, ...]] = []

    def flush() -> None:
        if rows:
            align = _alignment(rows[1]) if len(rows) > 1 else None
            if align is not None:
                del rows[1]
            blocks.append(_Block("table", rows=tuple(rows), align=align or ()))
            rows.clear()

    for raw in markup.splitlines():
        line = raw.strip()
        if line.startswith("|"):
            rows.append(_cells(line))
            continue
        flush()
        if not line:
            continue
        for prefix, kind in _PREFIXES:
            if line.startswith(prefix):
                blocks.append(_Block(kind, line[len(prefix):].strip()))
                break
        else:
            blocks.append(_Block("para", line))
    flush()
    return blocks


def _fonts(element: Any, latin: str, east_asia: str) -> None:
    """Set a style's or run's fonts, East Asian included; theme fonts would override them."""
    rpr = element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _style(doc: Any, name: str, east_asia: str, size: float, bold: bool = False) -> Any:
    style = doc.styles[name]
    _fonts(style.element, LATIN_FONT, east_asia)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    return style


def _setup(doc: Any, title: str, generated: datetime, lang: str) -> None:
    """A4 portrait with GB/T 9704 margins, Chinese fonts on every style the report uses."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = (Mm(m) for m in MARGINS_MM)

    normal = _style(doc, "Normal", BODY_FONT, BODY_PT)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    # East Asian text in the document's language, so Word picks the East Asian font for it.
    lang_el = normal.element.get_or_add_rPr().find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        normal.element.get_or_add_rPr().append(lang_el)
    lang_el.set(qn("w:eastAsia"), "zh-CN")

    title_style = _style(doc, "Title", TITLE_FONT, TITLE_PT, bold=True)
    ppr = title_style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    title_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    title_style.paragraph_format.space_before = Pt(12)
    title_style.paragraph_format.space_after = Pt(24)
    for name, font in (("Heading 1", HEADING1_FONT), ("Heading 2", HEADING2_FONT)):
        heading = _style(doc, name, font, BODY_PT)
        heading.paragraph_format.space_before = Pt(6)
        heading.paragraph_format.space_after = Pt(0)
        heading.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        heading.paragraph_format.line_spacing = Pt(28)
    _style(doc, "List Bullet", BODY_FONT, BODY_PT)

    table_text = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    _style(doc, TABLE_STYLE, TABLE_FONT, TABLE_PT)
    table_text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    table_text.paragraph_format.first_line_indent = Pt(0)
    table_text.paragraph_format.space_before = Pt(2)
    table_text.paragraph_format.space_after = Pt(2)

    props = doc.core_properties
    props.title = title
    props.author = "perfxl"
    props.language = "zh-CN" if lang == "zh" else "en"
    props.created = props.modified = generated.replace(tzinfo=None)
    props.last_modified_by = "perfxl"
    props.revision = 1


def _parts(escaped: str, lang: str) -> Iterable[tuple[str, bool]]:
    """The text of one element as it reads, in (text, is a placeholder) parts."""
    for i, part in enumerate(re.split(f"{_OPEN}|{_CLOSE}", escaped)):
        if part:
            yield (text("round_report.fill", lang, what=_unescape(part)), True) if i % 2 else (_unescape(part), False)


def _runs(paragraph: Any, escaped: str, lang: str) -> None:
    """The text of one element as runs: placeholders highlighted, everything else plain."""
    for part, placeholder in _parts(escaped, lang):
        run = paragraph.add_run(part)
        if placeholder:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _row_flag(row: Any, tag: str) -> None:
    """A row property that is on: w:tblHeader (repeat on every page), w:cantSplit (never split)."""
    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _shade(cell: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


# Column widths, measured in half-width units: a CJK character is two (as wide as the font
# size), a Latin one 1.2 (0.6 em: Times New Roman's digits are 0.5, the fonts a client may put in
# their place up to 0.64), "%" and the widest capitals two.
_CELL_PAD_PT = 12.0  # Word's cell margins: 0.08 inch each side
_WIDE_LATIN = "%@MW"
_SHORT_UNITS = 8  # a text column is never squeezed below four CJK characters
KEEP_WHOLE_ROWS = 15  # a table up to this many rows stays on one page; a longer one keeps its first rows
_ALIGNMENT = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
              "center": WD_ALIGN_PARAGRAPH.CENTER}


def _units(value: str, bold: bool = False) -> float:
    """Width of one line of `value` in half-width units (bold Latin letters are a little wider;
    CJK ones are not). Word and LibreOffice put a quarter em between CJK and Latin characters
    ("2026年3月26日" is set as "2026 年 3 月 26 日")."""
    latin = 1.26 if bold else 1.2
    units, previous = 0.0, None
    for ch in value:
        cjk = ord(ch) > 0x2E7F
        units += 2.0 if cjk or ch in _WIDE_LATIN else latin
        if not ch.isspace():
            if previous is not None and previous != cjk:
                units += 0.5
            previous = cjk
    return units


_DATE_TEXT = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")


def _unbroken(value: str) -> list[str]:
    """The parts of a cell that must not break inside: numbers, codes, times (no CJK, no
    spaces) and dates such as 2026年3月26日."""
    return [part for part in value.split() if _DATE_TEXT.match(part) or all(ord(ch) <= 0x2E7F for ch in part)]


def column_widths(rows: Sequence[Sequence[str]], available: float, size: float = TABLE_PT) -> list[float]:
    """Widths in points for a table of `rows` (plain text, the header first) spanning `available`.

    Every column wants its longest cell on one line and gets it when the table fits; the room
    left over is shared evenly. Otherwise each column starts at its least width (numbers, codes
    and dates whole, text four characters) and the rest of the room goes, step by step, where it
    saves the most printed lines for the points it costs: the table gets as short as it can,
    and a name wraps into two even lines rather than leaving one character on the second.
    """
    columns = max(len(r) for r in rows)
    units = [[_units(r[col] if col < len(r) else "", bold=i == 0) for col in range(columns)]
             for i, r in enumerate(rows)]  # the header is bold

    def width_for(u: float, lines: int) -> float:  # the width that sets `u` units on `lines` lines
        return math.ceil(u / lines / 2 - 1e-9) * size + _CELL_PAD_PT

    def lines_in(u: float, width: float) -> int:
        per_line = max(1, math.floor((width - _CELL_PAD_PT) / size + 1e-9)) * 2
        return max(1, math.ceil(u / per_line - 1e-9))

    natural = [max(width_for(row[col], 1) for row in units) for col in range(columns)]
    least = [0.0] * columns
    for i, r in enumerate(rows):
        for col in range(columns):
            # English words and figures break between them, not inside one.
            for part in _unbroken(r[col] if col < len(r) else ""):
                least[col] = max(least[col], width_for(_units(part, bold=i == 0), 1))
    least = [min(n, max(w, width_for(_SHORT_UNITS, 1))) for w, n in zip(least, natural)]
    if sum(natural) <= available:
        return [w + (available - sum(natural)) / columns for w in natural]
    if sum(least) >= available:  # even the least widths do not fit: shrink them all alike
        return [w * available / sum(least) for w in least]

    widths = list(least)
    lines = [[lines_in(u, w) for u, w in zip(row, widths)] for row in units]
    # A line more in a cell that breaks at a space ("2026年3月26日 15:40", English) matters less
    # than one that cuts a name.
    weights = [[1 if " " in (r[col] if col < len(r) else "") else 2 for col in range(columns)] for r in rows]

    def cost(col: int, width: float) -> tuple[int, int]:
        """With column `col` at `width`: the table's printed lines, and how many more (weighted)
        lines its cells take than now (fewer, negative)."""
        tall = more = 0
        for row, counts, weight in zip(units, lines, weights):
            changed = lines_in(row[col], width)
            tall += max(max(counts[:col], default=1), changed, max(counts[col + 1:], default=1))
            more += (changed - counts[col]) * weight[col]
        return tall, more

    while True:
        spare = available - sum(widths)
        now, _ = cost(0, widths[0])
        best: tuple[float, int, float] | None = None
        for col in range(columns):
            candidates = {width_for(row[col], k) for row, counts in zip(units, lines)
                          for k in range(1, counts[col])}
            for width in candidates:
                if width <= widths[col] or width - widths[col] > spare + 1e-9:
                    continue
                tall, more = cost(col, width)
                gain = (now - tall) * 1000 - more  # the table's height first, then its cells' lines
                if gain > 0 and (best is None or gain / (width - widths[col]) > best[0]):
                    best = (gain / (width - widths[col]), col, width)
        if best is None:
            break
        _, col, width = best
        widths[col] = width
        for row, counts in zip(units, lines):
            counts[col] = lines_in(row[col], width)
    return [w + (available - sum(widths)) / columns for w in widths]


def _keep_with_next(row: Any) -> None:
    for cell in row.cells:
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def _table(doc: Any, block: _Block, lang: str) -> Any:
    rows = block.rows
    width = max(len(r) for r in rows)
    shown = [["".join(part for part, _ in _parts(cell, lang)) for cell in r] for r in rows]
    widths = column_widths(shown, Mm(TEXT_WIDTH_MM).pt)
    table = doc.add_table(rows=0, cols=width)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # fixed layout: the widths below, not Word's own guess
    tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        table._tbl.tblPr.append(tbl_w)
    tbl_w.set(qn("w:w"), str(sum(round(Pt(w).twips) for w in widths)))
    tbl_w.set(qn("w:type"), "dxa")
    for col, w in enumerate(widths):
        table.columns[col].width = Pt(w)
    # Short tables stay whole on a page; a long one keeps its header with its first rows.
    kept = len(rows) - 1 if len(rows) <= KEEP_WHOLE_ROWS else 3
    for index, cells in enumerate(rows):
        row = table.add_row()
        _row_flag(row, "w:cantSplit")
        if index == 0:
            _row_flag(row, "w:tblHeader")
        for col in range(width):
            cell = row.cells[col]
            cell.width = Pt(widths[col])  # Word reads the width of every cell, not the grid's
            paragraph = cell.paragraphs[0]
            paragraph.style = doc.styles[TABLE_STYLE]
            value = cells[col] if col < len(cells) else ""
            _runs(paragraph, value, lang)
            if index == 0:
                _shade(cell, "F2F4F7")
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for run in paragraph.runs:
                    run.font.bold = True
            elif col < len(block.align) and block.align[col]:
                paragraph.alignment = _ALIGNMENT[block.align[col]]
            elif _NUMERIC.match(_unescape(value)):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if index < kept:
            _keep_with_next(row)
    return table


def build(markup: str, *, title: str, generated: datetime, lang: str = "zh") -> DocxDocument:
    """A python-docx Document from the markup."""
    doc = Document()
    _setup(doc, title, generated, lang)
    blocks = parse(markup)
    previous: Any = None  # the last paragraph added
    after_table = False
    for i, block in enumerate(blocks):
        if block.kind == "table":
            if previous is not None and not after_table:
                previous.paragraph_format.keep_with_next = True  # the words that introduce it stay with it
            _table(doc, block, lang)
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            if following is None or following.kind == "table":
                # Two tables in a row would join into one, and a document ends with a paragraph.
                spacer = doc.add_paragraph()
                spacer.paragraph_format.line_spacing = Pt(6)
                previous, after_table = spacer, False
            else:
                after_table = True
            continue
        if block.kind == "title":
            paragraph = doc.add_paragraph(style="Title")
        elif block.kind == "h1":
            paragraph = doc.add_paragraph(style="Heading 1")
        elif block.kind == "h2":
            paragraph = doc.add_paragraph(style="Heading 2")
        elif block.kind == "bullet":
            paragraph = doc.add_paragraph(style="List Bullet")
        elif block.kind == "right":
            paragraph = doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            paragraph = doc.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)  # two characters, as Chinese text is set
        if after_table:
            paragraph.paragraph_format.space_before = Pt(8)  # clear of the table, without an empty line
        _runs(paragraph, block.text, lang)
        previous, after_table = paragraph, False
    return doc


def _steady(data: bytes, when: datetime) -> bytes:
    """The same bytes for the same report: every zip member stamped with the generation time."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            dst.writestr(member, src.read(info))
    return out.getvalue()


def report_bytes(c: Consolidation, *, lang: str = "zh") -> bytes:
    """The draft report as docx bytes; the same Consolidation gives the same bytes."""
    markup = render_markup(c, lang=lang)
    title = next((b.text for b in parse(markup) if b.kind == "title"), "")
    doc = build(markup, title=_unescape(title), generated=c.generated, lang=lang)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _steady(buffer.getvalue(), c.generated)


def write_report(c: Consolidation, path: str | Path, *, lang: str = "zh", force: bool = False) -> Path:
    """Write the draft 自评情况报告 to `path` atomically; an existing file only with `force`, so
    a report the office has started editing is never overwritten by accident."""
    return write_output(path, report_bytes(c, lang=lang), force)
