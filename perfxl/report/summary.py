"""`perfxl validate --summary FILE`: the finance office's tracking workbook for one round.

Sheet 1 has a row per returned file (and, with the roster, per department that sent
nothing) with its status, error and warning counts, total score, grade and each
project's score; sheet 2 a row per project; sheet 3 every finding, so the office can
filter by rule across departments. Scores are the validator's own figures, recomputed
from the inputs, never the values the files' formulas hold.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any, Sequence

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..atomic import write_output
from ..display import shown_name, shown_path
from ..i18n import register, text
from ..layout import paging
from ..roster.model import Roster
from ..validator.catalog import ERROR
from ..validator.model import FileResult, Finding, Report

register({
    "summary_report.sheet.departments": ("部门汇总", "Departments"),
    "summary_report.sheet.projects": ("项目得分", "Projects"),
    "summary_report.sheet.findings": ("问题清单", "Findings"),
    "summary_report.file": ("文件名", "File"),
    "summary_report.dept_code": ("部门编码", "Department code"),
    "summary_report.dept_name": ("部门名称", "Department"),
    "summary_report.status": ("状态", "Status"),
    "summary_report.errors": ("错误数", "Errors"),
    "summary_report.warnings": ("警告数", "Warnings"),
    "summary_report.total_score": ("总分", "Total score"),
    "summary_report.grade": ("等级", "Grade"),
    "summary_report.projects": ("项目数", "Projects"),
    "summary_report.project_score": ("项目{n}得分", "Project {n} score"),
    "summary_report.path": ("文件路径", "Path"),
    "summary_report.sheet": ("工作表", "Sheet"),
    "summary_report.project_code": ("项目编码", "Project code"),
    "summary_report.project_name": ("项目名称", "Project"),
    "summary_report.budget": ("全年预算数（万元）", "Budget (10k yuan)"),
    "summary_report.executed": ("全年执行数（万元）", "Executed (10k yuan)"),
    "summary_report.rate": ("执行率", "Execution rate"),
    "summary_report.score": ("得分", "Score"),
    "summary_report.code": ("规则", "Rule"),
    "summary_report.severity": ("级别", "Severity"),
    "summary_report.cell": ("单元格", "Cell"),
    "summary_report.label": ("项目", "Item"),
    "summary_report.message": ("说明", "Message"),
    "summary_report.expected": ("应为", "Expected"),
    "summary_report.actual": ("表中为", "Found"),
    "summary_report.passed": ("通过", "passed"),
    "summary_report.failed": ("未通过", "failed"),
    "summary_report.missing": ("未提交", "not returned"),
    "summary_report.error": ("错误", "error"),
    "summary_report.follows": ("随之（不另计数）", "follows (not counted)"),
    "summary_report.warning": ("警告", "warning"),
})

# Characters an xlsx cannot hold; a hostile workbook can smuggle them in as _x0001_.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_WIDTH = 32  # wider text wraps: long names and messages stay readable one page wide
_FONT_PT = 11


@dataclass(frozen=True)
class _Line:
    """One row of sheet 1: a returned file, or a roster department that sent none."""

    result: FileResult | None
    code: str
    name: str


def write_summary(report: Report, path: Path, lang: str = "zh", roster: Roster | None = None,
                  force: bool = False) -> Path:
    """Write the tracking workbook to `path` atomically; refuses to replace a file without `force`."""
    return write_output(path, summary_bytes(report, lang, roster), force)


def summary_bytes(report: Report, lang: str = "zh", roster: Roster | None = None) -> bytes:
    """The tracking workbook as xlsx bytes."""
    buffer = BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    styles = _Styles(book)
    lines = _lines(report, roster)
    _departments(book, styles, lines, report.strict, lang)
    _projects(book, styles, lines, lang)
    _findings(book, styles, lines, report.batch, lang)
    book.close()
    return buffer.getvalue()


def _lines(report: Report, roster: Roster | None) -> list[_Line]:
    """Files in roster order with the departments that sent nothing in their place; others after.

    Without a roster, files in report order, then the departments of R04 findings.
    """
    files = [_Line(r, r.department_code or "", r.department_name or "") for r in report.files]
    if roster is None:
        missing = [f.message.params for f in report.batch if f.code == "R04"]
        return files + [_Line(None, str(p.get("code", "")), str(p.get("name", ""))) for p in missing]
    out: list[_Line] = []
    taken: set[int] = set()
    for dept in roster.departments:
        matches = [i for i, line in enumerate(files) if i not in taken and _same(line.result, dept.code, dept.name)]
        taken.update(matches)
        out.extend(files[i] for i in matches)
        if not matches:
            out.append(_Line(None, dept.code, dept.name))
    return out + [line for i, line in enumerate(files) if i not in taken]


def _same(result: FileResult | None, code: str, name: str) -> bool:
    """As R04 decides: by code, or by name for a blank workbook (which has no code)."""
    if result is None:
        return False
    if result.department_code:
        return result.department_code == code
    return bool(result.department_name) and result.department_name == name


class _Styles:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        base = {"font_name": "宋体", "font_size": 11, "valign": "top"}
        self.header = book.add_format({**base, "bold": True, "bg_color": "#F2F4F7", "border": 1,
                                       "text_wrap": True, "valign": "vcenter", "align": "center"})
        self.text = book.add_format(base)
        self.wrap = book.add_format({**base, "text_wrap": True})
        self.int = book.add_format({**base, "num_format": "0"})
        self.score = book.add_format({**base, "num_format": "0.00"})
        self.amount = book.add_format({**base, "num_format": "#,##0.00"})
        self.rate = book.add_format({**base, "num_format": "0.00%"})
        self.number = book.add_format({**base, "num_format": "General"})
        self.datetime = book.add_format({**base, "num_format": "yyyy-mm-dd hh:mm", "align": "left"})
        self.center = book.add_format({**base, "align": "center"})
        self.passed = book.add_format({**base, "bold": True, "font_color": "#067647"})
        self.failed = book.add_format({**base, "bold": True, "font_color": "#B42318"})
        self.missing = book.add_format({**base, "bold": True, "font_color": "#B54708"})


class _Sheet:
    """A sheet written row by row that tracks column widths for CJK text."""

    def __init__(self, book: xlsxwriter.Workbook, name: str, styles: _Styles, headers: Sequence[str]) -> None:
        self.ws: Worksheet = book.add_worksheet(name)
        self.styles = styles
        self.headers = headers
        self.widths = [_width(h) + 2 for h in headers]
        self.wrapped: list[tuple[int, int, str]] = []  # (row, col, text) of wrapped cells
        self.row = 0
        for col, header in enumerate(headers):
            self.ws.write_string(0, col, _clean(header), styles.header)

    def put(self, col: int, value: Any, fmt: Any = None) -> None:
        row = self.row
        if value is None or value == "":
            self.ws.write_blank(row, col, None, fmt or self.styles.text)
            return
        if isinstance(value, bool):
            self.ws.write_boolean(row, col, value, fmt or self.styles.text)
            shown = "TRUE"
        elif isinstance(value, datetime):
            self.ws.write_datetime(row, col, value, fmt or self.styles.datetime)
            shown = "2026-01-01 00:00"
        elif isinstance(value, (int, float)):
            if isinstance(value, float) and not math.isfinite(value):
                # Not an xsd:double Excel can read: shown as the text the report gives it.
                shown = "NaN" if value != value else str(value)
                self.ws.write_string(row, col, shown, self.styles.text)
            else:
                self.ws.write_number(row, col, value, fmt or self.styles.number)
                shown = f"{value:,.2f}"
        else:
            shown = _clean(str(value))
            if fmt is None and max(_width(s) for s in shown.split("\n")) + 2 > _MAX_WIDTH:
                fmt = self.styles.wrap
            if fmt is self.styles.wrap:
                self.wrapped.append((row, col, shown))
            self.ws.write_string(row, col, shown, fmt or self.styles.text)
        self.widths[col] = max(self.widths[col], min(_MAX_WIDTH, max(_width(s) for s in shown.split("\n")) + 2))

    def next(self) -> None:
        self.row += 1

    def finish(self) -> None:
        """Frozen header, autofilter over the data, widths from the content; prints on A4
        landscape, one page wide, the header on every page, with gridlines (the cells have none)."""
        self.ws.freeze_panes(1, 0)
        self.ws.autofilter(0, 0, max(self.row, 1), len(self.headers) - 1)
        self.ws.set_row(0, 30)
        for col, width in enumerate(self.widths):
            self.ws.set_column(col, col, width)
        # Rows tall enough for their wrapped text: LibreOffice does not grow them on load.
        heights: dict[int, float] = {}
        for row, col, shown in self.wrapped:
            lines = paging.text_lines(shown, paging.column_px(self.widths[col]), _FONT_PT)
            if lines > 1:
                heights[row] = max(heights.get(row, 0.0), lines * _FONT_PT * paging.LINE_SPACING + 3)
        for row in sorted(heights):
            self.ws.set_row(row, heights[row])
        self.ws.set_paper(9)
        self.ws.set_landscape()
        self.ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        self.ws.fit_to_pages(1, 0)
        self.ws.repeat_rows(0)
        self.ws.hide_gridlines(0)  # 0: show them on screen and on paper
        self.ws.set_footer("&C&A  第 &P 页，共 &N 页")


def _departments(book: xlsxwriter.Workbook, styles: _Styles, lines: list[_Line], strict: bool, lang: str) -> None:
    slots = max((len(line.result.projects) for line in lines if line.result), default=0)
    headers = [text(f"summary_report.{k}", lang) for k in ("file", "dept_code", "dept_name", "status", "errors",
                                                           "warnings", "total_score", "grade", "projects")]
    headers += [text("summary_report.project_score", lang, n=n) for n in range(1, slots + 1)]
    headers.append(text("summary_report.path", lang))
    sheet = _Sheet(book, text("summary_report.sheet.departments", lang), styles, headers)
    for line in lines:
        sheet.next()
        r = line.result
        sheet.put(1, line.code)
        sheet.put(2, line.name)
        if r is None:
            sheet.put(3, text("summary_report.missing", lang), styles.missing)
            continue
        ok = r.passed(strict)
        sheet.put(0, shown_name(r.path))
        sheet.put(3, text("summary_report.passed" if ok else "summary_report.failed", lang),
                  styles.passed if ok else styles.failed)
        sheet.put(4, r.errors, styles.int)
        sheet.put(5, r.warnings, styles.int)
        sheet.put(6, r.total_score, styles.score)
        sheet.put(7, r.grade)
        sheet.put(8, len(r.projects) if r.readable else None, styles.int)
        for i, project in enumerate(r.projects):
            sheet.put(9 + i, project.score, styles.score)
        sheet.put(9 + slots, shown_path(r.path))
    sheet.finish()


def _projects(book: xlsxwriter.Workbook, styles: _Styles, lines: list[_Line], lang: str) -> None:
    keys = ("dept_code", "dept_name", "sheet", "project_code", "project_name", "budget", "executed", "rate",
            "score", "grade", "file")
    sheet = _Sheet(book, text("summary_report.sheet.projects", lang), styles,
                   [text(f"summary_report.{k}", lang) for k in keys])
    for line in lines:
        if line.result is None:
            continue
        for p in line.result.projects:
            sheet.next()
            rate = p.executed / p.budget if p.budget and p.executed is not None else None
            for col, (value, fmt) in enumerate(((line.code, None), (line.name, None), (p.sheet, None),
                                                (p.code, None), (p.name, None), (p.budget, styles.amount),
                                                (p.executed, styles.amount), (rate, styles.rate),
                                                (p.score, styles.score), (p.grade, None),
                                                (shown_name(line.result.path), None))):
                sheet.put(col, value, fmt)
    sheet.finish()


def _findings(book: xlsxwriter.Workbook, styles: _Styles, lines: list[_Line], batch: list[Finding],
              lang: str) -> None:
    keys = ("dept_code", "dept_name", "code", "severity", "sheet", "cell", "label", "message", "expected",
            "actual", "file")
    sheet = _Sheet(book, text("summary_report.sheet.findings", lang), styles,
                   [text(f"summary_report.{k}", lang) for k in keys])
    rows: list[tuple[_Line | None, Finding, bool]] = [
        (line, f, f is not root) for line in lines if line.result for root in line.result.findings
        for f in root.walk()]
    rows += [(None, f, f is not root) for root in batch for f in root.walk()]
    for line, f, consequence in rows:
        sheet.next()
        severity = "follows" if consequence else "error" if f.severity == ERROR else "warning"
        values = (line.code if line else None, line.name if line else None, f.code,
                  text(f"summary_report.{severity}", lang), f.sheet, f.cell, f.label, f.text(lang),
                  f.expected, f.actual, shown_name(line.result.path) if line and line.result else None)
        for col, value in enumerate(values):
            fmt = styles.wrap if col in (6, 7) else None
            if col == 3 and not consequence:
                fmt = styles.failed if f.severity == ERROR else styles.missing
            sheet.put(col, value, fmt)
    sheet.finish()


def _clean(value: str) -> str:
    return _ILLEGAL.sub("", value)


def _width(value: str) -> int:
    """Column width in characters: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in value)
