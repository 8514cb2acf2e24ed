"""A bad-input corpus built by the tests themselves: every kind of broken, wrong or hostile
file a finance office receives, each with the finding it must get, in bounded time,
and a mixed batch in which the good files still pass and no input is changed.

Nothing large is committed: bombs are small on disk, workbooks are generated, the
encrypted one is made with msoffcrypto-tool and the legacy .xls by LibreOffice (that
test carries the `libreoffice` marker). Bad rosters for `perfxl generate` get the
same treatment: a clear message, exit code 2, nothing written.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner
from lxml import etree

from perfxl.cli import cli
from perfxl.generate import department_workbook
from perfxl.layout import build_layout
from perfxl.layout.workbook import RECORD_SHEET
from perfxl.reader import xlsx
from perfxl.reader.xlsx import read_book
from perfxl.roster import read_roster
from perfxl.roster.model import Department
from perfxl.samples import realistic_inputs
from perfxl.scheme import load_scheme
from perfxl.validator.context import Options
from perfxl.validator.engine import check_file, validate
from perfxl.validator.guards import OVERRUN, Limits, MiB, open_parts
from perfxl.validator.model import FileResult
from perfxl.writer import department_values

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_ROSTER = ROOT / "tests" / "fixtures" / "roster"
EXAMPLE_ROSTER = ROOT / "examples" / "roster.xlsx"
YEAR = 2025
GENERATED = date(2026, 1, 5)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
M = "{%s}" % MAIN
# Guards, not timing benchmarks: loose enough for a busy 2-core machine, tight enough to catch
# a file that is parsed, expanded or iterated when it should have been refused.
SECONDS = 2.0


# --- workbooks to start from ----------------------------------------------------------------------

@functools.cache
def _department(n: int) -> Department:
    """The fixture roster's 101004 under another code: readable files of one batch must not be F09."""
    base = read_roster(FIXTURE_ROSTER).department("101004")
    code = f"9{n:05d}"
    return replace(base, code=code, name=f"测试部门{n}",
                   projects=tuple(replace(p, department_code=code) for p in base.projects))


@functools.cache
def clean(n: int, year: int = YEAR) -> bytes:
    """A clean return of test department n: generated, filled by samples.realistic_inputs."""
    scheme = load_scheme("national")
    dept = _department(n)
    layout = build_layout(scheme, len(dept.projects), goals_issued=tuple(bool(p.goal) for p in dept.projects))
    issued = department_values(layout, dept, year, scheme, GENERATED)
    inputs = realistic_inputs(layout, scheme, 7, budgets=issued)
    return department_workbook(dept, year, scheme, GENERATED, inputs=inputs)


def rezip(source: bytes, change: Callable[[str, bytes], bytes | None] | None = None,
          extra: dict[str, bytes] | None = None, level: int = 6) -> bytes:
    """The same zip with parts changed (None drops one) and parts added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            data = change(info.filename, data) if change else data
            if data is not None:
                zout.writestr(info.filename, data, compresslevel=level)
        for name, data in (extra or {}).items():
            zout.writestr(name, data, compresslevel=level)
    return out.getvalue()


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def sheet_part(data: bytes, name: str) -> str:
    parts = parts_of(data)
    book = read_book({k: v for k, v in parts.items() if k.endswith((".xml", ".rels"))}, bounds={})
    found = book.sheet(name)
    assert found is not None, name
    return found.part


def edit_sheet(data: bytes, name: str, edit: Callable[[etree._Element], None]) -> bytes:
    """The workbook with one sheet's XML edited as a tree."""
    part = sheet_part(data, name)

    def change(member: str, content: bytes) -> bytes:
        if member != part:
            return content
        root = etree.fromstring(content)
        edit(root)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return rezip(data, change)


def layout_of(n: int):
    dept = _department(n)
    return build_layout(load_scheme("national"), len(dept.projects),
                        goals_issued=tuple(bool(p.goal) for p in dept.projects))


def _cell(root: etree._Element, ref: str) -> etree._Element | None:
    return next((c for c in root.iter(M + "c") if c.get("r") == ref), None)


# --- the corpus -------------------------------------------------------------------------------------

LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
          b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
EXTERNAL = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def with_doctype(data: bytes, part: str, doctype: bytes, entity: bytes = b"") -> bytes:
    """A part given a DOCTYPE after its XML declaration (and an entity reference in its first <t> or <v>)."""
    def change(name: str, content: bytes) -> bytes:
        if name != part:
            return content
        head, _, body = content.partition(b"?>")
        if entity:
            tag = b"<t>" if b"<t>" in body else b"<v>"
            body = body.replace(tag, tag + entity, 1)
        return head + b"?>" + doctype + body
    return rezip(data, change)


def flipped_inside(data: bytes, member: str) -> bytes:
    """Bytes flipped in the middle of a deflated member's data: its header and the directory stay intact."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    raw = bytearray(data)
    name_len, extra_len = int.from_bytes(raw[info.header_offset + 26:info.header_offset + 28], "little"), \
        int.from_bytes(raw[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    middle = start + info.compress_size // 2
    for i in range(middle, middle + 16):
        raw[i] ^= 0xA5
    return bytes(raw)


def zip_encrypted_flag(data: bytes, member: str) -> bytes:
    """One member marked as zip-encrypted (general purpose flag bit 0), in its header and the directory."""
    raw = bytearray(data)
    name = member.encode()
    at = 0
    while True:
        at = raw.find(b"PK\x03\x04", at)
        if at < 0:
            break
        if raw[at + 30:at + 30 + len(name)] == name:
            raw[at + 6] |= 1
        at += 4
    at = 0
    while True:
        at = raw.find(b"PK\x01\x02", at)
        if at < 0:
            break
        if raw[at + 46:at + 46 + len(name)] == name:
            raw[at + 8] |= 1
        at += 4
    return bytes(raw)


def tiny_workbook(far_cell: str | None = None) -> bytes:
    """A few-KB workbook someone made with xlsxwriter, optionally with one cell far out."""
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet("项目支出绩效自评表")
    ws.write("A1", "项目名称")
    ws.write("B1", "政务服务大厅运行保障经费")
    if far_cell:
        ws.write(far_cell, 1)
    wb.close()
    return out.getvalue()


def handmade(n: int) -> bytes:
    """The official layout copied value by value into a new workbook (openpyxl): no template record."""
    import openpyxl

    source = openpyxl.load_workbook(io.BytesIO(clean(n)))
    target = openpyxl.Workbook()
    target.remove(target.active)
    for ws in source.worksheets:
        if ws.title == RECORD_SHEET:
            continue
        copy = target.create_sheet(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None and not isinstance(cell, openpyxl.cell.cell.MergedCell):
                    copy.cell(cell.row, cell.column, cell.value)
    out = io.BytesIO()
    target.save(out)
    return out.getvalue()


def older_version(n: int) -> bytes:
    """The record's template_version edited to 0.9 in the XML, as a hand edit would."""
    data = clean(n)
    book = read_book({k: v for k, v in parts_of(data).items() if k.endswith((".xml", ".rels"))})
    record = book.sheet(RECORD_SHEET)
    row = next(r for (r, c), cell in record.cells.items() if c == 0 and cell.value == "template_version")

    def edit(root: etree._Element) -> None:
        c = _cell(root, f"B{row + 1}")
        for child in list(c):
            c.remove(child)
        c.set("t", "inlineStr")
        etree.SubElement(etree.SubElement(c, M + "is"), M + "t").text = "0.9"
    return edit_sheet(data, RECORD_SHEET, edit)


def far_cell_and_dimension(n: int) -> bytes:
    """A clean return whose project sheet claims XFD1048576: a dimension and a cell out there."""
    name = layout_of(n).sheet("p1").name

    def edit(root: etree._Element) -> None:
        dim = root.find(M + "dimension")
        if dim is None:
            dim = etree.Element(M + "dimension")
            root.insert(1, dim)
        dim.set("ref", "A1:XFD1048576")
        data = root.find(M + "sheetData")
        row = etree.SubElement(data, M + "row", r="1048576")
        etree.SubElement(etree.SubElement(row, M + "c", r="XFD1048576"), M + "v").text = "1"
    return edit_sheet(clean(n), name, edit)


def lying_dimension(n: int) -> tuple[bytes, str, str]:
    """Every sheet's <dimension> says A1, and 填报人 (far below A1) is cleared: V01 must still be found."""
    layout = layout_of(n)
    field = layout.sheet("p1").get("filler")
    data = clean(n)
    for sheet in layout.sheets:
        def edit(root: etree._Element, code: str = sheet.code) -> None:
            dim = root.find(M + "dimension")
            if dim is not None:
                dim.set("ref", "A1")
            if code == "p1":
                c = _cell(root, field.ref)
                for child in list(c):
                    c.remove(child)
                c.attrib.pop("t", None)
        data = edit_sheet(data, sheet.name, edit)
    return data, layout.sheet("p1").name, field.ref


def many_members(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        for i in range(count):
            zf.writestr(f"x/{i}", b"")
    return out.getvalue()


def content_type(data: bytes, old: bytes, new: bytes) -> bytes:
    return rezip(data, lambda n, d: d.replace(old, new) if n == "[Content_Types].xml" else d)


SHEET_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def encrypted(data: bytes) -> bytes:
    msoffcrypto = pytest.importorskip("msoffcrypto", reason="pip install msoffcrypto-tool (test extra)")
    from msoffcrypto.format.ooxml import OOXMLFile

    del msoffcrypto
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("perfxl-2025", out)
    return out.getvalue()


@dataclass
class Case:
    name: str
    codes: set[str]                      # exactly the codes its findings carry
    data: bytes | None = None            # None: made by `make` (a folder, a permission)
    note: str = ""
    at: tuple[str, str, str] | None = None  # (code, sheet, cell) that must be among the findings
    readable: bool = False               # read as a perfxl workbook (its rules ran)


@functools.cache
def corpus_cases() -> tuple[Case, ...]:
    """Every case but the .xls (LibreOffice) and the permission case (needs a non-root user)."""
    rng = random.Random(20250105)
    base = clean(1)
    sheet1 = sheet_part(base, layout_of(1).sheet("p1").name)
    dimension_data, dimension_sheet, dimension_cell = lying_dimension(11)
    return (
        Case("empty.xlsx", {"F01"}, b"", "0 bytes"),
        Case("truncated.xlsx", {"F01"}, base[: len(base) * 2 // 3], "cut off before the central directory"),
        Case("random_bytes.xlsx", {"F01"}, bytes(rng.randrange(256) for _ in range(8192)), "random bytes"),
        Case("not_a_workbook.xlsx", {"F01"}, _plain_zip(), "a zip of text files"),
        Case("word_document.xlsx", {"F01"}, _docx(), "a Word document renamed"),
        Case("corrupted_part.xlsx", {"F01"}, flipped_inside(base, sheet1), "bytes flipped inside a deflated sheet"),
        Case("bomb_ratio.xlsx", {"F05"},
             rezip(base, lambda n, d: d.replace(b"?>", b"?>" + b" " * (12 * 2**20), 1) if n == sheet1 else d,
                   level=9), "a sheet padded to 12 MB that packs into a few KB"),
        Case("bomb_part.xlsx", {"F05"},
             rezip(base, lambda n, d: d.replace(b"?>", b"?>" + b" " * (24 * 2**20), 1) if n == sheet1 else d,
                   level=9), "a 24 MB part: over the part limit whatever its ratio"),
        Case("many_members.xlsx", {"F05"}, many_members(Limits().members + 1), "more parts than the limit"),
        Case("billion_laughs.xlsx", {"F05"}, with_doctype(base, "xl/sharedStrings.xml", LAUGHS, b"&lol3;")),
        Case("external_entity.xlsx", {"F05"}, with_doctype(base, sheet1, EXTERNAL, b"&xxe;")),
        Case("macro.xlsm", {"F04"}, _macro_enabled(clean(2)), "VBA part: a warning, the rest checked",
             readable=True),
        Case("external_link.xlsx", {"F04"}, rezip(clean(3), extra={
            "xl/externalLinks/externalLink1.xml": b'<?xml version="1.0"?><externalLink xmlns="%s"/>' % MAIN.encode()}),
            "a link to another workbook: a warning", readable=True),
        Case("embedded.xlsx", {"F04"}, rezip(clean(4), extra={"xl/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}),
             "an embedded OLE object: a warning", readable=True),
        Case("activex.xlsx", {"F04"}, rezip(clean(5), extra={
            "xl/activeX/activeX1.xml": b'<?xml version="1.0"?><ax:ocx xmlns:ax="urn:x"/>'}), readable=True),
        Case("template.xltx", {"F04"},
             content_type(clean(6), SHEET_MAIN, SHEET_MAIN.replace(b".sheet.", b".template.")),
             "saved as an Excel template", readable=True),
        Case("binary.xlsb", {"F02"}, content_type(clean(1), SHEET_MAIN,
                                                  b"application/vnd.ms-excel.sheet.binary.macroEnabled.main"),
             "an .xlsb workbook"),
        Case("strict.xlsx", {"F01"}, rezip(clean(1), lambda n, d: d.replace(
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument") if n == "_rels/.rels" else d),
             "Strict Open XML"),
        Case("zip_password.xlsx", {"F03"}, zip_encrypted_flag(clean(1), sheet1), "a zip-encrypted member"),
        Case("utf16_part.xlsx", {"F01"}, rezip(clean(1), lambda n, d: d.decode("utf-8").replace(
            'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16") if n == "xl/workbook.xml" else d),
             "a part in UTF-16 (which would hide a DOCTYPE from a byte scan)"),
        Case("deep_nesting.xlsx", {"F01"}, rezip(clean(1), lambda n, d: d.replace(
            b"<sheetData>", b"<sheetData>" + b"<x>" * 100_000 + b"</x>" * 100_000, 1) if n == sheet1 else d),
             "elements nested 100,000 deep (libxml2 stops at 256)"),
        Case("encrypted.xlsx", {"F03"}, None, "an open password (msoffcrypto-tool)"),
        Case("far_cell_alone.xlsx", {"F06"}, tiny_workbook("XFD1048576"),
             "7 KB claiming a cell at XFD1048576, no record"),
        Case("far_cell_in_form.xlsx", set(), far_cell_and_dimension(7),
             "a clean return claiming XFD1048576: the far cell is never read", readable=True),
        Case("lying_dimension.xlsx", {"V01"}, dimension_data, "<dimension> says A1; a blank 填报人 below is found",
             at=("V01", dimension_sheet, dimension_cell), readable=True),
        Case("handmade.xlsx", {"F06"}, None, "the form's values copied into a new workbook"),
        Case("year_2024.xlsx", {"F08"}, clean(8, YEAR - 1), "a clean return of the 2024 round", readable=True),
        Case("older_template.xlsx", {"F07"}, older_version(9), "template_version edited to 0.9"),
        Case("dept10_first.xlsx", {"F09"}, clean(10), "one department's file …", readable=True),
        Case("dept10_resent.xlsx", {"F09"}, rezip(clean(10), level=9), "… sent again, saved anew (other bytes)",
             readable=True),
        Case("dept10_copy.xlsx", {"F09"}, clean(10), "… and a byte-identical copy of the first: counted once",
             readable=True),
        Case("good_a.xlsx", set(), clean(12), "a clean return", readable=True),
        Case("good_b.xlsx", set(), clean(13), "another clean return", readable=True),
    )


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("说明.txt", "请查收".encode())
        zf.writestr("data/table.csv", b"a,b\n1,2\n")
    return out.getvalue()


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    b'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("word/document.xml", b"<w:document xmlns:w='urn:w'/>")
    return out.getvalue()


def _macro_enabled(source: bytes) -> bytes:
    """As Excel saves .xlsm: the macro-enabled main type and a VBA part (never parsed, so only a header)."""
    def change(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(SHEET_MAIN, b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        return data
    return rezip(source, change, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Case]]:
    """The corpus written to one folder, as a batch arrives; plus a lock file and a folder named x.xlsx."""
    folder = tmp_path_factory.mktemp("corpus")
    cases = []
    for case in corpus_cases():
        if case.name == "encrypted.xlsx":
            try:
                case = replace(case, data=encrypted(clean(1)))
            except pytest.skip.Exception:
                continue  # its own test says why
        elif case.name == "handmade.xlsx":
            case = replace(case, data=handmade(1))
        (folder / case.name).write_bytes(case.data)
        cases.append(case)
    (folder / "~$good_a.xlsx").write_bytes(b"\x05perfxl" + bytes(155))  # Excel's lock file of an open workbook
    (folder / "x.xlsx").mkdir()                                        # a folder with a workbook's name
    return folder, cases


def codes(result: FileResult) -> set[str]:
    return {f.code for f in result.findings}


# --- each file on its own ------------------------------------------------------------------------

NAMES = ("empty.xlsx", "truncated.xlsx", "random_bytes.xlsx", "not_a_workbook.xlsx", "word_document.xlsx",
         "corrupted_part.xlsx", "bomb_ratio.xlsx", "bomb_part.xlsx", "many_members.xlsx", "billion_laughs.xlsx",
         "external_entity.xlsx", "macro.xlsm", "external_link.xlsx", "embedded.xlsx", "activex.xlsx",
         "template.xltx", "binary.xlsb", "strict.xlsx", "zip_password.xlsx", "utf16_part.xlsx", "deep_nesting.xlsx",
         "encrypted.xlsx", "far_cell_alone.xlsx", "far_cell_in_form.xlsx", "lying_dimension.xlsx", "handmade.xlsx",
         "year_2024.xlsx", "older_template.xlsx", "good_a.xlsx", "good_b.xlsx")


def test_every_case_is_checked_alone() -> None:
    """NAMES (the parametrisation below) lists every case but the F09 pair, which needs its batch."""
    assert set(NAMES) | {"dept10_first.xlsx", "dept10_resent.xlsx", "dept10_copy.xlsx"} == \
        {c.name for c in corpus_cases()}


@pytest.mark.parametrize("name", NAMES)
def test_each_file_gets_its_finding_in_bounded_time(corpus: tuple[Path, list[Case]], name: str) -> None:
    folder, cases = corpus
    case = next((c for c in cases if c.name == name), None)
    if case is None:
        pytest.skip("msoffcrypto-tool is not installed (pip install -e '.[test]')")
    start = time.perf_counter()
    result = check_file(str(folder / name), Options(year=YEAR))
    elapsed = time.perf_counter() - start
    assert codes(result) == case.codes, f"{case.note}: {[(f.code, f.text()) for f in result.findings]}"
    assert elapsed < SECONDS, f"{name} took {elapsed:.2f} s"
    assert result.readable == case.readable
    if case.at:
        assert case.at in {(f.code, f.sheet, f.cell) for f in result.findings}
    assert not any(f.message.key == "rule.F01.internal" for f in result.findings)
    for finding in result.findings:  # every message renders in both languages
        assert finding.text("zh") and finding.text("en")


def test_ole_directory_is_read_as_olefile_reads_it(tmp_path: Path) -> None:
    """An encrypted workbook over 7 MB: its FAT needs the DIFAT chain, and still F03 in a few ms."""
    olefile = pytest.importorskip("olefile", reason="comes with msoffcrypto-tool (test extra)")
    from perfxl.validator.guards import _ole_streams

    padded = rezip(clean(1), extra={"xl/media/image1.png": random.Random(3).randbytes(8 * 2**20)}, level=0)
    path = tmp_path / "encrypted_large.xlsx"
    path.write_bytes(encrypted(padded))
    with open(path, "rb") as fh:
        assert int.from_bytes(fh.read(76)[44:48], "little") > 109  # more FAT sectors than the header lists
        ours = _ole_streams(fh, path.stat().st_size)
    theirs = {entry[-1].lower() for entry in olefile.OleFileIO(str(path)).listdir(streams=True, storages=True)}
    assert ours == theirs and {"encryptioninfo", "encryptedpackage"} <= ours
    start = time.perf_counter()
    assert codes(check_file(str(path))) == {"F03"}
    assert time.perf_counter() - start < SECONDS


def test_a_damaged_ole_file_still_gets_a_finding(tmp_path: Path) -> None:
    """Random damage to an OLE header or directory: an F01/F02/F03 finding, never an exception."""
    base = _fake_xls()
    rng = random.Random(11)
    path = tmp_path / "damaged.xls"
    for _ in range(300):
        data = bytearray(base)
        for _ in range(rng.randrange(1, 12)):
            data[rng.randrange(8, len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data[: rng.randrange(520, len(data) + 1)]))
        assert codes(check_file(str(path))) <= {"F01", "F02", "F03"}


def _fake_xls() -> bytes:
    """A minimal compound file with a Workbook stream, as [MS-CFB] lays it out (512-byte sectors)."""
    import struct

    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)      # minor, major version, byte order, sector shift
    struct.pack_into("<H", header, 32, 6)                             # mini sector shift
    struct.pack_into("<IIIIIII", header, 44, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    struct.pack_into("<I", header, 72, 0)
    difat = [0] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", header, 76, *difat)
    fat = [0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFE] + [0xFFFFFFFF] * 125     # sector 0 FAT, 1 directory, 2 data
    directory = bytearray(512)
    for i, (name, kind) in enumerate((("Root Entry", 5), ("Workbook", 2))):
        encoded = name.encode("utf-16-le") + b"\0\0"
        directory[i * 128:i * 128 + len(encoded)] = encoded
        struct.pack_into("<HB", directory, i * 128 + 64, len(encoded), kind)
        struct.pack_into("<III", directory, i * 128 + 68, 0xFFFFFFFF, 0xFFFFFFFF, 1 if kind == 5 else 0xFFFFFFFF)
    struct.pack_into("<II", directory, 128 + 116, 2, 512)  # Workbook: start sector, size
    for i in range(2, 4):  # unused entries: no siblings, no child
        struct.pack_into("<III", directory, i * 128 + 68, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    return bytes(header) + struct.pack("<128I", *fat) + bytes(directory) + bytes(512)


def test_a_folder_named_like_a_workbook(corpus: tuple[Path, list[Case]]) -> None:
    folder, _ = corpus
    result = check_file(str(folder / "x.xlsx"))
    assert codes(result) == {"F01"}
    assert validate([folder / "x.xlsx"], year=YEAR).files == []  # a folder is looked into, not read


def test_a_file_without_read_permission(tmp_path: Path) -> None:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(clean(1))
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root (or with CAP_DAC_OVERRIDE): root can read a file whatever its mode")
        result = check_file(str(path))
        assert codes(result) == {"F01"} and "Permission denied" in result.findings[0].text("en")
    finally:
        path.chmod(0o600)


# --- the mixed batch ---------------------------------------------------------------------------------

def _digests(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_mixed_batch_every_file_answered_and_good_files_pass(corpus: tuple[Path, list[Case]]) -> None:
    """The whole corpus as one folder, two worker processes: the batch goes on past every bad file."""
    folder, cases = corpus
    before = _digests(folder)
    report = validate([folder], year=YEAR, jobs=2)
    assert _digests(folder) == before  # nothing in the inputs changed
    by_name = {Path(r.path).name: r for r in report.files}
    assert set(by_name) == {c.name for c in cases}
    for case in cases:
        assert codes(by_name[case.name]) == case.codes, (case.name, [f.text() for f in by_name[case.name].findings])
    assert not by_name["good_a.xlsx"].findings and not by_name["good_b.xlsx"].findings
    assert by_name["good_a.xlsx"].total_score is not None  # really checked, not merely skipped
    assert (str(folder / "~$good_a.xlsx"), "lock") in report.skipped


def test_explicit_lock_file_is_skipped(corpus: tuple[Path, list[Case]]) -> None:
    folder, _ = corpus
    report = validate([folder / "~$good_a.xlsx", folder / "good_a.xlsx"], year=YEAR, jobs=1)
    assert [Path(r.path).name for r in report.files] == ["good_a.xlsx"]
    assert [reason for _, reason in report.skipped] == ["lock"]


# --- limits as settings ------------------------------------------------------------------------------

def test_limits_are_settings(tmp_path: Path) -> None:
    """A clean return passes the defaults and is refused (F05) under a tighter limit of each kind."""
    path = tmp_path / "clean.xlsx"
    path.write_bytes(clean(1))
    assert open_parts(str(path)).finding is None
    size = path.stat().st_size / 2**20
    for tight in (Limits(file_mb=size / 2), Limits(members=5), Limits(part_mb=0.01), Limits(total_mb=0.1)):
        finding = open_parts(str(path), tight).finding
        assert finding is not None and finding.code == "F05", tight


def test_guards_cost_a_few_milliseconds_on_a_normal_file(tmp_path: Path) -> None:
    path = tmp_path / "clean.xlsx"
    path.write_bytes(clean(1))
    open_parts(str(path))
    best = min(_timed(lambda: open_parts(str(path))) for _ in range(5))
    assert best < 0.05, f"guards took {best * 1000:.1f} ms"  # ~2 ms measured; generous for CI


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --- reading only what the template has --------------------------------------------------------------

def test_cells_outside_the_template_are_never_kept() -> None:
    """Bounds drop the far cell before a Cell exists; sheets the template lacks are not read at all."""
    data = far_cell_and_dimension(7)
    parts = {k: v for k, v in parts_of(data).items() if k.endswith((".xml", ".rels"))}
    name = layout_of(7).sheet("p1").name
    unbounded = read_book(parts)
    assert (1048575, 16383) in unbounded.sheet(name).cells
    bounded = read_book(parts, {name: (60, 14)})
    assert all(r < 60 and c < 14 for r, c in bounded.sheet(name).cells)
    assert not bounded.sheet(RECORD_SHEET).read and not bounded.sheet(RECORD_SHEET).cells
    kept = {k: v for k, v in unbounded.sheet(name).cells.items() if k[0] < 60 and k[1] < 14}
    assert bounded.sheet(name).cells == kept


def test_a_big_part_is_streamed_with_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every part parsed as a stream reads exactly as parsed whole (shared formulas, strings, names …)."""
    for data in (clean(1), (ROOT / "tests" / "fixtures" / "should_pass" /
                            "clean_101004_typed_in_libreoffice.xlsx").read_bytes()):
        parts = {k: v for k, v in parts_of(data).items() if k.endswith((".xml", ".rels"))}
        whole = read_book(parts)
        monkeypatch.setattr(xlsx, "STREAM_FROM", 0)
        streamed = read_book(parts)
        monkeypatch.setattr(xlsx, "STREAM_FROM", 2 * 2**20)
        assert [(s.name, s.state, s.part, s.protected, s.cells) for s in whole.sheets] == \
            [(s.name, s.state, s.part, s.protected, s.cells) for s in streamed.sheets]
        assert (whole.names, whole.properties, whole.strings) == (streamed.names, streamed.properties, streamed.strings)


def test_cells_without_r_are_counted_the_same_streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="2"><c r="B2"><v>1</v></c><c><v>2</v></c>'
             '<c r="a1"><v>9</v></c><c><v>4</v></c></row>'
             '<row><c><v>3</v></c><c t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
             '<sheetProtection sheet="1"/></worksheet>').encode()
    parts = _one_sheet_parts(sheet)
    for stream_from in (2 * 2**20, 0):
        monkeypatch.setattr(xlsx, "STREAM_FROM", stream_from)
        book = read_book(parts)
        s = book.sheet("S")
        assert s.protected
        assert {k: v.value for k, v in s.cells.items()} == {(1, 1): 1.0, (1, 2): 2.0, (1, 4): 4.0, (2, 0): 3.0,
                                                            (2, 1): "x"}


def test_a_streamed_element_holding_too_much_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streaming keeps one cell (or string item) at a time, so one stuffed with runs is refused, not kept;
    a row of many cells is fine: its cells come one by one."""
    monkeypatch.setattr(xlsx, "STREAM_FROM", 0)
    monkeypatch.setattr(xlsx, "MAX_HELD", 50)
    wide = "".join(f"<c><v>{i}</v></c>" for i in range(200))
    book = read_book(_one_sheet_parts(f'<worksheet xmlns="{MAIN}"><sheetData><row>{wide}</row></sheetData>'
                                      '</worksheet>'.encode()))
    assert len(book.sheet("S").cells) == 200
    runs = "".join(f"<r><t>{i}</t></r>" for i in range(40))
    with pytest.raises(xlsx.ReadError, match="holds more than 50"):
        read_book(_one_sheet_parts(f'<worksheet xmlns="{MAIN}"><sheetData><row><c t="inlineStr"><is>{runs}</is>'
                                   '</c></row></sheetData></worksheet>'.encode()))


def _one_sheet_parts(sheet: bytes) -> dict[str, bytes]:
    return {
        "_rels/.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       b'<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                       b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                           f'2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="r1"/></sheets>'
                           f'</workbook>'.encode(),
        "xl/_rels/workbook.xml.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                      b'relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org'
                                      b'/officeDocument/2006/relationships/worksheet" Target="s.xml"/>'
                                      b'</Relationships>',
        "xl/s.xml": sheet,
    }


_MEMORY_PROBE = r"""
import sys
from perfxl.validator.engine import check_file
from perfxl.validator.context import Options
def hwm():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024
check_file(sys.argv[2], Options(year=2025))  # warm up: imports, caches, one normal file
before = hwm()
result = check_file(sys.argv[1], Options(year=2025))
print(f"{hwm() - before:.1f}|" + ",".join(sorted({f.code for f in result.findings})))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc (Linux)")
def test_a_sheet_near_the_part_limit_costs_time_not_memory(tmp_path: Path) -> None:
    """~18 MB of cells beside the form, within every zip limit: parsed whole, that sheet would take
    ~400 MB; streamed, with its cells outside the template skipped, the peak barely moves."""
    n = 14
    rng = random.Random(5)
    rows, size, r = [], 0, 100
    while size < 18 * 2**20:
        row = (f'<row r="{r}">' + "".join(f'<c r="{col}{r}"><v>{rng.random():.12f}</v></c>'
                                          for col in ("AA", "AB", "AC", "AD")) + "</row>").encode()
        rows.append(row)
        size += len(row)
        r += 1
    part = sheet_part(clean(n), layout_of(n).sheet("p1").name)
    data = rezip(clean(n), lambda m, d: d.replace(b"</sheetData>", b"".join(rows) + b"</sheetData>", 1)
                 if m == part else d, level=1)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        declared = zf.getinfo(part).file_size
    assert xlsx.STREAM_FROM < 16 * 2**20 < declared < Limits().part_mb * 2**20
    big, good = tmp_path / "big.xlsx", tmp_path / "good.xlsx"
    big.write_bytes(data)
    good.write_bytes(clean(n))
    done = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(big), str(good)], capture_output=True,
                          text=True, check=True, cwd=ROOT, timeout=120)
    grown, found = done.stdout.strip().split("|")
    assert found == ""  # the extra cells sit outside the form: the file is as clean as before
    assert float(grown) < 120, f"peak memory grew {float(grown):.0f} MB on a {declared / 2**20:.0f} MB sheet"


# --- bad rosters for `perfxl generate` ----------------------------------------------------------------

def _roster_bytes() -> bytes:
    return EXAMPLE_ROSTER.read_bytes()


ROSTER_CASES: list[tuple[str, Callable[[], bytes], tuple[str, ...]]] = [
    ("empty", lambda: b"", ("空",)),
    ("random", lambda: bytes(random.Random(1).randrange(256) for _ in range(4096)), ("不是 Excel 工作簿",)),
    ("truncated", lambda: _roster_bytes()[:2000], ("损坏",)),
    ("word", _docx, ("Word 文档",)),
    ("bomb", lambda: rezip(_roster_bytes(), lambda n, d: d.replace(b"?>", b"?>" + b" " * (12 * 2**20), 1)
                           if n.startswith("xl/worksheets/") else d, level=9), ("压缩比",)),
    ("entities", lambda: with_doctype(_roster_bytes(), "xl/sharedStrings.xml", LAUGHS, b"&lol3;"), ("实体",)),
    ("encrypted", lambda: encrypted(_roster_bytes()), ("密码",)),
]


def _generate(roster: Path, out: Path):
    return CliRunner().invoke(cli, ["generate", "--roster", str(roster), "--year", "2025", "--out", str(out)],
                              catch_exceptions=False)


@pytest.mark.parametrize("name,make,words", ROSTER_CASES, ids=[c[0] for c in ROSTER_CASES])
def test_bad_roster_clear_error_nothing_written(tmp_path: Path, name: str, make: Callable[[], bytes],
                                                words: tuple[str, ...]) -> None:
    roster = tmp_path / "花名册.xlsx"
    roster.write_bytes(make())
    out = tmp_path / "out"
    start = time.perf_counter()
    result = _generate(roster, out)
    assert time.perf_counter() - start < 5
    assert result.exit_code == 2, result.output
    assert "花名册.xlsx" in result.output and all(w in result.output for w in words), result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_roster_claiming_xfd1048576_is_read_in_bounded_time(tmp_path: Path) -> None:
    """A roster whose 项目 sheet has a stray cell at XFD1048576: read as if it were not there, quickly."""
    import openpyxl

    wb = openpyxl.load_workbook(EXAMPLE_ROSTER)
    wb["项目"]["XFD1048576"] = "x"
    roster = tmp_path / "roster.xlsx"
    wb.save(roster)
    start = time.perf_counter()
    read = read_roster(roster)
    assert time.perf_counter() - start < 10
    assert read.departments == read_roster(EXAMPLE_ROSTER).departments


# --- the legacy .xls, made by LibreOffice ---------------------------------------------------------------

def _to_xls(source: bytes, scratch: Path) -> bytes:
    from tests.clients.libreoffice import make_profile, scratch_env, soffice_path

    soffice = soffice_path()
    src = scratch / "in" / "book.xlsx"
    src.parent.mkdir(parents=True)
    src.write_bytes(source)
    out = scratch / "out"
    produced = out / "book.xls"
    for _ in range(3):  # soffice 7.4 now and then aborts while storing (see tests/fixtures/build.py)
        done = subprocess.run([soffice, f"-env:UserInstallation={make_profile(scratch / 'profile')}", "--headless",
                               "--norestore", "--convert-to", "xls", "--outdir", str(out), str(src)],
                              env=scratch_env(scratch), capture_output=True, timeout=180)
        if produced.is_file():  # soffice exits 0 even when it wrote nothing: the file decides
            return produced.read_bytes()
    raise AssertionError(f"soffice produced no .xls: exit {done.returncode}, {done.stderr[-500:]!r}")


@pytest.mark.libreoffice
def test_legacy_xls_in_a_batch_and_as_a_roster(tmp_path: Path, lo_scratch: Path) -> None:
    scratch = Path(tempfile.mkdtemp(dir=lo_scratch))
    xls = _to_xls(clean(1), scratch / "return")
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "returned.xls").write_bytes(xls)
    (folder / "renamed.xlsx").write_bytes(xls)  # the bytes decide, not the name
    (folder / "good.xlsx").write_bytes(clean(12))
    for name in ("returned.xls", "renamed.xlsx"):
        start = time.perf_counter()
        result = check_file(str(folder / name), Options(year=YEAR))
        assert codes(result) == {"F02"} and time.perf_counter() - start < SECONDS
    report = validate([folder], year=YEAR, jobs=2)
    assert {Path(r.path).name: codes(r) for r in report.files} == {"returned.xls": {"F02"}, "renamed.xlsx": {"F02"},
                                                                   "good.xlsx": set()}
    roster = tmp_path / "roster.xls"
    roster.write_bytes(_to_xls(_roster_bytes(), scratch / "roster"))
    result = _generate(roster, tmp_path / "out")
    assert result.exit_code == 2 and ".xls" in result.output and "另存为" in result.output, result.output
    assert not (tmp_path / "out").exists()
    shutil.rmtree(scratch, ignore_errors=True)


# --- docs/hostile-files.md: its tables come from the code, so they cannot drift -------------------

DOC = ROOT / "docs" / "hostile-files.md"
BEGIN, END = "<!-- BEGIN generated", "<!-- END generated -->"

# Limits field → (CLI option of `perfxl validate`, what it bounds, unit)
LIMIT_DOCS = {
    "file_mb": ("--max-file-mb", "文件大小（磁盘上）/ file size on disk", "MB"),
    "members": ("--max-members", "压缩包内部件数 / parts in the zip", ""),
    "part_mb": ("--max-part-mb", "单个部件解压后的大小（按 zip 目录声明）/ one part, uncompressed, as declared", "MB"),
    "total_mb": ("--max-total-mb", "全部部件解压后的总大小 / all parts, uncompressed", "MB"),
    "ratio": ("--max-ratio", "压缩比：超过 1 MB 的单个部件或整个文件 / compression ratio of a part or the "
                             "whole zip over 1 MB", "倍"),
    "seconds": ("--timeout", "单个文件的校验时间 / time to check one file", "秒"),
    "memory_mb": ("--max-memory-mb", "校验单个文件可增加的内存 / memory checking one file may add", "MB"),
}
# What a department may see, in the order the checks run: (situation, message key)
MESSAGE_DOCS = (
    ("无法打开（没有读取权限、读取出错等）/ cannot be opened", "rule.F01"),
    ("不是普通文件：文件夹、命名管道（FIFO）、套接字、设备、循环或断开的符号链接 / not a regular file",
     "rule.F01.special"),
    ("空文件 / an empty file", "rule.F01.empty"),
    ("Excel 97–2003 工作簿（.xls）或 WPS .et / a legacy workbook", "rule.F02"),
    ("设置了打开密码（加密的 OLE 容器，含 EncryptionInfo 流）/ an encrypted workbook", "rule.F03"),
    ("其他 Office 97–2003 文档（Word .doc、PowerPoint .ppt）/ another legacy document", "rule.F01.not_workbook"),
    ("内容既不是 zip 也不是 OLE（随机字节、改了扩展名的文件）/ neither zip nor OLE", "rule.F01.not_zip"),
    ("超出上表任一限制 / over a limit above", "rule.F05"),
    ("zip 部件设置了密码 / a zip-encrypted part", "rule.F03.zip"),
    ("部件使用 Excel 和 WPS 从不使用的压缩方法（只接受 stored 和 deflate；bzip2、lzma 等一律拒绝）/ "
     "a compression method no office writes", "rule.F01.compression"),
    (f"部件解压后远超 zip 目录声明的大小（超过声明的 2 倍再加 {OVERRUN // MiB} MB）/ a part inflating far past its "
     "declared size",
     "rule.F05.declared"),
    ("截断、损坏、CRC 错误、解压后大小与声明不符、不是 UTF-8 的 XML / truncated or damaged", "rule.F01"),
    ("LibreOffice 的 OpenDocument 电子表格 .ods/.ots（zip 内的 mimetype）/ an OpenDocument spreadsheet",
     "rule.F02.ods"),
    ("zip 里没有工作簿（普通压缩包、Word 文档）/ a zip without a workbook", "rule.F01.not_workbook"),
    ("任一 XML 部件含 DOCTYPE 或 ENTITY（billion laughs、外部实体）/ entity declarations", "rule.F05.entity"),
    ("Excel 二进制工作簿 .xlsb / a binary workbook", "rule.F02.xlsb"),
    ("Strict Open XML 格式 / Strict Open XML", "rule.F01.strict"),
    ("含宏：vbaProject.bin、Excel 4.0 宏表、启用宏的文件类型（.xlsm、.xltm）/ macros", "rule.F04"),
    ("外部链接或数据连接（xl/externalLinks/、xl/connections.xml）/ external links", "rule.F04.external"),
    ("ActiveX 控件（xl/activeX/）/ ActiveX controls", "rule.F04.activex"),
    ("嵌入的对象或文件（xl/embeddings/）/ embedded objects", "rule.F04.embedded"),
    ("Excel 模板格式 .xltx / a template", "rule.F04.template"),
    ("校验超时（工作进程被终止）/ checking timed out", "rule.F05.timeout"),
    ("校验所需内存超过上限 / over the memory cap", "rule.F05.memory"),
    ("校验进程意外终止 / the worker died", "rule.F01.crash"),
    ("校验程序自身出错 / a bug in the validator", "rule.F01.internal"),
)
# What the finance office sees when its roster (`perfxl generate --roster`, `perfxl validate --roster`) is refused
ROSTER_DOCS = (
    ("不是普通文件（命名管道、设备、循环或断开的符号链接等）/ not a regular file", "roster.special"),
    ("空文件 / empty", "roster.empty_file"),
    ("内容不是 xlsx / not xlsx", "roster.not_xlsx"),
    ("旧版 .xls / .et", "roster.xls"),
    ("设置了打开密码 / encrypted", "roster.encrypted"),
    ("zip 里没有工作簿 / no workbook in the zip", "roster.not_workbook"),
    (".xlsb", "roster.xlsb"),
    ("Strict Open XML", "roster.strict"),
    ("截断或损坏 / damaged", "roster.damaged"),
    ("超出限制、含实体声明、压缩方法不是 stored/deflate（同上表，使用默认值）/ over a limit, entities, "
     "compression", "roster.unsafe"),
    ("工作表超过行数上限 / too many rows", "roster.too_many_rows"),
    ("CSV 文件超过大小上限 / a CSV file too large", "roster.csv_too_large"),
    ("CSV 文件超过行数上限 / a CSV file with too many rows", "roster.csv_too_many_rows"),
    ("CSV 文件的一行过长 / a CSV line too long", "roster.csv_line_too_long"),
    ("一个部门的项目超过上限 / too many projects in one department", "roster.too_many_projects"),
    ("金额超过上限（含 400 位数字这类无穷大）/ an amount over the limit", "roster.amount_too_large"),
)


def _cell_text(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def generated_tables() -> str:
    """The generated part of docs/hostile-files.md."""
    from dataclasses import fields

    from perfxl import limits
    from perfxl.i18n import CATALOG
    from perfxl.validator.catalog import RULES

    defaults = Limits()
    lines = [f"{BEGIN}: python tests/hostile/test_corpus.py (limits from perfxl/validator/guards.py, "
             "messages from the catalogs); do not edit by hand -->", "",
             "### 限制 / Limits", "",
             "| 限制 / limit | 默认值 / default | 选项 / option | Limits 字段 / field |", "|---|---|---|---|"]
    for f in fields(Limits):
        option, what, unit = LIMIT_DOCS[f.name]
        value = getattr(defaults, f.name)
        shown = f"{value:g}" if isinstance(value, float) else f"{value:,}"
        lines.append(f"| {what} | {shown} {unit}".rstrip() + f" | `{option}` | `{f.name}` |")
    lines += ["", "花名册另有以下上限（不可设置，见 perfxl/limits.py；`perfxl generate` 和 `perfxl validate --roster` "
                  "共用，生成的每个工作簿都在校验程序接受的范围内）/ Roster limits (fixed, perfxl/limits.py; shared by "
                  "generate and validate --roster):", "",
              "| 限制 / limit | 上限 / limit |", "|---|---|",
              f"| 每张表（工作表或 CSV 文件）的行数，含表头 / rows of a sheet or CSV file | {limits.ROSTER_MAX_ROWS:,} |",
              f"| 每张表读取的列数 / columns read | {limits.ROSTER_MAX_COLUMNS} |",
              f"| CSV 文件大小 / a CSV file | {limits.ROSTER_MAX_CSV_MB} MB |",
              f"| CSV 文件的一行 / one CSV line | {limits.ROSTER_MAX_LINE:,} 个字符 / characters |",
              f"| 一个部门（一个工作簿）的项目数 / projects of one department | {limits.MAX_PROJECTS} |",
              f"| 金额（与表中金额的数据验证相同）/ an amount, as the form's data validation | "
              f"0–{limits.MAX_AMOUNT:,.0f} 万元 |", "",
              "花名册读取时逐行检查并写入临时 SQLite 文件（perfxl/roster/store.py），`perfxl generate` 一次只取一个部门："
              "内存不随花名册增长，这些上限约束的是时间和磁盘。/ The roster is staged in SQLite as it is read, and "
              "generate holds one department at a time: memory does not grow with the roster; these limits bound "
              "time and disk.", "",
              "### 部门看到的提示 / What a department sees", "",
              "| 情况 / situation | 代码 / code | 严重性 | 提示（中文）/ message (zh) |", "|---|---|---|---|"]
    for situation, key in MESSAGE_DOCS:
        code = key.split(".")[1]
        severity = "警告" if RULES[code].severity == "warning" else "错误"
        lines.append(f"| {_cell_text(situation)} | {code} | {severity} | {_cell_text(CATALOG[key][0])} |")
    what = "、".join(f"“{CATALOG[f'guard.{k}'][0]}”" for k in ("size", "members", "part", "total", "ratio"))
    lines += ["", f"F05 提示中的 {{what}} 为：{what}。{{reason}}、{{part}} 等处填入具体原因或部件名。",
              "", "### 花名册被拒绝时 / When a roster is refused", "",
              "| 情况 / situation | 提示（中文）/ message (zh) |", "|---|---|"]
    for situation, key in ROSTER_DOCS:
        lines.append(f"| {_cell_text(situation)} | {_cell_text(CATALOG[key][0])} |")
    lines += ["", END]
    return "\n".join(lines)


def test_doc_tables_match_the_code() -> None:
    from dataclasses import fields

    from perfxl.cli.validate import validate_command
    from perfxl.i18n import CATALOG

    assert set(LIMIT_DOCS) == {f.name for f in fields(Limits)}, "a new limit needs a row in LIMIT_DOCS"
    options = {opt: p for p in validate_command.params for opt in getattr(p, "opts", [])}
    for name, (option, _, _) in LIMIT_DOCS.items():
        assert option in options and options[option].default == getattr(Limits(), name), (name, option)
    file_keys = {k for k in CATALOG if k.split(".")[:2] in (["rule", f"F0{i}"] for i in range(1, 6))}
    assert file_keys <= {key for _, key in MESSAGE_DOCS}, "a new F01–F05 message needs a row in MESSAGE_DOCS"
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    assert text[start:end] == generated_tables(), "docs/hostile-files.md is stale: python tests/hostile/test_corpus.py"


if __name__ == "__main__":  # rewrite the generated part of docs/hostile-files.md
    page = DOC.read_text(encoding="utf-8")
    head, tail = page[:page.index(BEGIN)], page[page.index(END) + len(END):]
    DOC.write_text(head + generated_tables() + tail, encoding="utf-8")
    print(f"updated {DOC}")
