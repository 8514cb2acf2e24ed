"""Annotated copies: the workbook as issued, re-rendered with the department's inputs, marked
and commented, with a linked 校验结果 sheet; a copy the department can correct and send back."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from perfxl.errors import OutputError
from perfxl.layout.model import Kind
from perfxl.report.annotate import (
    AUTHOR,
    MARK_COLOURS,
    RED,
    RESTORED,
    SHEET,
    WARN,
    AnnotateError,
    annotate_all,
    annotate_bytes,
    annotated_name,
)
from perfxl.validator.context import Options
from perfxl.validator.engine import check_file, open_context
from perfxl.validator.guards import Limits
from perfxl.validator.model import FileResult, Report

from .conftest import INJECTION, SCRIPT, result_of, sha256

HEADER_ROW = 7  # 1-based, as openpyxl counts
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


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


def marks(ws) -> dict[str, str]:
    """Cell → colour of each annotation mark (a conditional format in one of our colours)."""
    out = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            fill = rule.dxf.fill if rule.dxf is not None else None
            colours = {getattr(fill.fgColor, "rgb", None), getattr(fill.bgColor, "rgb", None)} if fill else set()
            for colour in colours & MARK_COLOURS:
                out[str(cf.sqref).split(":")[0]] = colour
    return out


def annotate_file(path: Path, tmp: Path, name: str = "copy.xlsx", **kw) -> tuple[FileResult, Path]:
    result = check_file(str(path), Options(year=2025))
    target = tmp / name
    target.write_bytes(annotate_bytes(result, **kw))
    return result, target


def findings(path: Path) -> list[tuple]:
    return [(f.code, f.sheet, f.cell) for f in check_file(str(path), Options(year=2025)).findings]


def sheet_xml(path: Path, sheet: str) -> etree._Element:
    """A sheet's XML part, found through the workbook's relationships."""
    with zipfile.ZipFile(path) as z:
        wb = etree.fromstring(z.read("xl/workbook.xml"))
        rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        rid = next(s.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
                   for s in wb.iter(MAIN + "sheet") if s.get("name") == sheet)
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        return etree.fromstring(z.read("xl/" + target.lstrip("/").removeprefix("xl/")))


def listed(ws) -> list[dict]:
    """The 校验结果 sheet's rows as dicts keyed by the header."""
    headers = [c.value for c in ws[HEADER_ROW]]
    return [dict(zip(headers, row)) for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def test_one_copy_per_readable_file_with_findings(batch, annotated):
    assert sorted(annotated) == sorted([annotated_name(batch.faulty), annotated_name(batch.blank)])
    assert annotated_name(batch.faulty).endswith("绩效自评表_校验结果.xlsx")


def test_originals_are_untouched(batch, annotated):
    assert {p: sha256(p) for p in batch.hashes} == batch.hashes


def test_problem_cell_is_marked_with_the_message(books):
    ws = books["copy"]["部门整体支出绩效自评表"]
    cell = ws["C48"]
    assert marks(ws)["C48"] == RED
    assert cell.comment.author == AUTHOR
    assert cell.comment.text == "V01 必填项“填报人”为空。"
    # The mark is a conditional format: the cell's own formatting is the form's (font, border, lock).
    original = books["original"]["部门整体支出绩效自评表"]["C48"]
    assert same(cell.font, original.font) and same(cell.border, original.border) and same(cell.fill, original.fill)
    assert same(cell.alignment, original.alignment) and cell.number_format == original.number_format
    assert cell.protection.locked == original.protection.locked is False


def test_marks_only_where_findings_are(batch, books):
    result = result_of(batch, batch.faulty)
    book = books["copy"]
    wanted = {(f.sheet, f.cell) for f in result.findings if f.sheet and f.cell}
    found = {(ws.title, ref) for ws in book.worksheets for ref in marks(ws)}
    assert found == wanted
    commented = {(ws.title, c.coordinate) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.comment}
    assert commented == wanted


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
    # Our status formulas compare the cell with a hidden cell holding the text found, never with the text.
    formulas = [f.text or "" for f in sheet_xml(path, SHEET).iter(MAIN + "f")]
    assert formulas and not any("cmd" in f for f in formulas)
    [found] = [c for c in cells if c.column_letter != "I"]
    assert book[SHEET].column_dimensions[found.column_letter].hidden
    assert any(f"EXACT('项目1'!$F$7,'{SHEET}'!${found.column_letter}${found.row})" in f for f in formulas)


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
        rules = lambda ws: sorted((str(cf.sqref), r.formula) for cf in ws.conditional_formatting
                                  for r in cf.rules if not (r.dxf and r.dxf.fill and
                                                            {r.dxf.fill.bgColor.rgb} & MARK_COLOURS))
        assert rules(b) == rules(a)
        assert b.merged_cells.ranges == a.merged_cells.ranges
        formulas = {c.coordinate: c.value for row in a.iter_rows() for c in row if c.data_type == "f"}
        # right of the template: the hidden cells that marks comparing with other sheets read
        assert formulas == {c.coordinate: c.value for row in b.iter_rows() for c in row
                            if c.data_type == "f" and c.column <= a.max_column}


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
    assert [(f.code, f.sheet, f.cell) for f in result.findings] == \
        [(f.code, f.sheet, f.cell) for f in result_of(batch, batch.faulty).findings]  # no finding from our marks


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


# --- the copy as issued: restored, protected, computed ------------------------------------------------

@pytest.mark.parametrize("fixture, restored", [
    ("should_fail/T01/total_typed_over_unprotected.xlsx", {("项目1", "J46")}),         # S02 T01 S04
    ("should_fail/S02/typed_over_reprotected.xlsx", {("项目1", "J46")}),
    ("should_fail/S03/budget_typed_unprotected.xlsx", {("项目1", "E7")}),              # S03 S04
    ("should_fail/S03/department_name_edited.xlsx", {("部门整体支出绩效自评表", "C3")}),
    ("should_fail/B05/rate_overwritten.xlsx", {("项目1", "H6")}),
    ("should_fail/D05/project_total_formula_replaced.xlsx", {("部门整体支出绩效自评表", "F7")}),
])
def test_typed_over_formulas_and_issued_values_come_back(fixture, restored, tmp_path):
    """The copy holds the issued formula or value, marked blue and commented; it validates clean."""
    source = FIXTURES / fixture
    result, copy = annotate_file(source, tmp_path)
    assert result.findings
    assert findings(copy) == []
    book = openpyxl.load_workbook(copy)
    ctx = open_context(str(copy), Options(), Limits(), FileResult(str(copy)))
    for sheet_name, ref in restored:
        ws = book[sheet_name]
        assert marks(ws)[ref] == RESTORED
        assert ws[ref].comment.text.startswith("已恢复为下发的公式/数值（表中原为：")
        layout = next(s for s in ctx.layout.sheets if s.name == sheet_name)
        f = next(f for f in layout.fields if f.ref == ref)
        if f.kind == Kind.FORMULA:
            assert ws[ref].value == f.formula
        else:
            assert ws[ref].value == ctx.issued(layout.code, f.key) and ws[ref].protection.locked
    statuses = [r["状态"] for r in listed(book[SHEET])]
    assert statuses == ["已恢复"] * len(result.findings)
    values = openpyxl.load_workbook(copy, data_only=True)
    assert values[SHEET]["A2"].value.startswith("通过")


def test_every_formula_carries_the_engines_value(batch, annotated):
    """A client that does not recalculate shows the figures: every formula cell has a cached <v>."""
    copy = copy_of(annotated, batch.faulty)
    result = result_of(batch, batch.faulty)
    values = openpyxl.load_workbook(copy, data_only=True)
    formulas = openpyxl.load_workbook(copy)
    for ws in formulas.worksheets:
        if ws.title in (SHEET, "_perfxl"):
            continue
        root = sheet_xml(copy, ws.title)
        cells = [c for c in root.iter(MAIN + "c") if c.find(MAIN + "f") is not None]
        assert cells, ws.title
        assert all(c.find(MAIN + "v") is not None for c in cells), ws.title
    p1 = result.projects[0]
    assert values[p1.sheet]["J46"].value == pytest.approx(p1.score)
    assert formulas[p1.sheet]["J46"].value.startswith("=")


def test_protection_as_issued_with_the_offices_password(batch, tmp_path):
    """Each sheet is protected again with the hash the office's password left in the file, also a
    sheet the department unprotected, and also a salted (Excel 2010+) hash."""
    from perfxl.generate import department_workbook
    from perfxl.scheme import load_scheme

    from .conftest import GENERATED, YEAR

    dept = batch.roster.departments[1]
    issued = tmp_path / "issued.xlsx"
    issued.write_bytes(department_workbook(dept, YEAR, load_scheme("national"), GENERATED, password="财政局2025"))
    salted = 'algorithmName="SHA-512" hashValue="c2FsdGVkSGFzaA==" saltValue="c2FsdA==" spinCount="100000"'
    returned = tmp_path / "returned.xlsx"
    with zipfile.ZipFile(issued) as zin, zipfile.ZipFile(returned, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":  # 基础数据表: unprotected by the department
                data = re.sub(rb"<sheetProtection [^>]*/>", b"", data)
            elif info.filename == "xl/worksheets/sheet3.xml":  # 部门整体表: protected again in Excel 2010+
                data = re.sub(rb'password="[0-9A-F]+"', salted.encode(), data)
            zout.writestr(info, data)
    original = openpyxl.load_workbook(issued)
    legacy = original["项目1"].protection.password
    assert legacy
    result, copy = annotate_file(returned, tmp_path)
    assert ("S04", "基础数据表", "A1") in [(f.code, f.sheet, f.cell) for f in result.findings]
    book = openpyxl.load_workbook(copy)
    for name in original.sheetnames:
        protection = book[name].protection
        assert protection.sheet, name
        if name == "部门整体支出绩效自评表":
            prot = sheet_xml(copy, name).find(MAIN + "sheetProtection")
            assert prot.get("hashValue") == "c2FsdGVkSGFzaA==" and prot.get("spinCount") == "100000"
        elif name != "_perfxl":
            assert protection.password == legacy, name
        for opt in ("formatCells", "formatColumns", "formatRows", "selectLockedCells", "insertRows", "deleteRows"):
            assert getattr(protection, opt) == getattr(original[name].protection, opt), (name, opt)
    assert ("S04", "基础数据表", "A1") not in findings(copy)


def test_results_sheet_prints_on_a4(books):
    ws = books["copy"][SHEET]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth in (1, None) and ws.page_setup.fitToHeight == 0  # None: the default, 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows in (f"{HEADER_ROW}:{HEADER_ROW}", f"${HEADER_ROW}:${HEADER_ROW}")


def test_results_sheet_live_status(batch, annotated):
    """Each finding's status and the headline are formulas on the flagged cells, cached as found."""
    copy = copy_of(annotated, batch.faulty)
    values = openpyxl.load_workbook(copy, data_only=True)[SHEET]
    formulas = openpyxl.load_workbook(copy)[SHEET]
    rows = listed(values)
    result = result_of(batch, batch.faulty)
    assert [r["状态"] for r in rows] == ["待修改" if f.severity == "error" else "请核实" for f in result.findings]
    assert all(str(r["状态"]).startswith("=IF(") for r in listed(formulas))
    assert values["A2"].value == f"未通过：尚有 {result.errors} 处问题待修改（见下表“状态”一栏）。"
    assert values["A6"].value.startswith("工作簿自查（随填写实时更新）：发现 ")
    assert "退回时的校验：" in values["A3"].value


def test_a_corrected_mark_is_gone_when_annotated_again(batch, tmp_path):
    """Corrected and returned, the copy is annotated again: no mark, comment or status of the old list."""
    _, copy = annotate_file(batch.faulty, tmp_path)
    book = openpyxl.load_workbook(copy)
    book["部门整体支出绩效自评表"]["C48"] = "张三"   # the blank 填报人 filled in
    corrected = tmp_path / "corrected.xlsx"
    book.save(corrected)
    result, again = annotate_file(corrected, tmp_path, "again.xlsx")
    assert ("V01", "部门整体支出绩效自评表", "C48") not in [(f.code, f.sheet, f.cell) for f in result.findings]
    book = openpyxl.load_workbook(again)
    ws = book["部门整体支出绩效自评表"]
    assert "C48" not in marks(ws) and ws["C48"].comment is None and ws["C48"].value == "张三"
    assert book.sheetnames.count(SHEET) == 1
    assert len(listed(book[SHEET])) == len(result.findings)


def test_typed_formats_and_values_are_kept(batch, tmp_path):
    """A percentage typed as "95%", a date, text: the copy shows them as the department typed them."""
    book = openpyxl.load_workbook(batch.faulty)
    p1 = book["项目1"]
    ctx = open_context(str(batch.faulty), Options(), Limits(), FileResult(str(batch.faulty)))
    layout = ctx.layout.sheet("p1")
    actual, target, date_cell = (layout.get(k).ref for k in ("ind.2.actual", "ind.3.target", "date"))
    p1[actual].value, p1[actual].number_format = 0.95, "0%"
    p1[target].value, p1[target].number_format = datetime(2025, 6, 30), "yyyy-mm-dd"
    p1[date_cell].value, p1[date_cell].number_format = datetime(2026, 1, 10), "yyyy/m/d"
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    _, copy = annotate_file(edited, tmp_path)
    got = openpyxl.load_workbook(copy)["项目1"]
    assert got[actual].value == 0.95 and got[actual].number_format == "0%"
    assert got[target].value == datetime(2025, 6, 30) and got[target].number_format == "yyyy-mm-dd"
    assert got[date_cell].value == datetime(2026, 1, 10) and got[date_cell].number_format == "yyyy/m/d"
    assert got["F7"].value == INJECTION and got["F7"].data_type == "s"
    before = {(f.code, f.sheet, f.cell) for f in check_file(str(edited)).findings}
    assert {(f.code, f.sheet, f.cell) for f in check_file(str(copy)).findings} == before


def test_a_renamed_sheet_comes_back_under_the_template_name(tmp_path):
    """A sheet the validator still knows (by its defined names): the copy is rebuilt, tab name as issued."""
    source = FIXTURES / "should_fail/S01/sheet_renamed.xlsx"
    result, copy = annotate_file(source, tmp_path)
    assert [f.code for f in result.findings] == ["S01"]
    book = openpyxl.load_workbook(copy)
    assert "基础数据表" in book.sheetnames and "基础数据" not in book.sheetnames
    assert check_file(str(copy), Options(year=2025)).findings == []


@pytest.mark.parametrize("fixture", ["should_fail/S05/rows_inserted.xlsx",
                                     "should_fail/T04/project_sheet_deleted.xlsx"])
def test_a_file_that_cannot_be_rebuilt_is_marked_up_as_it_is(fixture, tmp_path):
    """Rows inserted or a sheet deleted: the file itself, marked, and the sheet says why."""
    source = FIXTURES / fixture
    result, copy = annotate_file(source, tmp_path)
    original, book = openpyxl.load_workbook(source), openpyxl.load_workbook(copy)
    assert book.sheetnames == [SHEET, *original.sheetnames]
    assert "无法按原模板重建" in book[SHEET]["A6"].value
    for ws in original.worksheets:  # every input as it was
        assert [[c.value for c in row] for row in ws.iter_rows()] == \
            [[c.value for c in row] for row in book[ws.title].iter_rows()]
    assert [(f.code, f.sheet, f.cell) for f in check_file(str(copy), Options(year=2025)).findings] == \
        [(f.code, f.sheet, f.cell) for f in result.findings]
    # annotated again: one list, and the old marks and comments replaced, not doubled
    _, again = annotate_file(copy, tmp_path, "again.xlsx")
    twice = openpyxl.load_workbook(again)
    assert twice.sheetnames.count(SHEET) == 1
    for ws in book.worksheets[1:]:
        assert len(ws.conditional_formatting) == len(twice[ws.title].conditional_formatting)


def test_a_passing_file_with_warnings_says_passed(tmp_path):
    result, copy = annotate_file(FIXTURES / "should_fail/D04/spending_over_income.xlsx", tmp_path)
    assert result.passed() and result.warnings
    values = openpyxl.load_workbook(copy, data_only=True)[SHEET]
    assert values["A2"].value.startswith("通过")
    assert marks(openpyxl.load_workbook(copy)["基础数据表"]) == {"G7": WARN}


def test_a_copy_of_a_file_in_circulation_comes_on_the_current_template(tmp_path):
    """A template-1 file (issued before this release) with a formula typed over: the copy is
    laid out by today's template, restored, and validates clean (no F07, no S02)."""
    from perfxl.layout.workbook import TEMPLATE_VERSION

    source = FIXTURES.parent / "circulation" / "v1" / "S02" / "typed_over_reprotected.xlsx"
    result, copy = annotate_file(source, tmp_path)
    assert result.template_version == "1" and [f.code for f in result.findings] == ["S02"]
    again = check_file(str(copy), Options(year=2025))
    assert again.template_version == TEMPLATE_VERSION and again.findings == []


@pytest.mark.parametrize("fixture", ["should_fail/V05/yuan_suffix.xlsx", "should_fail/V02/actual_with_unit.xlsx"])
def test_marks_in_a_copy_never_refer_to_another_sheet(fixture, tmp_path):
    """Excel's classic conditional formats refuse 3-D references (the file would be repaired and
    lose every mark): a mark that compares with 校验结果 or another sheet reads a hidden cell of its own."""
    import re

    _, copy = annotate_file(FIXTURES / fixture, tmp_path)
    book = openpyxl.load_workbook(copy)
    helpers = 0
    for ws in book.worksheets:
        for rng in ws.conditional_formatting:
            for rule in rng.rules:
                for formula in rule.formula:
                    assert "!" not in re.sub(r'"(?:[^"]|"")*"', "", formula), (ws.title, formula)
        helpers += sum(1 for row in ws.iter_rows() for c in row
                       if isinstance(c.value, str) and c.value.startswith("=IF(") and "!" in c.value
                       and ws.column_dimensions[c.column_letter].hidden)
    assert helpers >= 1
    assert check_file(str(copy), Options(year=2025)).findings  # the helpers change nothing the validator reads
