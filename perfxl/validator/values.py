"""What was typed into input cells (V01–V06), re-checked since pasting bypasses validation."""

from __future__ import annotations

import re
import unicodedata

from .. import scoring as sc
from ..layout.model import Kind, SheetLayout, VType
from . import fmt
from .budget import GOAL_KEYS
from .context import NUMERIC, Context

_NUMBERISH = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(%?)\s*(.*)$", re.S)
ROW_PARTS = ("name", "op", "target", "unit", "actual", "weight", "qual")


def looks_like(text: str) -> tuple[float, str, str] | None:
    """'1,227.14' → (1227.14, '1227.14', ''); '97.5%' → (0.975, '97.5%', ''); '98 分' → (98, '98', '分')."""
    t = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace("，", "")
    m = _NUMBERISH.match(t)
    if not m:
        return None
    number = float(m.group(1))
    shown = fmt.show(number)
    if m.group(2):
        return number / 100, shown + "%", m.group(3).strip()
    return number, shown, m.group(3).strip()


def check_values(ctx: Context) -> None:
    for sheet in ctx.layout.sheets:
        if sheet.code not in ctx.sheets:
            continue
        stop_lists = {v.source for v in sheet.validations
                      if v.kind == "list" and v.error_type == "stop" and v.show_error}
        for f in sheet.fields:
            if f.kind != Kind.INPUT:
                continue
            value = ctx.value(sheet.code, f.key)
            if value is None:
                continue
            numeric = f.vtype in NUMERIC or (f.vtype == VType.NUMBER and _quantitative(ctx, sheet, f.key))
            if numeric and not sc.is_number(value):
                _not_a_number(ctx, sheet, f.key, f.vtype, value)
            elif numeric and f.vtype in NUMERIC and value < 0:
                ctx.add("V03", sheet=sheet.code, key=f.key, actual=value)
            if f.choices and f.choices in stop_lists and _text(value) not in ctx.layout.lists[f.choices]:
                ctx.add("V04", sheet=sheet.code, key=f.key, actual=_text(value),
                        expected="、".join(ctx.layout.lists[f.choices]))
        _required(ctx, sheet)
        if sheet.role in ("project", "department"):
            _magnitude(ctx, sheet)
            table, _ = ctx.tables[sheet.code]
            for r, ind in zip(sheet.indicator_rows, table.indicators):
                _indicator_row(ctx, sheet, r.index, ind)


def _text(value: object) -> str:
    return fmt.show(value) if not isinstance(value, str) else value.strip()


def _quantitative(ctx: Context, sheet: SheetLayout, key: str) -> bool:
    if not key.startswith("ind."):
        return True
    return ctx.value(sheet.code, key.rsplit(".", 1)[0] + ".op") in sc.QUANTITATIVE


def _not_a_number(ctx: Context, sheet: SheetLayout, key: str, vtype: VType, value: object) -> None:
    guess = looks_like(value) if isinstance(value, str) else None
    if guess is None:
        ctx.add("V02", "unknown", sheet=sheet.code, key=key, actual=value)
        return
    number, shown, suffix = guess
    ctx.add("V02", sheet=sheet.code, key=key, actual=value, guess=shown)
    if vtype == VType.AMOUNT and "元" in suffix and "万" not in suffix:
        ctx.add("V05", "suffix", sheet=sheet.code, key=key, actual=value, guess=fmt.wan(number))


def _required(ctx: Context, sheet: SheetLayout) -> None:
    for key, amount in sheet.requirements:
        if key in GOAL_KEYS or ctx.value(sheet.code, key) is not None:
            continue
        if amount is not None:
            needed = ctx.value(sheet.code, amount)
            if not (sc.is_number(needed) and needed > 0):
                continue
        ctx.add("V01", sheet=sheet.code, key=key)


def _magnitude(ctx: Context, sheet: SheetLayout) -> None:
    factor = ctx.scheme.unit_magnitude_factor
    for fr in sheet.funds_rows:
        ex = sheet.get(f"funds.{fr.key}.executed")
        if ex.kind != Kind.INPUT:
            continue
        budget, executed = ctx.value(sheet.code, f"funds.{fr.key}.budget"), ctx.value(sheet.code, ex.key)
        if sc.is_number(budget) and sc.is_number(executed) and budget > 0 and executed >= factor * budget:
            ctx.add("V05", "ratio", sheet=sheet.code, key=ex.key, actual=executed, budget=fmt.amount(budget),
                    ratio=f"{executed / budget:,.0f}", guess=fmt.wan(executed))


def _indicator_row(ctx: Context, sheet: SheetLayout, index: int, ind: sc.Indicator) -> None:
    get = {"name": ind.name, "op": ind.op, "target": ind.target, "unit": ind.unit, "actual": ind.actual,
           "weight": ind.weight, "qual": ind.qualitative_score}
    if all(v is None for v in get.values()):
        return
    get = {k: None if isinstance(v, str) and not v.strip() else v for k, v in get.items()}
    if sc.mixed_scale_row(ind.op, ind.target, ind.unit, ind.actual):
        ctx.add("V07", sheet=sheet.code, key=f"ind.{index}.actual", expected=None, actual=ind.actual,
                target=fmt.typed(ind.target), actual_text=fmt.typed(ind.actual))
    missing = []
    if get["name"] is None:
        missing.append("name")
    if get["op"] is None and not sc.is_number(get["target"]):
        missing.append("op")
    if get["weight"] is None:
        missing.append("weight")
    if get["op"] == sc.QUALITATIVE:
        missing += [p for p in ("target", "actual", "qual") if get[p] is None]
        levels = [q.name for q in ctx.scheme.qualitative]
        if get["actual"] is not None and _text(get["actual"]) not in levels:
            ctx.add("V04", sheet=sheet.code, key=f"ind.{index}.actual", actual=_text(get["actual"]),
                    expected="、".join(levels))
    else:
        missing += [p for p in ("target", "actual") if get[p] is None]
    if not missing:
        return
    columns = [sheet.get(f"ind.{index}.{p}").label.rpartition(" · ")[2] for p in missing]
    ctx.add("V06", sheet=sheet.code, key=f"ind.{index}.{missing[0]}", missing="、".join(columns),
            actual=None, expected=None)
