"""Excel formulas generated from the scheme to compute exactly what perfxl.scoring computes.

Each function here mirrors the function of the same name in scoring.py; arguments are
cell references. Formulas avoid errors (#VALUE!, #DIV/0!) on any input: every arithmetic
step sits behind an ISNUMBER guard, because an error in one cell would spread to totals.
"""

from __future__ import annotations

from typing import Sequence

from .scheme.model import Scheme
from .scoring import EQUAL, PERCENT_UNITS, POSITIVE, QUALITATIVE, QUANTITATIVE, REVERSE, TOLERANCE


def num(x: float) -> str:
    """A number as formula text (no trailing .0, no exponent for ordinary values)."""
    text = format(float(x), ".15g")
    return text


def string(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def one_of(ref: str, values: Sequence[str]) -> str:
    parts = [f"{ref}={string(v)}" for v in values]
    return parts[0] if len(parts) == 1 else "OR(" + ",".join(parts) + ")"


def text_of(ref: str) -> str:
    """A referenced cell shown as text: blank when it is blank (a bare reference would show 0)."""
    return f'=IF({ref}="","",{ref})'


def sum_numbers(refs: Sequence[str]) -> str:
    """scoring.sum_numbers: SUM, or blank when no cell holds a number."""
    args = ",".join(refs)
    return f'=IF(COUNT({args})=0,"",SUM({args}))'


def execution_rate(budget: str, executed: str) -> str:
    return f'=IF(ISNUMBER({budget}),IF(AND({budget}>0,ISNUMBER({executed})),{executed}/{budget},""),"")'


def execution_score(rate: str, scheme: Scheme) -> str:
    ex = scheme.execution
    if ex.method == "steps":
        expr = "0"
        for step in reversed(ex.steps):
            expr = f"IF({rate}>={num(step.min_rate)},{num(step.score)},{expr})"
        return f'=IF(ISNUMBER({rate}),{expr},"")'
    return f'=IF(ISNUMBER({rate}),ROUND({num(ex.weight)}*MIN(MAX({rate},0)/{num(ex.full_rate)},1),2),"")'


def achievement(op: str, target: str, actual: str, scheme: Scheme) -> str:
    """scoring.achievement for the operator in `op` (a cell); both values known numbers."""
    t, a = target, actual
    positive = f"IF({a}>={t},1,IF({a}<=0,0,MIN(1,{a}/{t})))"
    if scheme.reverse_method == "ratio":
        reverse = f"IF({a}<={t},1,IF({t}<=0,0,{t}/{a}))"
    else:
        reverse = f"IF({a}<={t},1,IF({t}<=0,0,MAX(0,1-({a}-{t})/{t})))"
    equal = f"IF({a}={t},1,IF({t}=0,0,IF(MAX({a},{t})<=0,0,MAX(0,MIN({a},{t})/MAX({a},{t})))))"
    return (f"IF({one_of(op, POSITIVE)},{positive},"
            f"IF({one_of(op, REVERSE)},{reverse},"
            f"IF({op}={string(EQUAL)},{equal},0)))")


def is_percent(ref: str) -> str:
    """scoring.is_percent: the cell shows a percent format ("98%" typed), by CELL("format"),
    which Excel, WPS, LibreOffice and Gnumeric all answer with "P0", "P2" …"""
    return f'(LEFT(CELL("format",{ref}),1)="P")'  # parenthesised: it is compared with another such test


def percent_mixed(target: str, unit: str, actual: str) -> str:
    """scoring.percent_mixed, as 1 or 0 (the row's hidden helper cell that the score,
    the marks and the counter all read)."""
    return (f'=IF(AND({one_of(unit, PERCENT_UNITS)},ISNUMBER({target}),ISNUMBER({actual})),'
            f'IF({is_percent(target)}={is_percent(actual)},0,1),0)')


def indicator_score(op: str, target: str, actual: str, weight: str, qualitative: str, scheme: Scheme,
                    mixed: str | None = None) -> str:
    """`mixed`: the row's percent_mixed helper cell (template 2 on); a mixed row scores blank."""
    score = f'ROUND({weight}*{achievement(op, target, actual, scheme)},2)'
    if mixed is not None:
        score = f'IF({mixed}=1,"",{score})'
    quantitative = (f'IF(AND({one_of(op, QUANTITATIVE)},ISNUMBER({target}),ISNUMBER({actual})),'
                    f'{score},"")')
    return (f'=IF(ISNUMBER({weight}),IF({op}={string(QUALITATIVE)},'
            f'IF(ISNUMBER({qualitative}),{qualitative},""),{quantitative}),"")')


def in_qualitative_band(score: str, level: str, weight: str, scheme: Scheme) -> str:
    """scoring.in_qualitative_band, as a condition; `score` and `weight` known numbers."""
    top = max(q.max for q in scheme.qualitative)
    parts = []
    for q in scheme.qualitative:
        upper = "<=" if q.max == top else "<"
        parts.append(f"AND({level}={string(q.name)},{score}>=ROUND({weight}*{num(q.min)},2),"
                     f"{score}{upper}ROUND({weight}*{num(q.max)},2))")
    return "OR(" + ",".join(parts) + ")"


def band_limit(level: str, weight: str, scheme: Scheme, upper: bool) -> str:
    """scoring.band_limits for the chosen level: the low or the high end, blank when the
    level or the weight is not given (a helper cell the 定性评分 validation and marks read,
    which keeps that validation formula short whatever the scheme's level names)."""
    top = max(q.max for q in scheme.qualitative)
    expr = '""'
    for q in reversed(scheme.qualitative):
        if upper:
            edge = f"ROUND({weight}*{num(q.max)},2){'+' if q.max == top else '-'}{num(TOLERANCE)}"
        else:
            edge = f"ROUND({weight}*{num(q.min)},2)-{num(TOLERANCE)}"
        expr = f"IF({level}={string(q.name)},{edge},{expr})"
    return f'=IF(ISNUMBER({weight}),{expr},"")'


def subtotal(cells: str, rounded: bool) -> str:
    return f"=ROUND(SUM({cells}),2)" if rounded else f"=SUM({cells})"


def total_score(execution_score: str, indicator_scores: Sequence[str], level_scores: Sequence[str]) -> str:
    """scoring.evaluate's total: blank until anything is scored, else the rounded sum."""
    counted = ",".join([execution_score, *indicator_scores])
    summed = ",".join([execution_score, *level_scores])
    return f'=IF(COUNT({counted})=0,"",ROUND(SUM({summed}),2))'


def total_weight(execution_weight: str, level_weights: Sequence[str]) -> str:
    return f"=SUM({','.join([execution_weight, *level_weights])})"


def grade(total: str, scheme: Scheme) -> str:
    expr = string(scheme.grades[-1].name)
    for band in reversed(scheme.grades[:-1]):
        expr = f"IF({total}>={num(band.min)},{string(band.name)},{expr})"
    return f'=IF(ISNUMBER({total}),{expr},"")'


def expected_level_weight(level_name: str, weight_ranges: dict[str, str], scheme: Scheme) -> str:
    """scoring.expected_level_weights for one level, as an expression (no leading =)."""
    level = scheme.level(level_name)
    if level.optional and level.fallback:
        return f"IF(COUNT({weight_ranges[level.name]})=0,0,{num(level.weight)})"
    parts = [num(level.weight)]
    for other in scheme.levels:
        if other.optional and other.fallback == level.name:
            parts.append(f"IF(COUNT({weight_ranges[other.name]})=0,{num(other.weight)},0)")
    return "+".join(parts)
