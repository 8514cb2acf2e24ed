"""The LibreOffice harness itself: recalculation is real, typing obeys protection.

Every other LibreOffice test trusts these helpers, so they are proven here on a tiny
workbook shaped like ours: a protected sheet, locked formulas, unlocked inputs and a
cross-sheet reference to a sheet with a Chinese name. All soffice work is batched in
one module fixture (a few start-ups, run in parallel) and the tests only read results.
"""

from __future__ import annotations

import hashlib
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from .libreoffice import LibreOfficeError, recalculate, render_png, scratch_env, soffice_path
from .uno import UnoError, run_uno

pytestmark = pytest.mark.libreoffice

SUMMARY = "汇总"
PROJECT = "项目1"
REFUSED = "Protected cells can not be modified."
C1_FORMULA = "=A1*2+SUM(B1:B3)"

TYPING = [
    {"op": "type", "sheet": SUMMARY, "cell": "A1", "text": "12.5"},
    {"op": "type", "sheet": SUMMARY, "cell": "C1", "text": "99"},
    {"op": "type", "sheet": SUMMARY, "cell": "D5", "text": "5"},
    {"op": "type", "sheet": PROJECT, "cell": "A1", "text": "x"},
    {"op": "type", "sheet": SUMMARY, "cell": "B5", "text": "97.5%"},
    {"op": "type", "sheet": PROJECT, "cell": "B3", "text": "2"},
]
TAMPERING = [
    {"op": "set", "sheet": SUMMARY, "cell": "D5", "value": 8},
    {"op": "set", "sheet": SUMMARY, "cell": "D6", "value": "篡改"},
    {"op": "formula", "sheet": SUMMARY, "cell": "C1", "formula": "=A1*3"},
    {"op": "unprotect", "sheet": PROJECT, "password": ""},
    {"op": "insert_rows", "sheet": PROJECT, "row": 1, "count": 2},
    {"op": "delete_rows", "sheet": PROJECT, "row": 1, "count": 1},
    {"op": "protect", "sheet": PROJECT, "password": ""},
    {"op": "calculate"},
]


def build_workbook(path: Path) -> Path:
    """A protected two-sheet workbook; xlsxwriter caches 0 for every formula."""
    workbook = xlsxwriter.Workbook(str(path))
    unlocked = workbook.add_format({"locked": False})
    summary = workbook.add_worksheet(SUMMARY)
    project = workbook.add_worksheet(PROJECT)
    summary.write_number("A1", 3, unlocked)
    for row, value in enumerate((1, 2, 3)):
        summary.write_number(row, 1, value, unlocked)
    summary.write_formula("C1", C1_FORMULA)
    summary.write_formula("C2", f"='{PROJECT}'!B3*10")
    summary.write_number("D5", 7)
    summary.write_blank("B5", None, unlocked)
    summary.write_formula("C5", "=B5*100")
    project.write_string("A1", "标题")
    project.write_number("B3", 4.5, unlocked)
    project.write_formula("B5", "=B3+1")
    summary.protect()
    project.protect()
    workbook.close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plain_convert(source: Path, outdir: Path, scratch: Path) -> Path:
    """Convert with a default profile: LibreOffice keeps the cached values."""
    profile = scratch / "plain-profile"
    subprocess.run(
        [
            str(soffice_path()),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(outdir),
            str(source),
        ],
        env=scratch_env(scratch / "plain"),
        check=True,
        capture_output=True,
        timeout=120,
    )
    return outdir / source.name


@dataclass
class Results:
    base: Path
    base_digest: str
    typed: dict[str, Any]
    tampered: dict[str, Any]
    plain: Path
    recalculated: dict[Path, Path]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, lo_scratch: Path) -> Results:
    """All soffice work of this module: two UNO sessions and a plain conversion in
    parallel, then one recalculation of everything."""
    src = tmp_path_factory.mktemp("src")
    out = tmp_path_factory.mktemp("out")
    base = build_workbook(src / "自评表.xlsx")
    before = digest(base)
    with ThreadPoolExecutor(3) as pool:
        typed = pool.submit(run_uno, base, out / "typed.xlsx", TYPING, 90)
        tampered = pool.submit(run_uno, base, out / "tampered.xlsx", TAMPERING, 90)
        plain = pool.submit(plain_convert, base, tmp_path_factory.mktemp("plain"), lo_scratch)
        typed_result, tampered_result = typed.result(), tampered.result()
        plain_path = plain.result()
    inputs = [base, out / "typed.xlsx", out / "tampered.xlsx"]
    recalculated = recalculate(inputs, tmp_path_factory.mktemp("recalc"), jobs=2, timeout=120)
    return Results(base, before, typed_result, tampered_result, plain_path, recalculated)


def values(path: Path, sheet: str) -> Any:
    return openpyxl.load_workbook(path, data_only=True)[sheet]


def formulas(path: Path, sheet: str) -> Any:
    return openpyxl.load_workbook(path)[sheet]


def unquoted(formula: Any) -> str:
    """LibreOffice drops the quotes around sheet names: '项目1'!B3 -> 项目1!B3."""
    return str(formula).replace("'", "")


def test_recalculate_computes_every_formula(results: Results) -> None:
    out = results.recalculated[results.base]
    summary, project = values(out, SUMMARY), values(out, PROJECT)
    assert summary["C1"].value == pytest.approx(3 * 2 + 1 + 2 + 3)
    assert summary["C2"].value == pytest.approx(45)
    assert project["B5"].value == pytest.approx(5.5)
    kept = formulas(out, SUMMARY)
    assert kept["C1"].value == C1_FORMULA
    assert unquoted(kept["C2"].value) == f"={PROJECT}!B3*10"
    assert kept.protection.sheet


def test_without_the_profile_values_stay_zero(results: Results) -> None:
    """Proves the recalculation profile matters: a default conversion compares zeros."""
    assert values(results.base, SUMMARY)["C1"].value in (0, None)
    assert values(results.plain, SUMMARY)["C1"].value == 0


def test_typing_into_unlocked_cells_parses_like_a_user(results: Results) -> None:
    by_cell = {(a["sheet"], a["cell"]): a for a in results.typed["actions"]}
    assert by_cell[SUMMARY, "A1"]["changed"]
    assert by_cell[SUMMARY, "A1"]["after"]["value"] == 12.5
    assert by_cell[SUMMARY, "B5"]["after"]["value"] == pytest.approx(0.975)
    assert by_cell[SUMMARY, "B5"]["after"]["string"] == "97.50%"
    assert by_cell[PROJECT, "B3"]["changed"]

    out = results.recalculated[Path(results.typed["output"])]
    summary = values(out, SUMMARY)
    assert summary["C1"].value == pytest.approx(12.5 * 2 + 6)
    assert summary["C2"].value == pytest.approx(20)
    assert summary["C5"].value == pytest.approx(97.5)
    kept = formulas(out, SUMMARY)
    assert kept["C1"].value == C1_FORMULA
    assert unquoted(kept["C2"].value) == f"={PROJECT}!B3*10"
    assert kept["C5"].value == "=B5*100"
    assert kept.protection.sheet


def test_typing_into_locked_cells_is_refused_without_hanging(results: Results) -> None:
    """Three refusals in one session: the second used to crash soffice 7.4."""
    refused = [a for a in results.typed["actions"] if not a["changed"]]
    assert [(a["sheet"], a["cell"]) for a in refused] == [
        (SUMMARY, "C1"),
        (SUMMARY, "D5"),
        (PROJECT, "A1"),
    ]
    assert all(a["selected"] and a["message"] == REFUSED for a in refused)
    kept = formulas(Path(results.typed["output"]), SUMMARY)
    assert kept["C1"].value == C1_FORMULA
    assert kept["D5"].value == 7


def test_api_edits_bypass_protection(results: Results) -> None:
    assert all(a["changed"] for a in results.tampered["actions"])
    out = Path(results.tampered["output"])
    kept = formulas(out, SUMMARY)
    assert kept.protection.sheet
    assert kept["D5"].value == 8
    assert kept["D6"].value == "篡改"
    assert kept["C1"].value == "=A1*3"
    assert values(results.recalculated[out], SUMMARY)["C1"].value == pytest.approx(9)


def test_inserted_rows_move_cells_and_references(results: Results) -> None:
    out = results.recalculated[Path(results.tampered["output"])]
    project = formulas(out, PROJECT)
    assert project.protection.sheet
    assert project["A2"].value == "标题"
    assert project["B4"].value == 4.5
    assert project["B6"].value == "=B4+1"
    assert unquoted(formulas(out, SUMMARY)["C2"].value) == f"={PROJECT}!B4*10"
    assert values(out, SUMMARY)["C2"].value == pytest.approx(45)


def test_the_input_is_never_touched(results: Results) -> None:
    assert digest(results.base) == results.base_digest
    assert [p.name for p in results.base.parent.iterdir()] == [results.base.name]


def test_recalculate_refuses_to_write_next_to_its_input(tmp_path: Path) -> None:
    source = build_workbook(tmp_path / "a.xlsx")
    with pytest.raises(ValueError, match="overwritten"):
        recalculate([source], tmp_path)


def test_run_uno_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    source = build_workbook(tmp_path / "a.xlsx")
    with pytest.raises(UnoError, match="OUTPUT must differ"):
        run_uno(source, source, [])


def test_recalculate_names_the_files_soffice_could_not_load(tmp_path: Path) -> None:
    """soffice exits 0 when a file cannot be loaded: the harness must notice."""
    good = build_workbook(tmp_path / "good.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip" * 50)
    with pytest.raises(LibreOfficeError, match="bad.xlsx") as caught:
        recalculate([good, bad], tmp_path / "out", jobs=1)
    assert "good.xlsx" not in str(caught.value).split("soffice output")[0]


def test_render_png_draws_the_first_page(tmp_path: Path) -> None:
    png = render_png(build_workbook(tmp_path / "a.xlsx"), tmp_path / "shots" / "a.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 1000
