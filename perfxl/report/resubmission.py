"""What a round says of one file, in words: its submission number, or the earlier submission
it copies, and what changed since the department's previous one. One home for the text
report, the HTML report, the JSON and the annotated copy's result sheet."""

from __future__ import annotations

from typing import Any

from ..i18n import register, text
from ..round.changes import Edit, Issue, SubmissionNote

__all__ = ["note_lines", "note_dict", "EDITS_SHOWN"]

EDITS_SHOWN = 10  # input changes listed; the rest counted

register({
    "resub.first": ("本轮第 1 次提交。", "First submission in this round."),
    "resub.unidentified": ("已记录；无法识别所属部门。", "Recorded; its department cannot be told."),
    "resub.number": ("本轮第 {number} 次提交（与第 {previous} 次相比）：已改正 {fixed} 个问题，新出现 {new} 个，"
                     "仍未改正 {open} 个；改动了 {edits} 处填写。",
                     "Submission {number} in this round (against no. {previous}): {fixed} problems fixed, "
                     "{new} new, {open} still open; {edits} entries changed."),
    "resub.same": ("与第 {number} 次提交相同，未修改：未作为新提交记录。",
                   "Identical to submission {number}, unchanged: not recorded as a new submission."),
    "resub.same_old": ("与第 {number} 次提交相同（该部门已有更新的第 {latest} 次提交）：未作为新提交记录。",
                       "Identical to submission {number} (the department has since sent no. {latest}): not "
                       "recorded as a new submission."),
    "resub.fixed": ("已改正", "fixed"),
    "resub.new": ("新出现", "new"),
    "resub.open": ("仍未改正", "still open"),
    "resub.edit": ("改动 {cell}：{old} → {new}", "changed {cell}: {old} → {new}"),
    "resub.more_edits": ("另有 {count} 处改动未列出。", "{count} more changes not listed."),
    "resub.blank": ("（空）", "(blank)"),
})


def _value(value: float | str | None, lang: str) -> str:
    if value is None:
        return text("resub.blank", lang)
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def _issue_line(kind: str, issue: Issue, lang: str) -> str:
    where = f"{issue.sheet}!{issue.cell}" if issue.sheet and issue.cell else issue.sheet or ""
    return f"{text(f'resub.{kind}', lang)} {issue.code} {where} — {issue.message(lang)}".replace("  ", " ")


def _edit_line(edit: Edit, lang: str) -> str:
    return text("resub.edit", lang, cell=edit.cell, old=_value(edit.old, lang), new=_value(edit.new, lang))


def note_lines(note: SubmissionNote | None, lang: str = "zh") -> list[str]:
    """The note as lines: a headline, then fixed / new / still-open findings and the edits."""
    if note is None:
        return []
    if note.same_as is not None:
        if note.latest is not None:
            return [text("resub.same_old", lang, number=note.same_as, latest=note.latest)]
        return [text("resub.same", lang, number=note.same_as)]
    if note.number is None:
        return [text("resub.unidentified", lang)]
    change = note.change
    if change is None or note.previous is None:
        return [text("resub.first", lang)]
    lines = [text("resub.number", lang, number=note.number, previous=note.previous, fixed=len(change.fixed),
                  new=len(change.new), open=len(change.still_open), edits=len(change.edits))]
    lines += [_issue_line("fixed", i, lang) for i in change.fixed]
    lines += [_issue_line("new", i, lang) for i in change.new]
    lines += [_issue_line("open", i, lang) for i in change.still_open]
    lines += [_edit_line(e, lang) for e in change.edits[:EDITS_SHOWN]]
    if len(change.edits) > EDITS_SHOWN:
        lines.append(text("resub.more_edits", lang, count=len(change.edits) - EDITS_SHOWN))
    return lines


def _issue_dict(issue: Issue, lang: str) -> dict[str, Any]:
    return {"code": issue.code, "severity": issue.severity, "sheet": issue.sheet, "cell": issue.cell,
            "message": issue.message(lang)}


def note_dict(note: SubmissionNote | None, lang: str = "zh") -> dict[str, Any] | None:
    """The note in the JSON report's `round` member."""
    if note is None:
        return None
    change = note.change
    return {
        "number": note.number, "same_as": note.same_as, "latest": note.latest, "previous": note.previous,
        "fixed": [_issue_dict(i, lang) for i in change.fixed] if change else [],
        "new": [_issue_dict(i, lang) for i in change.new] if change else [],
        "still_open": [_issue_dict(i, lang) for i in change.still_open] if change else [],
        "edits": [{"cell": e.cell, "old": e.old, "new": e.new} for e in change.edits] if change else [],
        "summary": note_lines(note, lang)[0],
    }
