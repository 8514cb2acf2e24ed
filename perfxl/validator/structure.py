"""Sheets present, protected and unmoved (S01, S04, S05); then the engine's input values.

A renamed sheet (renaming 项目1 to the project's name is common) is still the template's
sheet: Excel and LibreOffice move the defined names perfxl.<code>.* with it, so those
identify it; a client that left the names behind (openpyxl) leaves the sheet's printed
labels and issued project name. A renamed sheet gets one S01 naming both names and is
then checked like any other, so the rename costs no cascade of findings.

Rows inserted or deleted move every cell below them, so reading the recorded addresses
would compare the wrong cells. Excel and LibreOffice move defined names along with
the cells, so a recorded name that now points elsewhere shows the shift; a sheet whose
names were dropped is checked by its printed labels instead. A moved sheet gets one
S05 finding and is not read cell by cell.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Mapping

from ..evaluate import evaluate_workbook
from ..i18n import Message
from ..layout.model import Kind, SheetLayout, WorkbookLayout
from ..layout.workbook import MAX_SHAPES, RECORD_SHEET
from ..reader.xlsx import Bounds, Sheet
from ..writer.record import defined_names
from .context import Context

_NAME_TARGET = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^!]+))!\$?([A-Z]{1,3})\$?(\d+)")


def find_renamed(ctx: Context, bounds: Mapping[str, Bounds]) -> dict[str, Bounds]:
    """Fill ctx.renamed (code → name in the file) and return `bounds` with the renamed sheets' names.

    Defined names first: a client renaming a tab rewrites every name that points to it. A
    sheet still missing is then looked for among the sheets the template does not name,
    by its labels and its issued project name (read within the template's bounds).
    """
    book, layout = ctx.book, ctx.layout
    ours = {s.name for s in layout.sheets} | {RECORD_SHEET}
    present = {b.name for b in book.sheets}
    targets = _named_sheets(ctx)
    by_name = {s.name: s.code for s in layout.sheets}
    for sheet in layout.sheets:
        target = targets.get(sheet.code)
        if target is None or target == sheet.name or target == RECORD_SHEET or target not in present:
            continue
        if target in by_name and targets.get(by_name[target]) == target:
            continue  # another form's sheet, whose own names still point to it: not a rename
        if target not in ctx.renamed.values():
            ctx.renamed[sheet.code] = target
    claimed = set(ctx.renamed.values())
    missing = [s for s in layout.sheets
               if s.code not in ctx.renamed and (s.name not in present or s.name in claimed)]
    others = [b for b in book.sheets if b.name not in ours and b.name not in claimed
              and not b.part.startswith("external:")]
    if missing and others:
        rows = max(bounds[s.name][0] for s in missing)
        cols = max(bounds[s.name][1] for s in missing)
        book.read_sheets({b.name: (rows, cols) for b in others})
        for sheet in missing:
            found = next((b for b in others if b.name not in claimed and _looks_like(ctx, sheet, b)), None)
            if found is not None:
                ctx.renamed[sheet.code] = found.name
                claimed.add(found.name)
    out = dict(bounds)
    for code, name in ctx.renamed.items():
        out[name] = bounds[layout.sheet(code).name]
    return out


def _named_sheets(ctx: Context) -> dict[str, str]:
    """Sheet code → the sheet most of its perfxl.<code>.* names point to in the file (one pass over the names)."""
    counts: dict[str, Counter[str]] = {}
    names = ctx.book.names
    for name, _ in defined_names(ctx.layout):
        found = names.get(name)
        m = _NAME_TARGET.match(found) if found is not None else None
        if m is not None:
            sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
            counts.setdefault(name.split(".")[1], Counter())[sheet] += 1
    return {code: c.most_common(1)[0][0] for code, c in counts.items()}


def _looks_like(ctx: Context, sheet: SheetLayout, found: Sheet) -> bool:
    """The form's printed labels in place and, for a project sheet, its issued project name."""
    if _labels_moved(sheet, found) or len([lb for lb in sheet.labels if lb.text and "{" not in lb.text]) < 3:
        return False
    f = next((f for f in sheet.fields if f.key == "name" and f.kind == Kind.ISSUED), None)
    if f is None:
        return True
    want = ctx.issued(sheet.code, "name")
    if not isinstance(want, str) or not want.strip():
        return True  # a blank template's project sheets are told apart by their order only
    return _plain(found.cell(f.row, f.col).value) == _plain(want)


def check_structure(ctx: Context) -> None:
    claimed = set(ctx.renamed.values())
    for sheet in ctx.layout.sheets:
        name = ctx.sheet_name(sheet.code)
        found = ctx.book.sheet(name) if sheet.code in ctx.renamed or name not in claimed else None
        if found is None:
            ctx.unusable.add(sheet.code)
            ctx.add("S01", sheet=sheet.code, sheet_name=sheet.name)
            continue
        if sheet.code in ctx.renamed:
            ctx.add("S01", "renamed", sheet=sheet.code, sheet_name=sheet.name, new_name=name)
        if not found.protected:
            ctx.add("S04", sheet=sheet.code, cell="A1", sheet_name=name)
        ctx.sheets[sheet.code] = found
    moves = _moved_names(ctx)
    for sheet in ctx.layout.sheets:
        if sheet.code not in ctx.sheets:
            continue
        detail = moves.get(sheet.name)
        if detail is None and not _has_names(ctx, sheet) and _labels_moved(sheet, ctx.sheets[sheet.code]):
            detail = "labels"
        if detail is not None:
            ctx.add("S05", sheet=sheet.code, cell="A1", sheet_name=ctx.sheet_name(sheet.code),
                    what=Message("rule.S05.rows"), detail=detail)
            ctx.unusable.add(sheet.code)
            del ctx.sheets[sheet.code]


def _moved_names(ctx: Context) -> dict[str, str]:
    """Sheet name → "C3 → C4" for the first recorded name that points elsewhere now."""
    out: dict[str, str] = {}
    for name, target in defined_names(ctx.layout):
        found = ctx.book.names.get(name)
        if found is None:
            continue
        want, have = _NAME_TARGET.match(target), _NAME_TARGET.match(found)
        sheet = (want.group(1) or "").replace("''", "'") or want.group(2)
        if sheet in out:
            continue
        if have is None:  # "#REF!": the named cell itself was deleted
            out[sheet] = f"{want.group(3)}{want.group(4)} → {found}"
            continue
        if (have.group(3), have.group(4)) != (want.group(3), want.group(4)):
            out[sheet] = f"{want.group(3)}{want.group(4)} → {have.group(3)}{have.group(4)}"
    return out


def _has_names(ctx: Context, sheet: SheetLayout) -> bool:
    prefix = f"perfxl.{sheet.code}."
    return any(n.startswith(prefix) for n in ctx.book.names)


def _labels_moved(sheet: SheetLayout, found: Sheet) -> bool:
    """Most fixed labels are not where the form printed them."""
    fixed = [lb for lb in sheet.labels if lb.text and "{" not in lb.text]
    if len(fixed) < 3:
        return False
    misses = sum(1 for lb in fixed if _plain(found.cell(lb.row, lb.col).value) != _plain(lb.text))
    return misses * 2 > len(fixed)


def _plain(value: object) -> str:
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def read_values(ctx: Context) -> None:
    """Inputs as typed (merged areas by their top-left cell), issued values as recorded."""
    values = ctx.values
    for code, inputs, issued in _plan(ctx.layout):
        recorded = ctx.record.issued.get(code, {})
        for key, default in issued:
            values[(code, key)] = recorded.get(key, default)
        found = ctx.sheets.get(code)
        if found is None:
            continue
        cells = found.cells
        for key, pos in inputs:
            cell = cells.get(pos)
            if cell is None:
                continue
            value = cell.value
            if isinstance(value, str) and not value.strip():
                value = None
            values[(code, key)] = value
    ctx.computed = evaluate_workbook(ctx.layout, ctx.values, ctx.scheme, checks=False, tables=ctx.tables)


_plans: dict[str, list] = {}


def _plan(layout: WorkbookLayout) -> list[tuple[str, list[tuple[str, tuple[int, int]]], list[tuple[str, object]]]]:
    """Per sheet: input fields by position, issued fields with the layout's value (one plan per shape)."""
    plan = _plans.get(layout.digest)
    if plan is None:
        plan = [(s.code, [(f.key, (f.row, f.col)) for f in s.fields if f.kind == Kind.INPUT],
                 [(f.key, f.value) for f in s.fields if f.kind == Kind.ISSUED]) for s in layout.sheets]
        if len(_plans) >= MAX_SHAPES:
            del _plans[next(iter(_plans))]
        _plans[layout.digest] = plan
    return plan
