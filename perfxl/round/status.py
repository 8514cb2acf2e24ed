"""Where the round stands: every roster department with its latest submission's state.

One query over the submissions' (department, number) index, so a round with tens of
thousands of submissions answers at once; the renderers (text, JSON, the tracking
workbook) only format what this returns.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from ..i18n import Message, register

__all__ = ["DepartmentStatus", "Status", "query", "MISSING", "FAILED", "PASSED", "PASSED_WARNINGS", "STATES"]

MISSING, FAILED, PASSED_WARNINGS, PASSED = "missing", "failed", "passed_warnings", "passed"
STATES = (MISSING, FAILED, PASSED_WARNINGS, PASSED)

register({
    "status.missing": ("未提交", "Not submitted"),
    "status.failed": ("未通过（{errors} 个错误）", "Failed ({errors} errors)"),
    "status.passed_warnings": ("已通过（有警告）", "Passed (with warnings)"),
    "status.passed": ("已通过", "Passed"),
    "status.count.missing": ("未提交", "not submitted"),
    "status.count.failed": ("未通过", "failed"),
    "status.count.passed_warnings": ("已通过（有警告）", "passed (with warnings)"),
    "status.count.passed": ("已通过", "passed"),
})


@dataclass(frozen=True)
class DepartmentStatus:
    seq: int
    code: str
    name: str
    state: str                    # one of STATES
    errors: int
    warnings: int
    submissions: int
    last_number: int | None
    last_file: str | None
    last_at: str | None           # ISO time of the latest submission
    total_score: float | None
    grade: str | None
    submission_id: int | None     # the latest submission's row

    def label(self, lang: str = "zh") -> str:
        return Message(f"status.{self.state}", {"errors": self.errors}).render(lang)

    @property
    def passed(self) -> bool:
        return self.state in (PASSED, PASSED_WARNINGS)


@dataclass(frozen=True)
class Status:
    year: int
    deadline: date | None
    today: date
    departments: tuple[DepartmentStatus, ...]
    unidentified: int             # recorded files no roster department claims

    @property
    def days_left(self) -> int | None:
        """Days to the deadline: 0 on the day, negative once it has passed."""
        return (self.deadline - self.today).days if self.deadline else None

    def counts(self) -> dict[str, int]:
        found = {state: 0 for state in STATES}
        for d in self.departments:
            found[d.state] += 1
        return found


def _state(errors: int | None, warnings: int | None) -> str:
    if errors is None:
        return MISSING
    if errors:
        return FAILED
    return PASSED_WARNINGS if warnings else PASSED


def query(conn: sqlite3.Connection, year: int, deadline: date | None, today: date | None = None) -> Status:
    rows = conn.execute("""
        WITH latest AS (
            SELECT department_code, MAX(number) AS number, COUNT(*) AS submissions
            FROM submission WHERE department_code IS NOT NULL GROUP BY department_code
        )
        SELECT d.seq, d.code, d.name, s.errors, s.warnings, COALESCE(l.submissions, 0), s.number, s.file_name,
               s.submitted_at, s.total_score, s.grade, s.id
        FROM roster_department d
        LEFT JOIN latest l ON l.department_code = d.code
        LEFT JOIN submission s ON s.department_code = l.department_code AND s.number = l.number
        ORDER BY d.seq
    """).fetchall()
    departments = tuple(
        DepartmentStatus(seq, code, name, _state(errors, warnings), errors or 0, warnings or 0, count, number,
                         file_name, at, score, grade, sid)
        for seq, code, name, errors, warnings, count, number, file_name, at, score, grade, sid in rows)
    (unidentified,) = conn.execute("""
        SELECT COUNT(*) FROM submission s
        WHERE s.department_code IS NULL
           OR NOT EXISTS (SELECT 1 FROM roster_department d WHERE d.code = s.department_code)
    """).fetchone()
    return Status(year, deadline, today or date.today(), departments, unidentified)
