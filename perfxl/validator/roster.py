"""The file against the finance office's roster (R01–R03 per file; R04 for the batch)."""

from __future__ import annotations

from datetime import date

from ..layout.model import Kind
from ..roster.model import Department, Roster
from ..writer.issue import department_values
from .context import Context
from .integrity import issued_same
from .model import FileResult, Finding, file_finding


def find_department(roster: Roster, result: FileResult) -> Department | None:
    if result.department_code:
        return roster.department(result.department_code)
    name = (result.department_name or "").strip()
    return next((d for d in roster.departments if name and d.name == name), None)


def check_roster(ctx: Context, result: FileResult) -> None:
    roster = ctx.options.roster
    if roster is None:
        return
    dept = find_department(roster, result)
    if dept is None:
        result.findings.append(file_finding("R03", name=result.department_name or "?",
                                            code=result.department_code or "-"))
        return
    theirs = {c for c in ctx.record.project_codes}
    ours = {p.code for p in dept.projects}
    for p in dept.projects:
        if p.code not in theirs:
            result.findings.append(file_finding("R02", "missing", name=p.name, code=p.code))
    names = {code: ctx.value(f"p{i}", "name") for i, code in enumerate(ctx.record.project_codes, start=1)}
    for code in ctx.record.project_codes:
        if code not in ours:
            result.findings.append(file_finding("R02", "extra", name=names.get(code) or "?", code=code))
    if [p.code for p in dept.projects] != ctx.record.project_codes or ctx.record.get("blank") == "1":
        return
    year = ctx.record.year or 0
    issued = department_values(ctx.layout, dept, year, ctx.scheme, date.today())
    for (code, key), want in issued.items():
        if code == "info":
            continue
        f = ctx.layout.sheet(code).get(key)
        if f.kind != Kind.ISSUED:
            continue
        have = _shown(ctx, code, key)
        if not issued_same(have, want):
            ctx.add("R01", sheet=code, key=key, expected=want, actual=have)


def _shown(ctx: Context, code: str, key: str) -> object:
    """What the file shows in an issued cell (a figure typed over after unprotecting too);
    the record's value where the sheet cannot be read."""
    if code not in ctx.sheets:
        return ctx.issued(code, key)
    cell = ctx.cell(code, key)
    return cell.formula if cell.formula else cell.value


def not_returned(roster: Roster, results: list[FileResult]) -> list[Finding]:
    """R04: roster departments with no file in the batch."""
    seen = {r.department_code for r in results if r.department_code}
    seen_names = {r.department_name for r in results if r.department_name and not r.department_code}
    return [file_finding("R04", name=d.name, code=d.code) for d in roster.departments
            if d.code not in seen and d.name not in seen_names]
