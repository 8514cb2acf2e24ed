"""`perfxl validate --annotate DIR`: a copy of each returned workbook with problems, to send back.

The copy is the workbook as issued, re-rendered by perfxl's writer with the department's
inputs (report.rebuild): formulas and issued values typed over come back, protection is
applied again with the office's password hash, every formula carries its computed value,
and marks from an earlier annotation are gone. Problem cells are marked red (orange for
warnings) with a comment, as long as they still hold what was found; restored cells are
marked blue. A first sheet 校验结果 lists the findings with links, a live status per
finding, and a headline that turns to 通过 once they are corrected.

A file whose sheets cannot be read cell by cell (a sheet missing or renamed, rows
inserted) is marked up in place with openpyxl instead, so none of its inputs is lost;
its 校验结果 sheet says so. The original file is only ever read.

annotate_all makes each copy in a worker process under the same time and memory limits
as the check (validator.isolation), and writes the bytes it gets back; a copy that
cannot be made (too slow, too big, an error) is named in an AnnotateError after the
others are written. annotate_bytes makes one copy in this process, without limits.
"""

from __future__ import annotations

import math
import os
import unicodedata
import warnings
from collections import defaultdict
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, Callable

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ..atomic import Inputs, PartialWrite, write_atomic
from ..display import shown_name
from ..errors import OutputError
from ..i18n import Message, register, text
from ..naming import safe_part
from ..validator.catalog import ERROR
from ..validator.guards import Limits
from ..validator.isolation import Job, run_isolated
from ..validator.model import FileResult, Finding, Report
from .resubmission import note_lines

# A form convention: the results sheet keeps its Chinese name whatever the report language.
SHEET = "校验结果"
SUFFIX = "_校验结果.xlsx"
AUTHOR = "perfxl"
# Mark colours (ARGB), unlike any the form uses, so an earlier annotation's marks can be told apart.
RED = "FFFF7C80"        # an error: must be corrected
WARN = "FFF4B183"       # a warning: check, or explain
RESTORED = "FF9BC2E6"   # a formula or issued value the copy wrote back
MARK_COLOURS = frozenset((RED, WARN, RESTORED))
_FORMULA_START = ("=", "+", "-", "@")

register({
    "annotate.title": ("{name} 校验结果", "{name}: validation result"),
    "annotate.passed": ("通过", "Passed"),
    "annotate.failed": ("未通过", "Failed"),
    "annotate.headline.static": ("{status}：{counts}", "{status}: {counts}"),
    "annotate.headline.pending": ("：尚有 {count} 处问题待修改（见下表“状态”一栏）。",
                                  ": {count} problem(s) still to correct (see the Status column below)."),
    "annotate.headline.passed": ("：标出的问题均已修改，工作簿自查未发现问题，可以报送。",
                                 ": every marked problem is corrected and the workbook's self-check finds none; "
                                 "ready to send in."),
    "annotate.headline.self_check": ("：标出的问题均已修改，但工作簿自查仍有问题或未填的必填项，见“填报说明”。",
                                     ": the marked problems are corrected, but the workbook's self-check still "
                                     "finds problems or blank required inputs (see 填报说明)."),
    "annotate.counts": ("{errors} 个错误，{warnings} 个警告", "{errors} errors, {warnings} warnings"),
    "annotate.checked": ("退回时的校验：{counts}", "When checked: {counts}"),
    "annotate.department": ("部门：{department}", "Department: {department}"),
    "annotate.hint": ("请在本副本中直接修改：点击“单元格”一栏的链接可跳到该单元格，鼠标移到单元格上可看批注。"
                      "改好后保存为 .xlsx 报送，本表不用删除。",
                      "Correct this copy itself: the links in the Cell column jump to the cell, and each marked "
                      "cell carries a comment. Save it as .xlsx and send it in again; this sheet may stay."),
    "annotate.legend": ("标记：红色为须修改的错误，橙色为请核实或说明原因的警告，改正后标记自动消失，“状态”变为“已修改”；"
                        "蓝色为已恢复为下发的公式/数值的单元格，不必再改。",
                        "Marks: red is an error to correct, orange a warning to check or explain; a mark disappears "
                        "once the cell is changed and its status becomes Corrected. Blue cells were restored to the "
                        "issued formula or value and need nothing more."),
    "annotate.self_check": ("工作簿自查（随填写实时更新）：", "Workbook self-check (live): "),
    "annotate.follows": ("（随之）", "(follows) "),
    "annotate.restored_note": ("已恢复为下发的公式/数值（表中原为：{found}）。",
                               "Restored to the issued formula/value (the file held: {found})."),
    "annotate.input_formula": ("此处原为公式 {formula}，本副本保留了它的计算结果。",
                               "This cell held the formula {formula}; the copy keeps its result."),
    "annotate.fallback.sheets": ("本文件有工作表缺失、改名或被插入/删除了行，无法按原模板重建：标记直接加在原文件的副本上，"
                                 "被改写的公式和数值未恢复。请按下表改正，必要时向财政部门索取新模板重新填写。",
                                 "A sheet of this file is missing, renamed or has rows inserted or deleted, so it could "
                                 "not be rebuilt from the template: the marks are on a copy of the file as it is, and "
                                 "overwritten formulas and values are not restored. Correct it as listed, or ask the "
                                 "finance office for a new template."),
    "annotate.fallback.unreadable": ("本文件的模板记录无法读取，无法按原模板重建：标记直接加在原文件的副本上。",
                                     "This file's template record cannot be read, so it could not be rebuilt from "
                                     "the template: the marks are on a copy of the file as it is."),
    "annotate.no": ("序号", "No."),
    "annotate.code": ("规则", "Rule"),
    "annotate.severity": ("级别", "Severity"),
    "annotate.sheet": ("工作表", "Sheet"),
    "annotate.cell": ("单元格", "Cell"),
    "annotate.label": ("项目", "Item"),
    "annotate.message": ("说明", "Message"),
    "annotate.expected": ("应为", "Expected"),
    "annotate.actual": ("表中为", "Found"),
    "annotate.status": ("状态", "Status"),
    "annotate.status.pending": ("待修改", "To correct"),
    "annotate.status.check": ("请核实", "To check"),
    "annotate.status.fixed": ("已修改", "Corrected"),
    "annotate.status.restored": ("已恢复", "Restored"),
    "annotate.status.none": ("—", "—"),
    "annotate.error": ("错误", "error"),
    "annotate.warning": ("警告", "warning"),
    "annotate.header": ("以下文件未能生成批注副本（其余已生成）：", "No annotated copy could be made of (the others were written):"),
    "annotate.copy_failed": ("未能生成 {path} 的批注副本：{reason}", "Could not make an annotated copy of {path}: {reason}"),
    "annotate.why.timeout": ("超过 {limit} 秒仍未完成（--timeout）", "not done within {limit} s (--timeout)"),
    "annotate.why.memory": ("所需内存超过 {limit} MB（--max-memory-mb）",
                            "needs more than {limit} MB of memory (--max-memory-mb)"),
    "annotate.why.crash": ("生成副本的进程意外终止（{reason}）", "the process making it died ({reason})"),
})

HEADERS = ("no", "code", "severity", "sheet", "cell", "label", "message", "expected", "actual")
COLUMN_WIDTHS = (6, 7, 7, 26, 9, 30, 64, 16, 16)
HEADER_ROW = 6  # 0-based: title, headline, counts, hint, legend, self-check line (or why not rebuilt), header


def intro_rows(result: FileResult, lang: str, strict: bool) -> list[str]:
    """The sheet's first five rows: title, static headline, counts, hint, legend."""
    passed = result.passed(strict)
    counts = text("annotate.counts", lang, errors=result.errors, warnings=result.warnings)
    checked = text("annotate.checked", lang, counts=counts)
    if result.department_code or result.department_name:
        department = " ".join(p for p in (result.department_code, result.department_name) if p)
        checked += "；" + text("annotate.department", lang, department=department) if lang == "zh" else \
            "; " + text("annotate.department", lang, department=department)
    note = note_lines(result.round_note, lang)
    if note:  # with --round: the submission's number and what changed since the previous one
        checked += ("；" if lang == "zh" else "; ") + note[0]
    status = text("annotate.passed" if passed else "annotate.failed", lang)
    return [text("annotate.title", lang, name=shown_name(result.path)),
            text("annotate.headline.static", lang, status=status, counts=counts), checked,
            text("annotate.hint", lang), text("annotate.legend", lang)]


def finding_row(i: int, f: Finding, lang: str) -> tuple[Any, ...]:
    severity = "error" if f.severity == ERROR else "warning"
    return (i, f.code, text(f"annotate.{severity}", lang), f.sheet, f.cell, f.label, f.text(lang), f.expected,
            f.actual)


def annotated_name(path: str | os.PathLike) -> str:
    """`2025_101001_….xlsx` → `2025_101001_…_校验结果.xlsx`."""
    return _stem(path) + SUFFIX


def _stem(path: str | os.PathLike) -> str:
    """The input's name without control characters, and short enough that the copy's name
    (with `_校验结果_N.xlsx`) stays under the 255-byte limit: an input named near the
    limit would otherwise cost its copy."""
    return safe_part(Path(shown_name(path)).stem, max_chars=_STEM_BYTES, max_bytes=_STEM_BYTES)


_STEM_BYTES = 200


def annotate_all(report: Report, out_dir: Path, lang: str = "zh", force: bool = False, *,
                 limits: Limits = Limits(), jobs: int = 1, isolate: bool = True) -> list[Path]:
    """Write an annotated copy of every readable workbook with findings; returns the paths written.

    Each copy is made in one of `jobs` worker processes under `limits` (time and memory, as
    the check); isolate=False makes them in this process, without either limit. A copy that
    cannot be made costs only itself: the others are written, then AnnotateError names it.
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
    written: dict[int, Path] = {}
    failed: dict[int, Message] = {}

    def deliver(i: int, copy: Copy) -> None:
        result, target = plan[i]
        if copy.data is None:
            failed[i] = Message("annotate.copy_failed", {"path": result.path, "reason": copy.why(limits)})
            return
        try:
            write_atomic(target, copy.data, force)
        except OutputError as exc:  # a full disk: the copies written are whole; say which are missing
            done = [written[j] for j in sorted(written)]
            raise PartialWrite(exc, done, [t for _, t in plan if t not in done]) from exc
        written[i] = target

    job = CopyJob(lang, report.strict)
    tasks = [result for result, _ in plan]
    if isolate:
        run_isolated(tasks, job, limits, jobs, deliver)
    else:
        for i, result in enumerate(tasks):
            deliver(i, job.run(result, limits, lambda: False))
    paths = [written[i] for i in sorted(written)]
    if failed:
        raise AnnotateError([failed[i] for i in sorted(failed)], paths)
    return paths


@dataclass(frozen=True)
class Copy:
    """One annotated copy: its bytes, or why it could not be made (`problem`: timeout, memory, crash, error)."""

    data: bytes | None = None
    problem: str = ""
    reason: str = ""

    def why(self, limits: Limits) -> Message | str:
        if self.problem == "timeout":
            return Message("annotate.why.timeout", {"limit": f"{limits.seconds:g}"})
        if self.problem == "memory":
            return Message("annotate.why.memory", {"limit": f"{limits.memory_mb:g}"})
        if self.problem == "crash":
            return Message("annotate.why.crash", {"reason": self.reason})
        return self.reason


@dataclass(frozen=True)
class CopyJob(Job):
    """annotate_bytes on each FileResult, in a worker (see validator.isolation)."""

    lang: str
    strict: bool

    def run(self, task: Any, limits: Limits, near_cap: Callable[[], bool]) -> Copy:
        try:
            return Copy(annotate_bytes(task, self.lang, self.strict, limits))
        except MemoryError:
            return Copy(problem="memory")
        except Exception as exc:  # openpyxl refusing one file must not cost the others their copies
            if near_cap():  # a C library's own way of running out (zlib, libxml2)
                return Copy(problem="memory")
            return Copy(problem="error", reason=f"{type(exc).__name__}: {exc}"[:200])

    def failed(self, task: Any, limits: Limits, problem: str, reason: str = "") -> Copy:
        return Copy(problem=problem, reason=reason)


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
    inputs = Inputs(r.path for r in report.files)

    def taken(name: str) -> bool:
        return name.casefold() in used or out_dir / name in inputs

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


def annotate_bytes(result: FileResult, lang: str = "zh", strict: bool = False, limits: Limits = Limits()) -> bytes:
    """The annotated copy of one workbook as xlsx bytes; the original file is only read.

    Re-rendered from the template when every sheet can be read cell by cell; otherwise
    the file itself, marked up with openpyxl (see the module docstring).
    """
    from .rebuild import NotRebuilt, rebuilt_copy

    try:
        return rebuilt_copy(result, lang, strict, limits)
    except NotRebuilt as why:
        return marked_up(result, lang, strict, why.reason)


def clean(value: str) -> str:
    """Characters XML cannot hold (a hostile workbook can smuggle them in as _x0001_)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


_COMMENT_WIDTH = 360  # px; about 30 Chinese characters a line


def comment_size(body: str) -> tuple[int, int]:
    """(width, height) in pixels for a comment showing `body` whole."""
    per_line = _COMMENT_WIDTH // 12 * 2  # display columns (a Chinese character is two)
    lines = sum(max(1, math.ceil(_display_width(line) / per_line)) for line in body.split("\n"))
    return _COMMENT_WIDTH, min(600, 20 * lines + 16)


def _display_width(value: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


# --- the fallback: the returned file itself, marked up -------------------------------------------

def marked_up(result: FileResult, lang: str, strict: bool, reason: str) -> bytes:
    """The file as it is, with marks, comments and a 校验结果 sheet that says why it was not rebuilt."""
    with open(result.path, "rb") as fh, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # openpyxl's notes on parts it does not model
        book = openpyxl.load_workbook(fh, rich_text=True)
    book.template = False  # an .xltx input is still saved as a workbook
    _remove_previous(book)
    _mark_cells(book, result.all_findings(), lang)
    _results_sheet(book, result, lang, strict, reason)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _remove_previous(book: openpyxl.Workbook) -> None:
    """An annotated copy annotated again: its 校验结果 sheet, our comments and our marks go."""
    if SHEET in book.sheetnames:
        book.remove(book[SHEET])
    for ws in book.worksheets:
        # The cells that exist, not iter_rows(): a file may claim a used range of 17 billion cells.
        for cell in list(ws._cells.values()):
            if cell.comment is not None and cell.comment.author == AUTHOR:
                cell.comment = None
        kept = ConditionalFormattingList()
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                if not _ours(rule):
                    kept.add(str(cf.sqref), rule)
        ws.conditional_formatting = kept


def _ours(rule: Any) -> bool:
    fill = getattr(getattr(rule, "dxf", None), "fill", None)
    if fill is None:
        return False
    colours = {getattr(c, "rgb", None) for c in (getattr(fill, "fgColor", None), getattr(fill, "bgColor", None))}
    return bool(colours & MARK_COLOURS)


def _mark_cells(book: openpyxl.Workbook, findings: list[Finding], lang: str) -> None:
    """Mark each problem cell (conditional format, so a later copy can remove it) and comment it."""
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.sheet and f.cell and f.sheet in book.sheetnames:
            by_cell[(f.sheet, f.cell)].append(f)
    for (sheet, ref), group in by_cell.items():
        ws = book[sheet]
        cell = _anchor(ws, ref)
        if cell is None:
            continue
        colour = RED if any(f.severity == ERROR for f in group) else WARN
        fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour, bgColor=colour)
        ws.conditional_formatting.add(cell.coordinate, FormulaRule(formula=["TRUE"], fill=fill))
        lines = [clean(f"{f.code} {f.text(lang)}") for f in group]
        if cell.comment is not None:  # the department's own note stays, ours follows it
            lines.insert(0, cell.comment.text)
        body = "\n".join(lines)
        width, height = comment_size(body)
        cell.comment = Comment(body, AUTHOR, height=height, width=width)


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


def _results_sheet(book: openpyxl.Workbook, result: FileResult, lang: str, strict: bool, reason: str) -> None:
    """The first sheet, 校验结果, as the rebuilt copy lays it out, with static text only."""
    ws = book.create_sheet(SHEET, 0)
    for other in book.worksheets:
        other.sheet_view.tabSelected = False  # one selected tab, or Excel opens them as a group
    book.active = 0
    ws.sheet_view.tabSelected = True
    passed = result.passed(strict)
    ws.sheet_properties.tabColor = "FF12B76A" if passed else "FFD92D20"

    rows = intro_rows(result, lang, strict)
    grey = Font(color="FF475467")
    _put(ws.cell(1, 1), rows[0]).font = Font(bold=True, size=14)
    _put(ws.cell(2, 1), rows[1]).font = Font(bold=True, size=12, color="FF067647" if passed else "FFB42318")
    for r, line in enumerate(rows[2:], start=3):
        _put(ws.cell(r, 1), line).font = grey
    _put(ws.cell(HEADER_ROW, 1), text(reason, lang)).font = Font(bold=True, color="FFB42318")

    header = HEADER_ROW + 1  # 1-based
    header_font = Font(bold=True)
    header_fill = PatternFill(fill_type="solid", start_color="FFF2F4F7", end_color="FFF2F4F7")
    for col, key in enumerate(HEADERS, start=1):
        cell = _put(ws.cell(header, col), text(f"annotate.{key}", lang))
        cell.font, cell.fill = header_font, header_fill
        ws.column_dimensions[get_column_letter(col)].width = COLUMN_WIDTHS[col - 1]

    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    link_font = Font(color="FF0563C1", underline="single")
    for i, f in enumerate(result.findings, start=1):
        row = header + i
        for col, value in enumerate(finding_row(i, f, lang), start=1):
            cell = _put(ws.cell(row, col), value)
            cell.alignment = wrap if col in (6, 7) else top
        ws.cell(row, 3).font = Font(color="FFB42318" if f.severity == ERROR else "FFB54708", bold=True)
        if f.sheet and f.sheet in book.sheetnames:
            link = ws.cell(row, 5 if f.cell else 4)  # a finding about a whole sheet links from its name
            target = f.cell or "A1"
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{_quote(f.sheet)}!{target}",
                                       tooltip=f"{f.sheet}!{target}")
            link.font = link_font
    last = header + max(len(result.findings), 1)
    ws.freeze_panes = ws.cell(header + 1, 1)
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(HEADERS))}{last}"
    ws.print_title_rows = f"{header}:{header}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
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
    value = clean(str(value))
    cell.value = value
    cell.data_type = "s"  # openpyxl would store "=…" as a formula
    if value.startswith(_FORMULA_START):
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"
