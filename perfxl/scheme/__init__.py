"""Schemes: the TOML files that hold every weight, band, threshold and label."""

from .loader import available_schemes, load_scheme, parse_scheme, resolve, schemes_dir
from .model import (
    Category,
    ConsolidationSettings,
    Detail,
    Execution,
    Grade,
    Level,
    QualitativeLevel,
    Question,
    QuestionGroup,
    Scheme,
    Step,
)

__all__ = [
    "Category", "ConsolidationSettings", "Detail", "Execution", "Grade", "Level", "QualitativeLevel", "Question", "QuestionGroup",
    "Scheme", "Step", "available_schemes", "load_scheme", "parse_scheme", "resolve", "schemes_dir",
]
