"""The annotated copy re-rendered from the template: the workbook as issued, with the
department's inputs, plus marks and a 校验结果 sheet.

Rendering again with perfxl's own writer (from the layout and record the validator
rebuilt) is what makes the copy one the department can fix and send back: every
formula and issued value typed over comes back as issued, each sheet is protected
again with the office's password hash, formulas carry the engine's cached values, and
whatever an earlier annotation added (marks, comments, its 校验结果 sheet) is gone,
because nothing of the returned file is copied but the typed inputs (with a typed
percentage's or date's number format).

Marks are conditional formats (see marks): red/orange while a flagged cell still holds
what was found, blue on restored cells. The validator reads neither formats nor an
extra sheet, so a corrected copy validates on its own content.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from ..formula_text import normalise
from ..i18n import text
from ..layout.model import Field, Kind, SheetLayout, a1, a1_range, quote_sheet
from ..layout.workbook import current
from ..reader.styles import number_formats, protection_hashes
from ..reader.xlsx import parse_ref, read_book
from ..validator.catalog import ERROR
from ..validator.context import Context, Options
from ..validator.engine import open_context
from ..validator.guards import Limits
from ..validator.integrity import issued_same
from ..validator.model import FileResult, Finding
from ..writer.record import Meta
from ..writer.render import render
from ..writer.styles import Styles
from . import marks
from .annotate import (
    AUTHOR, COLUMN_WIDTHS, HEADER_ROW, HEADERS, RED, RESTORED, SHEET, WARN, clean, comment_size, finding_row,
    intro_rows,
)

_FORMULA_START = ("=", "+", "-", "@")


# Findings about a cell's own content; any other rule judges figures made from several cells.
_OWN_CONTENT = re.compile(r"^(V0[1-6]|I0[89]|I11|B06|S0\d|F\d\d|R\d\d)$")
# Typed values the sums cannot use as meant (text in a number cell, 元 for 万元): a finding on an
# input elsewhere (B04's missing reason for a rate that text made low) may follow from them.
_CAUSES = ("V02", "V05")


_FOUND_COL = len(HEADERS) + 3  # hidden, on the 校验结果 sheet: texts the marks compare with


_STRING = re.compile(r'"(?:[^"]|"")*"')


def _reads_other_sheet(condition: str) -> bool:
    return "!" in _STRING.sub("", condition)


def _helper_column(sheet: SheetLayout) -> int:
    """The first column right of everything the template places on the sheet, hidden ones too
    (the validator reads a sheet only as far as the template reaches: these stay unread)."""
    cols = [f.last_col if f.last_col is not None else f.col for f in sheet.fields]
    cols += [lb.last_col if lb.last_col is not None else lb.col for lb in sheet.labels]
    return max([*cols, *sheet.widths]) + 2


class NotRebuilt(Exception):
    """This file cannot be re-rendered cell by cell; `reason` is an i18n key for the 校验结果 sheet."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def rebuilt_copy(result: FileResult, lang: str = "zh", strict: bool = False, limits: Limits = Limits()) -> bytes:
    """The copy as xlsx bytes; raises NotRebuilt when a sheet cannot be read cell by cell."""
    ctx = open_context(result.path, Options(), limits, FileResult(result.path))
    if ctx is None:
        raise NotRebuilt("annotate.fallback.unreadable")
    if ctx.unusable:
        raise NotRebuilt("annotate.fallback.sheets")
    copy = _Copy(ctx, result, lang, strict)
    data = render(current(ctx.layout, ctx.scheme), ctx.scheme, copy.meta(), copy.values, "", True, copy)
    return _with_passwords(data, copy.passwords())


@dataclass
class _Cell:
    """One annotated cell of a form sheet: its findings, and whether the copy restored it."""

    sheet: SheetLayout
    field: Field | None
    row: int
    col: int
    findings: list[Finding] = field(default_factory=list)
    restored: object = None      # what the returned file held there, when the copy restored it
    was_restored: bool = False
    notes: list[str] = field(default_factory=list)


class _Copy:
    """The render hook: marks and comments on the form sheets, then the 校验结果 sheet."""

    def __init__(self, ctx: Context, result: FileResult, lang: str, strict: bool):
        self.ctx, self.result, self.lang, self.strict = ctx, result, lang, strict
        self.values = _writable(ctx.values)
        self.cells: dict[tuple[str, int, int], _Cell] = {}
        self.formats: dict[tuple[str, int, int], str] = {}
        self.cached: Mapping[tuple[str, str], object] = {}
        self._restore()
        self._keep_formats()
        self._place_findings()
        self._formats: dict[str, Any] = {}
        self._helpers: dict[str, dict[int, int]] = {}  # sheet code → row → helper cells used
        self.found: dict[tuple[str, str], tuple[int, str]] = {}

    # --- what the copy changes ----------------------------------------------------------------
    def _cell(self, sheet: SheetLayout, row: int, col: int, f: Field | None) -> _Cell:
        key = (sheet.code, row, col)
        if key not in self.cells:
            self.cells[key] = _Cell(sheet, f, row, col)
        return self.cells[key]

    def _restore(self) -> None:
        """Formulas and issued values the file no longer holds as issued: the copy writes them back."""
        ctx = self.ctx
        for sheet in ctx.layout.sheets:
            found = ctx.sheets.get(sheet.code)
            if found is None:
                continue
            for f in sheet.fields:
                cell = found.cell(f.row, f.col)
                if f.kind == Kind.INPUT:
                    if cell.formula is not None:  # a formula typed into an input: its value is kept
                        self._cell(sheet, f.row, f.col, f).notes.append(
                            text("annotate.input_formula", self.lang, formula=clean(cell.formula)[:200]))
                    continue
                if f.kind == Kind.ISSUED:
                    have = cell.formula if cell.formula else cell.value
                    changed = not issued_same(have, ctx.issued(sheet.code, f.key))
                else:
                    have = cell.formula if cell.formula is not None else cell.value
                    changed = cell.formula is None or (cell.formula != f.formula
                                                       and normalise(cell.formula) != normalise(f.formula or ""))
                if changed:
                    mark = self._cell(sheet, f.row, f.col, f)
                    mark.was_restored, mark.restored = True, have

    def _keep_formats(self) -> None:
        """A number typed as a percentage or date keeps its number format (the value alone would show 0.95)."""
        ctx = self.ctx
        for sheet in ctx.layout.sheets:
            if sheet.code not in ctx.sheets:
                continue
            inputs = {(f.row, f.col): f for f in sheet.fields if f.kind == Kind.INPUT
                      and isinstance(self.values.get((sheet.code, f.key)), (int, float))
                      and not isinstance(self.values.get((sheet.code, f.key)), bool)
                      and math.isfinite(self.values[(sheet.code, f.key)])}
            for (row, col), code in number_formats(ctx.book, ctx.sheet_name(sheet.code), inputs).items():
                self.formats[(sheet.code, row, col)] = code

    def _place_findings(self) -> None:
        by_name = {s.name: s for s in self.ctx.layout.sheets}
        by_name.update({name: self.ctx.layout.sheet(code) for code, name in self.ctx.renamed.items()})
        self.fields = {s.code: {(f.row, f.col): f for f in s.fields} for s in self.ctx.layout.sheets}
        self.placed: list[tuple[Finding, _Cell | None]] = []
        for finding in self.result.findings:  # roots: a consequence follows its root's mark and comment
            sheet = by_name.get(finding.sheet or "")
            mark = None
            if sheet is not None and finding.cell:
                try:
                    row, col = parse_ref(finding.cell)
                except ValueError:
                    row = col = -1
                f = self.fields[sheet.code].get((row, col))
                if f is not None:
                    mark = self._cell(sheet, row, col, f)
                    mark.findings.append(finding)
            self.placed.append((finding, mark))
        self.causes = [m for f, m in self.placed if m is not None and f.code in _CAUSES]

    # --- render hook ------------------------------------------------------------------------------
    def begin(self, wb: Any, styles: Styles, cached: Mapping[tuple[str, str], object]) -> None:
        self.cached = cached
        self.results = wb.add_worksheet(SHEET)

    def sheet(self, ws: Any, sheet: SheetLayout, styles: Styles) -> None:
        ours: list[dict] = []
        for (code, row, col), number_format in self.formats.items():
            if code == sheet.code:
                f = self.fields[code][(row, col)]
                ws.write_number(row, col, float(self.values[(code, f.key)]),
                                styles.field(f.kind, f.vtype, f.align, number_format))
        for (code, row, col), mark in self.cells.items():
            if code != sheet.code:
                continue
            f = mark.field
            rng = a1_range(row, col, (f.last_row if f and f.last_row is not None else row),
                           (f.last_col if f and f.last_col is not None else col))
            if mark.was_restored:
                ours.append(self._conditional(ws, rng, "TRUE", self._mark_format(styles, "restored")))
            elif mark.findings:
                condition = self._condition(mark, local=True)
                if condition is not None and _reads_other_sheet(condition):
                    condition = self._helper(ws, sheet, row, condition)
                severity = "error" if any(x.severity == ERROR for x in mark.findings) else "warning"
                ours.append(self._conditional(ws, rng, condition or "TRUE", self._mark_format(styles, severity)))
            body = self._comment(mark)
            if body:
                width, height = comment_size(body)
                ws.write_comment(row, col, body, {"author": AUTHOR, "width": width, "height": height})
        _first(ws, ours)

    def _helper(self, ws: Any, sheet: SheetLayout, row: int, condition: str) -> str:
        """The condition computed in a hidden cell of the mark's own sheet (1 or 0), for the mark
        to read: Excel's classic conditional formats refuse references to other sheets, and a
        file with them is "repaired" and loses every mark (see the template's own helper cells)."""
        used = self._helpers.setdefault(sheet.code, {})
        col = _helper_column(sheet) + used.get(row, 0)
        used[row] = used.get(row, 0) + 1
        ws.set_column(col, col, 4, None, {"hidden": True})
        ws.write_formula(row, col, f"=IF({condition},1,0)", None, 1)  # the mark holds when the copy is made
        return f"{a1(row, col, absolute=True)}=1"

    def _conditional(self, ws: Any, rng: str, condition: str, fmt: Any) -> dict:
        ws.conditional_format(rng, {"type": "formula", "criteria": "=" + condition, "format": fmt})
        return ws.cond_formats[rng][-1]

    def _mark_format(self, styles: Styles, kind: str) -> Any:
        if kind not in self._formats:
            colour = {"error": RED, "warning": WARN, "restored": RESTORED}[kind]
            self._formats[kind] = styles.wb.add_format({"bg_color": "#" + colour[2:], "border": 1,
                                                         "border_color": "#C00000" if kind == "error" else "#808080"})
        return self._formats[kind]

    def _comment(self, mark: _Cell) -> str:
        lines = list(mark.notes)
        if mark.was_restored:
            lines.insert(0, text("annotate.restored_note", self.lang, found=_shown(mark.restored)))
        for f in mark.findings:  # each root, then what follows from it at this same cell
            lines.append(clean(f"{f.code} {f.text(self.lang)}"))
            lines += [clean(f"{c.code} {text('annotate.follows', self.lang)}{c.text(self.lang)}")
                      for c in f.consequences if (c.sheet, c.cell) == (f.sheet, f.cell)]
        return "\n".join(lines)

    def _condition(self, mark: _Cell, local: bool) -> str | None:
        """While the flagged cell (a formula or input) holds what was found; for a locked issued
        cell, while the inputs on its row do (B03: the 执行数 beside a zero budget). A figure
        rule's mark on a typed cell also needs the typed values it may follow from (V02, V05)
        unchanged: B04's blank reason stops being a problem once "1180 元" is typed as 0.118."""
        sheet, f = mark.sheet, mark.field
        if f is None:
            return None
        if f.kind == Kind.ISSUED:
            watched = [(sheet, g) for g in sheet.fields if g.kind == Kind.INPUT and g.row == f.row]
        else:
            watched = [(sheet, f)]
        if f.kind != Kind.FORMULA and any(not _OWN_CONTENT.match(x.code) for x in mark.findings):
            watched += [(c.sheet, c.field) for c in self.causes if c is not mark and c.field is not None]
        parts = []
        for where, g in watched:
            prefix = "" if local and where is sheet else quote_sheet(where.name) + "!"
            value = (self.values.get((where.code, g.key)) if g.kind == Kind.INPUT
                     else self.cached.get((where.code, g.key)))
            condition = marks.unchanged(prefix + a1(g.row, g.col, absolute=True), value,
                                        self._found_text(where, g, value))
            if condition is None:
                return None
            parts.append(condition)
        return marks.all_of(parts) if parts else None

    def _found_text(self, sheet: SheetLayout, f: Field, value: object) -> str | None:
        """The 校验结果 cell (a hidden column) that holds a text value a mark compares with."""
        if not isinstance(value, str):
            return None
        key = (sheet.code, f.key)
        if key not in self.found:
            self.found[key] = (HEADER_ROW + 1 + len(self.found), value)
        return f"{quote_sheet(SHEET)}!{a1(self.found[key][0], _FOUND_COL, absolute=True)}"

    def end(self, wb: Any, styles: Styles) -> None:
        self._results(wb)

    # --- the 校验结果 sheet -------------------------------------------------------------------------
    def _results(self, wb: Any) -> None:
        ws, lang = self.results, self.lang
        ws.activate()
        ws.set_first_sheet()
        bold = wb.add_format({"bold": True, "font_size": 14})
        head = wb.add_format({"bold": True, "font_size": 12})
        grey = wb.add_format({"font_color": "#475467"})
        header = wb.add_format({"bold": True, "bg_color": "#F2F4F7", "border": 1, "text_wrap": True,
                                "valign": "top"})
        top = wb.add_format({"valign": "top", "border": 1})
        wrap = wb.add_format({"valign": "top", "text_wrap": True, "border": 1})
        quoted = wb.add_format({"valign": "top", "text_wrap": True, "border": 1, "quote_prefix": True})
        link = wb.add_format({"valign": "top", "border": 1, "font_color": "#0563C1", "underline": 1})
        severity_fmt = {ERROR: wb.add_format({"valign": "top", "border": 1, "bold": True, "font_color": "#B42318"}),
                        "warning": wb.add_format({"valign": "top", "border": 1, "bold": True,
                                                  "font_color": "#B54708"})}

        rows, status_col = intro_rows(self.result, lang, self.strict), len(HEADERS)
        statuses: list[tuple[str, str | None]] = []  # (cached text, live formula)
        pending_static = 0
        wording = {k: text(f"annotate.status.{k}", lang) for k in ("pending", "check", "fixed", "restored",
                                                                   "none")}
        for finding, mark in self.placed:
            if (mark is not None and mark.was_restored) or finding.code == "S04":
                statuses.append((wording["restored"], None))
                continue
            condition = self._condition(mark, local=False) if mark is not None and mark.findings else None
            open_word = wording["pending"] if finding.severity == ERROR else wording["check"]
            if condition is None:
                statuses.append((wording["none"] if mark is None else open_word, None))
                if finding.severity == ERROR:
                    pending_static += 1
                continue
            statuses.append((open_word, f'=IF({condition},{marks.literal(open_word)},{marks.literal(wording["fixed"])})'))

        first = HEADER_ROW + 1
        last = HEADER_ROW + max(len(self.placed), 1)
        status_letter = _letter(status_col)
        info = next((s for s in self.ctx.layout.sheets if s.role == "instructions"), None)
        self_check = self._self_check(info)
        pending_now = sum(1 for cached_text, _ in statuses if cached_text == wording["pending"])
        count = f'COUNTIF(${status_letter}${first + 1}:${status_letter}${last + 1},{marks.literal(wording["pending"])})'
        if pending_static:
            count += f"+{pending_static}"
        headline, headline_cached = self._headline(count, pending_now, self_check)

        ws.write_string(0, 0, clean(rows[0]), bold)
        ws.write_formula(1, 0, headline, head, headline_cached)
        ws.conditional_format(1, 0, 1, 0, {"type": "formula", "criteria": f'=LEFT($A$2,{len(text("annotate.passed", lang))})'
                                           f'={marks.literal(text("annotate.passed", lang))}',
                                           "format": wb.add_format({"font_color": "#067647"})})
        ws.conditional_format(1, 0, 1, 0, {"type": "formula", "criteria": f'=LEFT($A$2,{len(text("annotate.passed", lang))})'
                                           f'<>{marks.literal(text("annotate.passed", lang))}',
                                           "format": wb.add_format({"font_color": "#B42318"})})
        for r, line in enumerate(rows[2:], start=2):
            ws.write_string(r, 0, clean(line), grey)
        if info is not None and self_check is not None:
            status_ref = f"{quote_sheet(info.name)}!{a1(info.get('status').row, info.get('status').col, True)}"
            ws.write_formula(HEADER_ROW - 1, 0, f'={marks.literal(text("annotate.self_check", lang))}&{status_ref}',
                             grey, text("annotate.self_check", lang) + str(self.cached.get((info.code, "status")) or ""))
        for col, key in enumerate(HEADERS):
            ws.write_string(HEADER_ROW, col, text(f"annotate.{key}", lang), header)
            ws.set_column(col, col, COLUMN_WIDTHS[col])
        ws.write_string(HEADER_ROW, status_col, text("annotate.status", lang), header)
        ws.set_column(status_col, status_col, 10)
        for i, ((finding, mark), (cached_text, formula)) in enumerate(zip(self.placed, statuses), start=1):
            row = HEADER_ROW + i
            for col, value in enumerate(finding_row(i, finding, lang)):
                fmt = severity_fmt[ERROR if finding.severity == ERROR else "warning"] if col == 2 else (
                    wrap if col in (5, 6) else top)
                _put(ws, row, col, value, fmt, quoted)
            if finding.sheet and finding.sheet in {s.name for s in self.ctx.layout.sheets}:
                col = 4 if finding.cell else 3
                target = finding.cell or "A1"
                ws.write_url(row, col, f"internal:{quote_sheet(finding.sheet)}!{target}", link,
                             clean(finding.cell or finding.sheet), f"{finding.sheet}!{target}")
            if formula is None:
                ws.write_string(row, status_col, cached_text, top)
            else:
                ws.write_formula(row, status_col, formula, top, cached_text)
        rng = (HEADER_ROW + 1, status_col, last, status_col)
        for word, colour in ((wording["pending"], "#B42318"), (wording["check"], "#B54708"),
                             (wording["fixed"], "#067647"), (wording["restored"], "#1F4E79")):
            ws.conditional_format(*rng, {"type": "cell", "criteria": "==", "value": marks.literal(word),
                                         "format": wb.add_format({"font_color": colour, "bold": True})})
        for row, value in self.found.values():
            _put(ws, row, _FOUND_COL, value, None, wb.add_format({"quote_prefix": True}))
        ws.set_column(_FOUND_COL, _FOUND_COL, 20, None, {"hidden": True})
        ws.freeze_panes(HEADER_ROW + 1, 0)
        ws.autofilter(HEADER_ROW, 0, last, status_col)
        ws.repeat_rows(HEADER_ROW)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C&P / &N")

    def _self_check(self, info: SheetLayout | None) -> tuple[str, int] | None:
        """The 填报说明's live counters: (formula adding both, their cached sum)."""
        if info is None:
            return None
        try:
            refs = [info.get(k) for k in ("problems.total", "missing.total")]
            info.get("status")
        except KeyError:
            return None
        formula = "+".join(f"N({quote_sheet(info.name)}!{a1(f.row, f.col, True)})" for f in refs)
        total = 0
        for f in refs:
            v = self.cached.get((info.code, f.key))
            total += int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else 0
        return formula, total

    def _headline(self, count: str, pending: int, self_check: tuple[str, int] | None) -> tuple[str, str]:
        lang = self.lang
        passed, failed = text("annotate.passed", lang), text("annotate.failed", lang)
        before, _, after = text("annotate.headline.pending", lang, count="\0").partition("\0")
        open_text = (before, after)
        clean_text = passed + text("annotate.headline.passed", lang)
        check_text = failed + text("annotate.headline.self_check", lang)
        pending_text = (f'{marks.literal(failed + open_text[0])}&({count})&{marks.literal(open_text[1])}')
        if self_check is None:
            formula = f"=IF(({count})>0,{pending_text},{marks.literal(clean_text)})"
            cached = clean_text if pending == 0 else f"{failed}{open_text[0]}{pending}{open_text[1]}"
            return formula, cached
        checks, total = self_check
        formula = (f"=IF(({count})>0,{pending_text},IF(({checks})>0,{marks.literal(check_text)},"
                   f"{marks.literal(clean_text)}))")
        static = sum(1 for f, m in self.placed if m is None and f.severity == ERROR and f.code != "S04")
        now = pending + static
        cached = (f"{failed}{open_text[0]}{now}{open_text[1]}" if now else check_text if total else clean_text)
        return formula, cached

    # --- record and protection ---------------------------------------------------------------------
    def meta(self) -> Meta:
        record = self.ctx.record
        try:
            generated = date.fromisoformat(record.get("generated"))
        except ValueError:
            generated = date(record.year or 2000, 1, 1)
        return Meta(record.year or 0, record.get("department_code"), record.get("department_name"),
                    record.get("scheme") or self.ctx.scheme.name, record.get("scheme_title") or self.ctx.scheme.title,
                    record.get("scheme_hash") or self.ctx.scheme.content_hash, generated,
                    tuple(record.project_codes))

    def passwords(self) -> dict[str, dict[str, str]]:
        """Sheet name → password attributes to protect it with: its own, or (a sheet the department
        unprotected) the one most sheets carry."""
        names = [s.name for s in self.ctx.layout.sheets]
        found = protection_hashes(self.ctx.book, names)
        if not found:
            return {}
        common = Counter(tuple(sorted(v.items())) for v in found.values()).most_common(1)[0][0]
        return {name: found.get(name, dict(common)) for name in names}


def _first(ws: Any, ours: list[dict]) -> None:
    """Our marks before the form's live checks, so a flagged cell shows the mark's colour."""
    if not ours:
        return
    mine = {id(p) for p in ours}
    rest = sorted((p for rules in ws.cond_formats.values() for p in rules if id(p) not in mine),
                  key=lambda p: p["priority"])
    for priority, params in enumerate([*ours, *rest], start=1):
        params["priority"] = priority


def _writable(values: Mapping[tuple[str, str], object]) -> dict[tuple[str, str], object]:
    """The engine's inputs as cells can hold them: a non-finite number (a hand-edited <v>inf</v>) as text."""
    out: dict[tuple[str, str], object] = {}
    for key, value in values.items():
        if isinstance(value, float) and not math.isfinite(value):
            value = str(value)
        out[key] = value
    return out


def _shown(value: object) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(str(value))[:200]


def _put(ws: Any, row: int, col: int, value: object, fmt: Any, quoted: Any) -> None:
    """Text stays text, even when it starts like a formula (and stays so when edited)."""
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)) and math.isfinite(value):
        ws.write_number(row, col, value, fmt)
    else:
        value = clean(str(value))
        ws.write_string(row, col, value, quoted if value.startswith(_FORMULA_START) else fmt)


def _letter(col: int) -> str:
    from ..layout.model import col_letter

    return col_letter(col)


_PROTECTION_TAG = re.compile(rb"<sheetProtection\b")
_LOCK_TAG = re.compile(rb"<workbookProtection\b")
_WORKBOOK_ATTRIBUTE = {"password": "workbookPassword", "algorithmName": "workbookAlgorithmName",
                       "hashValue": "workbookHashValue", "saltValue": "workbookSaltValue",
                       "spinCount": "workbookSpinCount"}


def _with_passwords(data: bytes, passwords: Mapping[str, Mapping[str, str]]) -> bytes:
    """Put each sheet's recorded password hash into the copy's <sheetProtection> (xlsxwriter takes
    only a plain-text password; the office's is known to the file only as a hash)."""
    if not passwords:
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        parts = {i.filename: zin.read(i) for i in zin.infolist()}
        infos = zin.infolist()
    book = read_book(parts, {})
    changed: dict[str, bytes] = {}
    for sheet in book.sheets:
        attrs = passwords.get(sheet.name)
        if not attrs or sheet.part not in parts:
            continue
        xml = " ".join(f'{k}="{_attr(v)}"' for k, v in attrs.items())
        changed[sheet.part] = _PROTECTION_TAG.sub(b"<sheetProtection " + xml.encode("utf-8"), parts[sheet.part], 1)
    # The structure lock takes the same password as the sheets (perfxl generate --password):
    # the sheets' hash, under the workbook's attribute names.
    common = Counter(tuple(sorted(v.items())) for v in passwords.values()).most_common(1)[0][0]
    lock = " ".join(f'{_WORKBOOK_ATTRIBUTE[k]}="{_attr(v)}"' for k, v in common if k in _WORKBOOK_ATTRIBUTE)
    workbook = next((p for p in parts if p.endswith("workbook.xml") and b"<workbookProtection" in parts[p]), None)
    if lock and workbook is not None:
        changed[workbook] = _LOCK_TAG.sub(b"<workbookProtection " + lock.encode("utf-8"), parts[workbook], 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in infos:
            zout.writestr(info, changed.get(info.filename, parts[info.filename]))
    return out.getvalue()


def _attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;"))
