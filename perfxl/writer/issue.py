"""What the finance office issues into a workbook: names, budget figures, the round's facts."""

from __future__ import annotations

from datetime import date

from ..layout.model import WorkbookLayout
from ..layout.workbook import TEMPLATE_VERSION
from ..roster.model import Department
from ..scheme.model import Scheme
from .record import Meta

FUND_KEYS = ("fiscal", "carryover", "other")


def info_values(year: int, scheme: Scheme, generated: date) -> dict[tuple[str, str], object]:
    return {
        ("info", "year"): f"{year}年度",
        ("info", "template_version"): TEMPLATE_VERSION,
        ("info", "scheme"): f"{scheme.title}（{scheme.name}，{scheme.content_hash}）",
        ("info", "generated"): generated.isoformat(),
    }


def department_values(layout: WorkbookLayout, dept: Department, year: int, scheme: Scheme,
                      generated: date) -> dict[tuple[str, str], object]:
    """Issued values keyed by (sheet code, field key), for a workbook laid out for `dept`."""
    values = info_values(year, scheme, generated)
    values[("dept", "name")] = dept.name
    values[("dept", "funds.basic.initial")] = dept.basic_initial
    values[("dept", "funds.basic.budget")] = dept.basic_budget
    for i, project in enumerate(dept.projects, start=1):
        code = f"p{i}"
        values[(code, "name")] = project.name
        # These cells are locked: a blank in the roster would be a blank the department
        # cannot fill, so it defaults to the department (the usual case for both).
        values[(code, "supervisor")] = project.supervisor or dept.name
        values[(code, "implementer")] = project.implementer or dept.name
        for key, (initial, budget) in zip(FUND_KEYS, project.funds):
            values[(code, f"funds.{key}.initial")] = initial
            values[(code, f"funds.{key}.budget")] = budget
        if project.goal:
            values[(code, "goal.target")] = project.goal
    return values


def department_meta(dept: Department, year: int, scheme: Scheme, generated: date) -> Meta:
    return Meta(year, dept.code, dept.name, scheme.name, scheme.title, scheme.content_hash, generated,
                tuple(p.code for p in dept.projects))


def blank_meta(year: int, scheme: Scheme, generated: date) -> Meta:
    return Meta(year, "", "", scheme.name, scheme.title, scheme.content_hash, generated)
