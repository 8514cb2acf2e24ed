"""The indicator table of each F1/F2 sheet (I01–I04, I06–I11), from the typed inputs.

I05 (a quantitative score off the rule) can only come from an overwritten score
formula, so integrity reports it; everything here follows from what was typed.
"""

from __future__ import annotations

from .. import livechecks as lc
from .. import scoring as sc
from ..layout.model import SheetLayout
from . import fmt
from .context import Context
from ..scoring import TOLERANCE


def check_indicators(ctx: Context) -> None:
    for sheet in ctx.table_sheets:
        if sheet.code in ctx.sheets:
            _table(ctx, sheet)


def _table(ctx: Context, sheet: SheetLayout) -> None:
    scheme = ctx.scheme
    table, res = ctx.tables[sheet.code]
    code = sheet.code
    started = any(sc.is_number(i.weight) for i in table.indicators)
    used = {lv.name: False for lv in scheme.levels}
    names: dict[str, list[int]] = {}

    for r, ind, score in zip(sheet.indicator_rows, table.indicators, res.scores):
        key = f"ind.{r.index}"
        if any(v not in (None, "") for v in (ind.name, ind.op, ind.target, ind.unit, ind.actual, ind.weight)):
            used[r.level] = True
        if isinstance(ind.name, str) and ind.name.strip():
            names.setdefault(ind.name.strip(), []).append(r.index)
        if not sc.mixed_scale_row(ind.op, ind.target, ind.unit, ind.actual):  # V07: no score judged until they agree
            _score_rules(ctx, code, key, ind, score)
        if sc.is_number(ind.target) and ind.op in (None, ""):
            ctx.add("I08", "op", sheet=code, key=f"{key}.op", target=fmt.measured(ind.target, ind.unit))
        elif ind.op in sc.QUANTITATIVE and ind.target is not None and ind.unit in (None, ""):
            ctx.add("I08", "unit", sheet=code, key=f"{key}.unit", target=fmt.measured(ind.target, ind.unit))
        category = next((c for lv in scheme.levels for c in lv.categories if c.name == r.category), None)
        if category is not None and category.money_only and isinstance(ind.unit, str) and ind.unit.strip() \
                and ind.unit.strip() not in scheme.money_units:
            ctx.add("I11", sheet=code, key=f"{key}.unit", expected="、".join(scheme.money_units), actual=ind.unit)

    for name, rows in names.items():
        if len(rows) > 1:
            cells = "、".join(sheet.get(f"ind.{i}.name").ref for i in rows)
            for i in rows[1:]:
                ctx.add("I09", sheet=code, key=f"ind.{i}.name", actual=name, name=name, count=len(rows), cells=cells)

    expected = sc.expected_level_weights(used, scheme)
    levels_off, level_finding = 0.0, None
    for j, level in enumerate(scheme.levels, start=1):
        want, have = expected[level.name], res.level_weights[level.name]
        if want > 0 and not used[level.name]:
            ctx.add("I10", sheet=code, key=f"level.{j}.weight", expected=want, actual=None,
                    level=level.name, weight=fmt.score(level.weight))
        elif started and abs(have - want) > TOLERANCE:
            found = ctx.add("I01", sheet=code, key=f"level.{j}.weight", expected=want, actual=have, level=level.name)
            level_finding = level_finding or found
            levels_off += have - want
    off = res.total_weight - scheme.total_weight
    if started and abs(off) > TOLERANCE:
        total = ctx.add("I02", sheet=code, key="total.weight", expected=scheme.total_weight, actual=res.total_weight)
        if abs(off - levels_off) <= TOLERANCE:  # the total is off by exactly what the levels are: one mistake
            ctx.link(level_finding, total)


def _score_rules(ctx: Context, code: str, key: str, ind: sc.Indicator, score: float | None) -> None:
    """I03, I06, I04, I07 of one row: what its score and its values say."""
    scheme, weight = ctx.scheme, ind.weight
    if ind.op == sc.QUALITATIVE and sc.is_number(ind.qualitative_score) and sc.is_number(weight) \
            and ind.qualitative_score > weight + TOLERANCE:
        ctx.add("I03", sheet=code, key=f"{key}.qual", expected=weight, actual=ind.qualitative_score)
    elif lc.py_band(ind, scheme):
        band = sc.qualitative_band(ind.actual, weight, scheme)
        if band is not None:
            ctx.add("I06", sheet=code, key=f"{key}.qual", expected=None, actual=ind.qualitative_score,
                    level=ind.actual, weight=fmt.score(weight), low=fmt.score(band[0]), high=fmt.score(band[1]))
        else:  # a score with no level to bound it (seed 002 企服: "全年无更新" given 10 of 10)
            ctx.add("I06", "level", sheet=code, key=f"{key}.qual", actual=ind.actual,
                    expected="、".join(q.name for q in scheme.qualitative))
    # 得分 as the rule gives it: a score below 分值 only because a number was typed over
    # its formula is that formula's finding (S02, I05), not a call to explain a shortfall.
    if lc.py_reason_missing(ind, score):
        ctx.add("I04", sheet=code, key=f"{key}.reason", expected=None, actual=None,
                score=fmt.score(score), weight=fmt.score(weight))
    if lc.py_overshoot(ind, scheme):
        ctx.add("I07", sheet=code, key=f"{key}.actual", expected=None, actual=ind.actual,
                actual_text=fmt.measured(ind.actual, ind.unit),
                target=fmt.measured(ind.target, ind.unit), ratio=f"{ind.actual / ind.target:.2f}",
                limit=f"{scheme.overshoot:g}")
