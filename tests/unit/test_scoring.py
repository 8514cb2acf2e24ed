"""The scoring engine (SCORING.md): invariants by property, and the seed documents' figures."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfxl import livechecks
from perfxl.scheme import load_scheme
from perfxl.scoring import (
    OPERATORS,
    Percent,
    POSITIVE,
    QUALITATIVE,
    QUANTITATIVE,
    REVERSE,
    FundRow,
    Indicator,
    Table,
    achievement,
    band_limits,
    evaluate,
    execution_rate,
    execution_reason_required,
    execution_score,
    expected_level_weights,
    grade,
    in_qualitative_band,
    indicator_score,
    overshoot,
    percent_mixed,
    qualitative_band,
    round2,
)

NATIONAL = load_scheme("national")
PROVINCE = load_scheme("province-example")
SCHEMES = [NATIONAL, PROVINCE]
BOTH = pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.name)

MET, PARTLY, NOT_MET = "达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差"

modest = settings(max_examples=200, deadline=None)

# Any finite float: 0, -0.0, negatives, subnormals and values up to ±1.8e308.
finite = st.floats(allow_nan=False, allow_infinity=False)
# A weight as typed in the form: 0 to 100 with at most 2 decimals.
weights = st.integers(0, 10_000).map(lambda cents: cents / 100)
# Money and percentages of a sensible size (round2 is only used on such values in the engine).
amounts = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)
scheme_st = st.sampled_from(SCHEMES)


def ref_round2(value: float) -> float:
    """An independent ROUND(x, 2): the float to 15 significant digits, then cents half away from zero."""
    fifteen = Context(prec=15, rounding=ROUND_HALF_EVEN).create_decimal(value)
    return float(fifteen.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP, context=Context(prec=400)))


def row(op, target, actual, weight, unit="%", name="指标", qual=None, reason=None, level="产出指标",
        category="质量指标") -> Indicator:
    return Indicator(level=level, category=category, name=name, op=op, target=target, unit=unit, actual=actual,
                     weight=weight, qualitative_score=qual, reason=reason)


def score(ind: Indicator, scheme=NATIONAL) -> float | None:
    return indicator_score(ind.op, ind.target, ind.actual, ind.weight, ind.qualitative_score, scheme)


# =========================================================================================
# Properties
# =========================================================================================

# --- round2 -------------------------------------------------------------------------------

@modest
@given(st.floats(min_value=-1e20, max_value=1e20, allow_nan=False))
def test_round2_is_round_half_up_on_15_significant_digits(x):
    r = round2(x)
    assert r == ref_round2(x)
    assert abs(r - x) <= 0.005 + 1e-12 * max(1.0, abs(x))


@modest
@given(st.integers(-10**12, 10**12))
def test_round2_keeps_cents(cents):
    assert round2(cents / 100) == cents / 100


@pytest.mark.parametrize("x, expected", [
    (1.005, 1.01),      # binary 1.00499999999999989…: Python's round() gives 1.0, ROUND gives 1.01
    (2.675, 2.68),      # round(2.675, 2) == 2.67 in Python
    (0.125, 0.13),      # exact tie: half away from zero, not to even
    (-0.125, -0.13),
    (-1.005, -1.01),
    (1.0049999, 1.0),
    (7.597, 7.6),
    (0.0, 0.0),
    (1e-300, 0.0),
    (1e15 + 0.5, 1e15),  # 1000000000000000.5 has 17 digits; on 15 the .5 is gone, as in a spreadsheet
])
def test_round2_examples(x, expected):
    assert round2(x) == expected


@pytest.mark.parametrize("x", [1e26, 1e30, -1e30, 1.7e308])
def test_round2_huge_values_do_not_crash(x):
    assert round2(x) == x


@pytest.mark.parametrize("weight, qual", [(10, 1e30), (1e30, None)])
def test_evaluate_survives_a_huge_typed_number(weight, qual):
    op = QUALITATIVE if qual is not None else "≥"
    ind = row(op, "按时" if qual is not None else 1, MET if qual is not None else 1, weight, qual=qual)
    result = evaluate(Table([FundRow(1, 1, 1)], [ind]), NATIONAL)
    assert result.total is not None


# --- indicator scores ---------------------------------------------------------------------

@modest
@given(scheme_st, st.sampled_from(QUANTITATIVE), finite, finite, weights)
def test_indicator_score_within_weight(scheme, op, target, actual, weight):
    s = indicator_score(op, target, actual, weight, None, scheme)
    assert s is not None
    assert 0 <= s <= weight
    assert s == round2(s)


@modest
@given(scheme_st, st.sampled_from(QUANTITATIVE), finite, finite)
def test_achievement_is_a_share(scheme, op, target, actual):
    assert 0.0 <= achievement(op, target, actual, scheme.reverse_method) <= 1.0


@modest
@given(scheme_st, st.sampled_from(QUANTITATIVE), finite, weights)
def test_meeting_the_target_scores_the_weight(scheme, op, target, weight):
    # a == t meets the target whatever the operator; ≥/> also above it, ≤/< also below it
    assert indicator_score(op, target, target, weight, None, scheme) == weight


@modest
@given(scheme_st, st.sampled_from(POSITIVE + REVERSE), finite, finite, weights)
def test_beating_the_target_scores_the_weight(scheme, op, target, actual, weight):
    beats = actual >= target if op in POSITIVE else actual <= target
    if beats:
        assert indicator_score(op, target, actual, weight, None, scheme) == weight


@modest
@given(scheme_st, st.sampled_from(POSITIVE), finite, finite, finite, weights)
def test_positive_score_non_decreasing_in_actual(scheme, op, target, a1, a2, weight):
    lo, hi = sorted((a1, a2))
    assert (indicator_score(op, target, lo, weight, None, scheme)
            <= indicator_score(op, target, hi, weight, None, scheme))


@modest
@given(scheme_st, st.sampled_from(REVERSE), finite, finite, finite, weights)
def test_reverse_score_non_increasing_above_target(scheme, op, target, a1, a2, weight):
    lo, hi = sorted((a1, a2))
    if lo >= target:
        assert (indicator_score(op, target, lo, weight, None, scheme)
                >= indicator_score(op, target, hi, weight, None, scheme))


@modest
@given(scheme_st, st.sampled_from(REVERSE), finite, finite, finite, weights)
def test_reverse_score_non_increasing_everywhere(scheme, op, target, a1, a2, weight):
    lo, hi = sorted((a1, a2))
    assert (indicator_score(op, target, lo, weight, None, scheme)
            >= indicator_score(op, target, hi, weight, None, scheme))


@modest
@given(scheme_st, st.floats(min_value=1e-6, max_value=1e9), st.floats(min_value=1e-6, max_value=1e9))
def test_equal_operator_is_symmetric_for_positive_values(scheme, a, t):
    assert math.isclose(achievement("=", t, a, scheme.reverse_method),
                        achievement("=", a, t, scheme.reverse_method), rel_tol=1e-12)


@modest
@given(scheme_st, st.one_of(st.none(), st.text(max_size=3).filter(lambda t: t not in QUANTITATIVE),
                            st.sampled_from(["≈", ">=", "", QUALITATIVE])),
       finite, finite, weights)
def test_no_score_without_a_quantitative_operator(scheme, op, target, actual, weight):
    assert indicator_score(op, target, actual, weight, None, scheme) is None  # (定性 with no typed score, too)


@modest
@given(scheme_st, st.sampled_from(QUANTITATIVE),
       st.one_of(st.none(), st.text(max_size=4), st.booleans(), st.just(math.nan), st.just(math.inf)),
       finite, weights)
def test_no_score_when_a_value_is_not_a_number(scheme, op, bad, good, weight):
    assert indicator_score(op, bad, good, weight, None, scheme) is None
    assert indicator_score(op, good, bad, weight, None, scheme) is None
    assert indicator_score(op, good, good, bad, None, scheme) is None


def test_qualitative_score_is_the_typed_one():
    assert indicator_score(QUALITATIVE, "按时完成", MET, 10, 9.5, NATIONAL) == 9.5
    assert indicator_score(QUALITATIVE, "按时完成", MET, 10, None, NATIONAL) is None
    assert indicator_score(QUALITATIVE, "按时完成", MET, 10, "9.5", NATIONAL) is None  # text is not a number
    assert indicator_score(QUALITATIVE, "按时完成", MET, None, 9.5, NATIONAL) is None


# --- execution ----------------------------------------------------------------------------

@modest
@given(scheme_st, finite)
def test_execution_score_within_weight(scheme, rate):
    s = execution_score(rate, scheme)
    assert 0 <= s <= scheme.execution.weight


@modest
@given(scheme_st, finite, finite)
def test_execution_score_monotonic(scheme, r1, r2):
    lo, hi = sorted((r1, r2))
    assert execution_score(lo, scheme) <= execution_score(hi, scheme)


@BOTH
def test_execution_score_none_rate(scheme):
    assert execution_score(None, scheme) is None
    assert execution_reason_required(None, scheme) is False


@BOTH
def test_execution_score_full_at_full_rate(scheme):
    assert execution_score(1.0, scheme) == scheme.execution.weight
    assert execution_score(1.5, scheme) == scheme.execution.weight
    assert execution_score(0.0, scheme) == 0
    assert execution_score(-0.3, scheme) == 0


@modest
@given(st.one_of(st.none(), st.floats(max_value=0, allow_nan=False), st.text(max_size=3), st.booleans()),
       st.one_of(st.none(), finite))
def test_execution_rate_undefined_without_a_positive_budget(budget, executed):
    assert execution_rate(budget, executed) is None


@modest
@given(st.floats(min_value=1e-6, max_value=1e12), st.one_of(st.none(), st.text(max_size=3), st.booleans()))
def test_execution_rate_undefined_without_an_executed_number(budget, executed):
    assert execution_rate(budget, executed) is None


@modest
@given(st.floats(min_value=1e-6, max_value=1e12), st.floats(min_value=0, max_value=1e12))
def test_execution_rate_is_b_over_a(budget, executed):
    assert execution_rate(budget, executed) == executed / budget


# --- grade --------------------------------------------------------------------------------

@modest
@given(scheme_st, st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_grade_is_the_band_with_the_greatest_min_not_above_total(scheme, total):
    best = max((g for g in scheme.grades if g.min <= total), key=lambda g: g.min)
    assert grade(total, scheme) == best.name


@modest
@given(scheme_st, st.floats(min_value=-10, max_value=200), st.floats(min_value=-10, max_value=200))
def test_grade_monotonic_in_total(scheme, t1, t2):
    rank = {g.name: i for i, g in enumerate(scheme.grades)}  # 0 = best
    lo, hi = sorted((t1, t2))
    assert rank[grade(lo, scheme)] >= rank[grade(hi, scheme)]


@pytest.mark.parametrize("total, national, province", [
    (100, "优", "优"), (90, "优", "优"), (89.99, "良", "良"), (80, "良", "良"), (79.99, "中", "良"),
    (75, "中", "良"), (74.99, "中", "中"), (60, "中", "中"), (59.99, "差", "差"), (0, "差", "差"),
    (-5, "差", "差"),  # below every band: the lowest grade
    (None, None, None),
])
def test_grade_examples(total, national, province):
    assert grade(total, NATIONAL) == national
    assert grade(total, PROVINCE) == province


# --- level weights ------------------------------------------------------------------------

@BOTH
def test_expected_level_weights_fallback(scheme):
    out, eff, sat = (lv.weight for lv in scheme.levels)
    all_used = {lv.name: True for lv in scheme.levels}
    assert expected_level_weights(all_used, scheme) == {"产出指标": out, "效益指标": eff, "满意度指标": sat}
    no_sat = {"产出指标": True, "效益指标": True, "满意度指标": False}
    assert expected_level_weights(no_sat, scheme) == {"产出指标": out + sat, "效益指标": eff, "满意度指标": 0}
    assert expected_level_weights({}, scheme)["产出指标"] == out + sat  # unknown = unused


def test_expected_level_weights_national_numbers():
    # SCORING.md: "If a table has no satisfaction indicator, its 10 points go to ... 产出指标"
    assert expected_level_weights({"产出指标": True, "效益指标": True}, NATIONAL) == {
        "产出指标": 60, "效益指标": 30, "满意度指标": 0}
    assert expected_level_weights({"产出指标": True, "效益指标": True}, PROVINCE) == {
        "产出指标": 50, "效益指标": 40, "满意度指标": 0}


@modest
@given(scheme_st, st.lists(st.booleans(), min_size=3, max_size=3))
def test_expected_level_weights_keep_the_total(scheme, flags):
    used = {lv.name: f for lv, f in zip(scheme.levels, flags)}
    expected = expected_level_weights(used, scheme)
    assert math.isclose(sum(expected.values()), sum(lv.weight for lv in scheme.levels))
    for lv in scheme.levels:
        if not lv.optional:
            assert expected[lv.name] >= lv.weight


# --- qualitative bands --------------------------------------------------------------------

@pytest.mark.parametrize("level, score, inside", [
    # weight 7 → 达成 [5.6, 7], 部分 [4.2, 5.6), 未达成 [0, 4.2)
    (MET, 5.6, True), (MET, 5.59, False), (MET, 7, True), (MET, 7.01, False),
    (PARTLY, 4.2, True), (PARTLY, 5.59, True), (PARTLY, 5.6, False), (PARTLY, 4.19, False),
    (NOT_MET, 0, True), (NOT_MET, 4.19, True), (NOT_MET, 4.2, False), (NOT_MET, -0.01, False),
    ("全年无更新", 7, False),  # not a level (seed 002 企服)
    (None, 7, False),
    (MET, "7", False),  # text is not a score
    (MET, None, False),
])
def test_in_qualitative_band_weight_7(level, score, inside):
    assert qualitative_band(MET, 7, NATIONAL) == (5.6, 7.0, True)
    assert in_qualitative_band(score, level, 7, NATIONAL) is inside


def test_qualitative_band_edges_are_rounded_to_cents():
    # 0.8 × 3.33 = 2.664 → 2.66; 0.6 × 3.33 = 1.998 → 2.00
    assert qualitative_band(MET, 3.33, NATIONAL) == (2.66, 3.33, True)
    assert qualitative_band(PARTLY, 3.33, NATIONAL) == (2.0, 2.66, False)
    assert qualitative_band(NOT_MET, 3.33, NATIONAL) == (0.0, 2.0, False)
    assert in_qualitative_band(2.66, MET, 3.33, NATIONAL)
    assert in_qualitative_band(2.0, PARTLY, 3.33, NATIONAL)
    assert not in_qualitative_band(1.99, PARTLY, 3.33, NATIONAL)
    assert not in_qualitative_band(2.66, PARTLY, 3.33, NATIONAL)  # the upper edge belongs to the band above


def test_band_limits_forgive_a_rounding_below_the_edge():
    """Gnumeric's ROUND(x, 2) can land 1e-15 below x: a score typed at an edge stays in its band."""
    assert in_qualitative_band(7 - 1e-15, MET, 7, NATIONAL)
    assert in_qualitative_band(5.6 - 1e-15, MET, 7, NATIONAL)
    assert not in_qualitative_band(5.6 - 1e-15, PARTLY, 7, NATIONAL)
    assert band_limits(MET, 7, NATIONAL) == (5.6 - 0.005, 7 + 0.005)
    assert band_limits(PARTLY, 7, NATIONAL) == (4.2 - 0.005, 5.6 - 0.005)
    assert band_limits(MET, "七", NATIONAL) is None
    # province: 达成 from 0.85 × 7 = 5.95
    assert qualitative_band(MET, 7, PROVINCE) == (5.95, 7.0, True)
    assert qualitative_band(MET, None, NATIONAL) is None
    assert qualitative_band("无此档", 7, NATIONAL) is None


@modest
@given(scheme_st, weights, st.integers(0, 10_000))
def test_qualitative_bands_partition_zero_to_weight(scheme, weight, cents):
    s = min(cents / 100, weight)
    holders = [q.name for q in scheme.qualitative if in_qualitative_band(s, q.name, weight, scheme)]
    assert len(holders) == 1, (s, weight, holders)
    above = round2(weight + 0.01)
    assert not any(in_qualitative_band(above, q.name, weight, scheme) for q in scheme.qualitative)


# --- evaluate -----------------------------------------------------------------------------

cell_number = st.one_of(st.integers(-5, 1000), amounts, st.floats(min_value=0, max_value=200))
cell = st.one_of(st.none(), cell_number, st.sampled_from(["", " ", "98 分", "未完成"]))


@st.composite
def tables(draw, scheme):
    funds = draw(st.lists(st.builds(FundRow, cell, cell, cell), max_size=4))
    level_names = [lv.name for lv in scheme.levels]
    qual_names = [q.name for q in scheme.qualitative]
    indicators = []
    for _ in range(draw(st.integers(0, 12))):
        op = draw(st.sampled_from(OPERATORS + (None, "≈")))
        indicators.append(Indicator(
            level=draw(st.sampled_from(level_names)),
            category="c",
            name=draw(st.sampled_from(["指标", None])),
            op=op,
            target=draw(cell),
            unit="%",
            actual=draw(st.one_of(cell, st.sampled_from(qual_names))),
            weight=draw(st.one_of(st.none(), weights, st.just("10分"))),
            qualitative_score=draw(st.one_of(st.none(), weights, st.floats(-5, 120), st.just("9"))),
            reason=None,
        ))
    return Table(funds=funds, indicators=indicators)


def _fsum_numbers(values):
    nums = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return math.fsum(nums) if nums else None


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_evaluate_totals(data):
    scheme = data.draw(scheme_st)
    table = data.draw(tables(scheme))
    r = evaluate(table, scheme)

    assert r.budget == _fsum_numbers(f.budget for f in table.funds)
    assert r.executed == _fsum_numbers(f.executed for f in table.funds)
    assert r.rate == execution_rate(r.budget, r.executed)
    assert r.execution_score == execution_score(r.rate, scheme)
    assert r.scores == [score(i, scheme) for i in table.indicators]

    for lv in scheme.levels:
        mine = [s for i, s in zip(table.indicators, r.scores) if i.level == lv.name and s is not None]
        assert r.level_scores[lv.name] == round2(math.fsum(mine))  # None scores ignored
        assert abs(r.level_scores[lv.name] - math.fsum(mine)) <= 0.005 + 1e-9
        w = [i.weight for i in table.indicators if i.level == lv.name and isinstance(i.weight, float)]
        assert r.level_weights[lv.name] == math.fsum(w)

    if r.execution_score is None and all(s is None for s in r.scores):
        assert r.total is None and r.grade is None
    else:
        parts = [r.execution_score or 0.0, *r.level_scores.values()]
        assert r.total == round2(math.fsum(parts))
        assert r.grade == grade(r.total, scheme)

    used = {lv.name: any(i.level == lv.name and isinstance(i.weight, float) for i in table.indicators)
            for lv in scheme.levels}
    assert r.expected_weights == expected_level_weights(used, scheme)
    assert math.isclose(r.total_weight, scheme.execution.weight + sum(r.level_weights.values()))
    assert len(r.row_rates) == len(table.funds)


def test_evaluate_empty_table():
    r = evaluate(Table(funds=[], indicators=[]), NATIONAL)
    assert r.total is None and r.grade is None and r.rate is None and r.execution_score is None
    assert r.expected_weights == {"产出指标": 60, "效益指标": 30, "满意度指标": 0}


# =========================================================================================
# Seed examples
# =========================================================================================

# --- execution rate and score -------------------------------------------------------------

def test_seed_002_hardware_execution():
    # seed 002 承德市网上硬件配件费: "年度资金总额 66.15 66.15 7.279 10分 1.16% 10"
    rate = execution_rate(66.15, 7.279)
    assert round(rate, 6) == 0.110038       # 11.00%, not the 1.16% the document shows
    assert round(rate * 100, 2) == 11.00
    assert execution_score(rate, NATIONAL) == 1.10  # the document scored 10
    assert execution_reason_required(rate, NATIONAL)


def test_seed_002_enterprise_service_execution():
    # seed 002 企服中心工作经费: "年度资金总额 9.17 9.17 6.9669 10分 75.97% 7.597"
    rate = execution_rate(9.17, 6.9669)
    assert round(rate * 100, 2) == 75.97
    assert execution_score(rate, NATIONAL) == 7.60  # rounded to cents, not 7.597
    assert execution_reason_required(rate, NATIONAL)


def test_seed_002_manyi_chengde_nothing_spent():
    # seed 002 “满意承德”城市综合服务平台: "年度资金总额 19 19 0 10分 0% 10"
    rate = execution_rate(19, 0)
    assert rate == 0.0
    assert execution_score(rate, NATIONAL) == 0.0  # the document scored 10
    assert execution_score(rate, PROVINCE) == 0.0


def test_seed_003_execution():
    # seed 003 大综窗标准化改革: "年度资金总额 400 400 390 10 … 9", "当年财政拨款 400 400 390 97.5% 9"
    rate = execution_rate(400, 390)
    assert rate == 0.975
    assert execution_score(rate, NATIONAL) == 9.75  # the document said 9
    assert not execution_reason_required(rate, NATIONAL)  # 97.5% ≥ 90%
    assert execution_score(rate, PROVINCE) == 9  # the province's steps: ≥ 95% → 9


@pytest.mark.parametrize("rate, expected", [
    (1.2, 10), (1.0, 10), (0.999, 9), (0.97, 9), (0.95, 9), (0.9499, 8), (0.9, 8), (0.85, 6), (0.8, 6),
    (0.7, 3), (0.6, 3), (0.5999, 0), (0.5, 0), (0.0, 0), (-1.0, 0),
])
def test_province_execution_steps(rate, expected):
    assert execution_score(rate, PROVINCE) == expected


def test_execution_reason_thresholds():
    assert execution_reason_required(0.8999, NATIONAL)
    assert not execution_reason_required(0.9, NATIONAL)
    assert not execution_reason_required(1.0, NATIONAL)
    assert execution_reason_required(1.0001, NATIONAL)
    assert not execution_reason_required(0.86, PROVINCE)  # province threshold 85%
    assert execution_reason_required(0.84, PROVINCE)


# --- quantitative indicators --------------------------------------------------------------

def test_seed_002_hall_social_benefit():
    # seed 002 政务大厅 社会效益指标: "满足企业和办事群众的需求 95% 98% 12.5 11 加强政务大厅管理…"
    ind = row("≥", 95, 98, 12.5, unit="%", level="效益指标", category="社会效益指标", reason="加强政务大厅管理")
    assert score(ind) == 12.5  # done beyond the target: full marks, the document gave 11
    assert score(ind, PROVINCE) == 12.5
    assert not livechecks.py_overshoot(ind, NATIONAL)  # 98 < 1.2 × 95


def test_seed_003_every_row_done_yet_points_lost():
    # seed 003: 9 rows "100%" done with 分值/得分 10/9, 15/15, 15/14, 20/19, 7/5, 8/8, 8/8, 8/8, 10/10;
    # execution 400/400/390, 总分 stated 96. Read as "≥ 100 %, done 100 %", every row earns its weight.
    rows_ = [("产出指标", 10), ("产出指标", 15), ("产出指标", 15), ("产出指标", 20),
             ("效益指标", 7), ("效益指标", 8), ("效益指标", 8), ("效益指标", 8), ("满意度指标", 10)]
    table = Table(
        funds=[FundRow(400, 400, 390), FundRow(0, 0, 0), FundRow(0, 0, 0)],
        indicators=[row("≥", 100, 100, w, level=lv) for lv, w in rows_],
    )
    r = evaluate(table, NATIONAL)
    assert r.rate == 0.975 and r.execution_score == 9.75
    assert r.scores == [w for _, w in rows_]
    assert r.level_weights == {"产出指标": 60, "效益指标": 31, "满意度指标": 10}  # I01: 产出 60, 效益 31
    assert r.expected_weights == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    assert r.total_weight == 111  # I02: 111
    assert r.total == 110.75  # 9.75 + 101, not the stated 96
    assert r.grade == "优"


@pytest.mark.parametrize("scheme, expected", [(NATIONAL, 5.0), (PROVINCE, 6.67)], ids=["linear", "ratio"])
def test_reverse_complaint_rate(scheme, expected):
    # SCORING.md, and seed 002's report: "服务对象投诉率不超过1%": ≤ 1 %, actual 1.5 %, weight 10
    # linear: 10 × (1 − 0.5/1) = 5.00; ratio: 10 × 1/1.5 = 6.67
    assert indicator_score("≤", 1, 1.5, 10, None, scheme) == expected
    assert indicator_score("<", 1, 1.5, 10, None, scheme) == expected
    assert indicator_score("≤", 1, 0.0, 10, None, scheme) == 10  # 零投诉: full marks
    assert indicator_score("≤", 1, 1.0, 10, None, scheme) == 10


def test_reverse_examples():
    assert indicator_score("≤", 1, 2.5, 10, None, NATIONAL) == 0  # linear bottoms out at 0
    assert indicator_score("≤", 1, 2.5, 10, None, PROVINCE) == 4.0
    assert indicator_score("≤", 0, 0, 10, None, NATIONAL) == 10  # t = 0: a ≤ 0 → w
    assert indicator_score("≤", 0, 0.01, 10, None, NATIONAL) == 0  # else 0
    assert indicator_score("≤", 0, 0.01, 10, None, PROVINCE) == 0


def test_positive_examples():
    assert indicator_score("≥", 100, 50, 10, None, NATIONAL) == 5
    assert indicator_score(">", 80, 60, 10, None, NATIONAL) == 7.5
    assert indicator_score("≥", 100, 0, 10, None, NATIONAL) == 0
    assert indicator_score("≥", 100, -5, 10, None, NATIONAL) == 0  # a ≤ 0 → 0
    assert indicator_score("≥", 3, 1, 10, None, NATIONAL) == 3.33
    assert indicator_score("≥", 0, 0, 10, None, NATIONAL) == 10


def test_equal_examples():
    # "=": a = t → w; otherwise w × min(a, t) / max(a, t); t = 0: a = 0 → w, else 0
    assert indicator_score("=", 100, 100, 10, None, NATIONAL) == 10
    assert indicator_score("=", 100, 80, 10, None, NATIONAL) == 8
    assert indicator_score("=", 100, 125, 10, None, NATIONAL) == 8
    assert indicator_score("=", 3, 2, 10, None, PROVINCE) == 6.67
    assert indicator_score("=", 0, 0, 10, None, NATIONAL) == 10
    assert indicator_score("=", 0, 5, 10, None, NATIONAL) == 0
    assert indicator_score("=", 100, -5, 10, None, NATIONAL) == 0


def test_overshoot():
    # seed 002 企服: "企业反映问题办结率 ≥80% 100% 10 10": 100 ≥ 1.2 × 80 = 96, but < 1.3 × 80 = 104
    assert overshoot("≥", 80, 100, NATIONAL)
    assert not overshoot("≥", 80, 100, PROVINCE)
    assert overshoot(">", 80, 96, NATIONAL)       # exactly 1.2 × target counts
    assert not overshoot("≥", 80, 95.99, NATIONAL)
    assert not overshoot("≤", 80, 100, NATIONAL)  # only ≥ and >
    assert not overshoot("≥", 0, 100, NATIONAL)   # no target to overshoot
    assert not overshoot("≥", "80", 100, NATIONAL)


# --- qualitative rows ---------------------------------------------------------------------

def test_qualitative_row_inside_and_outside_its_band():
    inside = row(QUALITATIVE, "按时完成", MET, 10, unit=None, qual=9)
    partly_ok = row(QUALITATIVE, "按时完成", PARTLY, 10, unit=None, qual=7.9)
    partly_too_high = row(QUALITATIVE, "按时完成", PARTLY, 10, unit=None, qual=8)
    assert score(inside) == 9
    assert not livechecks.py_band(inside, NATIONAL)
    assert not livechecks.py_band(partly_ok, NATIONAL)
    assert livechecks.py_band(partly_too_high, NATIONAL)  # 8 is 达成's, 部分 is [6, 8)
    assert not livechecks.py_band(partly_too_high, PROVINCE)  # province 部分 is [6, 8.5)
    assert livechecks.py_band(row(QUALITATIVE, "按时完成", MET, 10, unit=None, qual=8.4), PROVINCE)


def test_seed_002_qualitative_without_a_level():
    # seed 002 企服: "…服务代表桌牌、胸牌 文字描述：视情况更新 全年无更新 10 10" — no level chosen
    ind = row(QUALITATIVE, "视情况更新", "全年无更新", 10, unit=None, qual=10, category="数量指标")
    assert score(ind) == 10
    assert livechecks.py_band(ind, NATIONAL)      # I06: outside every band
    assert livechecks.py_incomplete(ind, NATIONAL)  # the actual is not one of the levels


# --- live-check predicates ----------------------------------------------------------------

def test_seed_003_reason_missing():
    # seed 003 数量指标: "支出安排金额 万元 100% 10 9" with an empty 偏差原因分析及改进措施
    ind = row("≥", 100, 100, 10, reason=None)
    assert livechecks.py_reason_missing(ind, 9) is True
    assert livechecks.py_reason_missing(row("≥", 100, 100, 10, reason="   "), 9) is True  # spaces = blank
    assert livechecks.py_reason_missing(row("≥", 100, 100, 10, reason="采购价低于预算"), 9) is False
    assert livechecks.py_reason_missing(ind, 10) is False
    assert livechecks.py_reason_missing(ind, None) is False
    assert livechecks.py_reason_missing(row("≥", 100, 100, "10分"), 9) is False


def test_py_overshoot():
    # seed 002 企服: "企业反映问题办结率 ≥80% 100%" with no reason
    ind = row("≥", 80, 100, 10)
    assert livechecks.py_overshoot(ind, NATIONAL) is True
    assert livechecks.py_overshoot(ind, PROVINCE) is False
    assert livechecks.py_overshoot(row("≥", 80, 100, 10, reason="需求超出预期"), NATIONAL) is False
    assert livechecks.py_overshoot(row("≤", 80, 100, 10), NATIONAL) is False
    assert livechecks.py_overshoot(row("≥", 0, 100, 10), NATIONAL) is False
    assert livechecks.py_overshoot(row("≥", "80%", 100, 10), NATIONAL) is False


def test_py_incomplete():
    # seed 002 企服: "制作印刷政府服务代表 50 50 10 10" — no operator, no unit
    seed = row(None, 50, 50, 10, unit=None, name="制作印刷政府服务代表", category="数量指标")
    assert livechecks.py_incomplete(seed, NATIONAL) is True
    assert score(seed) is None
    assert livechecks.py_incomplete(row("≥", 50, 50, 10, unit=None), NATIONAL) is True  # no unit
    assert livechecks.py_incomplete(row("≥", 50, 50, 10, unit="份"), NATIONAL) is False
    assert livechecks.py_incomplete(row("≥", 50, 50, "10分", unit="份"), NATIONAL) is True  # weight as text
    assert livechecks.py_incomplete(row("≥", "50", 50, 10, unit="份"), NATIONAL) is True  # target as text
    assert livechecks.py_incomplete(row("≥", 50, 50, 10, unit="份", name=" "), NATIONAL) is True
    assert livechecks.py_incomplete(row(QUALITATIVE, "按时完成", MET, 10, unit=None, qual=9), NATIONAL) is False
    assert livechecks.py_incomplete(row(QUALITATIVE, "按时完成", MET, 10, unit=None), NATIONAL) is True
    assert livechecks.py_incomplete(row(QUALITATIVE, None, MET, 10, unit=None, qual=9), NATIONAL) is True
    empty = Indicator(level="产出指标", category="数量指标")
    assert livechecks.py_incomplete(empty, NATIONAL) is False
    assert livechecks.py_incomplete(Indicator(level="产出指标", category="数量指标", name=""), NATIONAL) is False
    assert livechecks.py_incomplete(Indicator(level="产出指标", category="数量指标", weight=10), NATIONAL) is True


# --- percentages written two ways (RULES.md V07) -------------------------------------------

def test_a_percent_row_written_one_way_in_each_cell_is_mixed():
    assert percent_mixed(95, "%", Percent(0.98)) and percent_mixed(Percent(0.95), "%", 98)
    assert percent_mixed(95, "％", Percent(0.98))
    assert not percent_mixed(95, "%", 98) and not percent_mixed(Percent(0.95), "%", Percent(0.98))
    assert not percent_mixed(95, "个", Percent(0.98)) and not percent_mixed(95, None, Percent(0.98))
    assert not percent_mixed("95", "%", Percent(0.98)) and not percent_mixed(95, "%", None)


@pytest.mark.parametrize("op", ["≥", ">", "≤", "<", "="])
def test_written_alike_either_way_scores_alike(op):
    for target, actual in ((95, 98), (95, 80), (5, 0.5), (100, 100)):
        plain = indicator_score(op, target, actual, 15, None, NATIONAL, "%")
        typed = indicator_score(op, Percent(target / 100), Percent(actual / 100), 15, None, NATIONAL, "%")
        assert plain == typed, (op, target, actual)


def test_a_mixed_row_has_no_score_and_no_overshoot():
    """95 against "98%" would score 0.15 of 15; "95%" against 98 would look like a 100× overshoot."""
    assert indicator_score("≥", 95, Percent(0.98), 15, None, NATIONAL, "%") is None
    assert indicator_score("≥", 95, 0.98, 15, None, NATIONAL, "%") == 0.15  # no mark: a real 0.98
    assert not overshoot("≥", Percent(0.95), 98, NATIONAL, "%")
    assert overshoot("≥", 0.95, 98, NATIONAL, "%")
