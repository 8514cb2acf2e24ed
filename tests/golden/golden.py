"""The reference workbooks the golden test compares against, and how to rebuild them.

    python tests/golden/golden.py   # after an intended change to the form; review the diff
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from perfxl.generate import blank_workbook  # noqa: E402
from perfxl.scheme import load_scheme  # noqa: E402

CASES = {
    "blank_1_project_national.xlsx": lambda: blank_workbook(1, 2025, load_scheme("national"), date(2026, 1, 5)),
}

if __name__ == "__main__":
    for name, make in CASES.items():
        (HERE / name).write_bytes(make())
        print("wrote", HERE / name)
