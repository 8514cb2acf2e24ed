"""The reference workbooks the golden test compares against, and how to rebuild them.

    python tests/golden/golden.py   # after an intended change to the form; review the diff
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from perfxl.generate import blank_workbook, department_workbook  # noqa: E402
from perfxl.roster import read_roster  # noqa: E402
from perfxl.scheme import load_scheme  # noqa: E402

GENERATED = date(2026, 1, 5)


def _issued(code: str, scheme: str) -> bytes:
    """A roster-issued workbook of an example department: issued figures, project codes, goals."""
    dept = read_roster(HERE.parents[1] / "examples" / "roster.xlsx").department(code)
    return department_workbook(dept, 2025, load_scheme(scheme), GENERATED)


# Three shapes: blank (names and budgets typed), issued from the roster, and another scheme.
CASES = {
    "blank_1_project_national.xlsx": lambda: blank_workbook(1, 2025, load_scheme("national"), GENERATED),
    "issued_101002_national.xlsx": lambda: _issued("101002", "national"),
    "issued_101004_province-example.xlsx": lambda: _issued("101004", "province-example"),
}

if __name__ == "__main__":
    for name, make in CASES.items():
        (HERE / name).write_bytes(make())
        print("wrote", HERE / name)
