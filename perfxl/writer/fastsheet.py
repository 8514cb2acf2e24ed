"""An xlsxwriter worksheet that skips the future-function rewriting of formulas.

xlsxwriter scans every formula with ~70 regular expressions to add `_xlfn.` prefixes to
functions newer than Excel 2007. Our formulas are long and numerous (~600 a workbook,
plus conditional formats), and that scan was 75% of the time to write a workbook. They
use only classic functions (tests/unit/test_formulas.py checks the list), so the scan
can go; everything else about the worksheet is stock xlsxwriter.
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

CLASSIC_FUNCTIONS = frozenset({
    "ABS", "AND", "CELL", "COUNT", "COUNTA", "IF", "ISNUMBER", "LEFT", "MAX", "MIN", "NOT", "OR", "ROUND", "SUM",
    "TRIM",
})


class FastWorksheet(Worksheet):
    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        if formula.endswith("}"):
            formula = formula[:-1]
        return formula
