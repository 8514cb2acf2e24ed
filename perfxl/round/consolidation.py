"""The in-memory model of a round's consolidated result, as the writers take it.

The round database fills it from what it already checked (each department's latest submission
and the figures of its latest passing one); the writers never open a returned file. Only
departments whose status is passed (with or without warnings) count in totals and
distributions: a failed or missing department is listed as such and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..scheme.model import Scheme
from ..validator.figures import Figures
from .status import FAILED, MISSING, PASSED, PASSED_WARNINGS  # one home for the states

__all__ = ["PASSED", "PASSED_WARNINGS", "FAILED", "MISSING", "STATUSES", "COUNTED", "Entry", "Consolidation"]

STATUSES = (PASSED, PASSED_WARNINGS, FAILED, MISSING)
COUNTED = (PASSED, PASSED_WARNINGS)  # the statuses whose figures count


@dataclass(frozen=True)
class Entry:
    """One roster department in the round: its standing and, when it passed, its figures."""

    code: str                 # 部门编码
    name: str                 # 部门名称
    status: str               # "passed" | "passed_warnings" | "failed" | "missing"
    errors: int               # errors of the latest submission (0 if missing)
    submissions: int          # number of submissions (0 if missing)
    submitted_at: str | None  # ISO time of the latest submission
    figures: Figures | None   # of the latest PASSING submission; None otherwise

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r} for department {self.code}: one of {STATUSES}")
        if self.status in COUNTED and self.figures is None:
            raise ValueError(f"department {self.code} is {self.status} but has no figures")

    @property
    def counted(self) -> bool:
        """Whether this department's figures go into totals and distributions."""
        return self.status in COUNTED and self.figures is not None

    @property
    def counted_figures(self) -> Figures | None:
        """The figures when they count; None for a failed or missing department, whatever it holds."""
        return self.figures if self.counted else None


@dataclass(frozen=True)
class Consolidation:
    """A round's result: every roster department in roster order, and the scheme of the round."""

    year: int
    scheme: Scheme
    entries: tuple[Entry, ...]   # every roster department, roster order
    generated: datetime
    deadline: date | None = None

    @property
    def counted(self) -> tuple[Entry, ...]:
        """The departments whose figures count (passed, with or without warnings)."""
        return tuple(e for e in self.entries if e.counted)
