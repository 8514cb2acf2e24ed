"""One mistake, one finding (RULES.md): what is a consequence, and what stays a mistake of its own."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from perfxl.generate import department_workbook
from perfxl.report.annotate import annotate_bytes
from perfxl.roster import read_roster
from perfxl.validator.engine import Options, check_file, validate
from tests.fixtures.build import ROSTER_DIR, SCHEME, YEAR, Book

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def book() -> Book:
    return Book(read_roster(ROSTER_DIR).department("101002"))


def _edited(data: bytes, sheet: str, cells: dict[str, object], path: Path) -> Path:
    """The workbook with cells typed over after unprotecting (openpyxl keeps the rest)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(path)
    return path


def _tree(path: Path, roster: bool = False) -> list[tuple]:
    result = check_file(str(path), Options(YEAR, read_roster(ROSTER_DIR) if roster else None))
    return [(f.code, f.cell, tuple(c.code for c in f.consequences)) for f in result.findings]


def test_a_budget_typed_over_zero_does_not_hide_the_spending_it_covers(book, tmp_path) -> None:
    """上年结转 spent 5 from an issued 0 (B03), then 5 typed over the locked budget (S03): two
    mistakes, two roots. The budget rules judge the issued figure, not the typed one."""
    data = book.variant({("p1", "funds.carryover.executed"): 5.0})
    cell = book.ref("p1", "funds.carryover.budget")
    tree = _tree(_edited(data, "项目1", {cell: 5}, tmp_path / "covered.xlsx"), roster=True)
    roots = {code for code, _, _ in tree}
    assert {"B03", "S03"} <= roots
    assert ("S03", cell, ("R01",)) in tree


def test_a_typed_over_total_takes_the_budget_rules_it_trips_with_it(book, tmp_path) -> None:
    """年度资金总额's 全年预算数 formula typed over with 5: S02, and under it B01 and every B02
    that the false total causes (on the project sheet and the department-wide one)."""
    cell = book.ref("p1", "funds.total.budget")
    tree = _tree(_edited(book.render(), "项目1", {cell: 5}, tmp_path / "total.xlsx"))
    assert [(code, at) for code, at, _ in tree] == [("S02", cell)]
    assert sorted(tree[0][2]) == ["B01", "B02", "B02"]


def test_left_out_root_hands_its_place_to_one_consequence() -> None:
    """--select B on a 元 amount a hundredfold over budget: still one counted mistake."""
    path = FIXTURES / "should_fail/V05/hundredfold.xlsx"
    full = validate([path], year=YEAR).files[0]
    only_b = validate([path], year=YEAR, select=["B"]).files[0]
    assert full.errors == 1 and only_b.errors == 1
    (heir,) = only_b.findings
    assert (heir.code, heir.cell) == ("B02", full.findings[0].cell) and len(heir.consequences) == 5


def test_v07_is_for_quantitative_rows(book, tmp_path) -> None:
    """A 定性 row's score never reads its values: a "90%" there is not V07 (its own problems are)."""
    from perfxl.scoring import Percent

    row = book.percent_row()
    data = book.variant({("p1", f"{row}.op"): "定性", ("p1", f"{row}.target"): Percent(0.9),
                         ("p1", f"{row}.actual"): 88, ("p1", f"{row}.qual"): 1.0})
    path = tmp_path / "qualitative.xlsx"
    path.write_bytes(data)
    codes = {c for code, _, more in _tree(path) for c in (code, *more)}
    assert "V07" not in codes and "V04" in codes


def test_annotated_copy_keeps_the_structure_password(book, tmp_path) -> None:
    import re
    import zipfile

    data = department_workbook(book.dept, YEAR, SCHEME, date(2026, 1, 5), password="本局自定",
                               inputs={**book.inputs(), ("p1", "filler"): None})
    path = tmp_path / "protected.xlsx"
    path.write_bytes(data)
    copy = annotate_bytes(check_file(str(path), Options(YEAR)))
    lock = lambda d: re.findall(rb"<workbookProtection[^>]*>", zipfile.ZipFile(io.BytesIO(d)).read("xl/workbook.xml"))  # noqa: E731
    assert lock(copy) == lock(data) and b"workbookPassword" in lock(data)[0]
