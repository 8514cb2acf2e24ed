"""perfxl.round.stats on a round of real validated files (see conftest): counts, totals,
distributions and the 整改 lists, from the passed departments only."""

from __future__ import annotations

from dataclasses import replace

import pytest

from perfxl.round.consolidation import FAILED, MISSING, PASSED, PASSED_WARNINGS, Entry
from perfxl.round.stats import band_label, compute, percent_text, rate_bands, status_text
from perfxl.scheme import ConsolidationSettings
from perfxl.scoring import execution_rate, fsum, round2

from .conftest import Round

COUNTED = ("101001", "101004", "101005")


def counted_figures(round_: Round) -> list:
    return [round_.entry(code).figures for code in COUNTED]


def with_scheme(round_: Round, **changes):
    c = round_.consolidation
    return replace(c, scheme=replace(c.scheme, **changes))


def test_the_fixture_round_has_every_standing(round_: Round) -> None:
    assert [(e.code, e.status) for e in round_.consolidation.entries] == [
        ("101001", PASSED), ("101002", MISSING), ("101003", FAILED), ("101004", PASSED_WARNINGS), ("101005", PASSED)]
    assert round_.entry("101003").errors == round_.results["101003"].errors > 0
    assert round_.entry("101003").submissions == 2 and round_.entry("101002").submissions == 0
    assert [f.code for f in round_.results["101004"].findings] == ["D04"]  # a warning only


def test_counts_by_status(round_: Round) -> None:
    s = compute(round_.consolidation)
    assert s.roster == 5
    assert s.counts == {PASSED: 2, PASSED_WARNINGS: 1, FAILED: 1, MISSING: 1}
    assert (s.passed, s.failed, s.missing) == (3, 1, 1)
    assert [d.entry.code for d in s.scored_departments] == list(COUNTED)


def test_totals_are_the_sums_of_the_passed_departments(round_: Round) -> None:
    s = compute(round_.consolidation)
    figures = counted_figures(round_)
    budget = fsum(f.department.budget for f in figures)
    executed = fsum(f.department.executed for f in figures)
    assert s.department_totals.budget == budget and s.department_totals.executed == executed
    assert s.department_totals.rate == execution_rate(budget, executed)
    assert round2(budget) == round2(1227.14 + 821.17 + 2565.14)
    projects = [p for f in figures for p in f.projects]
    assert s.project_totals.count == len(projects) == len(s.projects) == 12
    assert s.project_totals.budget == fsum(p.budget for p in projects)
    assert s.project_totals.executed == fsum(p.executed for p in projects)
    assert s.mean_project_score == round2(fsum(p.score for p in projects) / 12)
    assert s.mean_department_score == round2(fsum(f.department.score for f in figures) / 3)
    rows = {d.entry.code: d for d in s.departments}
    assert rows["101004"].projects == 2
    assert rows["101004"].project_amounts.budget == fsum(p.budget for p in round_.entry("101004").figures.projects)


def test_failed_and_missing_departments_never_count(round_: Round) -> None:
    """Even a failed entry that carries figures (an earlier passing submission) stays out."""
    c = round_.consolidation
    failed_with_figures = Entry("101003", round_.entry("101003").name, FAILED, 2, 2, "2026-02-12T09:30:00",
                                round_.results["101003"].figures)
    assert failed_with_figures.figures is not None and not failed_with_figures.counted
    other = replace(c, entries=tuple(failed_with_figures if e.code == "101003" else e for e in c.entries))
    a, b = compute(c), compute(other)
    for name in ("projects", "department_totals", "project_totals", "grades", "bands", "low_grades", "low_rates",
                 "unmet", "mean_project_score", "mean_department_score"):
        assert getattr(a, name) == getattr(b, name), name
    rows = {d.entry.code: d for d in b.departments}
    assert rows["101003"].table is None and rows["101002"].table is None
    assert not any(p.entry.code in ("101002", "101003") for p in b.projects)


def test_grade_distribution_in_the_schemes_order(round_: Round) -> None:
    s = compute(round_.consolidation)
    assert [(g.grade, g.projects, g.departments) for g in s.grades] == [
        ("优", 10, 3), ("良", 0, 0), ("中", 1, 0), ("差", 1, 0)]
    assert sum(g.projects for g in s.grades) == len(s.projects)
    assert sum(g.departments for g in s.grades) == s.passed


def test_rate_bands_follow_the_schemes_edges(round_: Round) -> None:
    s = compute(round_.consolidation)
    assert [(b.label("zh"), b.projects, b.departments) for b in s.bands] == [
        ("100%及以上", 3, 0), ("90%–100%", 5, 2), ("80%–90%", 3, 0), ("60%–80%", 0, 1), ("60%以下", 1, 0)]
    assert s.unrated_projects == 0 and s.unrated_departments == 0
    other = compute(with_scheme(round_, consolidation=ConsolidationSettings((1.0, 0.95, 0.5), ("中", "差"))))
    assert [(b.label("en"), b.projects) for b in other.bands] == [
        ("100% and above", 3), ("95%–100%", 5), ("50%–95%", 3), ("below 50%", 1)]


def test_a_rate_on_an_edge_belongs_to_the_band_above() -> None:
    bands = rate_bands((1.0, 0.9, 0.8))
    assert [b.label() for b in bands] == ["100%及以上", "90%–100%", "80%–90%", "80%以下"]
    assert [b.contains(0.8) for b in bands] == [False, False, True, False]
    assert [b.contains(1.0) for b in bands] == [True, False, False, False]
    assert [b.contains(0.7999999) for b in bands] == [False, False, False, True]
    with pytest.raises(ValueError):
        rate_bands(())
    with pytest.raises(ValueError):
        rate_bands((0.8, 0.9))


def test_labels() -> None:
    assert band_label(0.975, None) == "97.5%及以上" and band_label(None, 0.6, "en") == "below 60%"
    assert percent_text(0.29) == "29%"
    assert [status_text(s) for s in (PASSED, PASSED_WARNINGS, FAILED, MISSING)] == [
        "已通过", "已通过（有警告）", "未通过", "未提交"]
    assert status_text(MISSING, "en") == "not submitted"


def test_rectify_low_grades_are_the_schemes_lower_grades(round_: Round) -> None:
    s = compute(round_.consolidation)
    assert s.rectify_grades == ("中", "差")
    assert [(p.entry.code, p.project.code, p.project.grade) for p in s.low_grades] == [
        ("101004", "101004-2022-001", "差"), ("101004", "101004-2022-002", "中")]
    only_worst = compute(with_scheme(round_, consolidation=ConsolidationSettings((1.0, 0.9, 0.8, 0.6), ("差",))))
    assert [p.project.grade for p in only_worst.low_grades] == ["差"]


def test_rectify_low_rates_use_the_schemes_threshold(round_: Round) -> None:
    s = compute(round_.consolidation)
    assert s.reason_below == 0.9
    assert [(p.project.code, round(p.project.rate, 4)) for p in s.low_rates] == [
        ("101004-2022-001", 0.8), ("101004-2022-002", 0.5), ("101005-2021-002", 0.8), ("101005-2021-004", 0.8)]
    assert all(p.project.execution_reason for p in s.low_rates)  # the departments explained each
    scheme = round_.consolidation.scheme
    stricter = compute(with_scheme(round_, execution=replace(scheme.execution, reason_below=0.75)))
    assert [p.project.code for p in stricter.low_rates] == ["101004-2022-002"]


def test_rectify_unmet_indicators(round_: Round) -> None:
    s = compute(round_.consolidation)
    expected = [(code, table.code, i.name) for code in COUNTED for f in [round_.entry(code).figures]
                for table in (f.department, *f.projects) for i in table.indicators if i.met is False]
    got = [(u.entry.code, (u.project or u.entry.figures.department).code, u.indicator.name) for u in s.unmet]
    assert got == expected and len(got) > 10
    assert all(u.indicator.met is False and u.indicator.reason for u in s.unmet)
    assert any(u.project is None for u in s.unmet)  # department-wide indicators too
    worst = [u for u in s.unmet if u.project is not None and u.project.code == "101004-2022-001"]
    assert worst and all(u.indicator.target is not None and u.indicator.actual is not None for u in worst)
    quantitative = [u.indicator for u in worst if isinstance(u.indicator.target, float)]
    assert quantitative and all(i.unit for i in quantitative)


def test_an_entry_is_checked_when_made(round_: Round) -> None:
    with pytest.raises(ValueError, match="unknown status"):
        Entry("1", "x", "ok", 0, 1, None, None)
    with pytest.raises(ValueError, match="no figures"):
        Entry("1", "x", PASSED, 0, 1, None, None)
    assert Entry("1", "x", FAILED, 3, 1, None, round_.entry("101001").figures).counted_figures is None


def test_a_round_with_nobody_passed(round_: Round) -> None:
    c = round_.consolidation
    nobody = replace(c, entries=tuple(Entry(e.code, e.name, MISSING, 0, 0, None, None) for e in c.entries))
    s = compute(nobody)
    assert s.passed == 0 and s.projects == () and s.low_grades == s.low_rates == s.unmet == ()
    assert s.department_totals.budget is None and s.department_totals.rate is None
    assert s.mean_project_score is None
    assert [g.projects for g in s.grades] == [0, 0, 0, 0]
