"""What validation produces: findings per file, files per report (the JSON's shape).

Findings keep their message unrendered (an i18n.Message), so one Report can be shown in
Chinese and English; `to_dict(lang)` is the perfxl-report/2 document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from ..display import shown_path
from ..i18n import Message
from .catalog import ERROR, RULES, WARNING, Rule
from .figures import Figures

SCHEMA = "perfxl-report/2"


@dataclass(frozen=True, eq=False)
class Finding:
    """One rule broken at one place. `consequences`: the findings this one's mistake also
    causes (RULES.md "One mistake, one finding"): shown under it, never counted."""

    code: str
    message: Message
    sheet: str | None = None
    cell: str | None = None
    label: str | None = None
    expected: Any = None
    actual: Any = None
    consequences: tuple[Finding, ...] = ()

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def severity(self) -> str:
        return RULES[self.code].severity

    @property
    def slug(self) -> str:
        return RULES[self.code].slug

    def text(self, lang: str = "zh") -> str:
        return self.message.render(lang)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {"code": self.code, "slug": self.slug, "severity": self.severity, "sheet": self.sheet,
                "cell": self.cell, "label": self.label, "message": self.text(lang),
                "expected": _json_value(self.expected), "actual": _json_value(self.actual),
                "consequences": [c.to_dict(lang) for c in self.consequences]}

    def walk(self) -> Iterator[Finding]:
        """This finding, then its consequences."""
        yield self
        yield from self.consequences


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    return str(value)


def file_finding(rule: str, variant: str = "", expected: Any = None, actual: Any = None, **params: Any) -> Finding:
    """A finding about the whole file (no sheet or cell): F codes, R03."""
    from . import fmt

    params.setdefault("expected", fmt.show(expected))
    params.setdefault("actual", fmt.show(actual))
    message = Message(f"rule.{rule}.{variant}" if variant else f"rule.{rule}", params)
    return Finding(rule, message, expected=_json_value(expected), actual=_json_value(actual))


@dataclass
class ProjectScore:
    sheet: str
    code: str
    name: str
    budget: float | None
    executed: float | None
    score: float | None
    grade: str | None


@dataclass
class FileResult:
    """One file's findings and, when it could be read, what the tracking summary needs."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    department_code: str | None = None
    department_name: str | None = None
    year: int | None = None
    template_version: str | None = None
    total_score: float | None = None
    grade: str | None = None
    projects: list[ProjectScore] = field(default_factory=list)
    readable: bool = False  # a perfxl workbook whose cells were read
    figures: Figures | None = None  # what a round records (validator.figures); None when unreadable
    round_note: Any = None  # perfxl.round.SubmissionNote once a round has recorded the file

    def all_findings(self) -> list[Finding]:
        """Root findings and their consequences, in report order (the counts count roots only)."""
        return [f for root in self.findings for f in root.walk()]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    def passed(self, strict: bool = False) -> bool:
        return self.errors == 0 and not (strict and self.warnings)

    @property
    def department(self) -> dict[str, str] | None:
        if self.department_code is None and self.department_name is None:
            return None
        return {"code": self.department_code or "", "name": self.department_name or ""}

    def to_dict(self, lang: str = "zh", strict: bool = False) -> dict[str, Any]:
        return {"path": shown_path(self.path), "valid": self.passed(strict), "department": self.department,
                "year": self.year, "template_version": self.template_version,
                "total_score": self.total_score, "grade": self.grade,
                "projects": [{"sheet": p.sheet, "code": p.code, "name": p.name, "budget": p.budget,
                              "executed": p.executed, "score": p.score, "grade": p.grade} for p in self.projects],
                "findings": [f.to_dict(lang) for f in self.findings],
                **({"round": _round_dict(self.round_note, lang)} if self.round_note is not None else {})}


def _round_dict(note: Any, lang: str) -> dict[str, Any] | None:
    from ..report.resubmission import note_dict

    return note_dict(note, lang)


@dataclass
class Report:
    files: list[FileResult] = field(default_factory=list)
    batch: list[Finding] = field(default_factory=list)   # not tied to a file: R04 not-returned
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason key): lock files, non-workbooks
    strict: bool = False
    year: int | None = None

    @property
    def passed(self) -> int:
        return sum(1 for f in self.files if f.passed(self.strict))

    @property
    def failed(self) -> int:
        return len(self.files) - self.passed

    @property
    def errors(self) -> int:
        return sum(f.errors for f in self.files) + sum(1 for f in self.batch if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(f.warnings for f in self.files) + sum(1 for f in self.batch if f.severity == WARNING)

    @property
    def ok(self) -> bool:
        """Exit code 0: every file passes (warnings allowed unless strict)."""
        return self.failed == 0

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "summary": {"files": len(self.files), "passed": self.passed, "failed": self.failed,
                        "errors": self.errors, "warnings": self.warnings},
            "files": [f.to_dict(lang, self.strict) for f in self.files],
            "batch": [f.to_dict(lang) for f in self.batch],
            "skipped": [{"path": shown_path(p), "reason": Message(f"skip.{r}").render(lang)} for p, r in self.skipped],
        }
