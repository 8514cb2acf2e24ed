"""The shared description of a workbook: where every field, label and formula lives.

The writer renders it; the validator reads returned files through it (and through the
template record the writer stores from it). Rows and columns are 0-based here and
become A1 references only through `a1()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any


class Kind(str, Enum):
    INPUT = "input"      # typed by the department: unlocked
    ISSUED = "issued"    # written by the finance office (roster, scheme): locked
    FORMULA = "formula"  # computed: locked, recorded with its exact formula


class VType(str, Enum):
    AMOUNT = "amount"      # 万元, 2 decimals
    RATE = "rate"          # a fraction shown as a percentage
    SCORE = "score"
    WEIGHT = "weight"
    NUMBER = "number"      # an indicator's target or actual: number, or text for 定性
    INTEGER = "integer"
    TEXT = "text"
    LONGTEXT = "longtext"
    CHOICE = "choice"
    DATE = "date"
    FLAG = "flag"          # hidden live-check counter


@lru_cache(maxsize=16384)
def col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=65536)
def a1(row: int, col: int, absolute: bool = False) -> str:
    if absolute:
        return f"${col_letter(col)}${row + 1}"
    return f"{col_letter(col)}{row + 1}"


def a1_range(row: int, col: int, last_row: int, last_col: int) -> str:
    start, end = a1(row, col), a1(last_row, last_col)
    return start if start == end else f"{start}:{end}"


def quote_sheet(name: str) -> str:
    """A sheet name as formulas write it: always quoted, so CJK names and digits are safe."""
    return "'" + name.replace("'", "''") + "'"


@dataclass(frozen=True)
class Field:
    """One cell the department fills in, the office issues, or a formula computes."""

    key: str              # stable within its sheet, e.g. "funds.total.budget", "ind.3.weight"
    row: int
    col: int
    kind: Kind
    vtype: VType
    label: str            # what users call it, e.g. "年度资金总额 · 全年执行数"
    formula: str | None = None
    value: object = None  # issued constant known at layout time (e.g. the scheme's weight)
    choices: str | None = None   # name of a choice list (Layout.lists)
    required: bool = False
    last_row: int | None = None  # merged area, when the cell spans several
    last_col: int | None = None
    name: str | None = None      # defined-name suffix, when the field gets one
    align: str | None = None     # writer hint: "left" | "center" | "right"

    @property
    def ref(self) -> str:
        return a1(self.row, self.col)

    @property
    def merged(self) -> bool:
        return (self.last_row is not None and self.last_row != self.row) or (
            self.last_col is not None and self.last_col != self.col)


@dataclass(frozen=True)
class Label:
    """Static text of the printed form. `text` may hold {year}, {department} placeholders."""

    row: int
    col: int
    text: str
    style: str = "label"
    last_row: int | None = None
    last_col: int | None = None
    link: str | None = None  # internal hyperlink target, e.g. "'项目1'!A1"


@dataclass(frozen=True)
class Validation:
    """A data-validation rule over one or more ranges (relative refs follow the first cell)."""

    ranges: tuple[str, ...]
    kind: str                 # "list" | "decimal" | "integer" | "custom" | "date"
    source: str | None = None  # list literal name (Layout.lists) or a formula
    minimum: float | None = None
    maximum: float | None = None
    error_type: str = "stop"   # "stop" | "warning" | "information"
    show_error: bool = True
    prompt_title: str = ""
    prompt: str = ""
    error_title: str = ""
    error: str = ""


@dataclass(frozen=True)
class Highlight:
    """Conditional formatting: mark `ranges` while `formula` (relative to the first cell) holds."""

    ranges: tuple[str, ...]
    formula: str
    style: str  # "error" | "warning" | "muted"


@dataclass
class SheetLayout:
    name: str
    role: str              # "instructions" | "basic" | "department" | "project" | "summary"
    code: str              # short id used in defined names and the record: "info", "basic", "dept", "p1" …
    title: str = ""
    fields: list[Field] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    hidden_cols: tuple[int, ...] = ()
    validations: list[Validation] = field(default_factory=list)
    highlights: list[Highlight] = field(default_factory=list)
    print_cols: int = 0          # columns printed (A .. print_cols-1)
    repeat_rows: tuple[int, int] | None = None
    keep_rows: list[tuple[int, int]] = field(default_factory=list)  # row ranges printed on one page
    landscape: bool = True
    ranges: dict[str, str] = field(default_factory=dict)  # defined-name suffix → range on this sheet
    indicator_rows: list[Any] = field(default_factory=list)  # table.IndicatorRow, in form order
    funds_rows: list[Any] = field(default_factory=list)      # table.FundsRow, total first
    # Required inputs as (field key, key of the amount that must be > 0 for it to be required, or None).
    requirements: list[tuple[str, str | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_key: dict[str, Field] = {}

    def add(self, f: Field) -> Field:
        if f.key in self._by_key:
            raise ValueError(f"{self.name}: field {f.key} defined twice")
        self._by_key[f.key] = f
        self.fields.append(f)
        return f

    def get(self, key: str) -> Field:
        return self._by_key[key]

    def has(self, key: str) -> bool:
        return key in self._by_key

    def ref(self, key: str, absolute: bool = False, external: bool = False) -> str:
        f = self._by_key[key]
        cell = a1(f.row, f.col, absolute)
        return f"{quote_sheet(self.name)}!{cell}" if external else cell

    @property
    def last_row(self) -> int:
        rows = [f.last_row or f.row for f in self.fields] + [lb.last_row or lb.row for lb in self.labels]
        return max(rows, default=0)


@dataclass
class WorkbookLayout:
    """Every sheet of one workbook shape (scheme × number of projects × blank or issued)."""

    scheme_name: str
    scheme_hash: str
    projects: int
    blank: bool
    sheets: list[SheetLayout]
    lists: dict[str, tuple[str, ...]]
    digest: str = ""  # hash of every placed field (see workbook.layout_digest)
    version: str = ""  # the template version these cells belong to (workbook.LAYOUT_VERSIONS)

    def sheet(self, code: str) -> SheetLayout:
        for sheet in self.sheets:
            if sheet.code == code:
                return sheet
        raise KeyError(code)
