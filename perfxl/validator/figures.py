"""The figures a checked workbook states, in one neutral form the round keeps.

Consolidation and the resubmission diff read these from the round's database, never the
files again. Every figure is the scoring engine's (what the locked formulas must show),
and every input is as typed; both come from the validator's context, so nothing here
parses a cell.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..layout.model import Kind
from ..scoring import TOLERANCE

if TYPE_CHECKING:
    from .context import Context

__all__ = ["IndicatorFigures", "TableFigures", "Figures", "extract"]


@dataclass(frozen=True)
class IndicatorFigures:
    """One filled indicator row (blank rows are not kept)."""

    level: str
    category: str
    name: str
    op: str | None
    target: float | str | None
    unit: str | None
    actual: float | str | None
    weight: float | None
    score: float | None
    reason: str | None

    @property
    def met(self) -> bool | None:
        """Full marks (within the rounding tolerance) means met; None when it cannot be scored."""
        if self.weight is None or self.score is None:
            return None
        return self.score >= self.weight - TOLERANCE


@dataclass(frozen=True)
class TableFigures:
    """One F1 (a project) or F2 (the department) table: funds, execution and scores."""

    code: str
    name: str
    initial: float | None
    budget: float | None
    executed: float | None
    rate: float | None
    execution_score: float | None
    score: float | None
    grade: str | None
    execution_reason: str | None = None
    indicators: tuple[IndicatorFigures, ...] = ()


@dataclass(frozen=True)
class Figures:
    """A submission's figures: the department table and each project table, in sheet order."""

    department: TableFigures
    projects: tuple[TableFigures, ...] = field(default_factory=tuple)
    inputs: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figures:
        def table(d: dict[str, Any]) -> TableFigures:
            return TableFigures(**{**d, "indicators": tuple(IndicatorFigures(**i) for i in d.get("indicators", ()))})

        return cls(table(data["department"]), tuple(table(p) for p in data.get("projects", ())),
                   dict(data.get("inputs", {})))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _plain(value: object) -> float | str | None:
    """A typed value kept as a number or text (a date or other object as its text)."""
    if value is None or value == "":
        return None
    number = _number(value)
    if number is not None:
        return number
    return str(value)


def _text(value: object) -> str | None:
    plain = _plain(value)
    if plain is None:
        return None
    if isinstance(plain, float) and plain.is_integer():
        return str(int(plain))
    return str(plain)


def _table(ctx: Context, code: str, sheet_code: str) -> TableFigures:
    sheet = ctx.layout.sheet(sheet_code)
    indicators = []
    for row in sheet.indicator_rows:
        prefix = f"ind.{row.index}"
        name = _text(ctx.value(sheet_code, f"{prefix}.name"))
        if name is None:
            continue
        indicators.append(IndicatorFigures(
            level=row.level, category=row.category, name=name,
            op=_text(ctx.value(sheet_code, f"{prefix}.op")),
            target=_plain(ctx.value(sheet_code, f"{prefix}.target")),
            unit=_text(ctx.value(sheet_code, f"{prefix}.unit")),
            actual=_plain(ctx.value(sheet_code, f"{prefix}.actual")),
            weight=_number(ctx.value(sheet_code, f"{prefix}.weight")),
            score=_number(ctx.expected(sheet_code, f"{prefix}.score")),
            reason=_text(ctx.value(sheet_code, f"{prefix}.reason")),
        ))
    grade = ctx.expected(sheet_code, "grade")
    return TableFigures(
        code=code, name=_text(ctx.value(sheet_code, "name")) or "",
        initial=_number(ctx.expected(sheet_code, "funds.total.initial")),
        budget=_number(ctx.expected(sheet_code, "funds.total.budget")),
        executed=_number(ctx.expected(sheet_code, "funds.total.executed")),
        rate=_number(ctx.expected(sheet_code, "funds.total.rate")),
        execution_score=_number(ctx.expected(sheet_code, "funds.total.score")),
        score=_number(ctx.expected(sheet_code, "total.score")),
        grade=grade if isinstance(grade, str) and grade else None,
        execution_reason=_text(ctx.value(sheet_code, "funds.reason")),
        indicators=tuple(indicators),
    )


def extract(ctx: Context) -> Figures:
    """The figures of a readable workbook; `inputs` holds every typed input by sheet and field key,
    so a resubmission can be compared with the one before it."""
    codes = ctx.record.project_codes
    projects = tuple(_table(ctx, codes[i] if i < len(codes) else "", sheet.code)
                     for i, sheet in enumerate(ctx.project_sheets))
    department = _table(ctx, ctx.record.get("department_code"), "dept")
    inputs: dict[str, Any] = {}
    for sheet in ctx.layout.sheets:
        for f in sheet.fields:
            if f.kind == Kind.INPUT:
                value = _plain(ctx.value(sheet.code, f.key))
                if value is not None:
                    inputs[f"{sheet.name}!{f.ref}"] = value
    return Figures(department, projects, inputs)
