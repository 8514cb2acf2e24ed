"""Annotated copies: red cells with comments, a linked 校验结果 sheet, still a working template."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from perfxl.errors import OutputError
from perfxl.report.annotate import (
    AUTHOR,
    RED,
    SHEET,
    AnnotateError,
    annotate_all,
    annotated_name,
)
from perfxl.validator.engine import check_file
from perfxl.validator.model import FileResult, Report

from .conftest import INJECTION, SCRIPT, result_of, sha256

HEADER_ROW = 4


@pytest.fixture(scope="module")
def annotated(batch, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("annotated")
    written = annotate_all(batch.report, out / "退回")
    return {p.name: p for p in written}


@pytest.fixture(scope="module")
def books(batch, annotated) -> dict[str, openpyxl.Workbook]:
    """Loaded once: openpyxl takes a good part of a second per workbook."""
    return {"original": openpyxl.load_workbook(batch.faulty),
            "copy": openpyxl.load_workbook(copy_of(annotated, batch.faulty)),
            "blank": openpyxl.load_workbook(copy_of(annotated, batch.blank))}


def copy_of(annotated: dict[str, Path], original: Path) -> Path:
    return annotated[annotated_name(original)]


def same(a: object, b: object) -> bool:
    """openpyxl style objects compare by repr (their == trips over equivalent colour forms)."""
    return repr(a) == repr(b)


def listed(ws) -> list[dict]:
    """The 校验结果 sheet's rows as dicts keyed by the header."""
    headers = [c.value for c in ws[HEADER_ROW]]
    return [dict(zip(headers, row)) for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def test_one_copy_per_readable_file_with_findings(batch, annotated):
    assert sorted(annotated) == sorted([annotated_name(batch.faulty), annotated_name(batch.blank)])
    assert annotated_name(batch.faulty).endswith("绩效自评表_校验结果.xlsx")


def test_originals_are_untouched(batch, annotated):
    assert {p: sha256(p) for p in batch.hashes} == batch.hashes


def test_problem_cell_is_red_with_the_message(books):
    cell = books["copy"]["部门整体支出绩效自评表"]["C48"]
    assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == RED
    assert cell.comment.author == AUTHOR
    assert cell.comment.text == "V01 必填项“填报人”为空。"
    # The cell's other formatting stays (the input cell's font, border, lock).
    original = books["original"]["部门整体支出绩效自评表"]["C48"]
    assert same(cell.font, original.font) and same(cell.border, original.border)
    assert same(cell.alignment, original.alignment) and cell.number_format == original.number_format
    assert cell.protection.locked == original.protection.locked is False


def test_findings_on_one_cell_share_one_comment(books):
    cell = books["copy"]["项目1"]["F9"]
    lines = cell.comment.text.split("\n")
    assert [line.split(" ")[0] for line in lines] == ["V05", "V02"]  # the root first, then what follows from it
    assert "1180 元" in lines[0] and "约合" in lines[0] and "1180 元" in lines[1]


def test_results_sheet_first_with_links(batch, books):
    book = books["copy"]
    assert book.sheetnames[0] == SHEET
    assert book.active.title == SHEET
    assert [ws.title for ws in book.worksheets if ws.sheet_view.tabSelected] == [SHEET]
    ws = book[SHEET]
    rows = listed(ws)
    result = result_of(batch, batch.faulty)
    assert [r["规则"] for r in rows] == [f.code for f in result.findings]
    assert [(r["工作表"], r["单元格"]) for r in rows] == [(f.sheet, f.cell) for f in result.findings]
    assert rows[0]["级别"] == "错误"
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}" and ws.auto_filter.ref.startswith(f"A{HEADER_ROW}:")
    links = 0
    for i, f in enumerate(result.findings):
        cell = ws.cell(HEADER_ROW + 1 + i, 5)
        assert cell.hyperlink is not None and cell.hyperlink.location == f"'{f.sheet}'!{f.cell}"
        assert cell.hyperlink.target is None  # internal: a location, not an external relationship
        sheet, ref = cell.hyperlink.location.rsplit("!", 1)
        assert book[sheet.strip("'")][ref].coordinate == f.cell
        links += 1
    assert links == len(result.findings)


def test_file_level_findings_only_in_the_list(books):
    book = books["blank"]
    rows = listed(book[SHEET])
    assert rows[0]["规则"] == "R03" and rows[0]["工作表"] is None and rows[0]["单元格"] is None
    assert SCRIPT in rows[0]["说明"]
    assert book[SHEET].cell(HEADER_ROW + 1, 4).hyperlink is None
    assert book[SHEET].cell(HEADER_ROW + 1, 5).hyperlink is None
    commented = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.comment]
    assert all(c.comment.author == AUTHOR and not c.comment.text.startswith("R03") for c in commented)


def test_formula_like_text_stays_text(batch, annotated, books):
    path = copy_of(annotated, batch.faulty)
    book = books["copy"]
    v02 = next(r for r in listed(book[SHEET]) if r["规则"] == "V02")
    assert v02["表中为"] == INJECTION
    cells = [c for row in book[SHEET].iter_rows() for c in row if c.value == INJECTION]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert book["项目1"]["F7"].value == INJECTION and book["项目1"]["F7"].data_type == "s"
    with zipfile.ZipFile(path) as z:
        results_xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in results_xml and "<f " not in results_xml


def test_copy_is_still_a_working_template(books):
    """Formulas, dropdowns, protection, names and the very hidden record all survive."""
    original, copy = books["original"], books["copy"]
    assert copy.sheetnames[1:] == original.sheetnames
    assert copy["_perfxl"].sheet_state == "veryHidden"
    assert set(copy.defined_names) == set(original.defined_names)
    assert copy.custom_doc_props.names == original.custom_doc_props.names
    for name in original.sheetnames:
        a, b = original[name], copy[name]
        assert b.protection.sheet == a.protection.sheet and b.protection.password == a.protection.password
        assert len(b.data_validations.dataValidation) == len(a.data_validations.dataValidation)
        assert len(b.conditional_formatting) == len(a.conditional_formatting)
        assert b.merged_cells.ranges == a.merged_cells.ranges
        formulas = {c.coordinate: c.value for row in a.iter_rows() for c in row if c.data_type == "f"}
        assert formulas == {c.coordinate: c.value for row in b.iter_rows() for c in row if c.data_type == "f"}


@pytest.mark.parametrize("which", ["faulty", "blank"])
def test_revalidating_the_copy_gives_the_same_findings(batch, annotated, which):
    original = getattr(batch, which)
    before = check_file(str(original)).findings
    after = check_file(str(copy_of(annotated, original))).findings
    assert before
    assert [(f.code, f.sheet, f.cell, f.text(), f.expected, f.actual) for f in after] == \
        [(f.code, f.sheet, f.cell, f.text(), f.expected, f.actual) for f in before]


def test_refuses_to_overwrite_without_force(batch, tmp_path):
    report = Report([result_of(batch, batch.faulty), result_of(batch, batch.blank)])
    taken = tmp_path / annotated_name(batch.faulty)
    taken.write_bytes(b"an earlier copy")
    with pytest.raises(OutputError) as error:
        annotate_all(report, tmp_path)
    assert str(taken) in error.value.render("en")
    assert taken.read_bytes() == b"an earlier copy"
    assert not (tmp_path / annotated_name(batch.blank)).exists()  # refused before writing anything
    assert annotate_all(Report(report.files[:1]), tmp_path, force=True) == [taken]
    assert taken.read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == [taken.name]  # no temp files left


def test_annotating_an_annotated_copy_replaces_the_list(batch, annotated, tmp_path):
    """A department returns the marked-up copy: a second run keeps one 校验结果 sheet and fresh comments."""
    copy = copy_of(annotated, batch.faulty)
    returned = tmp_path / "returned.xlsx"
    returned.write_bytes(copy.read_bytes())
    result = check_file(str(returned))
    [path] = annotate_all(Report([result]), tmp_path / "out")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames.count(SHEET) == 1 and book.sheetnames[0] == SHEET
    assert book["部门整体支出绩效自评表"]["C48"].comment.text == "V01 必填项“填报人”为空。"
    assert [r["规则"] for r in listed(book[SHEET])] == [f.code for f in result.findings]


def test_same_file_name_from_two_folders_in_english(batch, tmp_path):
    """Neither copy replaces the other; in English the sheet keeps its conventional name 校验结果."""
    other = tmp_path / "b"
    other.mkdir()
    twin = other / batch.faulty.name
    twin.write_bytes(batch.faulty.read_bytes())
    report = Report([result_of(batch, batch.faulty), check_file(str(twin))])
    written = annotate_all(report, tmp_path / "out", lang="en")
    assert [p.name for p in written] == [annotated_name(batch.faulty),
                                         annotated_name(batch.faulty).replace(".xlsx", "_2.xlsx")]
    book = openpyxl.load_workbook(written[1])
    assert book.sheetnames[0] == SHEET
    row = listed(book[SHEET])[0]
    assert set(row) >= {"Rule", "Severity", "Sheet", "Cell", "Item", "Message", "Expected", "Found"}
    assert book["部门整体支出绩效自评表"]["C48"].comment.text == "V01 Required input '填报人' is blank."


def test_a_file_openpyxl_cannot_open_is_reported_not_fatal(batch, tmp_path):
    """The validator read it, openpyxl does not: an error naming the file, and the others still written."""
    finding = result_of(batch, batch.faulty).findings[0]
    fake = FileResult(str(batch.broken), [finding], readable=True)
    with pytest.raises(AnnotateError) as error:
        annotate_all(Report([fake]), tmp_path)
    assert error.value.written == []
    assert batch.broken.name in error.value.render("zh")
    assert list(tmp_path.iterdir()) == []


def test_never_writes_over_a_file_of_the_batch(batch, tmp_path):
    """Even with force: a copy whose name is taken by one of the checked files gets another name."""
    returned = tmp_path / "x.xlsx"
    returned.write_bytes(batch.faulty.read_bytes())
    neighbour = tmp_path / annotated_name(returned)
    neighbour.write_bytes(batch.broken.read_bytes())
    report = Report([check_file(str(returned)), check_file(str(neighbour))])
    assert not report.files[1].readable
    [written] = annotate_all(report, tmp_path, force=True)
    assert written == tmp_path / "x_校验结果_2.xlsx"
    assert neighbour.read_bytes() == batch.broken.read_bytes()
