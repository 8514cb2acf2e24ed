"""One returned workbook under validation: its cells, its template, and the findings so far.

The rule modules read cells only through a Context, which locates them by the layout
rebuilt from the workbook's own record (so no coordinate is typed here), and add
findings through `add`, which fills in sheet name, A1 cell and the row's label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..i18n import Message
from ..layout.model import Field, Kind, SheetLayout, VType, WorkbookLayout, a1
from ..reader.record import Record
from ..reader.xlsx import EMPTY, Book, Cell, Sheet
from ..roster.model import Roster
from ..scheme.model import Scheme
from . import fmt
from .model import Finding

NUMERIC = (VType.AMOUNT, VType.RATE, VType.SCORE, VType.WEIGHT, VType.INTEGER)


@dataclass
class Options:
    year: int | None = None
    roster: Roster | None = None


@dataclass
class Context:
    path: str
    book: Book
    record: Record
    scheme: Scheme
    layout: WorkbookLayout
    options: Options
    findings: list[Finding] = field(default_factory=list)
    sheets: dict[str, Sheet] = field(default_factory=dict)   # code → sheet whose cells can be read
    unusable: set[str] = field(default_factory=set)          # codes of missing or moved sheets
    renamed: dict[str, str] = field(default_factory=dict)    # code → the name a renamed sheet has in the file
    values: dict[tuple[str, str], object] = field(default_factory=dict)    # the engine's inputs
    computed: dict[tuple[str, str], object] = field(default_factory=dict)  # what every formula should show
    tables: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # code → (scoring.Table, TableResult)
    links: list[tuple[Finding, Finding]] = field(default_factory=list)  # (cause, consequence) across cells

    # --- cells ---------------------------------------------------------------------------
    def sheet_name(self, code: str) -> str:
        """The sheet's name in the file: the template's, or what it was renamed to (S01)."""
        return self.renamed.get(code) or self.layout.sheet(code).name

    def cell(self, code: str, key: str) -> Cell:
        sheet = self.sheets.get(code)
        if sheet is None:
            return EMPTY
        f = self.layout.sheet(code).get(key)
        return sheet.cell(f.row, f.col)

    @cached_property
    def shown(self) -> Any:
        """The sheet as the department sees it once recalculated (see validator.shown)."""
        from .shown import Shown

        return Shown(self)

    def value(self, code: str, key: str) -> Any:
        """An input as typed, or an issued value as recorded; None when blank."""
        v = self.values.get((code, key))
        return None if v == "" else v

    def expected(self, code: str, key: str) -> Any:
        v = self.computed.get((code, key))
        return None if v == "" else v

    def issued(self, code: str, key: str) -> Any:
        sheet_values = self.record.issued.get(code, {})
        if key in sheet_values:
            return sheet_values[key]
        return self.layout.sheet(code).get(key).value

    # --- findings --------------------------------------------------------------------------
    def add(self, rule: str, variant: str = "", sheet: str | None = None, key: str | None = None,
            cell: str | None = None, label: str | None = None, expected: Any = None, actual: Any = None,
            **params: Any) -> Finding | None:
        """A finding at a field (sheet code + key) or at a sheet/cell; params fill the message.
        Returns it (None when its sheet is already reported whole), so a rule can link it."""
        sheet_name = None
        vtype = None
        if sheet is not None:
            if sheet in self.unusable and rule not in ("S01", "S05"):
                return None  # a missing or moved sheet is reported once, not cell by cell
            layout = self.layout.sheet(sheet)
            # Where the department finds the cell; S01 names the sheet the template requires.
            sheet_name = layout.name if rule == "S01" else self.sheet_name(sheet)
            if key is not None:
                f = layout.get(key)
                vtype = f.vtype
                cell = cell or a1(f.row, f.col)
                label = label or self.label(layout, f)
        for name, value in (("expected", expected), ("actual", actual)):
            if f"{name}_text" in params:  # the message shows other text than the JSON value
                params[name] = params.pop(f"{name}_text")
            elif name not in params:
                params[name] = fmt.by_type(value, vtype) if vtype and not isinstance(value, str) else fmt.show(value)
        params.setdefault("label", label or "")
        message = Message(f"rule.{rule}.{variant}" if variant else f"rule.{rule}", params)
        found = Finding(rule, message, sheet_name, cell, label, _plain(expected), _plain(actual))
        self.findings.append(found)
        return found

    def link(self, cause: Finding | None, consequence: Finding | None) -> None:
        """`consequence` follows from `cause` (one mistake, one finding: see validator.consequences)."""
        if cause is not None and consequence is not None and cause is not consequence:
            self.links.append((cause, consequence))

    def label(self, sheet: SheetLayout, f: Field) -> str:
        """What users call the cell: an indicator row by its name when it has one."""
        if f.key.startswith("ind."):
            index = f.key.split(".")[1]
            name = self.value(sheet.code, f"ind.{index}.name")
            if isinstance(name, str) and name.strip():
                column = f.label.rpartition(" · ")[2]
                return f"{name.strip()} · {column}"
        return f.label

    def fields(self, code: str, kind: Kind | None = None) -> list[Field]:
        return [f for f in self.layout.sheet(code).fields if kind is None or f.kind == kind]

    @property
    def project_sheets(self) -> list[SheetLayout]:
        return [s for s in self.layout.sheets if s.role == "project"]

    @property
    def table_sheets(self) -> list[SheetLayout]:
        return [s for s in self.layout.sheets if s.role in ("department", "project")]


def _plain(value: Any) -> Any:
    """Expected/actual as JSON-friendly scalars."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
