"""`perfxl validate --annotate DIR`: a marked-up copy of each returned workbook with problems.

The department gets its own file back with every problem cell filled red and commented,
and a first sheet 校验结果 listing the findings with links to the cells. The copy stays
a working template (formulas, dropdowns, protection, defined names and the very hidden
`_perfxl` record survive), so the department can correct it and send it in again; the
original is only ever read.
"""

from __future__ import annotations

import math
import os
import unicodedata
import warnings
from collections import defaultdict
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ..atomic import write_atomic
from ..errors import OutputError
from ..i18n import Message, register, text
from ..naming import safe_part
from ..validator.catalog import ERROR
from ..validator.model import FileResult, Finding, Report

# A form convention: the results sheet keeps its Chinese name whatever the report language.
SHEET = "校验结果"
SUFFIX = "_校验结果.xlsx"
AUTHOR = "perfxl"
RED = "FFFF7C80"
_FORMULA_START = ("=", "+", "-", "@")

register({
    "annotate.title": ("{name} 校验结果：{status}，{counts}", "{name}: {status}, {counts}"),
    "annotate.passed": ("通过", "passed"),
    "annotate.failed": ("未通过", "failed"),
    "annotate.counts": ("{errors} 个错误，{warnings} 个警告", "{errors} errors, {warnings} warnings"),
    "annotate.department": ("部门：{department}", "Department: {department}"),
    "annotate.hint": ("红色单元格有批注说明问题；点击“单元格”一栏的链接可跳到该单元格。改正后请重新提交。",
                      "Red cells carry a comment that explains the problem; the links in the Cell column jump "
                      "to the cell. Correct the workbook and send it in again."),
    "annotate.no": ("序号", "No."),
    "annotate.code": ("规则", "Rule"),
    "annotate.severity": ("级别", "Severity"),
    "annotate.sheet": ("工作表", "Sheet"),
    "annotate.cell": ("单元格", "Cell"),
    "annotate.label": ("项目", "Item"),
    "annotate.message": ("说明", "Message"),
    "annotate.expected": ("应为", "Expected"),
    "annotate.actual": ("表中为", "Found"),
    "annotate.error": ("错误", "error"),
    "annotate.warning": ("警告", "warning"),
    "annotate.header": ("以下文件未能生成批注副本（其余已生成）：", "No annotated copy could be made of (the others were written):"),
    "annotate.copy_failed": ("未能生成 {path} 的批注副本：{reason}", "Could not make an annotated copy of {path}: {reason}"),
})

_HEADERS = ("no", "code", "severity", "sheet", "cell", "label", "message", "expected", "actual")
_WIDTHS = (6, 7, 7, 26, 9, 30, 64, 16, 16)
_HEADER_ROW = 4


def annotated_name(path: str | os.PathLike) -> str:
    """`2025_101001_….xlsx` → `2025_101001_…_校验结果.xlsx`."""
    return _stem(path) + SUFFIX


def _stem(path: str | os.PathLike) -> str:
    """The input's name without control characters, and short enough that the copy's name
    (with `_校验结果_N.xlsx`) stays under the 255-byte limit: an input named near the
    limit would otherwise cost its copy."""
    return safe_part(Path(path).stem, max_chars=_STEM_BYTES, max_bytes=_STEM_BYTES)


_STEM_BYTES = 200


def annotate_all(report: Report, out_dir: Path, lang: str = "zh", force: bool = False) -> list[Path]:
    """Write an annotated copy of every readable workbook with findings; returns the paths written.

    Without `force`, nothing is written when any target exists. Two inputs with the same
    file name (from different folders) get `_2`, `_3` … so neither copy replaces the other.
    """
    out_dir = Path(out_dir)
    plan = _plan(report, out_dir)
    if not force:
        existing = [target for _, target in plan if target.exists() or target.is_symlink()]
        if existing:
            raise OutputError([Message("output.exists", {"path": str(p)}) for p in existing])
    if plan:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(Message("output.unwritable", {"path": str(out_dir),
                                                            "reason": exc.strerror or str(exc)})) from exc
    written: list[Path] = []
    failed: list[Message] = []
    for result, target in plan:
        try:
            data = annotate_bytes(result, lang, report.strict)
        except Exception as exc:  # openpyxl refusing one file must not cost the others their copies
            reason = f"{type(exc).__name__}: {exc}"[:200]
            failed.append(Message("annotate.copy_failed", {"path": result.path, "reason": reason}))
            continue
        write_atomic(target, data, force)
        written.append(target)
    if failed:
        raise AnnotateError(failed, written)
    return written


class AnnotateError(OutputError):
    """Some copies could not be made; `written` lists the ones that were."""

    header_key = "annotate.header"

    def __init__(self, messages: list[Message], written: list[Path]) -> None:
        super().__init__(messages)
        self.written = written


def _plan(report: Report, out_dir: Path) -> list[tuple[FileResult, Path]]:
    """Each copy's target; never one of the batch's own files, even with force."""
    plan: list[tuple[FileResult, Path]] = []
    used: set[str] = set()
    inputs = {os.path.normcase(Path(r.path).resolve()) for r in report.files}

    def taken(name: str) -> bool:
        return name.casefold() in used or os.path.normcase((out_dir / name).resolve()) in inputs

    for result in report.files:
        if not (result.readable and result.findings):
            continue
        name = annotated_name(result.path)
        n = 1
        while taken(name):  # casefold: case-insensitive file systems (Windows, macOS)
            n += 1
            name = f"{_stem(result.path)}{SUFFIX[:-5]}_{n}.xlsx"
        used.add(name.casefold())
        plan.append((result, out_dir / name))
    return plan


def annotate_bytes(result: FileResult, lang: str = "zh", strict: bool = False) -> bytes:
    """The annotated copy of one workbook as xlsx bytes; the original file is opened read-only."""
    with open(result.path, "rb") as fh, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # openpyxl's notes on parts it does not model
        book = openpyxl.load_workbook(fh, rich_text=True)
    book.template = False  # an .xltx input is still saved as a workbook
    _remove_previous(book)
    _mark_cells(book, result.all_findings(), lang)
    _results_sheet(book, result, lang, strict)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _remove_previous(book: openpyxl.Workbook) -> None:
    """A returned copy that was annotated before: drop the old list and our old comments."""
    if SHEET not in book.sheetnames:
        return
    book.remove(book[SHEET])
    for ws in book.worksheets:
        # The cells that exist, not iter_rows(): a file may claim a used range of 17 billion cells.
        for cell in list(ws._cells.values()):
            if cell.comment is not None and cell.comment.author == AUTHOR:
                cell.comment = None


def _mark_cells(book: openpyxl.Workbook, findings: list[Finding], lang: str) -> None:
    """Fill each problem cell red and put every finding on it into one comment."""
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.sheet and f.cell and f.sheet in book.sheetnames:
            by_cell[(f.sheet, f.cell)].append(f)
    fill = PatternFill(fill_type="solid", start_color=RED, end_color=RED)
    for (sheet, ref), group in by_cell.items():
        cell = _anchor(book[sheet], ref)
        if cell is None:
            continue
        cell.fill = fill
        lines = [_clean(f"{f.code} {f.text(lang)}") for f in group]
        if cell.comment is not None:  # the department's own note stays, ours follows it
            lines.insert(0, cell.comment.text)
        body = "\n".join(lines)
        cell.comment = Comment(body, AUTHOR, height=_comment_height(body), width=_COMMENT_WIDTH)


_COMMENT_WIDTH = 360  # px; about 30 Chinese characters a line


def _comment_height(body: str) -> int:
    per_line = _COMMENT_WIDTH // 12 * 2  # display columns (a Chinese character is two)
    lines = sum(max(1, math.ceil(_display_width(line) / per_line)) for line in body.split("\n"))
    return min(600, 20 * lines + 16)


def _display_width(value: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def _anchor(ws: Worksheet, ref: str) -> Cell | None:
    """The cell at `ref`, or the top-left cell of the merged range that covers it."""
    try:
        target = ws[ref]
    except (ValueError, IndexError):
        return None
    while isinstance(target, tuple):  # a range: mark its first cell
        if not target:
            return None
        target = target[0]
    for merged in ws.merged_cells.ranges:
        if target.coordinate in merged:
            return ws.cell(merged.min_row, merged.min_col)
    return target


def _results_sheet(book: openpyxl.Workbook, result: FileResult, lang: str, strict: bool) -> None:
    """The first sheet, 校验结果: a title, a hint, then one row per finding with a link to its cell."""
    ws = book.create_sheet(SHEET, 0)
    for other in book.worksheets:
        other.sheet_view.tabSelected = False  # one selected tab, or Excel opens them as a group
    book.active = 0
    ws.sheet_view.tabSelected = True
    passed = result.passed(strict)
    ws.sheet_properties.tabColor = "FF12B76A" if passed else "FFD92D20"

    status = text("annotate.passed" if passed else "annotate.failed", lang)
    counts = text("annotate.counts", lang, errors=result.errors, warnings=result.warnings)
    _put(ws.cell(1, 1), text("annotate.title", lang, name=os.path.basename(result.path), status=status,
                             counts=counts)).font = Font(bold=True, size=14)
    if result.department_code or result.department_name:
        department = " ".join(p for p in (result.department_code, result.department_name) if p)
        _put(ws.cell(2, 1), text("annotate.department", lang, department=department))
    _put(ws.cell(3, 1), text("annotate.hint", lang)).font = Font(color="FF475467")

    header_font = Font(bold=True)
    header_fill = PatternFill(fill_type="solid", start_color="FFF2F4F7", end_color="FFF2F4F7")
    for col, key in enumerate(_HEADERS, start=1):
        cell = _put(ws.cell(_HEADER_ROW, col), text(f"annotate.{key}", lang))
        cell.font, cell.fill = header_font, header_fill
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS[col - 1]

    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    link_font = Font(color="FF0563C1", underline="single")
    for i, f in enumerate(result.findings, start=1):
        row = _HEADER_ROW + i
        severity = "error" if f.severity == ERROR else "warning"
        values: tuple[Any, ...] = (i, f.code, text(f"annotate.{severity}", lang), f.sheet, f.cell, f.label,
                                   f.text(lang), f.expected, f.actual)
        for col, value in enumerate(values, start=1):
            cell = _put(ws.cell(row, col), value)
            cell.alignment = wrap if col in (6, 7) else top
        if f.severity == ERROR:
            ws.cell(row, 3).font = Font(color="FFB42318", bold=True)
        else:
            ws.cell(row, 3).font = Font(color="FFB54708", bold=True)
        if f.sheet and f.sheet in book.sheetnames:
            link = ws.cell(row, 5 if f.cell else 4)  # a finding about a whole sheet links from its name
            target = f.cell or "A1"
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{_quote(f.sheet)}!{target}",
                                       tooltip=f"{f.sheet}!{target}")
            link.font = link_font
    last = _HEADER_ROW + len(result.findings)
    ws.freeze_panes = ws.cell(_HEADER_ROW + 1, 1)
    ws.auto_filter.ref = f"A{_HEADER_ROW}:{get_column_letter(len(_HEADERS))}{last}"
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _put(cell: Cell, value: Any) -> Cell:
    """Write a value; text always stays text, even when it starts like a formula."""
    if value is None:
        return cell
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value if not isinstance(value, float) or math.isfinite(value) else str(value)
        return cell
    if isinstance(value, bool):
        cell.value = value
        return cell
    value = _clean(str(value))
    cell.value = value
    cell.data_type = "s"  # openpyxl would store "=…" as a formula
    if value.startswith(_FORMULA_START):
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def _clean(value: str) -> str:
    """Characters XML cannot hold (a hostile workbook can smuggle them in as _x0001_)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"
