"""The round's consolidated workbook: one file the office files with its report.

Sheets: 总览 (counts, totals, the grade and execution-rate distributions, three native charts,
each department's score), 项目明细 (every project of the passed departments), 部门汇总 (every
roster department and its standing) and the three 整改 lists. Every figure is a real number with
a number format, from perfxl.round.stats; failed and missing departments appear only in 部门汇总.
Styles and the A4 print setup follow the tracking summary (perfxl.report.summary).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, Sequence

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..atomic import write_output
from ..i18n import register, text
from ..layout import paging
from ..scoring import PERCENT_UNITS, QUALITATIVE, Percent, round2
from .consolidation import Consolidation, FAILED, MISSING, PASSED_WARNINGS
from .stats import Amounts, Stats, compute, percent_text, status_text

__all__ = ["write_consolidation", "consolidation_bytes", "SHEETS"]

register({
    "round_book.sheet.overview": ("总览", "Overview"),
    "round_book.sheet.projects": ("项目明细", "Projects"),
    "round_book.sheet.departments": ("部门汇总", "Departments"),
    "round_book.sheet.low_grades": ("整改-等级偏低的项目", "Rectify - low grades"),
    "round_book.sheet.low_rates": ("整改-执行率偏低的项目", "Rectify - low execution"),
    "round_book.sheet.unmet": ("整改-未完成的指标", "Rectify - targets missed"),
    "round_book.title": ("{year}年度预算绩效自评汇总", "Budget-performance self-evaluation {year}: consolidated result"),
    "round_book.year": ("年度", "Year"),
    "round_book.scheme": ("评分方案", "Scoring scheme"),
    "round_book.scheme_value": ("{title}（{name}）", "{title} ({name})"),
    "round_book.generated": ("生成时间", "Generated"),
    "round_book.deadline": ("报送截止日期", "Deadline"),
    "round_book.roster": ("花名册部门数", "Departments in the roster"),
    "round_book.count.passed": ("已通过", "Passed"),
    "round_book.count.passed_warnings": ("其中有警告", "of which with warnings"),
    "round_book.count.failed": ("未通过", "Failed"),
    "round_book.count.missing": ("未提交", "Not submitted"),
    "round_book.note": ("汇总只计入已通过校验的部门（含有警告的），未通过和未提交的部门只在“部门汇总”中列出。",
                        "Only departments that passed validation (with or without warnings) are counted; failed "
                        "and missing departments are listed in Departments only."),
    "round_book.funds": ("资金执行情况", "Funds and execution"),
    "round_book.scope": ("口径", "Scope"),
    "round_book.number": ("数量", "Count"),
    "round_book.scope.departments": ("部门整体支出（已通过的部门）", "Department-wide (passed departments)"),
    "round_book.scope.projects": ("项目支出（已通过部门的项目）", "Projects (of passed departments)"),
    "round_book.grades": ("自评等级分布", "Grade distribution"),
    "round_book.bands": ("项目执行率分布", "Execution rates"),
    "round_book.grade": ("等级", "Grade"),
    "round_book.band": ("执行率区间", "Execution rate"),
    "round_book.no_rate": ("无执行率（预算为空或为 0）", "No rate (budget blank or 0)"),
    "round_book.projects_n": ("项目数", "Projects"),
    "round_book.departments_n": ("部门数", "Departments"),
    "round_book.share": ("占比", "Share"),
    "round_book.scores": ("各部门整体自评得分", "Department-wide scores"),
    "round_book.no_scores": ("没有已通过的部门，暂无得分。", "No department has passed yet: no scores."),
    "round_book.chart.grades": ("自评等级分布", "Grade distribution"),
    "round_book.chart.bands": ("项目执行率分布", "Project execution rates"),
    "round_book.chart.scores": ("各部门整体自评得分", "Department-wide scores"),
    "round_book.dept_code": ("部门编码", "Department code"),
    "round_book.dept_name": ("部门名称", "Department"),
    "round_book.project_code": ("项目编码", "Project code"),
    "round_book.project_name": ("项目名称", "Project"),
    "round_book.budget": ("全年预算数（万元）", "Budget (10k yuan)"),
    "round_book.executed": ("全年执行数（万元）", "Executed (10k yuan)"),
    "round_book.rate": ("执行率", "Execution rate"),
    "round_book.score": ("得分", "Score"),
    "round_book.status": ("状态", "Status"),
    "round_book.errors": ("错误数", "Errors"),
    "round_book.projects": ("项目数", "Projects"),
    # Headers wrap: a "\n" where a long one breaks best (before a bracketed unit, _header_text).
    "round_book.dept_budget": ("部门整体\n全年预算数（万元）", "Department budget (10k yuan)"),
    "round_book.dept_executed": ("部门整体\n全年执行数（万元）", "Department executed (10k yuan)"),
    "round_book.dept_score": ("部门整体得分", "Department score"),
    "round_book.dept_grade": ("部门整体等级", "Department grade"),
    "round_book.submissions": ("提交次数", "Submissions"),
    "round_book.submitted_at": ("最近提交时间", "Last submitted"),
    "round_book.reason": ("预算执行偏差原因", "Reason for the execution gap"),
    "round_book.level": ("一级指标", "Level"),
    "round_book.category": ("二级指标", "Category"),
    "round_book.indicator": ("三级指标", "Indicator"),
    "round_book.target": ("年度指标值", "Target"),
    "round_book.actual": ("实际完成值", "Actual"),
    "round_book.weight": ("分值", "Weight"),
    "round_book.indicator_reason": ("偏差原因分析及改进措施", "Reason and remedy"),
    "round_book.department_wide": ("部门整体", "Department-wide"),
    "round_book.caption.projects": ("{year}年度 项目明细：已通过部门的 {count} 个项目（金额单位：万元）",
                                    "{year}: the {count} projects of the passed departments (amounts in 10k yuan)"),
    "round_book.caption.departments": ("{year}年度 部门汇总：花名册 {count} 个部门（金额单位：万元）",
                                       "{year}: the roster's {count} departments (amounts in 10k yuan)"),
    "round_book.caption.low_grades": ("自评等级为 {grades} 的项目：{count} 个",
                                      "Projects graded {grades}: {count}"),
    "round_book.caption.low_rates": ("执行率低于 {threshold} 的项目：{count} 个（金额单位：万元）",
                                     "Projects executed below {threshold}: {count} (amounts in 10k yuan)"),
    "round_book.caption.unmet": ("未完成年度指标值（得分低于分值）的指标：{count} 个",
                                 "Indicators below target (score under weight): {count}"),
    "round_book.none": ("无", "none"),
    "round_book.footer": ("&C&A  第 &P 页，共 &N 页", "&C&A  page &P of &N"),
})

SHEETS = ("overview", "projects", "departments", "low_grades", "low_rates", "unmet")

# Characters an xlsx cannot hold; a returned file can carry them into a name or a reason.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_WIDTH = 32  # wider text wraps, as in the tracking summary
_NAME_WIDTH = 36  # a department name column: the longest names (16 characters) on one line
# 整改-未完成的指标: ten columns on one landscape page at about 95% (Excel's geometry).
_UNMET_CAPS = {0: 18, 1: 20, 3: 14, 4: 20, 5: 14, 6: 14, 9: 26}
_FONT_PT = 11
_AMOUNT, _SCORE, _RATE, _INT = "#,##0.00", "0.00", "0.00%", "0"
_TIME = "yyyy-mm-dd hh:mm"
_DATE = "yyyy-mm-dd"


def write_consolidation(c: Consolidation, path: str | Path, *, lang: str = "zh", force: bool = False) -> Path:
    """Write the consolidated workbook to `path` atomically; an existing file only with `force`,
    so a result the office already sent on is never replaced by accident."""
    return write_output(path, consolidation_bytes(c, lang=lang), force)


def consolidation_bytes(c: Consolidation, *, lang: str = "zh") -> bytes:
    """The workbook as xlsx bytes; the same Consolidation gives the same bytes."""
    stats = compute(c)
    buffer = BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": text("round_book.title", lang, year=c.year), "author": "perfxl",
                         "created": c.generated.replace(tzinfo=None)})
    styles = _Styles(book)
    _overview(book, styles, c, stats, lang)
    _projects(book, styles, c, stats, lang)
    _departments(book, styles, c, stats, lang)
    _low_grades(book, styles, stats, lang)
    _low_rates(book, styles, stats, lang)
    _unmet(book, styles, stats, lang)
    book.close()
    return buffer.getvalue()


class _Styles:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        base = {"font_name": "宋体", "font_size": _FONT_PT, "valign": "top"}
        self.title = book.add_format({**base, "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.caption = book.add_format({**base, "bold": True, "font_size": 12, "valign": "vcenter"})
        self.section = book.add_format({**base, "bold": True, "font_size": 12, "valign": "vcenter"})
        self.header = book.add_format({**base, "bold": True, "bg_color": "#F2F4F7", "border": 1,
                                       "text_wrap": True, "valign": "vcenter", "align": "center"})
        self.label = book.add_format({**base, "bold": True})
        self.note = book.add_format({**base, "italic": True, "font_color": "#475467", "text_wrap": True})
        self.text = book.add_format(base)
        self.wrap = book.add_format({**base, "text_wrap": True})
        self.left = book.add_format({**base, "align": "left"})
        self.center = book.add_format({**base, "align": "center"})  # a grade: clear of the score beside it
        self.int = book.add_format({**base, "num_format": _INT})
        self.score = book.add_format({**base, "num_format": _SCORE})
        self.amount = book.add_format({**base, "num_format": _AMOUNT})
        self.rate = book.add_format({**base, "num_format": _RATE})
        self.number = book.add_format({**base, "num_format": "General"})
        self.time = book.add_format({**base, "num_format": _TIME, "align": "left"})
        self.date = book.add_format({**base, "num_format": _DATE, "align": "left"})
        self.passed = book.add_format({**base, "bold": True, "font_color": "#067647"})
        self.warned = book.add_format({**base, "bold": True, "font_color": "#067647", "italic": True})
        self.failed = book.add_format({**base, "bold": True, "font_color": "#B42318"})
        self.missing = book.add_format({**base, "bold": True, "font_color": "#B54708"})
        # The overview prints without gridlines: its tables carry their own borders.
        boxed = {**base, "border": 1, "border_color": "#98A2B3"}
        self.box_text = book.add_format(boxed)
        self.box_center = book.add_format({**boxed, "align": "center"})
        self.box_int = book.add_format({**boxed, "num_format": _INT})
        self.box_score = book.add_format({**boxed, "num_format": _SCORE})
        self.box_amount = book.add_format({**boxed, "num_format": _AMOUNT})
        self.box_rate = book.add_format({**boxed, "num_format": _RATE})


def _clean(value: str) -> str:
    return _ILLEGAL.sub("", value)


def _width(value: str) -> int:
    """Column width in characters: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in value)


def _amount(value: float | None) -> float | None:
    """An amount in 万元 as shown: to the cent, without the float noise of a sum."""
    return round2(value) if value is not None and math.isfinite(value) else value


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _timestamp(value: str | None) -> datetime | str | None:
    """An ISO time as a real date-time (the wall-clock time it states); other text stays text."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return value


_BRACKET = re.compile(r"^(.+?)\s*([（(][^（()）]*[)）])$")  # "全年预算数（万元）": a header and its unit


def _header_text(value: str) -> str:
    """A long header with a bracketed unit breaks before the bracket, never inside it:
    "全年预算数（万元）" → "全年预算数\n（万元）"."""
    head, _, last = value.rpartition("\n")
    match = _BRACKET.match(last)
    if match is None or _width(last) <= 10:
        return value
    return f"{head}\n" * bool(head) + f"{match.group(1)}\n{match.group(2)}"


class _Writer:
    """Writes values with their formats and tracks column widths for CJK text.

    `caps` sets a column's widest width (default _MAX_WIDTH): longer text wraps there."""

    def __init__(self, ws: Worksheet, styles: _Styles, columns: int, caps: dict[int, int] | None = None) -> None:
        self.ws = ws
        self.styles = styles
        self.widths = [0] * columns
        self.caps = [(caps or {}).get(col, _MAX_WIDTH) for col in range(columns)]
        self.wrapped: list[tuple[int, int, str]] = []

    def cap(self, col: int) -> int:
        return self.caps[col] if col < len(self.caps) else _MAX_WIDTH

    def put(self, row: int, col: int, value: Any, fmt: Any = None, measure: bool = True) -> None:
        s = self.styles
        if value is None or value == "":
            self.ws.write_blank(row, col, None, fmt or s.text)
            return
        if isinstance(value, bool):
            value = "TRUE" if value else "FALSE"
        if isinstance(value, datetime):
            self.ws.write_datetime(row, col, value, fmt or s.time)
            shown = "2026-01-01 00:00"
        elif isinstance(value, date):
            self.ws.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt or s.date)
            shown = "2026-01-01"
        elif isinstance(value, (int, float)):
            if not math.isfinite(value):
                # Never a number Excel cannot read: the text a report would show.
                shown = "NaN" if value != value else str(value)
                self.ws.write_string(row, col, shown, s.text)
            else:
                self.ws.write_number(row, col, value, fmt or s.number)
                shown = f"{value:,.2f}"
        else:
            shown = _clean(str(value))
            if fmt is None and max(_width(x) for x in shown.split("\n")) + 2 > self.cap(col):
                fmt = s.wrap
            if fmt is s.wrap:
                self.wrapped.append((row, col, shown))
            self.ws.write_string(row, col, shown, fmt or s.text)
        if measure and col < len(self.widths):
            width = max(_width(x) for x in shown.split("\n")) + 2
            self.widths[col] = max(self.widths[col], min(self.cap(col), width))

    def header(self, row: int, col: int, value: str) -> None:
        """A header cell: it wraps (before a bracketed unit first), so a long line is measured as two."""
        shown = _header_text(_clean(value))
        self.ws.write_string(row, col, shown, self.styles.header)
        self.wrapped.append((row, col, shown))
        for line in shown.split("\n"):
            width = _width(line)
            self.widths[col] = max(self.widths[col], (width if width <= 16 else (width + 1) // 2) + 2)

    def apply_widths(self, minimum: int = 8) -> None:
        for col, width in enumerate(self.widths):
            self.widths[col] = max(minimum, width)
            self.ws.set_column(col, col, self.widths[col])

    def px(self) -> int:
        """The columns' width in pixels, as Excel lays them out (after apply_widths)."""
        return sum(paging.column_px(width) for width in self.widths)

    def wrap_heights(self, fixed: dict[int, float] | None = None) -> None:
        """Rows tall enough for their wrapped text (headers included): LibreOffice does not grow
        them on load. `fixed` gives rows their least height."""
        heights: dict[int, float] = dict(fixed or {})
        for row, col, shown in self.wrapped:
            lines = paging.text_lines(shown, paging.column_px(max(8, self.widths[col])), _FONT_PT)
            if lines > 1:
                heights[row] = max(heights.get(row, 0.0), lines * _FONT_PT * paging.LINE_SPACING + 3)
        for row in sorted(heights):
            self.ws.set_row(row, heights[row])


def _print_setup(ws: Worksheet, lang: str, landscape: bool, header_rows: tuple[int, int] | None,
                 gridlines: bool = True) -> None:
    """A4, one page wide, header rows on every page; gridlines printed where the cells have no borders."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    if header_rows is not None:
        ws.repeat_rows(*header_rows)
    ws.hide_gridlines(0 if gridlines else 1)  # 1: on screen only
    ws.set_footer(text("round_book.footer", lang))


# --- list sheets ----------------------------------------------------------------------------------

def _table(book: xlsxwriter.Workbook, styles: _Styles, name: str, caption: str, headers: Sequence[str],
           rows: Sequence[Sequence[tuple[Any, Any]]], lang: str, caps: dict[int, int] | None = None) -> Worksheet:
    """A caption row, a header row and the data: frozen header, autofilter, A4 landscape.
    The caption spans the table (merged), so the printed gridlines draw no empty boxes beside it."""
    ws = book.add_worksheet(name)
    w = _Writer(ws, styles, len(headers), caps)
    if len(headers) > 1:
        ws.merge_range(0, 0, 0, len(headers) - 1, _clean(caption), styles.caption)
    else:
        ws.write_string(0, 0, _clean(caption), styles.caption)
    for col, header in enumerate(headers):
        w.header(1, col, header)
    for r, row in enumerate(rows, start=2):
        for col, (value, fmt) in enumerate(row):
            w.put(r, col, value, fmt)
    ws.freeze_panes(2, 0)
    ws.autofilter(1, 0, max(len(rows) + 1, 2), len(headers) - 1)
    w.apply_widths()
    w.wrap_heights(fixed={0: 24, 1: 32})
    _print_setup(ws, lang, landscape=True, header_rows=(0, 1))
    return ws


def _projects(book: xlsxwriter.Workbook, s: _Styles, c: Consolidation, stats: Stats, lang: str) -> None:
    keys = ("dept_code", "dept_name", "project_code", "project_name", "budget", "executed", "rate", "score", "grade")
    rows = [[(p.entry.code, None), (p.entry.name, None), (p.project.code, None), (p.project.name, None),
             (_amount(p.project.budget), s.amount), (_amount(p.project.executed), s.amount),
             (p.project.rate, s.rate), (p.project.score, s.score), (p.project.grade, s.center)]
            for p in stats.projects]
    _table(book, s, text("round_book.sheet.projects", lang),
           text("round_book.caption.projects", lang, year=c.year, count=len(stats.projects)),
           [text(f"round_book.{k}", lang) for k in keys], rows, lang, caps={1: _NAME_WIDTH})


def _status_format(s: _Styles, status: str) -> Any:
    return {PASSED_WARNINGS: s.warned, FAILED: s.failed, MISSING: s.missing}.get(status, s.passed)


def _departments(book: xlsxwriter.Workbook, s: _Styles, c: Consolidation, stats: Stats, lang: str) -> None:
    keys = ("dept_code", "dept_name", "status", "errors", "submissions", "submitted_at", "projects",
            "dept_budget", "dept_executed", "rate", "dept_score", "dept_grade")
    rows = []
    for d in stats.departments:
        e, t = d.entry, d.table
        rows.append([(e.code, None), (e.name, None), (status_text(e.status, lang), _status_format(s, e.status)),
                     (e.errors, s.int), (e.submissions, s.int), (_timestamp(e.submitted_at), None),
                     (d.projects, s.int),
                     (_amount(t.budget) if t else None, s.amount), (_amount(t.executed) if t else None, s.amount),
                     (t.rate if t else None, s.rate), (t.score if t else None, s.score),
                     (t.grade if t else None, s.center)])
    _table(book, s, text("round_book.sheet.departments", lang),
           text("round_book.caption.departments", lang, year=c.year, count=stats.roster),
           [text(f"round_book.{k}", lang) for k in keys], rows, lang, caps={1: _NAME_WIDTH})


def _low_grades(book: xlsxwriter.Workbook, s: _Styles, stats: Stats, lang: str) -> None:
    keys = ("dept_code", "dept_name", "project_code", "project_name", "score", "grade", "budget", "executed", "rate")
    rows = [[(p.entry.code, None), (p.entry.name, None), (p.project.code, None), (p.project.name, None),
             (p.project.score, s.score), (p.project.grade, s.center), (_amount(p.project.budget), s.amount),
             (_amount(p.project.executed), s.amount), (p.project.rate, s.rate)] for p in stats.low_grades]
    grades = ("、" if lang == "zh" else ", ").join(stats.rectify_grades) or text("round_book.none", lang)
    _table(book, s, text("round_book.sheet.low_grades", lang),
           text("round_book.caption.low_grades", lang, grades=grades, count=len(rows)),
           [text(f"round_book.{k}", lang) for k in keys], rows, lang, caps={1: _NAME_WIDTH})


def _low_rates(book: xlsxwriter.Workbook, s: _Styles, stats: Stats, lang: str) -> None:
    keys = ("dept_code", "dept_name", "project_code", "project_name", "budget", "executed", "rate", "reason")
    rows = [[(p.entry.code, None), (p.entry.name, None), (p.project.code, None), (p.project.name, None),
             (_amount(p.project.budget), s.amount), (_amount(p.project.executed), s.amount),
             (p.project.rate, s.rate), (p.project.execution_reason, s.wrap if p.project.execution_reason else None)]
            for p in stats.low_rates]
    _table(book, s, text("round_book.sheet.low_rates", lang),
           text("round_book.caption.low_rates", lang, threshold=percent_text(stats.reason_below), count=len(rows)),
           [text(f"round_book.{k}", lang) for k in keys], rows, lang, caps={1: _NAME_WIDTH})


def _figure_text(value: float | str | None, unit: str | None, op: str | None = None) -> str | None:
    """An indicator value as the form states it, its operator and unit included: "≥95%",
    "≤146.68万元", "有效提升" (a 定性 target). A value typed as a percentage (98%) shows as one."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        percent = isinstance(value, Percent)
        number = float(value) * 100 if percent else float(value)
        shown = f"{round(number, 6):.6f}".rstrip("0").rstrip(".")
        if percent:
            shown += "%"
            unit = None if unit in PERCENT_UNITS else unit
    else:
        shown = str(value)
    prefix = op if op and op != QUALITATIVE else ""
    return f"{prefix}{shown}{unit or ''}"


def _unmet(book: xlsxwriter.Workbook, s: _Styles, stats: Stats, lang: str) -> None:
    """One row per indicator below its target, printable at a readable size: the department and
    project by name (their codes are on 项目明细 and 部门汇总), the target with its operator and
    unit, the actual value with its unit, and the long texts wrapped in narrower columns."""
    keys = ("dept_name", "project_name", "level", "category", "indicator", "target", "actual", "weight", "score",
            "indicator_reason")
    rows = []
    for u in stats.unmet:
        i = u.indicator
        project = u.project.name if u.project else text("round_book.department_wide", lang)
        rows.append([(u.entry.name, None), (project, None), (i.level, None), (i.category, None), (i.name, None),
                     (_figure_text(i.target, i.unit, i.op), None), (_figure_text(i.actual, i.unit), None),
                     (i.weight, s.score), (i.score, s.score), (i.reason, s.wrap if i.reason else None)])
    _table(book, s, text("round_book.sheet.unmet", lang), text("round_book.caption.unmet", lang, count=len(rows)),
           [text(f"round_book.{k}", lang) for k in keys], rows, lang, caps=_UNMET_CAPS)


# --- 总览 -------------------------------------------------------------------------------------------

_OVERVIEW_COLUMNS = 5
_CHART_HEIGHT = 300  # the charts are as wide as the tables: the five columns' width (_Writer.px)
_ROW_PX = 20
_BAR_PX = 24  # per department in the score chart …
_SCORE_CHART_MAX = 4000  # … up to a height a screen and a printer still handle (about 160 departments)


def _overview(book: xlsxwriter.Workbook, s: _Styles, c: Consolidation, stats: Stats, lang: str) -> None:
    name = text("round_book.sheet.overview", lang)
    ws = book.add_worksheet(name)
    w = _Writer(ws, s, _OVERVIEW_COLUMNS, caps={0: _NAME_WIDTH})  # column A: labels and department names
    ws.merge_range(0, 0, 0, _OVERVIEW_COLUMNS - 1, text("round_book.title", lang, year=c.year), s.title)
    ws.set_row(0, 30)
    row = 2
    facts: list[tuple[str, Any, Any]] = [
        ("year", c.year, s.left),
        ("scheme", text("round_book.scheme_value", lang, title=c.scheme.title if lang == "zh" else c.scheme.title_en,
                        name=c.scheme.name), s.text),
        ("generated", c.generated.replace(tzinfo=None), s.time),
    ]
    if c.deadline is not None:
        facts.append(("deadline", c.deadline, s.date))
    facts += [("roster", stats.roster, s.left), ("count.passed", stats.passed, s.left),
              ("count.passed_warnings", stats.counts[PASSED_WARNINGS], s.left),
              ("count.failed", stats.failed, s.left), ("count.missing", stats.missing, s.left)]
    for key, value, fmt in facts:
        w.put(row, 0, text(f"round_book.{key}", lang), s.label)
        w.put(row, 1, value, fmt, measure=False)  # long values spill into the empty cells to the right
        row += 1
    ws.merge_range(row, 0, row, _OVERVIEW_COLUMNS - 1, text("round_book.note", lang), s.note)
    ws.set_row(row, 32)
    row += 2

    row = _section(ws, w, s, row, text("round_book.funds", lang),
                   [text(f"round_book.{k}", lang) for k in ("scope", "number", "budget", "executed", "rate")])
    for key, totals in (("departments", stats.department_totals), ("projects", stats.project_totals)):
        _amount_row(w, s, row, text(f"round_book.scope.{key}", lang), totals)
        row += 1
    row += 1

    headers = [text(f"round_book.{k}", lang) for k in ("grade", "projects_n", "share", "departments_n", "share")]
    row = _section(ws, w, s, row, text("round_book.grades", lang), headers)
    grade_first = row
    for g in stats.grades:
        _count_row(w, s, row, g.label(lang), g.projects, len(stats.projects), g.departments, stats.passed)
        row += 1
    grade_last = row - 1
    row += 1

    headers[0] = text("round_book.band", lang)
    row = _section(ws, w, s, row, text("round_book.bands", lang), headers)
    band_first = row
    for b in stats.bands:
        _count_row(w, s, row, b.label(lang), b.projects, len(stats.projects), b.departments, stats.passed)
        row += 1
    band_last = row - 1
    if stats.unrated_projects or stats.unrated_departments:
        _count_row(w, s, row, text("round_book.no_rate", lang), stats.unrated_projects, len(stats.projects),
                   stats.unrated_departments, stats.passed)
        row += 1
    row += 1

    # Printed: the tables, then both distribution charts on a page of their own, then the scores.
    # The charts go in once the columns' widths are known: each is as wide as the tables.
    breaks = [row]
    grade_at = row
    row += _CHART_HEIGHT // _ROW_PX + 1
    band_at = row
    row += _CHART_HEIGHT // _ROW_PX + 1

    breaks.append(row)
    scored = stats.scored_departments
    # The department's name in column A, wide for the labels anyway; the code beside it.
    row = _section(ws, w, s, row, text("round_book.scores", lang),
                   [text(f"round_book.{k}", lang) for k in ("dept_name", "dept_code", "dept_score", "dept_grade",
                                                            "rate")])
    score_chart = None
    if not scored:
        w.put(row, 0, text("round_book.no_scores", lang), s.note, measure=False)
    else:
        first = row
        for d in scored:
            assert d.table is not None
            for col, (value, fmt) in enumerate(((d.entry.name, s.box_text), (d.entry.code, s.box_text),
                                                (d.table.score, s.box_score), (d.table.grade, s.box_center),
                                                (d.table.rate, s.box_rate))):
                w.put(row, col, value, fmt)
            row += 1
        top = max([c.scheme.total_weight] + [d.table.score for d in scored
                                             if d.table is not None and d.table.score is not None
                                             and math.isfinite(d.table.score)])
        score_chart = (row + 1, first, row - 1, math.ceil(top))

    w.widths[0] = max(w.widths[0], 24)
    w.widths[1:] = [max(x, 14) for x in w.widths[1:]]
    w.apply_widths()
    width = w.px()
    ws.insert_chart(grade_at, 0, _column_chart(book, lang, text("round_book.chart.grades", lang), name, grade_first,
                                               grade_last, series=((1, "projects_n"), (3, "departments_n")),
                                               width=width))
    ws.insert_chart(band_at, 0, _column_chart(book, lang, text("round_book.chart.bands", lang), name, band_first,
                                              band_last, series=((1, "projects_n"),), width=width))
    if score_chart is not None:
        at, first, last, top = score_chart
        ws.insert_chart(at, 0, _score_chart(book, lang, name, first, last, top, width=width))
    w.wrap_heights()
    _print_setup(ws, lang, landscape=False, header_rows=None, gridlines=False)
    ws.set_h_pagebreaks(breaks)


def _section(ws: Worksheet, w: _Writer, s: _Styles, row: int, title: str, headers: Sequence[str]) -> int:
    """A section title and its header row; returns the first data row."""
    ws.write_string(row, 0, _clean(title), s.section)
    ws.set_row(row, 22)
    for col, header in enumerate(headers):
        w.header(row + 1, col, header)
    ws.set_row(row + 1, 32)
    return row + 2


def _amount_row(w: _Writer, s: _Styles, row: int, label: str, totals: Amounts) -> None:
    w.put(row, 0, label, s.box_text)
    w.put(row, 1, totals.count, s.box_int)
    w.put(row, 2, _amount(totals.budget), s.box_amount)
    w.put(row, 3, _amount(totals.executed), s.box_amount)
    w.put(row, 4, totals.rate, s.box_rate)


def _count_row(w: _Writer, s: _Styles, row: int, label: str, projects: int, all_projects: int, departments: int,
               all_departments: int) -> None:
    w.put(row, 0, label, s.box_text)
    w.put(row, 1, projects, s.box_int)
    w.put(row, 2, _share(projects, all_projects), s.box_rate)
    w.put(row, 3, departments, s.box_int)
    w.put(row, 4, _share(departments, all_departments), s.box_rate)


def _column_chart(book: xlsxwriter.Workbook, lang: str, title: str, sheet: str, first: int, last: int,
                  series: Sequence[tuple[int, str]], width: int) -> Any:
    """A column chart of counts: categories in column A, one series per (column, label key)."""
    chart = book.add_chart({"type": "column"})
    for col, key in series:
        chart.add_series({"name": text(f"round_book.{key}", lang),
                          "categories": [sheet, first, 0, last, 0],
                          "values": [sheet, first, col, last, col],
                          "data_labels": {"value": True}})
    chart.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
    chart.set_y_axis({"min": 0, "major_gridlines": {"visible": True, "line": {"color": "#E4E7EC"}},
                      "num_format": "0"})
    chart.set_legend({"position": "bottom"} if len(series) > 1 else {"none": True})
    chart.set_size({"width": width, "height": _CHART_HEIGHT})
    return chart


def _score_chart(book: xlsxwriter.Workbook, lang: str, sheet: str, first: int, last: int, top: float,
                 width: int) -> Any:
    """One bar per passed department, first department on top, tall enough for every name up to
    _SCORE_CHART_MAX (a city's round then gets thinner bars). The value axis ends at the scheme's
    full score (or the highest score), not at Excel's rounder 120, and is drawn at the bottom: the
    category axis runs top-down (reversed), so the value axis crosses it at its last category."""
    chart = book.add_chart({"type": "bar"})
    chart.add_series({"name": text("round_book.dept_score", lang),
                      "categories": [sheet, first, 0, last, 0],
                      "values": [sheet, first, 2, last, 2],
                      "data_labels": {"value": True, "num_format": "0.00"}})
    chart.set_title({"name": text("round_book.chart.scores", lang), "name_font": {"size": 12, "bold": True}})
    chart.set_x_axis({"min": 0, "max": top, "num_format": "0",
                      "major_gridlines": {"visible": True, "line": {"color": "#E4E7EC"}}})
    chart.set_y_axis({"reverse": True, "crossing": "max"})
    chart.set_legend({"none": True})
    height = min(_SCORE_CHART_MAX, max(_CHART_HEIGHT, 80 + _BAR_PX * (last - first + 1)))
    chart.set_size({"width": width, "height": height})
    return chart
