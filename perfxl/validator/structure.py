"""Sheets present, protected and unmoved (S01, S04, S05); then the engine's input values.

Rows inserted or deleted move every cell below them, so reading the recorded addresses
would compare the wrong cells. Excel and LibreOffice move defined names along with
the cells, so a recorded name that now points elsewhere shows the shift; a sheet whose
names were dropped is checked by its printed labels instead. A moved sheet gets one
S05 finding and is not read cell by cell.
"""

from __future__ import annotations

import re

from ..evaluate import evaluate_workbook
from ..i18n import Message
from ..layout.model import Kind, SheetLayout, WorkbookLayout
from ..layout.workbook import MAX_SHAPES
from ..reader.xlsx import Sheet
from ..writer.record import defined_names
from .context import Context

_NAME_TARGET = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^!]+))!\$?([A-Z]{1,3})\$?(\d+)")


def check_structure(ctx: Context) -> None:
    for sheet in ctx.layout.sheets:
        found = ctx.book.sheet(sheet.name)
        if found is None:
            ctx.unusable.add(sheet.code)
            ctx.add("S01", sheet=sheet.code, sheet_name=sheet.name)
            continue
        if not found.protected:
            ctx.add("S04", sheet=sheet.code, cell="A1", sheet_name=sheet.name)
        ctx.sheets[sheet.code] = found
    moves = _moved_names(ctx)
    for sheet in ctx.layout.sheets:
        if sheet.code not in ctx.sheets:
            continue
        detail = moves.get(sheet.name)
        if detail is None and not _has_names(ctx, sheet) and _labels_moved(sheet, ctx.sheets[sheet.code]):
            detail = "labels"
        if detail is not None:
            ctx.add("S05", sheet=sheet.code, cell="A1", sheet_name=sheet.name,
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
