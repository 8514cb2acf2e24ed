"""Locked cells as the template left them (S02, S03), and what an overwritten formula claims.

A formula cell that now holds a typed number is S02; if that number also differs from
what the rule gives, the rule it breaks is reported too (B05 for an execution rate,
I05 for an indicator score, T01 for a total …), with the expected value recomputed by
the engine — the figure the department meant to fudge is the one the office must see.
"""

from __future__ import annotations

from functools import lru_cache

from .. import scoring as sc
from ..formula_text import normalise
from ..i18n import Message
from ..layout.model import Field, Kind, SheetLayout, VType
from . import fmt
from .context import Context

TOLERANCE = 0.005       # scores and amounts, as the scoring spec rounds them
RATE_TOLERANCE = 0.00005  # a rate is a fraction: half a hundredth of a percent


@lru_cache(maxsize=8192)
def _norm(formula: str) -> str:
    return normalise(formula)


def same(a: object, b: object, vtype: VType | None = None) -> bool:
    a = None if a == "" else a
    b = None if b == "" else b
    if sc.is_number(a) and sc.is_number(b):
        tol = RATE_TOLERANCE if vtype == VType.RATE else TOLERANCE
        return abs(float(a) - float(b)) <= tol
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    return a == b


def issued_same(a: object, b: object) -> bool:
    a = None if a == "" else a
    b = None if b == "" else b
    if sc.is_number(a) and sc.is_number(b):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))
    if isinstance(a, float) and a.is_integer() and isinstance(b, str):
        a = str(int(a))  # an issued code or year that a client stored as a number
    if isinstance(a, (str, int, float)) and isinstance(b, (str, int, float)):
        return str(a).strip() == str(b).strip()
    return a == b


def check_integrity(ctx: Context) -> None:
    for sheet in ctx.layout.sheets:
        found = ctx.sheets.get(sheet.code)
        if found is None:
            continue
        for f in sheet.fields:
            if f.kind == Kind.INPUT:
                continue
            cell = found.cell(f.row, f.col)
            if f.kind == Kind.ISSUED:
                want = ctx.issued(sheet.code, f.key)
                have = cell.formula if cell.formula else cell.value
                if not issued_same(have, want):
                    ctx.add("S03", sheet=sheet.code, key=f.key, expected=want, actual=have)
                continue
            if cell.formula is not None and (cell.formula == f.formula or _norm(cell.formula) == _norm(f.formula)):
                continue
            if cell.formula is not None:
                ctx.add("S02", "formula", sheet=sheet.code, key=f.key, expected=f.formula, actual=cell.formula)
            elif cell.value is None:
                ctx.add("S02", "blank", sheet=sheet.code, key=f.key, expected=f.formula)
            else:
                ctx.add("S02", "constant", sheet=sheet.code, key=f.key, expected=f.formula, actual=cell.value)
            if cell.value is not None or cell.formula is None:
                _claimed(ctx, sheet, f, cell.value)


def _claimed(ctx: Context, sheet: SheetLayout, f: Field, shown: object) -> None:
    """The rule an overwritten formula's figure breaks, if it differs from the engine's."""
    expected = ctx.expected(sheet.code, f.key)
    if same(shown, expected, f.vtype):
        return
    key, code = f.key, sheet.code
    add = ctx.add
    if sheet.role in ("project", "department"):
        parts = key.split(".")
        if key.startswith("funds.") and parts[2] == "rate":
            budget, executed = (_shown(ctx, code, f"funds.{parts[1]}.{k}") for k in ("budget", "executed"))
            add("B05", "rate", sheet=code, key=key, expected=expected, actual=shown,
                executed=fmt.amount(executed), budget=fmt.amount(budget))
        elif key == "funds.total.score":
            add("B05", "score", sheet=code, key=key, expected=expected, actual=shown,
                rate=fmt.rate(ctx.expected(code, "funds.total.rate")))
        elif key.startswith("funds.project.") and sheet.role == "department":
            add("D05", "projects", sheet=code, key=key, expected=expected, actual=shown)
        elif key.startswith("funds.total."):
            add("B01", sheet=code, key=key, expected=expected, actual=shown)
        elif key.startswith("ind.") and parts[2] == "score":
            _indicator_score(ctx, sheet, parts[1], key, expected, shown)
        elif key.startswith("level.") and parts[2] == "weight":
            level = ctx.scheme.levels[int(parts[1]) - 1].name
            add("I01", sheet=code, key=key, expected=expected, actual=shown, level=level)
        elif key.startswith("level.") and parts[2] == "score":
            level = ctx.scheme.levels[int(parts[1]) - 1].name
            add("T01", "level", sheet=code, key=key, expected=expected, actual=shown, level=level)
        elif key == "total.weight":
            add("I02", sheet=code, key=key, expected=expected, actual=shown)
        elif key == "total.score":
            add("T01", sheet=code, key=key, expected=expected, actual=shown)
        elif key == "grade":
            add("T02", sheet=code, key=key, expected=expected, actual=shown,
                score=fmt.score(ctx.expected(code, "total.score")))
    elif sheet.role == "summary" and not key.endswith(".contact"):
        row, _, column = key.partition(".")
        project = _project_of(ctx, row)
        if project is not None and project not in ctx.unusable:
            name = ctx.value(project, "name") or ctx.layout.sheet(project).name
            add("T03", sheet=code, key=key, expected=expected, actual=shown, project=name,
                column=f.label.rpartition(" · ")[2])
        elif row == "total":
            add("T03", sheet=code, key=key, expected=expected, actual=shown, project=Message("summary.total"),
                column=f.label.rpartition(" · ")[2])
    elif sheet.role == "basic" and key in ("income.total", "expense.total", "sangong.total"):
        add("D01", sheet=code, key=key, expected=expected, actual=shown)


def _shown(ctx: Context, code: str, key: str) -> object:
    """A funds figure as the form shows it: an input or issued value, or a computed total."""
    f = ctx.layout.sheet(code).get(key)
    return ctx.expected(code, key) if f.kind == Kind.FORMULA else ctx.value(code, key)


def _project_of(ctx: Context, row: str) -> str | None:
    if row.startswith("p") and row[1:].isdigit():
        return row
    return None


def _indicator_score(ctx: Context, sheet: SheetLayout, index: str, key: str, expected: object,
                     shown: object) -> None:
    code = sheet.code
    get = lambda col: ctx.value(code, f"ind.{index}.{col}")  # noqa: E731
    weight = get("weight")
    if sc.is_number(shown) and sc.is_number(weight) and shown > weight + TOLERANCE:
        ctx.add("I03", sheet=code, key=key, expected=weight, actual=shown)
        return
    if get("op") == sc.QUALITATIVE:
        band = sc.qualitative_band(get("actual"), weight, ctx.scheme)
        if band is None:
            levels = "、".join(q.name for q in ctx.scheme.qualitative)
            ctx.add("I06", "level", sheet=code, key=key, expected=levels, actual=get("actual"))
        else:
            ctx.add("I06", sheet=code, key=key, expected=expected, actual=shown, level=get("actual"),
                    weight=fmt.score(weight), low=fmt.score(band[0]), high=fmt.score(band[1]))
        return
    ctx.add("I05", sheet=code, key=key, expected=expected, actual=shown, op=fmt.show(get("op")),
            target=fmt.show(get("target")), actual_value=fmt.show(get("actual")), weight=fmt.score(weight))
