"""What changed between a department's previous submission and this one.

Inputs are compared cell by cell (what the department typed, old → new); findings by rule,
sheet, cell and field, so a finding that moved to another cell counts as fixed there and
new here — which is what the department did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..validator.figures import Figures
from ..validator.model import Finding

__all__ = ["Change", "Edit", "Issue", "SubmissionNote", "compare"]

# Findings about the batch a file came in, not about what the department typed: F09 (another
# file of the department in the same batch) says nothing about whether this send fixed anything.
BATCH_CODES = frozenset({"F09"})


@dataclass(frozen=True)
class Edit:
    cell: str                      # "sheet!A1"
    old: float | str | None
    new: float | str | None


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str
    sheet: str | None
    cell: str | None
    message_zh: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh


@dataclass(frozen=True)
class Change:
    edits: tuple[Edit, ...]
    fixed: tuple[Issue, ...]
    new: tuple[Issue, ...]
    still_open: tuple[Issue, ...]

    @property
    def unchanged_inputs(self) -> bool:
        return not self.edits


@dataclass(frozen=True)
class SubmissionNote:
    """What the round made of one file: a new submission (its number, and what changed since
    the department's previous one), or a copy of a submission already recorded."""

    number: int | None = None       # this file's submission number for its department
    same_as: int | None = None      # byte-identical to that submission: nothing recorded
    latest: int | None = None       # the department's latest submission (when same_as is older)
    previous: int | None = None     # the submission `change` compares with
    change: Change | None = None


def _key(issue: Issue, label: str | None) -> tuple:
    return (issue.code, issue.sheet, issue.cell, label)


def compare(previous: tuple[Sequence[tuple], Figures | None],
            current: tuple[Sequence[Finding], Figures | None]) -> Change:
    """`previous`: stored root findings (code, severity, sheet, cell, label, zh, en) and figures;
    `current`: this file's root findings and figures."""
    old_rows, old_figures = previous
    new_findings, new_figures = current
    old = {_key(Issue(c, s, sh, ce, zh, en), lb): Issue(c, s, sh, ce, zh, en) for c, s, sh, ce, lb, zh, en in old_rows
           if c not in BATCH_CODES}
    new = {}
    for f in new_findings:
        if f.code in BATCH_CODES:
            continue
        issue = Issue(f.code, f.severity, f.sheet, f.cell, f.text("zh"), f.text("en"))
        new.setdefault(_key(issue, f.label), issue)
    return Change(
        edits=_edits(old_figures, new_figures),
        fixed=tuple(issue for key, issue in old.items() if key not in new),
        new=tuple(issue for key, issue in new.items() if key not in old),
        still_open=tuple(issue for key, issue in new.items() if key in old),
    )


def _edits(old: Figures | None, new: Figures | None) -> tuple[Edit, ...]:
    before = old.inputs if old is not None else {}
    after = new.inputs if new is not None else {}
    cells = list(before) + [c for c in after if c not in before]
    return tuple(Edit(c, before.get(c), after.get(c)) for c in cells if before.get(c) != after.get(c))
