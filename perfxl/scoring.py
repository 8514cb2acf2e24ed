"""The one implementation of SCORING.md.

The workbook's formulas (perfxl.formulas) are generated to compute exactly this, and a
test recalculates filled workbooks in LibreOffice to prove the two agree. The semantics
below therefore follow what a spreadsheet sees:

- a value is a number only if it is an int/float (text such as "98" is not, as ISNUMBER);
- a result that cannot be computed is None (the formula shows a blank);
- every score is rounded to 2 decimals the way ROUND does (half away from zero, on the
  value's 15 significant digits), so the cents shown are the cents summed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Iterable, Sequence

from .scheme.model import Scheme

QUALITATIVE = "定性"
POSITIVE = ("≥", ">")
REVERSE = ("≤", "<")
EQUAL = "="
OPERATORS = ("≥", ">", "≤", "<", "=", QUALITATIVE)
QUANTITATIVE = POSITIVE + REVERSE + (EQUAL,)

Value = float | int | str | None

PERCENT_UNITS = ("%", "％")  # the unit as picked from the list, or typed full-width
TOLERANCE = 0.005  # SCORING.md: scores and amounts compare within half a cent


class Percent(float):
    """A number typed as a percentage ("98%"): stored as 0.98 with a percent format.

    Excel, WPS and LibreOffice all store "98%" as 0.98 and remember only the format, so
    the reader marks such values and the engine can tell 95 (with unit %) from 95%.
    Arithmetic gives plain floats; only the typed value carries the mark.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Percent({float(self)!r})"

_CENT = Decimal("0.01")
_WIDE = Context(prec=400)  # enough digits to quantize any finite double to cents


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def round2(value: float) -> float:
    """ROUND(value, 2) as spreadsheets do it: on 15 significant digits, half away from zero."""
    if not math.isfinite(value):  # a sum past the float range (see fsum): nothing to round
        return value
    exact = Decimal(format(value, ".15g"))
    return float(exact.quantize(_CENT, rounding=ROUND_HALF_UP, context=_WIDE))


_SCALE = 2.0 ** 64


def fsum(values: Iterable[float]) -> float:
    """math.fsum, except that a sum past the float range is ±inf (a spreadsheet shows #NUM!)
    instead of an OverflowError: two amounts of 1e308 typed into one table must not stop
    the validator. Scaling by a power of two is exact for everything but subnormals."""
    values = list(values)
    try:
        return math.fsum(values)
    except OverflowError:
        return math.fsum(v / _SCALE for v in values) * _SCALE


def number(value: object) -> float | None:
    """A cell's value as a float when it is a number (ISNUMBER), else None."""
    return float(value) if is_number(value) else None


def sum_numbers(values: Iterable[Value]) -> float | None:
    """SUM over the numeric values, or None when there is none (the form shows a blank)."""
    numbers = [float(v) for v in values if is_number(v)]
    return fsum(numbers) if numbers else None


# --- execution ------------------------------------------------------------------------

def execution_rate(budget: Value, executed: Value) -> float | None:
    """执行率 = B / A; undefined when A is blank or not positive, or B is blank."""
    if not is_number(budget) or budget <= 0 or not is_number(executed):
        return None
    return float(executed) / float(budget)


def execution_score(rate: float | None, scheme: Scheme) -> float | None:
    """执行率得分: weight × min(rate / full_rate, 1), or the scheme's step table."""
    if rate is None:
        return None
    ex = scheme.execution
    if ex.method == "steps":
        for step in ex.steps:
            if rate >= step.min_rate:
                return round2(step.score)
        return 0.0
    return round2(ex.weight * min(max(rate, 0.0) / ex.full_rate, 1.0))


def execution_reason_required(rate: float | None, scheme: Scheme) -> bool:
    """预算执行偏差原因 is required below the threshold or above the upper limit."""
    if rate is None:
        return False
    return rate < scheme.execution.reason_below or rate > scheme.execution.reason_above


# --- indicators -----------------------------------------------------------------------

def achievement(op: str, target: float, actual: float, reverse_method: str) -> float:
    """The share of the weight earned by a quantitative indicator, in [0, 1]."""
    t, a = float(target), float(actual)
    if op in POSITIVE:
        if a >= t:
            return 1.0
        if a <= 0:
            return 0.0
        return min(1.0, a / t)
    if op in REVERSE:
        if a <= t:
            return 1.0
        if t <= 0:
            return 0.0
        if reverse_method == "ratio":
            return t / a
        return max(0.0, 1.0 - (a - t) / t)
    if op == EQUAL:
        if a == t:
            return 1.0
        if t == 0:
            return 0.0
        hi = max(a, t)
        if hi <= 0:
            return 0.0
        return max(0.0, min(a, t) / hi)
    raise ValueError(f"not a quantitative operator: {op!r}")


def is_percent(value: object) -> bool:
    """A number typed as a percentage (see Percent)."""
    return isinstance(value, Percent)


def percent_mixed(target: Value, unit: Value, actual: Value) -> bool:
    """RULES.md V07: unit %, both numbers, one typed as "98%" (0.98) and the other as 95.

    The two are then on scales a hundredfold apart, so no score can be judged until
    they agree; written the same way (95 and 98, or 95% and 98%) they score alike.
    """
    if unit not in PERCENT_UNITS:  # exactly, as the formula's F12="%" compares
        return False
    return is_number(target) and is_number(actual) and is_percent(target) != is_percent(actual)


def mixed_scale_row(op: Value, target: Value, unit: Value, actual: Value) -> bool:
    """V07 as the validator reports it: a quantitative row written on two scales (a 定性 row's
    score never reads its values, so its problems are its own: V04, I06)."""
    return op in QUANTITATIVE and percent_mixed(target, unit, actual)


def indicator_score(op: Value, target: Value, actual: Value, weight: Value, qualitative_score: Value,
                    scheme: Scheme, unit: Value = None) -> float | None:
    """得分 of one indicator row, or None when the row does not give one yet
    (including a % row whose two values are written on different scales)."""
    if not is_number(weight):
        return None
    if op == QUALITATIVE:
        return float(qualitative_score) if is_number(qualitative_score) else None
    if op not in QUANTITATIVE or not is_number(target) or not is_number(actual):
        return None
    if percent_mixed(target, unit, actual):
        return None
    return round2(float(weight) * achievement(op, target, actual, scheme.reverse_method))


def qualitative_band(level: Value, weight: Value, scheme: Scheme) -> tuple[float, float, bool] | None:
    """(low, high, high_inclusive) of the scores allowed for a 定性 level, edges in cents."""
    if not is_number(weight):
        return None
    top = max(q.max for q in scheme.qualitative)
    for q in scheme.qualitative:
        if q.name == level:
            return (round2(q.min * float(weight)), round2(q.max * float(weight)), q.max == top)
    return None


def band_limits(level: Value, weight: Value, scheme: Scheme) -> tuple[float, float] | None:
    """The closed interval a typed 定性 score must fall in, with the half-cent tolerance:
    [low − 0.005, high + 0.005] at the top band, [low − 0.005, high − 0.005] below it.

    For scores typed in cents this is exactly low ≤ s ≤ high (or s < high), and a
    spreadsheet's ROUND landing 1e-15 below an edge cannot move a score out of its band.
    """
    band = qualitative_band(level, weight, scheme)
    if band is None:
        return None
    low, high, inclusive = band
    return low - TOLERANCE, high + TOLERANCE if inclusive else high - TOLERANCE


def in_qualitative_band(score: Value, level: Value, weight: Value, scheme: Scheme) -> bool:
    limits = band_limits(level, weight, scheme)
    if limits is None or not is_number(score):
        return False
    return limits[0] <= score <= limits[1]


def overshoot(op: Value, target: Value, actual: Value, scheme: Scheme, unit: Value = None) -> bool:
    """A ≥/> indicator done ≥ overshoot × target: full marks, but the target looks too low."""
    if op not in POSITIVE or not is_number(target) or not is_number(actual) or target <= 0:
        return False
    if percent_mixed(target, unit, actual):
        return False
    return actual >= scheme.overshoot * target


# --- totals ---------------------------------------------------------------------------

def grade(total: float | None, scheme: Scheme) -> str | None:
    if total is None:
        return None
    for band in scheme.grades:
        if total >= band.min:
            return band.name
    return scheme.grades[-1].name


def expected_level_weights(levels_used: dict[str, bool], scheme: Scheme) -> dict[str, float]:
    """Each 一级's required weight sum; an empty optional level hands its weight to its fallback."""
    expected = {level.name: level.weight for level in scheme.levels}
    for level in scheme.levels:
        if level.optional and level.fallback and not levels_used.get(level.name, False):
            expected[level.fallback] += expected[level.name]
            expected[level.name] = 0.0
    return expected


@dataclass(frozen=True)
class FundRow:
    """A funds sub-row (当年财政拨款, 基本支出 …): initial budget, full-year budget, executed."""

    initial: Value = None
    budget: Value = None
    executed: Value = None


@dataclass(frozen=True)
class Indicator:
    level: str
    category: str
    name: Value = None
    op: Value = None
    target: Value = None
    unit: Value = None
    actual: Value = None
    weight: Value = None
    qualitative_score: Value = None
    reason: Value = None


@dataclass(frozen=True)
class Table:
    """What a department types (or is issued) in one self-evaluation table (F1 or F2)."""

    funds: Sequence[FundRow]
    indicators: Sequence[Indicator]
    execution_reason: Value = None


@dataclass
class TableResult:
    initial: float | None
    budget: float | None
    executed: float | None
    rate: float | None
    row_rates: list[float | None]
    execution_score: float | None
    scores: list[float | None]
    level_weights: dict[str, float]
    level_scores: dict[str, float]
    expected_weights: dict[str, float]
    total_weight: float
    total: float | None
    grade: str | None


def level_score(scores: Iterable[float | None]) -> float:
    """A 一级 subtotal: ROUND(SUM(得分), 2) over its rows' scores (blank rows count nothing)."""
    return round2(fsum(s for s in scores if s is not None))


def total_score(execution: float | None, level_scores: Iterable[float | None], any_indicator: bool) -> float | None:
    """总分 = 执行率得分 + Σ 一级 subtotals; blank while nothing at all is scored."""
    if execution is None and not any_indicator:
        return None
    return round2(fsum(s for s in (execution, *level_scores) if s is not None))


def evaluate(table: Table, scheme: Scheme) -> TableResult:
    """Every computed figure of one table, as its locked formulas must show them."""
    initial = sum_numbers(r.initial for r in table.funds)
    budget = sum_numbers(r.budget for r in table.funds)
    executed = sum_numbers(r.executed for r in table.funds)
    rate = execution_rate(budget, executed)
    exec_score = execution_score(rate, scheme)
    scores = [indicator_score(i.op, i.target, i.actual, i.weight, i.qualitative_score, scheme, i.unit)
              for i in table.indicators]
    weights: dict[str, list[float]] = {lv.name: [] for lv in scheme.levels}
    earned: dict[str, list[float]] = {lv.name: [] for lv in scheme.levels}
    for ind, score in zip(table.indicators, scores):
        if is_number(ind.weight):
            weights[ind.level].append(float(ind.weight))
        if score is not None:
            earned[ind.level].append(score)
    level_weights = {k: fsum(v) for k, v in weights.items()}
    level_scores = {k: level_score(v) for k, v in earned.items()}
    used = {k: bool(v) for k, v in weights.items()}
    total = total_score(exec_score, level_scores.values(), any(s is not None for s in scores))
    return TableResult(
        initial=initial, budget=budget, executed=executed, rate=rate,
        row_rates=[execution_rate(r.budget, r.executed) for r in table.funds],
        execution_score=exec_score, scores=scores, level_weights=level_weights,
        level_scores=level_scores, expected_weights=expected_level_weights(used, scheme),
        total_weight=scheme.execution.weight + fsum(level_weights.values()),
        total=total, grade=grade(total, scheme),
    )
