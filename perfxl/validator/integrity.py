"""Locked cells as the template left them (S02, S03), and what an overwritten formula claims.

A formula cell that now holds a typed number is S02; if that number also differs from
what the rule gives, the rule it breaks is reported too (B05 for an execution rate,
I05 for an indicator score, T01 for a total …), with the expected value recomputed by
the engine — the figure the department meant to fudge is the one the office must see.
"""

from __future__ import annotations

from functools import lru_cache

from .. import scoring as sc
from ..formula_text import normalise, rename_sheets
from ..i18n import Message
from ..layout.model import Field, Kind, SheetLayout, VType
from ..scoring import TOLERANCE
from . import fmt
from .context import Context
from .shown import Shown

RATE_TOLERANCE = 0.00005  # a rate is a fraction: half a hundredth of a percent


@lru_cache(maxsize=8192)
def _norm(formula: str) -> str:
    return normalise(formula)


def _short(formula: str | None, limit: int = 80) -> str:
    """A formula as a message quotes it: indicator scores run to 600 characters (JSON keeps them whole)."""
    text = formula or ""
    return text if len(text) <= limit else text[:limit] + "…"


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


@lru_cache(maxsize=8192)
def _renamed(formula: str, renames: tuple[tuple[str, str], ...]) -> str:
    return rename_sheets(formula, dict(renames))


def check_integrity(ctx: Context) -> None:
    shown = ctx.shown
    # A renamed sheet: clients rewrite the formulas that refer to it, so those are compared
    # with the template's formula under the new name.
    renames = tuple((ctx.layout.sheet(code).name, name) for code, name in sorted(ctx.renamed.items()))
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
            want = _renamed(f.formula, renames) if renames else f.formula
            if cell.formula is not None and want is not f.formula and _norm(cell.formula) == _norm(want):
                continue
            if cell.formula is not None and _into_moved_sheet(ctx, cell.formula):
                continue  # its references followed rows inserted or deleted there: that sheet's S05 says so
            short = {"expected_text": _short(want)}
            if cell.formula is not None:
                ctx.add("S02", "formula", sheet=sheet.code, key=f.key, expected=want, actual=cell.formula, **short)
            elif cell.value is None:
                ctx.add("S02", "blank", sheet=sheet.code, key=f.key, expected=want, **short)
            else:
                ctx.add("S02", "constant", sheet=sheet.code, key=f.key, expected=want, actual=cell.value, **short)
            if cell.value is not None or cell.formula is None:
                _claimed(ctx, sheet, f, cell.value, shown)


def _into_moved_sheet(ctx: Context, formula: str) -> bool:
    """Does the formula point into a sheet whose rows moved (S05)? Clients move references along."""
    for code in ctx.unusable:
        name = ctx.sheet_name(code)
        if ctx.book.sheet(name) is not None and (f"'{name}'!" in formula or f"{name}!" in formula):
            return True
    return False


def _claimed(ctx: Context, sheet: SheetLayout, f: Field, typed: object, shown: Shown) -> None:
    """The rule an overwritten formula's figure breaks, judged against the sheet as shown."""
    key, code = f.key, sheet.code
    expected = shown.rule(code, key)
    if same(typed, expected, f.vtype):
        return
    add = ctx.add
    parts = key.split(".")
    if sheet.role in ("project", "department"):
        if key.startswith("funds.") and parts[2] in ("rate", "score") and expected is None:
            return  # the shown figures give no rate: S02 says the cell was typed over, B rules the rest
        if key.startswith("funds.") and parts[2] == "rate":
            budget, executed = (shown(code, f"funds.{parts[1]}.{k}") for k in ("budget", "executed"))
            add("B05", "rate", sheet=code, key=key, expected=expected, actual=typed,
                executed=fmt.amount(executed), budget=fmt.amount(budget))
        elif key == "funds.total.score":
            add("B05", "score", sheet=code, key=key, expected=expected, actual=typed,
                rate=fmt.rate(shown(code, "funds.total.rate")))
        elif key.startswith("funds.project.") and sheet.role == "department":
            add("D05", "projects", sheet=code, key=key, expected=expected, actual=typed)
        elif key.startswith("funds.total."):
            add("B01", sheet=code, key=key, expected=expected, actual=typed)
        elif key.startswith("ind.") and parts[2] == "score":
            _indicator_score(ctx, sheet, parts[1], key, expected, typed)
        elif key.startswith("level.") and parts[2] == "weight":
            level = ctx.scheme.levels[int(parts[1]) - 1].name
            add("I01", sheet=code, key=key, expected=expected, actual=typed, level=level)
        elif key.startswith("level.") and parts[2] == "score":
            level = ctx.scheme.levels[int(parts[1]) - 1].name
            add("T01", "level", sheet=code, key=key, expected=expected, actual=typed, level=level)
        elif key == "total.weight":
            add("I02", sheet=code, key=key, expected=expected, actual=typed)
        elif key == "total.score":
            add("T01", sheet=code, key=key, expected=expected, actual=typed)
        elif key == "grade":
            add("T02", sheet=code, key=key, expected=expected, actual=typed,
                score=fmt.score(shown(code, "total.score")))
    elif sheet.role == "summary":
        row, _, column = key.partition(".")
        if column not in ("initial", "budget", "executed", "rate", "score", "grade"):
            return  # names and contacts: T04 judges a name with no sheet
        if column == "grade":
            _summary_grade(ctx, code, row, typed, shown)
        project = row if row.startswith("p") and row[1:].isdigit() else None
        if project is not None and project not in ctx.unusable:
            name = ctx.value(project, "name") or ctx.layout.sheet(project).name
            add("T03", sheet=code, key=key, expected=expected, actual=typed, project=name,
                column=f.label.rpartition(" · ")[2])
        elif row == "total":
            add("T03", sheet=code, key=key, expected=expected, actual=typed, project=Message("summary.total"),
                column=f.label.rpartition(" · ")[2])
    elif sheet.role == "basic" and key in ("income.total", "expense.total", "sangong.total"):
        add("D01", sheet=code, key=key, expected=expected, actual=typed)


def _summary_grade(ctx: Context, code: str, row: str, typed: object, shown: Shown) -> None:
    """A typed summary grade against the row's own 自评得分 (seed 002: 90 graded 良 in four rows)."""
    score = shown(code, f"{row}.score")
    want = sc.grade(score, ctx.scheme) if sc.is_number(score) else None
    if want is not None and isinstance(typed, str) and typed.strip() != want:
        ctx.add("T02", sheet=code, key=f"{row}.grade", expected=want, actual=typed, score=fmt.score(score))


def _indicator_score(ctx: Context, sheet: SheetLayout, index: str, key: str, expected: object,
                     shown: object) -> None:
    code = sheet.code
    get = lambda col: ctx.value(code, f"ind.{index}.{col}")  # noqa: E731
    if sc.mixed_scale_row(get("op"), get("target"), get("unit"), get("actual")):
        return  # V07: no score is judged until the two values are written alike
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
            target=fmt.measured(get("target"), get("unit")), actual_value=fmt.measured(get("actual"), get("unit")),
            weight=fmt.score(weight))
