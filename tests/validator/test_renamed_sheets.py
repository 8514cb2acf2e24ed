"""A renamed tab is one S01 (old and new name), and the sheet is still checked like any other.

Renaming 项目1 to the project's name is the most common change departments make. The
structure is locked in Excel and WPS, but LibreOffice 7.4 ignores that lock on .xlsx, and
a user may unprotect the structure. Before, a rename cost S01 plus an S02 for every
formula that refers to the sheet (the client rewrote them), a T04, and a B04/D05 from the
sheet's unread figures; the sheet's real mistakes went unreported.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from perfxl.generate import blank_workbook, department_workbook
from perfxl.layout import build_layout
from perfxl.layout.model import WorkbookLayout
from perfxl.roster import read_roster
from perfxl.roster.model import Department
from perfxl.samples import realistic_inputs
from perfxl.scheme import load_scheme
from perfxl.validator.context import Options
from perfxl.validator.engine import check_file
from perfxl.validator.model import FileResult
from perfxl.writer import department_values

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2025
GENERATED = date(2026, 1, 5)
SCHEME = load_scheme("national")
CASCADE = {"S02", "T04", "B04", "D05"}


def _department() -> tuple[Department, WorkbookLayout, dict[tuple[str, str], object]]:
    dept = read_roster([ROOT / "examples" / "roster.xlsx"]).department("101004")
    layout = build_layout(SCHEME, len(dept.projects), goals_issued=tuple(bool(p.goal) for p in dept.projects))
    inputs = realistic_inputs(layout, SCHEME, 7, budgets=department_values(layout, dept, YEAR, SCHEME, GENERATED))
    return dept, layout, inputs


def _with_mistakes(dept: Department, layout: WorkbookLayout, inputs: dict[tuple[str, str], object],
                   code: str) -> bytes:
    """The clean return with two real mistakes on sheet `code`: "98 分" typed as an actual value, 实际完成情况 blank."""
    row = next(r for r in layout.sheet(code).indicator_rows
               if isinstance(inputs.get((code, f"ind.{r.index}.actual")), (int, float)))  # a quantitative row
    mistaken = {**inputs, (code, f"ind.{row.index}.actual"): "98 分", (code, "goal.actual"): None}
    return department_workbook(dept, YEAR, SCHEME, GENERATED, inputs=mistaken)


def _where(result: FileResult, renames: dict[str, str] | None = None) -> Counter[tuple[str, str | None, str | None]]:
    renames = renames or {}
    return Counter((f.code, renames.get(f.sheet or "", f.sheet), f.cell) for f in result.findings if f.code != "S01")


def _openpyxl_rename(data: bytes, renames: dict[str, str]) -> bytes:
    """openpyxl renames a sheet without touching the defined names or other sheets' formulas."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for old, new in renames.items():
        wb[old].title = new
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- renamed by LibreOffice (names and formulas follow the sheet) --------------------------------


@pytest.fixture(scope="module")
def lo_renamed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from tests.clients.uno import run_uno, uno_available

    if not uno_available():
        pytest.fail("python3-uno is needed for the UNO tests (install python3-uno)")
    dept, layout, inputs = _department()
    p1 = layout.sheet("p1")
    new = dept.projects[0].name  # what departments rename the tab to
    tmp = tmp_path_factory.mktemp("renamed")
    source = tmp / "issued.xlsx"
    source.write_bytes(_with_mistakes(dept, layout, inputs, "p1"))
    saved = tmp / "renamed.xlsx"
    total = p1.get("total.score").ref
    result = run_uno(source, saved, [
        {"op": "unprotect_structure"},        # a no-op in LibreOffice 7.4, which ignores the lock on .xlsx
        {"op": "rename", "sheet": p1.name, "name": new},
        {"op": "unprotect", "sheet": new},    # and one formula typed over on the renamed sheet
        {"op": "set", "sheet": new, "cell": total, "value": 100},
        {"op": "protect", "sheet": new},
    ], timeout=300)
    return {"layout": layout, "old": p1.name, "new": new, "total": total, "source": source, "saved": saved,
            "uno": result}


@pytest.mark.libreoffice
def test_libreoffice_moved_names_and_formulas_with_the_sheet(lo_renamed) -> None:
    """The premise: the client rewrote what refers to the sheet (so a plain text comparison saw S02)."""
    old, new = lo_renamed["old"], lo_renamed["new"]
    unprotect, rename = lo_renamed["uno"]["actions"][:2]
    # Measured on LibreOffice 7.4 (docs/finance-office-guide.md): the structure lock of an .xlsx is
    # not loaded (nothing to unprotect) and not written back, so LibreOffice users can rename.
    assert unprotect["protected"] is False and not unprotect["changed"]
    assert rename["changed"] and rename["name"] == new
    with zipfile.ZipFile(lo_renamed["saved"]) as zf:
        assert b"lockStructure" not in zf.read("xl/workbook.xml")
    with zipfile.ZipFile(lo_renamed["source"]) as zf:
        assert b'lockStructure="1"' in zf.read("xl/workbook.xml")
    wb = openpyxl.load_workbook(lo_renamed["saved"])
    assert new in wb.sheetnames and old not in wb.sheetnames
    targets = [str(dn.attr_text) for name, dn in wb.defined_names.items() if name.startswith("perfxl.p1.")]
    assert targets and all(t.startswith((f"{new}!", f"'{new}'!")) for t in targets), targets[:3]
    summary = wb[lo_renamed["layout"].sheet("summary").name]
    assert new in str(summary[lo_renamed["layout"].sheet("summary").get("p1.score").ref].value)


@pytest.mark.libreoffice
def test_renamed_sheet_is_one_s01_and_checked_normally(lo_renamed) -> None:
    old, new, total = lo_renamed["old"], lo_renamed["new"], lo_renamed["total"]
    result = check_file(str(lo_renamed["saved"]), Options(year=YEAR))
    s01 = [f for f in result.findings if f.code == "S01"]
    assert len(s01) == 1 and s01[0].sheet == old
    assert old in s01[0].text("zh") and new in s01[0].text("zh") and "改名" in s01[0].text("zh")
    assert old in s01[0].text("en") and new in s01[0].text("en")
    codes = Counter(f.code for f in result.findings)
    # No cascade: the one S02 is the formula really typed over on the renamed sheet.
    assert [(f.sheet, f.cell) for f in result.findings if f.code in CASCADE] == [(new, total)], codes
    # Its real mistakes are found, at the sheet's name in the file.
    found = _where(result)
    layout = lo_renamed["layout"]
    assert found[("B06", new, layout.sheet("p1").get("goal.actual").ref)] == 1
    assert any(code == "V02" and sheet == new for code, sheet, _ in found)
    # Everything else is what the same workbook gives unrenamed: nothing lost, nothing added.
    original = check_file(str(lo_renamed["source"]), Options(year=YEAR))
    assert _where(original) == Counter(
        {k: n for k, n in _where(result, {new: old}).items() if k[2] != total or k[0] not in ("S02", "T01")})


# --- renamed by a client that leaves names and formulas behind (openpyxl) --------------------------


def test_sheet_renamed_without_its_names_is_found_by_its_project_name(tmp_path: Path) -> None:
    dept, layout, inputs = _department()
    p2 = layout.sheet("p2")
    source = _with_mistakes(dept, layout, inputs, "p2")
    (tmp_path / "issued.xlsx").write_bytes(source)
    # Swapped positions would fool an order-only match: rename 项目1 and 项目2 to each other's project.
    renames = {layout.sheet("p1").name: dept.projects[1].name, p2.name: dept.projects[0].name}
    (tmp_path / "renamed.xlsx").write_bytes(_openpyxl_rename(source, renames))
    result = check_file(str(tmp_path / "renamed.xlsx"), Options(year=YEAR))
    s01 = sorted((f.sheet, f.text("zh")) for f in result.findings if f.code == "S01")
    assert [s for s, _ in s01] == [layout.sheet("p1").name, p2.name]
    assert all(renames[old] in text for old, text in s01)
    assert not [f for f in result.findings if f.code in CASCADE]
    original = check_file(str(tmp_path / "issued.xlsx"), Options(year=YEAR))
    assert _where(original) == _where(result, {new: old for old, new in renames.items()})
    assert any(f.code == "V02" and f.sheet == renames[p2.name] for f in result.findings)


def test_blank_template_sheets_renamed_are_paired_in_order(tmp_path: Path) -> None:
    """Project sheets of a blank template differ in nothing issued: the workbook order tells them apart."""
    path = tmp_path / "blank.xlsx"
    path.write_bytes(_openpyxl_rename(blank_workbook(2, YEAR, SCHEME, GENERATED), {"项目1": "甲项目", "项目2": "乙项目"}))
    result = check_file(str(path), Options(year=YEAR))
    s01 = sorted(f.text("zh") for f in result.findings if f.code == "S01")
    assert len(s01) == 2 and "“项目1”被改名为“甲项目”" in s01[0] and "“项目2”被改名为“乙项目”" in s01[1]
    unrenamed = tmp_path / "unrenamed.xlsx"
    unrenamed.write_bytes(blank_workbook(2, YEAR, SCHEME, GENERATED))
    assert _where(check_file(str(unrenamed), Options(year=YEAR))) == _where(result, {"甲项目": "项目1", "乙项目": "项目2"})


def test_a_deleted_sheet_is_still_missing(tmp_path: Path) -> None:
    """A sheet added in place of a deleted one is not taken for it unless it is the form itself."""
    dept, layout, inputs = _department()
    wb = openpyxl.load_workbook(io.BytesIO(department_workbook(dept, YEAR, SCHEME, GENERATED, inputs=inputs)))
    wb.remove(wb[layout.sheet("p2").name])
    wb.create_sheet("Sheet1", 5)["A1"] = "备注"
    wb.save(tmp_path / "deleted.xlsx")
    result = check_file(str(tmp_path / "deleted.xlsx"), Options(year=YEAR))
    s01 = [f for f in result.findings if f.code == "S01"]
    assert len(s01) == 1 and s01[0].sheet == "项目2" and "缺少" in s01[0].text("zh")
    assert any(f.code == "T04" for f in result.findings)


def test_no_finding_names_a_sheet_the_file_lacks(tmp_path: Path) -> None:
    """Annotated copies and links find the sheet by the name findings carry: the name in the file."""
    dept, layout, inputs = _department()
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(_openpyxl_rename(_with_mistakes(dept, layout, inputs, "p1"), {"项目1": "新名称"}))
    result = check_file(str(path), Options(year=YEAR))
    sheets = set(openpyxl.load_workbook(path).sheetnames)
    assert {f.sheet for f in result.findings if f.code != "S01" and f.sheet} <= sheets
    assert any(f.sheet == "新名称" for f in result.findings)


def _retarget_names(data: bytes, code: str, old: str, new: str) -> bytes:
    """Point sheet `code`'s perfxl names at sheet `new`, as a client renaming `old` would."""
    import re

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "xl/workbook.xml":
                part = re.sub(rf'(name="perfxl\.{code}\.[^"]+">)\'{old}\'!'.encode(),
                              lambda m: m.group(1) + f"'{new}'!".encode(), part)
            zf.writestr(info, part)
    return out.getvalue()


def test_names_pointing_at_another_form_sheet_are_not_a_rename(tmp_path: Path) -> None:
    """项目1's names pointing at 项目2 (whose own names still do) do not make 项目2 the renamed 项目1."""
    dept, _, inputs = _department()
    clean = department_workbook(dept, YEAR, SCHEME, GENERATED, inputs=inputs)
    path = tmp_path / "retargeted.xlsx"
    path.write_bytes(_retarget_names(clean, "p1", "项目1", "项目2"))
    result = check_file(str(path), Options(year=YEAR))
    assert not [f for f in result.findings if f.code == "S01"]
    # 项目1 and 项目2 swapped by a client that moves the names along: both are renames, each sheet is
    # checked as itself (built in steps through a spare name, 项目9, since openpyxl moves no names).
    swapped = _retarget_names(_retarget_names(clean, "p1", "项目1", "项目9"), "p2", "项目2", "项目1")
    swapped = _retarget_names(_openpyxl_rename(swapped, {"项目1": "项目9", "项目2": "项目1"}), "p1", "项目9", "项目2")
    path.write_bytes(_openpyxl_rename(swapped, {"项目9": "项目2"}))
    result = check_file(str(path), Options(year=YEAR))
    assert sorted(f.text("zh") for f in result.findings if f.code == "S01") == [
        "工作表“项目1”被改名为“项目2”：请改回“项目1”后重新提交（表内内容已照常校验）。",
        "工作表“项目2”被改名为“项目1”：请改回“项目2”后重新提交（表内内容已照常校验）。"]
    assert not [f for f in result.findings if f.code != "S01"]
