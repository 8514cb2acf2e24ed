"""The lxml reader on what real clients write: shared formulas, inline and rich strings,
cells without `r`, absolute part targets, custom properties, defined names."""

from __future__ import annotations

import io
import zipfile

import pytest

from perfxl.reader.xlsx import ReadError, parse_ref, read_book, translate

CT = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"""
ROOT_RELS = """<?xml version="1.0"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="xl/workbook.xml"/></Relationships>"""
WB = """<?xml version="1.0"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="项目1" sheetId="1" r:id="rId1"/><sheet name="隐藏" sheetId="2" state="veryHidden" r:id="rId2"/></sheets>
<definedNames><definedName name="perfxl.p1.name">'项目1'!$C$3</definedName>
<definedName name="_xlnm.Print_Area" localSheetId="0">'项目1'!$A$1:$K$9</definedName></definedNames>
</workbook>"""
WB_RELS = """<?xml version="1.0"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
 Target="/xl/worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
 Target="worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
 Target="sharedStrings.xml"/></Relationships>"""
SST = """<?xml version="1.0"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<si><t>培训人次</t></si><si><r><t>富</t></r><r><t>文本</t></r><rPh><t>ふりがな</t></rPh></si></sst>"""
SHEET1 = """<?xml version="1.0"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData>
<row r="3"><c r="C3" t="s"><v>0</v></c><c r="D3" t="s"><v>1</v></c><c r="E3" s="4"/></row>
<row r="7"><c r="H7"><f t="shared" ref="H7:H9" si="0">IF(ISNUMBER(E7),F7/E7,"")</f><v>0.5</v></c></row>
<row r="8"><c r="H8"><f t="shared" si="0"/><v>0.25</v></c></row>
<row r="9"><c r="H9"><f t="shared" si="0"/></c></row>
<row r="10"><c t="inlineStr"><is><t>行内</t></is></c><c t="b"><v>1</v></c><c t="e"><v>#DIV/0!</v></c></row>
<row><c><v>42</v></c></row>
</sheetData>
<sheetProtection sheet="1" objects="1"/>
</worksheet>"""
SHEET2 = """<?xml version="1.0"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>"""
CUSTOM = """<?xml version="1.0"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
 xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="perfxl.year"><vt:lpwstr>2025</vt:lpwstr></property>
</Properties>"""


def _book(**override: str) -> dict[str, bytes]:
    parts = {"[Content_Types].xml": CT, "_rels/.rels": ROOT_RELS, "xl/workbook.xml": WB,
             "xl/_rels/workbook.xml.rels": WB_RELS, "xl/sharedStrings.xml": SST,
             "xl/worksheets/sheet1.xml": SHEET1, "xl/worksheets/sheet2.xml": SHEET2, "docProps/custom.xml": CUSTOM}
    parts.update(override)
    return {k: v.encode("utf-8") for k, v in parts.items()}


def test_cells_strings_and_shared_formulas() -> None:
    book = read_book(_book())
    sheet = book.sheet("项目1")
    assert sheet is not None and sheet.protected and sheet.state == "visible"
    assert sheet.cell(2, 2).value == "培训人次"
    assert sheet.cell(2, 3).value == "富文本"  # rich runs joined, phonetic hint dropped
    assert (2, 4) not in sheet.cells  # a formatted blank is not a cell worth keeping
    assert sheet.cell(6, 7).formula == '=IF(ISNUMBER(E7),F7/E7,"")' and sheet.cell(6, 7).value == 0.5
    assert sheet.cell(7, 7).formula == '=IF(ISNUMBER(E8),F8/E8,"")' and sheet.cell(7, 7).value == 0.25
    assert sheet.cell(8, 7).formula == '=IF(ISNUMBER(E9),F9/E9,"")' and sheet.cell(8, 7).value is None
    row10 = [sheet.cell(9, c) for c in range(3)]
    assert row10[0].value == "行内" and row10[1].value is True and row10[2].error
    assert sheet.cell(10, 0).value == 42.0  # row and cell without r: counted on
    assert book.sheet("隐藏").state == "veryHidden"
    assert book.names == {"perfxl.p1.name": "'项目1'!$C$3"}  # sheet-local print areas left out
    assert book.properties == {"perfxl.year": "2025"}


def test_translate_shifts_relative_references_only() -> None:
    assert translate("SUM(D7:D9)+$B$2+B$2+$B2", 2, 1) == "SUM(E9:E11)+$B$2+C$2+$B4"
    assert translate("'项目1'!C3+项目1!D4+\"A1\"+LOG10(2)", 1, 0) == "'项目1'!C4+项目1!D5+\"A1\"+LOG10(2)"
    assert translate("A1", -1, 0) == "#REF!"


def test_parse_ref() -> None:
    assert parse_ref("A1") == (0, 0) and parse_ref("AA10") == (9, 26) and parse_ref("XFD1048576") == (1048575, 16383)
    with pytest.raises(ValueError):
        parse_ref("A0B")


@pytest.mark.parametrize("broken", [
    {"xl/workbook.xml": "<workbook"},                 # not XML
    {"xl/worksheets/sheet1.xml": "<worksheet><sheetData><row>"},
])
def test_damaged_parts_raise_read_error(broken: dict[str, str]) -> None:
    with pytest.raises(ReadError):
        read_book(_book(**broken))


def test_missing_part_raises_read_error() -> None:
    parts = _book()
    del parts["xl/worksheets/sheet1.xml"]
    with pytest.raises(ReadError):
        read_book(parts)


def test_reads_from_a_zip_path(tmp_path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in _book().items():
            zf.writestr(name, data)
    path = tmp_path / "x.xlsx"
    path.write_bytes(buf.getvalue())
    assert read_book(str(path)).sheet("项目1").cell(2, 2).value == "培训人次"


def test_percent_formats_are_told_from_literal_percent_signs() -> None:
    """A cell shown as a percentage was typed as "98%": a % outside quotes, escapes and brackets,
    in the positive section (Excel's 9/10 built-ins, LibreOffice's declared 0.00%)."""
    from perfxl.reader.numfmt import is_percent

    assert all(is_percent(c) for c in ("0%", "0.00%", "[Red]0.00%", "#,##0.0%"))
    assert not any(is_percent(c) for c in ("General", '"%"0', "0.0\\%", "0.00;[Red]-0%", "#,##0.00"))
