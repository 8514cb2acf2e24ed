"""`perfxl status` in three forms: text for the console, JSON for scripts, and the office's
tracking workbook (one row per roster department, a status column, filters, A4)."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import xlsxwriter

from ..atomic import write_output
from ..i18n import register, text
from ..report.summary import _Sheet, _Styles
from .status import FAILED, MISSING, PASSED, PASSED_WARNINGS, Status

__all__ = ["render_text", "to_dict", "status_bytes", "write_status"]

SCHEMA = "perfxl-status/1"

register({
    "status_report.title": ("{year} 年度绩效自评 · 提交情况（{today}）", "Self-evaluation {year} · submissions ({today})"),
    "status_report.deadline": ("截止日期 {deadline}，还有 {days} 天", "Deadline {deadline}, {days} days left"),
    "status_report.deadline_today": ("截止日期 {deadline}，就是今天", "Deadline {deadline}: today"),
    "status_report.overdue": ("截止日期 {deadline}，已过 {days} 天", "Deadline {deadline}, {days} days ago"),
    "status_report.no_deadline": ("未设截止日期", "No deadline set"),
    "status_report.line": ("{code}  {name}  {state}  提交 {count} 次{last}", "{code}  {name}  {state}  "
                           "{count} submissions{last}"),
    "status_report.last": ("，最近一次 {at}（第 {number} 次：{file}）", ", latest {at} (no. {number}: {file})"),
    "status_report.counts": ("共 {total} 个部门：{parts}", "{total} departments: {parts}"),
    "status_report.part": ("{label} {count}", "{label} {count}"),
    "status_report.unidentified": ("另有 {count} 个文件不属于花名册中的部门（无法识别或编码不在花名册中）。",
                                   "{count} more files belong to no roster department (unreadable, or a code not "
                                   "in the roster)."),
    "status_report.sheet": ("提交情况", "Submissions"),
    "status_report.col.code": ("部门编码", "Department code"),
    "status_report.col.name": ("部门名称", "Department"),
    "status_report.col.state": ("状态", "Status"),
    "status_report.col.errors": ("错误数", "Errors"),
    "status_report.col.warnings": ("警告数", "Warnings"),
    "status_report.col.submissions": ("提交次数", "Submissions"),
    "status_report.col.last_at": ("最近提交时间", "Latest submission"),
    "status_report.col.last_file": ("最近提交的文件", "Latest file"),
    "status_report.col.score": ("总分", "Total score"),
    "status_report.col.grade": ("等级", "Grade"),
    "status_report.col.days": ("距截止（天）", "Days to deadline"),
})


def _deadline_line(status: Status, lang: str) -> str:
    days = status.days_left
    if days is None:
        return text("status_report.no_deadline", lang)
    deadline = status.deadline.isoformat() if status.deadline else ""
    if days > 0:
        return text("status_report.deadline", lang, deadline=deadline, days=days)
    if days == 0:
        return text("status_report.deadline_today", lang, deadline=deadline)
    return text("status_report.overdue", lang, deadline=deadline, days=-days)


def _counts_line(status: Status, lang: str) -> str:
    counts = status.counts()
    parts = ("，" if lang == "zh" else ", ").join(
        text("status_report.part", lang, label=text(f"status.count.{s}", lang), count=counts[s])
        for s in (PASSED, PASSED_WARNINGS, FAILED, MISSING))
    return text("status_report.counts", lang, total=len(status.departments), parts=parts)


def _at(iso: str | None) -> str:
    """An ISO time as the office reads it: 2026-03-02 14:05."""
    return iso[:16].replace("T", " ") if iso else ""


def _wall_time(iso: str | None) -> datetime | None:
    """The time as the office's clock showed it (a spreadsheet has no time zones)."""
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).replace(tzinfo=None, second=0, microsecond=0)
    except ValueError:
        return None


def render_text(status: Status, lang: str = "zh") -> str:
    lines = [text("status_report.title", lang, year=status.year, today=status.today.isoformat()),
             _deadline_line(status, lang), ""]
    for d in status.departments:
        last = "" if d.last_number is None else text("status_report.last", lang, at=_at(d.last_at),
                                                      number=d.last_number, file=d.last_file or "")
        lines.append(text("status_report.line", lang, code=d.code, name=d.name, state=d.label(lang),
                          count=d.submissions, last=last))
    lines += ["", _counts_line(status, lang)]
    if status.unidentified:
        lines.append(text("status_report.unidentified", lang, count=status.unidentified))
    return "\n".join(lines) + "\n"


def to_dict(status: Status, lang: str = "zh") -> dict[str, Any]:
    return {
        "schema": SCHEMA, "year": status.year, "today": status.today.isoformat(),
        "deadline": status.deadline.isoformat() if status.deadline else None, "days_left": status.days_left,
        "departments": [{"code": d.code, "name": d.name, "status": d.state, "label": d.label(lang),
                         "errors": d.errors, "warnings": d.warnings, "submissions": d.submissions,
                         "last_submission": d.last_number, "last_file": d.last_file, "last_at": d.last_at,
                         "total_score": d.total_score, "grade": d.grade} for d in status.departments],
        "counts": {**status.counts(), "total": len(status.departments)},
        "unidentified_files": status.unidentified,
    }


def status_bytes(status: Status, lang: str = "zh") -> bytes:
    """The tracking workbook: a row per roster department in roster order, never a duplicate."""
    buffer = BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    styles = _Styles(book)
    keys = ("code", "name", "state", "errors", "warnings", "submissions", "last_at", "last_file", "score", "grade",
            "days")
    sheet = _Sheet(book, text("status_report.sheet", lang), styles,
                   [text(f"status_report.col.{k}", lang) for k in keys])
    state_style = {PASSED: styles.passed, PASSED_WARNINGS: styles.passed, FAILED: styles.failed,
                   MISSING: styles.missing}
    for d in status.departments:
        sheet.next()
        # A failed submission's score is not a result (the consolidated workbook leaves it blank too).
        values = (d.code, d.name, d.label(lang), d.errors if d.submissions else None,
                  d.warnings if d.submissions else None, d.submissions, _wall_time(d.last_at), d.last_file,
                  d.total_score if d.passed else None, d.grade if d.passed else None,
                  status.days_left if not d.passed else None)
        fmts = (None, None, state_style[d.state], styles.int, styles.int, styles.int, None, None, styles.score,
                styles.center, styles.int)
        for col, (value, fmt) in enumerate(zip(values, fmts)):
            sheet.put(col, value, fmt)
    sheet.finish()
    sheet.ws.set_header(f"&C{text('status_report.title', lang, year=status.year, today=status.today.isoformat())}")
    book.close()
    return buffer.getvalue()


def write_status(status: Status, path: Path, lang: str = "zh", force: bool = False) -> Path:
    return write_output(path, status_bytes(status, lang), force)

