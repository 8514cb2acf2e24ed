"""Budget and execution (B02–B04, B06); B01 and B05 come from overwritten formulas (integrity)."""

from __future__ import annotations

from .. import scoring as sc
from ..layout.model import Kind, SheetLayout
from . import fmt
from .context import Context

GOAL_KEYS = ("goal.target", "goal.actual")  # B06 reports these blank, so V01 leaves them out


def check_budget(ctx: Context) -> None:
    for sheet in ctx.table_sheets:
        if sheet.code not in ctx.sheets:
            continue
        _rows(ctx, sheet)
        rate = ctx.expected(sheet.code, "funds.total.rate")
        if sc.execution_reason_required(rate, ctx.scheme) and ctx.value(sheet.code, "funds.reason") is None:
            ex = ctx.scheme.execution
            low = rate < ex.reason_below
            ctx.add("B04", "" if low else "above", sheet=sheet.code, key="funds.reason", actual=None,
                    expected=None, rate=fmt.rate(rate), threshold=fmt.rate(ex.reason_below if low else ex.reason_above))
        for key in GOAL_KEYS:
            if sheet.get(key).kind == Kind.INPUT and ctx.value(sheet.code, key) is None:
                ctx.add("B06", sheet=sheet.code, key=key)


def _rows(ctx: Context, sheet: SheetLayout) -> None:
    for fr in sheet.funds_rows:
        executed_field = sheet.get(f"funds.{fr.key}.executed")
        if executed_field.kind != Kind.INPUT:
            continue
        budget = ctx.value(sheet.code, f"funds.{fr.key}.budget")
        executed = ctx.value(sheet.code, executed_field.key)
        if not sc.is_number(executed):
            continue
        if sc.is_number(budget) and budget > 0 and executed > budget + 0.005:
            ctx.add("B02", sheet=sheet.code, key=executed_field.key, expected=budget, actual=executed,
                    executed=fmt.amount(executed), budget=fmt.amount(budget))
        elif executed > 0 and (budget is None or (sc.is_number(budget) and budget == 0)):
            ctx.add("B03", "" if budget == 0 else "blank", sheet=sheet.code, key=f"funds.{fr.key}.budget",
                    expected=None, actual=budget, executed=fmt.amount(executed))
