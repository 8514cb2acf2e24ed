"""Budget and execution (B02–B04, B06) on every table, the department-wide one included;
B01 and B05 come from overwritten formulas (integrity)."""

from __future__ import annotations

from .. import scoring as sc
from ..layout.model import Kind, SheetLayout
from . import fmt
from .context import Context
from .model import Finding

GOAL_KEYS = ("goal.target", "goal.actual")  # B06 reports these blank, so V01 leaves them out


def check_budget(ctx: Context) -> None:
    # Project sheets first: the department-wide 项目支出 row sums their totals, so its
    # findings can name theirs as the cause.
    causes: dict[tuple[str, str], Finding] = {}
    for sheet in sorted(ctx.table_sheets, key=lambda s: s.role != "project"):
        if sheet.code not in ctx.sheets:
            continue
        _rows(ctx, sheet, causes)
        rate = ctx.expected(sheet.code, "funds.total.rate")
        if sc.execution_reason_required(rate, ctx.scheme) and ctx.value(sheet.code, "funds.reason") is None:
            ex = ctx.scheme.execution
            low = rate < ex.reason_below
            found = ctx.add("B04", "" if low else "above", sheet=sheet.code, key="funds.reason", actual=None,
                            expected=None, rate=fmt.rate(rate),
                            threshold=fmt.rate(ex.reason_below if low else ex.reason_above))
            if not low:  # above 100% because more was spent than budgeted: the over-spending is the mistake
                ctx.link(causes.get((sheet.code, "total")), found)
        for key in GOAL_KEYS:
            if sheet.get(key).kind == Kind.INPUT and ctx.value(sheet.code, key) is None:
                ctx.add("B06", sheet=sheet.code, key=key)


def _rows(ctx: Context, sheet: SheetLayout, causes: dict[tuple[str, str], Finding]) -> None:
    """B02 and B03 on every funds row, as the sheet shows it: typed, issued (as recorded) or
    summed by its formula — the department-wide sheet's 项目支出 and total rows included.

    A summed row over budget because a row it sums is (or has no budget) is that row's
    consequence, not a second mistake.
    """
    code = sheet.code
    subs = [fr.key for fr in sheet.funds_rows if fr.key != "total"]
    for fr in sorted(sheet.funds_rows, key=lambda fr: fr.key == "total"):
        budget = sc.number(ctx.shown(code, f"funds.{fr.key}.budget"))
        executed = sc.number(ctx.shown(code, f"funds.{fr.key}.executed"))
        if executed is None:
            continue
        found = None
        if budget is not None and budget > 0 and executed > budget + sc.TOLERANCE:
            found = ctx.add("B02", sheet=code, key=f"funds.{fr.key}.executed", expected=budget, actual=executed,
                            executed=fmt.amount(executed), budget=fmt.amount(budget))
        elif executed > 0 and (budget is None or budget == 0):
            found = ctx.add("B03", "" if budget == 0 else "blank", sheet=code, key=f"funds.{fr.key}.budget",
                            expected=None, actual=budget, executed=fmt.amount(executed))
        if found is None:
            continue
        causes[(code, fr.key)] = found
        typed_over = _typed_over(ctx, sheet, fr.key)
        if typed_over is not None:  # a summed figure typed over (S02): that act is the mistake
            ctx.link(typed_over, found)
            continue
        if fr.key == "total":
            sources = [(code, k) for k in subs]
        elif fr.key == "project" and sheet.role == "department":
            sources = [(p.code, "total") for p in ctx.project_sheets]
        else:
            continue
        cause = next((causes[s] for s in sources if s in causes), None)
        ctx.link(cause, found)


def _typed_over(ctx: Context, sheet: SheetLayout, row: str) -> Finding | None:
    """The S02 of this funds row's budget or executed formula, when a number was typed over it."""
    cells = {sheet.get(f"funds.{row}.{k}").ref for k in ("budget", "executed")
             if sheet.get(f"funds.{row}.{k}").kind == Kind.FORMULA}
    name = ctx.sheet_name(sheet.code)
    return next((f for f in ctx.findings if f.code == "S02" and f.sheet == name and f.cell in cells), None)
