"""What the consolidated result says, computed once for the workbook and the report alike.

Pure functions of a Consolidation: grade distribution (projects, and departments by their
department-wide grade), execution-rate bands (edges from the scheme's [consolidation]),
totals, and the three 整改 lists. Every score and rate is the scoring engine's, taken from
the figures; totals are sums in perfxl.scoring's way (fsum, rates by execution_rate), never
a second implementation of the scoring rules. Only counted departments (passed, with or
without warnings) contribute; failed and missing ones appear in `departments` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..i18n import register, text
from ..scoring import execution_rate, fsum, round2, sum_numbers
from ..validator.figures import IndicatorFigures, TableFigures
from .consolidation import FAILED, MISSING, PASSED, PASSED_WARNINGS, STATUSES, Consolidation, Entry

__all__ = ["Amounts", "GradeRow", "RateBand", "DepartmentRow", "ProjectRow", "IndicatorRow", "Stats",
           "compute", "rate_bands", "status_text", "band_label", "percent_text"]

register({
    "round.band.top": ("{low}及以上", "{low} and above"),
    "round.band.between": ("{low}–{high}", "{low}–{high}"),
    "round.band.bottom": ("{high}以下", "below {high}"),
    "round.ungraded": ("未评级", "not graded"),
})


def status_text(status: str, lang: str = "zh") -> str:
    """A status as the office reads it: 已通过 / 已通过（有警告） / 未通过 / 未提交."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    return text(f"status.count.{status}", lang)  # the labels of perfxl status


def percent_text(value: float) -> str:
    """A band edge as a percentage without float noise: 0.9 → 90%, 0.975 → 97.5%."""
    return f"{round(value * 100, 6):g}%"


def band_label(low: float | None, high: float | None, lang: str = "zh") -> str:
    """100%及以上, 90%–100%, 60%以下 (the band holds low ≤ rate < high)."""
    if high is None and low is not None:
        return text("round.band.top", lang, low=percent_text(low))
    if low is None and high is not None:
        return text("round.band.bottom", lang, high=percent_text(high))
    if low is None or high is None:
        raise ValueError("a band needs at least one edge")
    return text("round.band.between", lang, low=percent_text(low), high=percent_text(high))


@dataclass(frozen=True)
class Amounts:
    """Summed 全年预算数 and 全年执行数 (万元, as fsum gives them), and the rate of the sums."""

    budget: float | None
    executed: float | None
    count: int  # the departments or projects summed

    @property
    def rate(self) -> float | None:
        return execution_rate(self.budget, self.executed)

    @classmethod
    def of(cls, tables: Iterable[TableFigures]) -> Amounts:
        tables = list(tables)
        return cls(sum_numbers(t.budget for t in tables), sum_numbers(t.executed for t in tables), len(tables))


@dataclass(frozen=True)
class GradeRow:
    """One grade of the scheme (None: a table with no total score) and how many got it."""

    grade: str | None
    projects: int
    departments: int

    def label(self, lang: str = "zh") -> str:
        return self.grade if self.grade is not None else text("round.ungraded", lang)


@dataclass(frozen=True)
class RateBand:
    """Projects and departments whose execution rate r satisfies low ≤ r < high."""

    low: float | None
    high: float | None
    projects: int = 0
    departments: int = 0

    def contains(self, rate: float) -> bool:
        return (self.low is None or rate >= self.low) and (self.high is None or rate < self.high)

    def label(self, lang: str = "zh") -> str:
        return band_label(self.low, self.high, lang)


@dataclass(frozen=True)
class DepartmentRow:
    """A roster department; the figures are None unless it counts."""

    entry: Entry
    table: TableFigures | None  # the department-wide table (F2)
    projects: int | None
    project_amounts: Amounts | None


@dataclass(frozen=True)
class ProjectRow:
    entry: Entry
    project: TableFigures


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator not met: of a project, or of the department-wide table (`project` None)."""

    entry: Entry
    project: TableFigures | None
    indicator: IndicatorFigures


@dataclass(frozen=True)
class Stats:
    roster: int
    counts: dict[str, int]              # departments by status
    departments: tuple[DepartmentRow, ...]  # every roster department, roster order
    projects: tuple[ProjectRow, ...]    # every project of the counted departments
    department_totals: Amounts          # department-wide tables of the counted departments
    project_totals: Amounts             # their projects
    grades: tuple[GradeRow, ...]        # the scheme's grades in order, then "not graded" if any
    bands: tuple[RateBand, ...]         # from the highest rates down
    unrated_projects: int               # no execution rate (budget blank or 0)
    unrated_departments: int
    mean_project_score: float | None
    mean_department_score: float | None
    rectify_grades: tuple[str, ...]     # the grades list (a) takes, from the scheme
    reason_below: float                 # the rate under which list (b) takes a project
    low_grades: tuple[ProjectRow, ...]  # 整改 (a)
    low_rates: tuple[ProjectRow, ...]   # 整改 (b)
    unmet: tuple[IndicatorRow, ...]     # 整改 (c)

    @property
    def passed(self) -> int:
        return self.counts[PASSED] + self.counts[PASSED_WARNINGS]

    @property
    def failed(self) -> int:
        return self.counts[FAILED]

    @property
    def missing(self) -> int:
        return self.counts[MISSING]

    @property
    def scored_departments(self) -> tuple[DepartmentRow, ...]:
        """The counted departments, for the score chart and the report's score list."""
        return tuple(d for d in self.departments if d.table is not None)


def rate_bands(edges: Iterable[float]) -> tuple[RateBand, ...]:
    """Empty bands from the scheme's edges, highest first: [1.0, 0.9] → ≥1.0, [0.9, 1.0), <0.9."""
    edges = list(edges)
    if not edges or any(a <= b for a, b in zip(edges, edges[1:])):
        raise ValueError(f"band edges must be descending and not empty: {edges}")
    highs: list[float | None] = [None, *edges]
    lows: list[float | None] = [*edges, None]
    return tuple(RateBand(low, high) for low, high in zip(lows, highs))


def _mean(scores: Iterable[float | None]) -> float | None:
    values = [s for s in scores if s is not None]
    return round2(fsum(values) / len(values)) if values else None


def _count_bands(bands: tuple[RateBand, ...], projects: list[float | None],
                 departments: list[float | None]) -> tuple[RateBand, ...]:
    def count(rates: list[float | None], band: RateBand) -> int:
        return sum(1 for r in rates if r is not None and band.contains(r))

    return tuple(RateBand(b.low, b.high, count(projects, b), count(departments, b)) for b in bands)


def compute(c: Consolidation) -> Stats:
    """Everything the consolidated workbook and report show, from the counted departments only."""
    scheme = c.scheme
    counted = [e for e in c.entries if e.counted]
    departments = []
    for e in c.entries:
        figures = e.counted_figures
        if figures is None:
            departments.append(DepartmentRow(e, None, None, None))
        else:
            departments.append(DepartmentRow(e, figures.department, len(figures.projects),
                                             Amounts.of(figures.projects)))
    projects = [ProjectRow(e, p) for e in counted for p in e.figures.projects]  # type: ignore[union-attr]
    tables = [e.figures.department for e in counted]  # type: ignore[union-attr]

    names = [g.name for g in scheme.grades]
    grades = [GradeRow(name, sum(1 for p in projects if p.project.grade == name),
                       sum(1 for t in tables if t.grade == name)) for name in names]
    # A grade outside the scheme cannot come from the engine; were one recorded, it is shown, not dropped.
    others = sorted({g for g in [p.project.grade for p in projects] + [t.grade for t in tables]
                     if g is not None and g not in names})
    grades += [GradeRow(name, sum(1 for p in projects if p.project.grade == name),
                        sum(1 for t in tables if t.grade == name)) for name in others]
    ungraded = GradeRow(None, sum(1 for p in projects if p.project.grade is None),
                        sum(1 for t in tables if t.grade is None))
    if ungraded.projects or ungraded.departments:
        grades.append(ungraded)

    project_rates = [p.project.rate for p in projects]
    department_rates = [t.rate for t in tables]
    bands = _count_bands(rate_bands(scheme.consolidation.rate_bands), project_rates, department_rates)

    rectify = scheme.consolidation.rectify_grades
    reason_below = scheme.execution.reason_below
    low_grades = tuple(p for p in projects if p.project.grade in rectify)
    # As the engine asks for 预算执行偏差原因 (scoring.execution_reason_required): strictly below.
    low_rates = tuple(p for p in projects if p.project.rate is not None and p.project.rate < reason_below)
    unmet = []
    for e in counted:
        assert e.figures is not None
        unmet += [IndicatorRow(e, None, i) for i in e.figures.department.indicators if i.met is False]
        for p in e.figures.projects:
            unmet += [IndicatorRow(e, p, i) for i in p.indicators if i.met is False]

    return Stats(
        roster=len(c.entries),
        counts={s: sum(1 for e in c.entries if e.status == s) for s in STATUSES},
        departments=tuple(departments),
        projects=tuple(projects),
        department_totals=Amounts.of(tables),
        project_totals=Amounts.of(p.project for p in projects),
        grades=tuple(grades),
        bands=bands,
        unrated_projects=sum(1 for r in project_rates if r is None),
        unrated_departments=sum(1 for r in department_rates if r is None),
        mean_project_score=_mean(p.project.score for p in projects),
        mean_department_score=_mean(t.score for t in tables),
        rectify_grades=rectify,
        reason_below=reason_below,
        low_grades=low_grades,
        low_rates=low_rates,
        unmet=tuple(unmet),
    )
