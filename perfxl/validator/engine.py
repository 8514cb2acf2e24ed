"""Validate files and folders: guards → reader → template → rules, one file at a time.

Each file is checked on its own, in worker processes with a time limit and a memory cap
(see isolation), and only its findings come back, so memory does not grow with the batch.
Batch rules (F09, R04) run once all files are in.
"""

from __future__ import annotations

import gc
import os
from dataclasses import replace
from pathlib import Path
from typing import Callable, Container, Iterable, Mapping, Sequence

from ..display import shown_name
from ..i18n import register
from ..layout.model import WorkbookLayout
from ..layout.workbook import MAX_SHAPES, RECORD_SHEET
from ..reader.xlsx import ReadError, parse_ref, read_book
from ..roster.model import Roster
from ..writer.record import VALUE_COL
from .budget import check_budget
from .catalog import select as select_codes
from .consequences import group as group_consequences
from .context import Context, Options
from .department import check_department, check_summary
from .guards import Limits, file_digest, open_parts
from .indicators import check_indicators
from .integrity import check_integrity
from .isolation import check_isolated
from .figures import extract as extract_figures
from .model import FileResult, Finding, ProjectScore, Report, file_finding
from .roster import check_roster, not_returned
from .structure import check_structure, find_renamed, read_values
from .template import open_template
from .values import check_values

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".xltx", ".xltm", ".xlsb", ".ods", ".ots")

register({
    "skip.lock": ("Excel/WPS 的临时锁文件，已跳过", "an Excel/WPS lock file, skipped"),
    "skip.not_workbook": ("不是工作簿文件，已跳过", "not a workbook file, skipped"),
    "skip.mac": ("Mac 压缩包附带的资源文件，已跳过", "a Mac resource-fork file from a zip, skipped"),
    "skip.unreadable_dir": ("无法读取的文件夹，其中的文件未校验", "a folder that cannot be read; its files were not checked"),
})


def collect(paths: Iterable[str | os.PathLike]) -> tuple[list[str], list[tuple[str, str]]]:
    """Files to check and files skipped, from files and folders (recursive) in any mix.

    A file named on the command line is always checked (its bytes decide what it is); in
    a folder, only workbook-like names are, and lock files (~$name.xlsx) never are.
    """
    files: list[str] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(path: Path, explicit: bool) -> None:
        key = str(path)
        if key in seen:
            return
        seen.add(key)
        if path.name.startswith("~$"):
            skipped.append((key, "lock"))
        elif not explicit and (path.name.startswith("._") or "__MACOSX" in path.parts):
            skipped.append((key, "mac"))  # resource forks from a zip made on a Mac
        elif explicit or path.suffix.lower() in WORKBOOK_SUFFIXES:
            files.append(key)
        else:
            skipped.append((key, "not_workbook"))

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found, unreadable = _walk(path)
            for sub in sorted(found):
                add(sub, explicit=False)
            skipped.extend((str(folder), "unreadable_dir") for folder in unreadable)
        else:
            add(path, explicit=True)
    return files, skipped


def _walk(top: Path) -> tuple[list[Path], list[Path]]:
    """Every entry under `top` that is not a folder, and the folders that could not be listed.

    Iterative (no recursion limit however deep), never following a symbolic link to a
    folder (a link to `..` would loop); any other entry is listed whatever it is, so a
    FIFO, a socket or a looping link named like a workbook gets its own F01 rather than
    being passed over or blocking.
    """
    found: list[Path] = []
    unreadable: list[Path] = []
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                        linked_dir = not is_dir and entry.is_symlink() and entry.is_dir()
                    except OSError:  # vanished, or a link that loops: listed, its check says what it is
                        is_dir = linked_dir = False
                    if is_dir:
                        stack.append(Path(entry.path))
                    elif not linked_dir:
                        found.append(Path(entry.path))
        except OSError:
            unreadable.append(folder)
    return found, unreadable


def check_file(path: str, options: Options | None = None, limits: Limits = Limits()) -> FileResult:
    """Every finding for one file; never raises for anything the file contains."""
    options = options or Options()
    result = FileResult(path)
    sheets: list[str] = []
    try:
        sheets = _check(path, options, limits, result)
    except MemoryError:  # a huge file, under a worker's memory cap (isolation) or the machine's
        del result.findings[:]
        result.findings.append(file_finding("F05", "memory", limit=f"{limits.memory_mb:g}"))
    except Exception as exc:  # a bug must cost one file a finding, not the batch a traceback
        result.findings.append(file_finding("F01", "internal", reason=f"{type(exc).__name__}: {exc}"[:200]))
    order = _order(sheets)
    result.findings.sort(key=order)
    result.findings[:] = [replace(f, consequences=tuple(sorted(f.consequences, key=order))) if f.consequences
                          else f for f in result.findings]
    return result


def _check(path: str, options: Options, limits: Limits, result: FileResult) -> list[str]:
    """Run every rule; returns the form's sheet names in workbook order (to sort findings by).

    The workbook is read in two steps, so nothing outside the form is ever kept: first
    the record sheet (which names the template), then the form's sheets, each only as far
    as the template's rows and columns reach.
    """
    ctx = open_context(path, options, limits, result)
    if ctx is None:
        return []
    if result.department_name is None:
        name = ctx.value("dept", "name")
        result.department_name = str(name).strip() if name is not None else None
    check_integrity(ctx)
    check_values(ctx)
    check_budget(ctx)
    check_indicators(ctx)
    check_summary(ctx)
    check_department(ctx)
    check_roster(ctx, result)
    result.findings[:] = group_consequences(result.findings, ctx.links)
    _scores(ctx, result)
    names = []
    for s in ctx.layout.sheets:  # a renamed sheet's S01 (template name) sorts with its findings (new name)
        names += [s.name, ctx.renamed[s.code]] if s.code in ctx.renamed else [s.name]
    return names


def _identify(result: FileResult, identity: dict[str, str]) -> None:
    """Who sent a file in the wrong format (an .ods): it answers the roster, so no R04 for them."""
    result.department_code = identity.get("department_code") or None
    result.department_name = identity.get("department_name") or None
    year = identity.get("year", "")
    result.year = int(year) if year.isdigit() else None


def open_context(path: str, options: Options, limits: Limits, result: FileResult) -> Context | None:
    """The file read as far as the rules need it: template, sheets placed (S01, S04, S05), values.

    None, with the finding that stops it in `result`, when the file is not a readable
    perfxl workbook. Shared by the checks and by the annotated copy, which re-renders the
    workbook from this Context (so both see the same cells).
    """
    opened = open_parts(path, limits)
    if opened.parts is None:
        result.findings.append(opened.finding)
        _identify(result, opened.identity)
        return None
    result.findings.extend(opened.warnings)
    try:
        book = read_book(opened.parts, {RECORD_SHEET: RECORD_BOUNDS})
        ctx = open_template(path, book, options, result)
        if ctx is None:
            return None
        book.read_sheets(find_renamed(ctx, _bounds(ctx.layout)))
    except ReadError as exc:
        result.findings.append(file_finding("F01", reason=exc.reason[:200]))
        return None
    result.readable = True
    check_structure(ctx)
    read_values(ctx)
    return ctx


RECORD_BOUNDS = (100_000, VALUE_COL + 1)  # the key and value columns; a 500-project record has ~20 rows (30,000-character chunks)
_sheet_bounds: dict[str, dict[str, tuple[int, int]]] = {}


def _bounds(layout: WorkbookLayout) -> dict[str, tuple[int, int]]:
    """Sheet name → (rows, columns) the template uses: every field and label, merged areas included."""
    found = _sheet_bounds.get(layout.digest)
    if found is None:
        found = {}
        for sheet in layout.sheets:
            spans = [(f.last_row or f.row, f.col if f.last_col is None else f.last_col) for f in sheet.fields]
            spans += [(lb.last_row or lb.row, lb.col if lb.last_col is None else lb.last_col) for lb in sheet.labels]
            found[sheet.name] = (max((r for r, _ in spans), default=0) + 1, max((c for _, c in spans), default=0) + 1)
        if len(_sheet_bounds) >= MAX_SHAPES:
            del _sheet_bounds[next(iter(_sheet_bounds))]
        _sheet_bounds[layout.digest] = found
    return found


def _scores(ctx: Context, result: FileResult) -> None:
    """What the office's tracking summary shows: the engine's figures, never the file's."""
    result.figures = extract_figures(ctx)
    result.total_score = _number(ctx.expected("dept", "total.score"))
    result.grade = ctx.expected("dept", "grade")
    codes = ctx.record.project_codes
    for i, sheet in enumerate(ctx.project_sheets):
        name = ctx.value(sheet.code, "name")
        result.projects.append(ProjectScore(
            sheet.name, codes[i] if i < len(codes) else "", str(name) if name is not None else "",
            _number(ctx.expected(sheet.code, "funds.total.budget")),
            _number(ctx.expected(sheet.code, "funds.total.executed")),
            _number(ctx.expected(sheet.code, "total.score")), ctx.expected(sheet.code, "grade")))


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _order(sheets: list[str]) -> Callable:
    """File-level findings first, then by sheet in workbook order (项目2 before 项目10), row, column."""
    rank = {name: i for i, name in enumerate(sheets)}

    def key(f) -> tuple:
        try:
            row, col = parse_ref(f.cell) if f.cell else (-1, -1)
        except ValueError:
            row, col = -1, -1
        return (f.sheet is not None, rank.get(f.sheet or "", len(rank)), f.sheet or "", row, col, f.code)
    return key


def validate(paths: Sequence[str | os.PathLike] | str, roster: Roster | None = None, year: int | None = None, *,
             select: Sequence[str] = (), ignore: Sequence[str] = (), strict: bool = False, jobs: int = 1,
             limits: Limits = Limits(), progress: Callable[[int, int], None] | None = None,
             isolate: bool = True, digests: Mapping[str, str] | None = None,
             recorded: Container[str] = frozenset()) -> Report:
    """Validate returned workbooks; the Report holds what `--format json` prints.

    Files are checked in `jobs` worker processes (one with jobs=1) under `limits.seconds` and
    `limits.memory_mb`; isolate=False checks them in this process instead, without either limit.
    `digests` (path → SHA-256) and `recorded` (digests a round already holds) let a round tell
    resubmissions from rival files (F09); see perfxl.round.

    >>> report = validate(["returned/"], year=2025)        # doctest: +SKIP
    >>> report.failed, [f.code for f in report.files[0].findings]  # doctest: +SKIP
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files, skipped = collect(paths)
    options = Options(year=year, roster=roster)
    results: list[FileResult] = []
    if isolate:
        results = check_isolated(files, options, limits, jobs, progress)
    else:
        for path in files:
            results.append(check_file(path, options, limits))
            if progress:
                progress(len(results), len(files))
    _duplicates(results, digests, recorded)
    report = Report(results, skipped=skipped, strict=strict, year=year)
    if roster is not None:
        report.batch = not_returned(roster, results)
    keep = select_codes(None, tuple(c.strip().upper() for c in select), tuple(c.strip().upper() for c in ignore))
    for r in results:
        r.findings = _selected(r.findings, keep)
    report.batch = [f for f in report.batch if f.code in keep]
    return report


def _selected(findings: list[Finding], keep: set[str] | frozenset[str]) -> list[Finding]:
    """The chosen rules' findings. A root left out hands its place to the first consequence
    kept (one at its own cell first), with the other kept ones under it: still one mistake."""
    out: list[Finding] = []
    for f in findings:
        kept = tuple(c for c in f.consequences if c.code in keep)
        if f.code in keep:
            out.append(f if kept == f.consequences else replace(f, consequences=kept))
        elif kept:
            heir = next((c for c in kept if (c.sheet, c.cell) == (f.sheet, f.cell)), kept[0])
            out.append(replace(heir, consequences=tuple(c for c in kept if c is not heir)))
    return out


def _fewer_collections() -> None:
    """A file makes thousands of short-lived, acyclic objects (cells, values); with the default
    threshold the collector runs several times per file and sweeps every cached layout."""
    gc.freeze()  # what the process holds now (modules, the roster) is never garbage
    gc.set_threshold(20_000, 20, 20)


def _duplicates(results: list[FileResult], digests: Mapping[str, str] | None = None,
                recorded: Container[str] = frozenset()) -> None:
    """F09 on every file of a department that sent more than one different file.

    Byte-identical copies count once; a file whose content a round has already recorded
    (`recorded`, by digest) is an earlier submission, not a rival of the new one.
    """
    groups: dict[str, list[FileResult]] = {}
    for r in results:
        key = r.department_code or (f"name:{r.department_name}" if r.department_name else "")
        if key and r.readable:
            groups.setdefault(key, []).append(r)
    for group in groups.values():
        if len(group) < 2:
            continue
        content = {r.path: _digest(r.path, digests) for r in group}
        group = [r for r in group if content[r.path] not in recorded]
        if len({content[r.path] for r in group}) < 2:
            continue
        for r in group:
            others = "、".join(dict.fromkeys(shown_name(o.path) for o in group if content[o.path] != content[r.path]))
            r.findings.insert(0, file_finding("F09", department=r.department_name or "", code=r.department_code or "-",
                                              others=others))


def _digest(path: str, digests: Mapping[str, str] | None) -> str:
    """The file's content digest; its path when it cannot be read again (it then counts as different)."""
    if digests is not None and path in digests:
        return digests[path]
    try:
        return file_digest(path)[0]
    except OSError:
        return "path:" + path
