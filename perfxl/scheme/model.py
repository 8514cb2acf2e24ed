"""Frozen dataclasses for a scoring scheme: what the TOML file says, checked and typed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Category:
    """A 二级 category: its label and how many indicator rows the form pre-makes."""

    name: str
    name_en: str
    rows: int
    money_only: bool = False


@dataclass(frozen=True)
class Level:
    """A 一级 level with its weight and 二级 categories."""

    name: str
    name_en: str
    weight: float
    categories: tuple[Category, ...]
    optional: bool = False
    fallback: str | None = None


@dataclass(frozen=True)
class Step:
    min_rate: float
    score: float


@dataclass(frozen=True)
class Execution:
    weight: float
    method: str  # "linear" | "steps"
    full_rate: float
    reason_below: float
    reason_above: float
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class QualitativeLevel:
    """A 定性 level: the score must lie in [min × w, max × w), the top level inclusive."""

    name: str
    name_en: str
    min: float
    max: float


@dataclass(frozen=True)
class Grade:
    name: str
    min: float


@dataclass(frozen=True)
class Detail:
    """An input that goes with a yes/no answer (追加金额, 公开时间 …)."""

    key: str
    label: str
    type: str  # "amount" | "date" | "text" | "choice"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    detail: tuple[Detail, ...] = ()
    detail_when: str = "是"
    check: str | None = None  # "overstaffing": 是 exactly when 实有人数 > 编制人数


@dataclass(frozen=True)
class QuestionGroup:
    name: str
    questions: tuple[Question, ...]


DEFAULT_RATE_BANDS = (1.0, 0.9, 0.8, 0.6)


def lower_grades(grades: tuple[Grade, ...]) -> tuple[str, ...]:
    """The lower half of the grades (中 and 差 of 优/良/中/差): those a consolidation lists for 整改
    unless the scheme names them."""
    return tuple(g.name for g in grades[(len(grades) + 1) // 2:])


@dataclass(frozen=True)
class ConsolidationSettings:
    """How the office's consolidated result groups the round's figures ([consolidation]).

    No workbook depends on it: it is left out of the scheme's content hash, and out of the
    recorded scheme while it is the default, so issued workbooks are the same with or without it.
    """

    rate_bands: tuple[float, ...] = DEFAULT_RATE_BANDS  # band edges, highest first: ≥1.0, [0.9, 1.0) …, <0.6
    rectify_grades: tuple[str, ...] = ()  # project grades listed for 整改 (the loader fills in the default)


@dataclass(frozen=True)
class Scheme:
    name: str
    title: str
    title_en: str
    execution: Execution
    levels: tuple[Level, ...]
    reverse_method: str  # "linear" | "ratio"
    overshoot: float
    units: tuple[str, ...]
    money_units: tuple[str, ...]
    qualitative: tuple[QualitativeLevel, ...]
    grades: tuple[Grade, ...]
    unit_magnitude_factor: float
    question_groups: tuple[QuestionGroup, ...]
    consolidation: ConsolidationSettings
    source: str = ""
    content_hash: str = field(default="", compare=False)
    data_json: str = field(default="", compare=False, repr=False)  # the parsed TOML as JSON, for the record

    @property
    def total_weight(self) -> float:
        return self.execution.weight + sum(level.weight for level in self.levels)

    def level(self, name: str) -> Level:
        for level in self.levels:
            if level.name == name:
                return level
        raise KeyError(name)
