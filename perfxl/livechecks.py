"""Checks the workbook runs while the user types: conditional formatting and a problem count.

Each check is written twice, side by side: as an Excel condition (relative references,
for conditional formatting and the hidden per-row counters that 填报说明 sums) and as a
Python predicate over the same values, so the agreement test can prove the count the
user sees. These are live hints; the validator's rules (RULES.md) are the full check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from . import formulas as fx
from .scheme.model import Scheme
from .scoring import (
    POSITIVE,
    QUALITATIVE,
    QUANTITATIVE,
    TOLERANCE,
    Indicator,
    Table,
    TableResult,
    Value,
    execution_reason_required,
    in_qualitative_band,
    is_number,
    percent_mixed,
)
from .scoring import overshoot as _overshoot

# One rule for both cells of a % indicator, said the same way in the prompts, 填报说明,
# the mark's legend and the department guide (RULES.md V07).
PERCENT_RULE = "计量单位为“%”时，年度指标值和实际完成值用同一种写法：都填数字（如 95 和 98），或都带“%”（如 95% 和 98%）。"


@dataclass(frozen=True)
class LiveCheck:
    key: str
    message: str
    severity: str  # "error" | "warning"


def catalog(scheme: Scheme) -> dict[str, LiveCheck]:
    ex = scheme.execution
    items = [
        LiveCheck("incomplete", "指标行填写不完整，或数值栏填了文字", "error"),
        LiveCheck("percent_mixed", "计量单位为“%”的指标，年度指标值与实际完成值一个带“%”、一个不带，得分暂不计算", "error"),
        LiveCheck("reason_missing", "得分低于分值，未填写偏差原因分析及改进措施", "error"),
        LiveCheck("band", "定性评分不在所选档次的分值区间内", "error"),
        LiveCheck("overshoot", f"实际完成值达到年度指标值的 {scheme.overshoot:g} 倍以上，请说明原因（指标值可能设置偏低）",
                  "warning"),
        LiveCheck("level_weight", "一级指标下各指标分值之和与规定分值不符", "error"),
        LiveCheck("over_budget", "全年执行数超过全年预算数", "error"),
        LiveCheck("execution_reason",
                  f"执行率低于 {ex.reason_below:.0%} 或高于 {ex.reason_above:.0%}，未填写预算执行偏差原因", "error"),
        LiveCheck("conclusion", "自评结论与部门整体支出绩效自评表的自评等级不一致", "error"),
        LiveCheck("staffing", "实有人数、编制人数与“是否存在超编超配人员”的回答不一致", "error"),
        LiveCheck("detail_missing", "回答为“是”时应填写对应的金额或时间", "error"),
        LiveCheck("figures", "基础数据表的基本支出、项目支出与部门整体支出绩效自评表的全年执行数不一致", "error"),
    ]
    return {c.key: c for c in items}


def _blank(ref: str) -> str:
    return f'TRIM({ref})=""'


def _py_blank(value: Value) -> bool:
    """TRIM(x)="" : None, "" or spaces only (TRIM strips ASCII spaces, as here)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip(" ") == ""
    return False


def _numbers(*refs: str) -> str:
    return "AND(" + ",".join(f"ISNUMBER({r})" for r in refs) + ")" if len(refs) > 1 else f"ISNUMBER({refs[0]})"


# --- indicator rows ------------------------------------------------------------------
# `r` maps column names (name, op, target, unit, actual, weight, qual, score, reason) to refs.

def incomplete(r: Mapping[str, str], scheme: Scheme) -> str:
    started = f"COUNTA({r['name']}:{r['qual']})>0"
    levels = [q.name for q in scheme.qualitative]
    quantitative_bad = (f"AND({fx.one_of(r['op'], QUANTITATIVE)},OR(NOT({_numbers(r['target'])}),"
                        f"NOT({_numbers(r['actual'])}),{_blank(r['unit'])}))")
    qualitative_bad = (f"AND({r['op']}={fx.string(QUALITATIVE)},OR({_blank(r['target'])},"
                       f"NOT({fx.one_of(r['actual'], levels)}),NOT({_numbers(r['qual'])})))")
    bad = (f"OR({_blank(r['name'])},NOT({fx.one_of(r['op'], QUANTITATIVE + (QUALITATIVE,))}),"
           f"NOT({_numbers(r['weight'])}),{quantitative_bad},{qualitative_bad})")
    return f"AND({started},{bad})"


def incomplete_cells(r: Mapping[str, str], inc: str, scheme: Scheme) -> dict[str, str]:
    """For an incomplete row (`inc` holds), which of its cells to mark: blank or of the wrong type."""
    levels = [q.name for q in scheme.qualitative]
    quant = fx.one_of(r["op"], QUANTITATIVE)
    qual = f"{r['op']}={fx.string(QUALITATIVE)}"
    return {
        "name": f"AND({inc},{_blank(r['name'])})",
        "op": f"AND({inc},NOT({fx.one_of(r['op'], QUANTITATIVE + (QUALITATIVE,))}))",
        "target": f"AND({inc},OR({_blank(r['target'])},AND({quant},NOT(ISNUMBER({r['target']})))))",
        "unit": f"AND({inc},{quant},{_blank(r['unit'])})",
        "actual": (f"AND({inc},OR({_blank(r['actual'])},AND({quant},NOT(ISNUMBER({r['actual']}))),"
                   f"AND({qual},NOT({fx.one_of(r['actual'], levels)}))))"),
        "weight": f"AND({inc},NOT(ISNUMBER({r['weight']})))",
        "qual": f"AND({inc},{qual},NOT(ISNUMBER({r['qual']})))",
    }


def py_incomplete(ind: Indicator, scheme: Scheme) -> bool:
    cells = (ind.name, ind.op, ind.target, ind.unit, ind.actual, ind.weight, ind.qualitative_score)
    if all(v is None or v == "" for v in cells):
        return False
    if _py_blank(ind.name) or ind.op not in QUANTITATIVE + (QUALITATIVE,) or not is_number(ind.weight):
        return True
    if ind.op in QUANTITATIVE:
        return not is_number(ind.target) or not is_number(ind.actual) or _py_blank(ind.unit)
    levels = [q.name for q in scheme.qualitative]
    return _py_blank(ind.target) or ind.actual not in levels or not is_number(ind.qualitative_score)


def reason_missing(r: Mapping[str, str], legacy: bool = False) -> str:
    """`legacy`: template 1's strict `得分<分值`, kept only to recognise files issued with it."""
    short = f"{r['score']}<{r['weight']}" if legacy else f"{r['score']}<{r['weight']}-{fx.num(TOLERANCE)}"
    return f"AND(IF({_numbers(r['score'], r['weight'])},{short},FALSE),{_blank(r['reason'])})"


def py_reason_missing(ind: Indicator, score: float | None) -> bool:
    """得分 below 分值 by more than the half-cent tolerance: a ROUND that lands 1e-15 below
    the weight (Gnumeric) is full marks, not a shortfall."""
    return is_number(score) and is_number(ind.weight) and score < ind.weight - TOLERANCE and _py_blank(ind.reason)


def band(r: Mapping[str, str], scheme: Scheme, legacy: bool = False) -> str:
    if legacy:
        inside = fx.in_qualitative_band(r["qual"], r["actual"], r["weight"], scheme)
    else:  # the row's helper cells hold the band's limits (formulas.band_limit)
        inside = f"AND(ISNUMBER({r['low']}),{r['qual']}>={r['low']},{r['qual']}<={r['high']})"
    return (f"AND({r['op']}={fx.string(QUALITATIVE)},"
            f"IF({_numbers(r['qual'], r['weight'])},NOT({inside}),FALSE))")


def py_band(ind: Indicator, scheme: Scheme) -> bool:
    if ind.op != QUALITATIVE or not is_number(ind.qualitative_score) or not is_number(ind.weight):
        return False
    return not in_qualitative_band(ind.qualitative_score, ind.actual, ind.weight, scheme)


def overshoot(r: Mapping[str, str], scheme: Scheme, legacy: bool = False) -> str:
    t, a = r["target"], r["actual"]
    same_scale = "" if legacy else f"{r['mixed']}<>1,"
    return (f"AND({fx.one_of(r['op'], POSITIVE)},{same_scale}"
            f"IF({_numbers(t, a)},AND({t}>0,{a}>={fx.num(scheme.overshoot)}*{t}),FALSE),{_blank(r['reason'])})")


def py_overshoot(ind: Indicator, scheme: Scheme) -> bool:
    return _overshoot(ind.op, ind.target, ind.actual, scheme, ind.unit) and _py_blank(ind.reason)


def mixed(r: Mapping[str, str]) -> str:
    """V07 live: the row's helper cell (formulas.percent_mixed) says the scales differ."""
    return f"{r['mixed']}=1"


def py_percent_mixed(ind: Indicator) -> bool:
    return percent_mixed(ind.target, ind.unit, ind.actual)


def indicator_conditions(r: Mapping[str, str], scheme: Scheme, legacy: bool = False) -> dict[str, str]:
    """Each check of an indicator row; `legacy` gives template 1's conditions (no helper cells)."""
    out = {
        "incomplete": incomplete(r, scheme),
        "reason_missing": reason_missing(r, legacy),
        "band": band(r, scheme, legacy),
        "overshoot": overshoot(r, scheme, legacy),
    }
    if not legacy:
        out["percent_mixed"] = mixed(r)
    return out


def py_indicator_problems(ind: Indicator, score: float | None, scheme: Scheme) -> dict[str, bool]:
    return {
        "incomplete": py_incomplete(ind, scheme),
        "reason_missing": py_reason_missing(ind, score),
        "band": py_band(ind, scheme),
        "overshoot": py_overshoot(ind, scheme),
        "percent_mixed": py_percent_mixed(ind),
    }


# --- funds, levels -------------------------------------------------------------------

def over_budget(budget: str, executed: str) -> str:
    return f"IF({_numbers(budget, executed)},{executed}>{budget},FALSE)"


def py_over_budget(budget: Value, executed: Value) -> bool:
    return is_number(budget) and is_number(executed) and executed > budget


def execution_reason(rate: str, reason: str, scheme: Scheme) -> str:
    ex = scheme.execution
    return (f"AND(IF(ISNUMBER({rate}),OR({rate}<{fx.num(ex.reason_below)},{rate}>{fx.num(ex.reason_above)}),FALSE),"
            f"{_blank(reason)})")


def py_execution_reason(rate: float | None, reason: Value, scheme: Scheme) -> bool:
    return execution_reason_required(rate, scheme) and _py_blank(reason)


def level_weight(subtotal: str, expected: str, all_weights: str) -> str:
    return f"IF(COUNT({all_weights})>0,ABS({subtotal}-({expected}))>{fx.num(TOLERANCE)},FALSE)"


def flag(conditions: list[str]) -> str:
    """A hidden counter cell: how many of the conditions hold."""
    return "=" + "+".join(f"IF({c},1,0)" for c in conditions) if conditions else "=0"


def missing(required: list[tuple[str, str | None]]) -> str:
    """How many required inputs are blank; (input, amount): required only when the amount > 0."""
    terms = [f"IF({_blank(ref)},1,0)" if amount is None
             else f"IF(AND(ISNUMBER({amount}),{amount}>0,{_blank(ref)}),1,0)"
             for ref, amount in required]
    return "=" + ("+".join(terms) if terms else "0")


def py_missing(values: list[tuple[Value, bool]]) -> int:
    """(value, required now) pairs → how many required ones are blank."""
    return sum(1 for value, needed in values if needed and _py_blank(value))


def py_table_problems(table: Table, result: TableResult, scheme: Scheme) -> int:
    """The problem count the workbook's counters give for one F1/F2 table."""
    count = 0
    for ind, score in zip(table.indicators, result.scores):
        count += sum(py_indicator_problems(ind, score, scheme).values())
    rows = [(result.budget, result.executed)] + [(r.budget, r.executed) for r in table.funds]
    count += sum(py_over_budget(b, e) for b, e in rows)
    count += py_execution_reason(result.rate, table.execution_reason, scheme)
    if any(is_number(i.weight) for i in table.indicators):
        for level in scheme.levels:
            count += abs(result.level_weights[level.name] - result.expected_weights[level.name]) > TOLERANCE
    return count


# --- basic data (F3) -----------------------------------------------------------------

def conclusion(conclusion_ref: str, grade_ref: str) -> str:
    return f'AND({conclusion_ref}<>"",{grade_ref}<>"",{conclusion_ref}<>{grade_ref})'


def py_conclusion(conclusion_value: Value, grade_value: str | None) -> bool:
    return conclusion_value not in (None, "") and grade_value not in (None, "") and conclusion_value != grade_value


def staffing(quota: str, actual: str, answer: str) -> str:
    return (f"IF({_numbers(quota, actual)},OR(AND({actual}>{quota},{answer}=\"否\"),"
            f"AND({actual}<={quota},{answer}=\"是\")),FALSE)")


def py_staffing(quota: Value, actual: Value, answer: Value) -> bool:
    if not is_number(quota) or not is_number(actual):
        return False
    return (actual > quota and answer == "否") or (actual <= quota and answer == "是")


def detail_missing(answer: str, when: str, detail: str) -> str:
    return f"AND({answer}={fx.string(when)},{_blank(detail)})"


def py_detail_missing(answer: Value, when: str, detail: Value) -> bool:
    return answer == when and _py_blank(detail)


def figures(basic_ref: str, dept_ref: str) -> str:
    return f"IF({_numbers(basic_ref, dept_ref)},ABS({basic_ref}-{dept_ref})>{fx.num(TOLERANCE)},FALSE)"


def py_figures(basic_value: Value, dept_value: Value) -> bool:
    return is_number(basic_value) and is_number(dept_value) and abs(basic_value - dept_value) > TOLERANCE
