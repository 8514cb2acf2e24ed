"""Comparing what LibreOffice computed with what the engine says, formula cell by formula cell."""

from __future__ import annotations

from typing import Any, Mapping

from perfxl.layout.model import Kind, VType, WorkbookLayout

TOLERANCE = {VType.RATE: 1e-9}
DEFAULT_TOLERANCE = 0.005  # SCORING.md: compare with a tolerance of 0.005


def same(expected: object, actual: object, vtype: VType) -> bool:
    if expected in ("", None):
        return actual in ("", None)
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return False
        return abs(float(expected) - float(actual)) <= TOLERANCE.get(vtype, DEFAULT_TOLERANCE)
    return str(expected) == str(actual)


def disagreements(layout: WorkbookLayout, expected: Mapping[tuple[str, str], object], values_wb: Any,
                  label: str = "") -> tuple[list[str], int]:
    """(messages, cells compared) for every formula field; `values_wb` is openpyxl with data_only=True."""
    problems: list[str] = []
    compared = 0
    for sheet in layout.sheets:
        ws = values_wb[sheet.name]
        for f in sheet.fields:
            if f.kind != Kind.FORMULA:
                continue
            want = expected[(sheet.code, f.key)]
            got = ws.cell(row=f.row + 1, column=f.col + 1).value
            compared += 1
            if not same(want, got, f.vtype):
                problems.append(f"{label}{sheet.name}!{f.ref} {f.key}: engine {want!r}, LibreOffice {got!r}")
    return problems, compared
