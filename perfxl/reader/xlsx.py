"""A returned workbook read straight from its zip parts with lxml.

A full openpyxl load costs ~200 ms per file (READING-SPEED.md); the validator needs only
cell values and formulas, sheet protection, defined names and custom properties, which
this reader takes from the XML in a few milliseconds. It understands what real clients
write: shared formulas (expanded to each cell), shared and inline strings, rich text,
cells without an `r` attribute, relative or absolute part targets, sheets in any order.
Entity declarations are never expanded (the guards refuse them before parsing).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping, NamedTuple
from lxml import etree

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
OFFICE_DOCUMENT = REL + "/officeDocument"

_M = "{%s}" % MAIN
_C, _V, _F, _IS, _T, _R, _RPH, _ROW = (_M + t for t in ("c", "v", "f", "is", "t", "r", "rPh", "row"))
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True)
_REF = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")
MAX_ROW, MAX_COL = 1_048_576, 16_384


class ReadError(Exception):
    """The zip is not a readable workbook: a part is missing, damaged or not XML."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Cell(NamedTuple):
    """What a cell holds: `value` as the client stored it, `formula` with its leading '='.

    A NamedTuple rather than a dataclass: a workbook has thousands and this is cheaper.
    """

    value: object = None          # None, float, str or bool; errors as their text ("#DIV/0!")
    formula: str | None = None
    error: bool = False


@dataclass
class Sheet:
    name: str
    state: str                    # "visible" | "hidden" | "veryHidden"
    part: str
    protected: bool = False
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (row, col), 0-based

    def cell(self, row: int, col: int) -> Cell:
        return self.cells.get((row, col), EMPTY)


EMPTY = Cell()


@dataclass
class Book:
    sheets: list[Sheet]
    names: dict[str, str]         # workbook-level defined names → refers-to text
    properties: dict[str, str]    # custom document properties
    parts: list[str]

    def sheet(self, name: str) -> Sheet | None:
        for s in self.sheets:
            if s.name == name:
                return s
        return None


@lru_cache(maxsize=65536)
def parse_ref(ref: str) -> tuple[int, int]:
    """'B12' → (11, 1)."""
    m = _REF.match(ref)
    if not m:
        raise ValueError(ref)
    letters, digits = m.groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1


def _xml(parts: Mapping[str, bytes], part: str) -> etree._Element:
    data = parts.get(part)
    if data is None:
        raise ReadError(f"missing part {part}")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ReadError(f"{part}: {exc}") from None


def load_parts(path: str) -> dict[str, bytes]:
    """Every member of the zip, decompressed (callers guard sizes first: see validator.guards)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return {info.filename: zf.read(info) for info in zf.infolist() if not info.is_dir()}
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, OSError, NotImplementedError …
        raise ReadError(f"{type(exc).__name__}: {exc}") from None


def _rels(zf: Mapping[str, bytes], part: str) -> dict[str, tuple[str, str]]:
    """rId → (type, target part) of a part's relationships."""
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", name + ".rels")
    if rels_part not in zf:
        return {}
    out = {}
    for rel in _xml(zf, rels_part).iter("{%s}Relationship" % PKG_REL):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            out[rel.get("Id", "")] = (rel.get("Type", ""), "external:" + target)
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), path)
    return out


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _text(node: etree._Element) -> str:
    """Text of an <si> or <is>: plain or rich runs, without phonetic hints, `_xHHHH_` decoded."""
    t = node.find(_T)
    if t is not None and len(node) == 1:
        text = t.text or ""
    else:
        text = "".join(r.text or "" for r in node.iter(_T) if r.getparent().tag != _RPH)
    return unescape(text)


def unescape(text: str) -> str:
    """OOXML's escape for characters XML cannot hold (ST_Xstring): _x0007_ → BEL, _x005F_ → '_'."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _strings(sst: etree._Element) -> list[str]:
    """Shared strings; when every item is a single plain <t>, read them in one pass."""
    plain = [unescape(t.text or "") for t in sst.iterfind(_M + "si/" + _T)]
    if len(plain) == len(sst) and all(len(si) == 1 for si in sst):
        return plain
    return [_text(si) for si in sst.iterchildren(_M + "si")]


def read_book(source: str | Mapping[str, bytes], sheets: set[str] | None = None) -> Book:
    """Read a workbook from a path or its parts; `sheets` limits which sheets' cells are parsed."""
    parts = load_parts(source) if isinstance(source, str) else source
    root_rels = _rels(parts, "")
    wb_part = next((t for typ, t in root_rels.values() if typ == OFFICE_DOCUMENT), "xl/workbook.xml")
    wb = _xml(parts, wb_part)
    rels = _rels(parts, wb_part)
    strings: list[str] = []
    for typ, target in rels.values():
        if typ.endswith("/sharedStrings") and target in parts:
            strings = _strings(_xml(parts, target))
    names = {}
    for dn in wb.iter(_M + "definedName"):
        if dn.get("localSheetId") is None and dn.get("name"):
            names[dn.get("name")] = (dn.text or "").strip()
    book = Book([], names, _properties(parts), list(parts))
    for s in wb.iter(_M + "sheet"):
        target = rels.get(s.get("{%s}id" % REL), ("", ""))[1]
        sheet = Sheet(s.get("name", ""), s.get("state", "visible"), target)
        book.sheets.append(sheet)
        if target.startswith("external:") or (sheets is not None and sheet.name not in sheets):
            continue
        _read_sheet(_xml(parts, target), sheet, strings)
    return book


def _properties(parts: Mapping[str, bytes]) -> dict[str, str]:
    if "docProps/custom.xml" not in parts:
        return {}
    out = {}
    for prop in _xml(parts, "docProps/custom.xml").iter("{%s}property" % CUSTOM):
        value = next(iter(prop), None)
        out[prop.get("name", "")] = (value.text or "") if value is not None else ""
    return out


def _read_sheet(root: etree._Element, sheet: Sheet, strings: list[str]) -> None:
    prot = root.find(_M + "sheetProtection")
    sheet.protected = prot is not None and prot.get("sheet", "0") in ("1", "true")
    data = root.find(_M + "sheetData")
    if data is None:
        return
    shared: dict[str, tuple[int, int, str]] = {}
    cells = sheet.cells
    pr = parse_ref
    for c in data.iter(_C):
        n = len(c)
        if not n:  # a formatted blank: nothing to read
            continue
        ref = c.get("r")
        if ref is None:  # a client that leaves positions implicit: count them out row by row
            cells.clear()
            _read_counted(data, cells, strings)
            return
        try:
            key = pr(ref)
        except ValueError:
            continue
        # Fast paths for what nearly every cell is: a number or shared string, a plain formula and its value.
        t = c.get("t")
        if n == 1:
            v = c[0]
            if v.tag == _V:
                raw = v.text
                if t is None:
                    try:
                        cells[key] = Cell(float(raw), None)
                        continue
                    except (TypeError, ValueError):
                        pass
                elif t == "s" and raw and raw.isdigit():  # isdigit: no sign, so no strings[-1]
                    try:
                        cells[key] = Cell(strings[int(raw)], None)
                        continue
                    except IndexError:
                        pass
        elif n == 2:
            f, v = c
            if f.tag == _F and v.tag == _V and f.get("t") is None:
                text = f.text
                formula = "=" + text if text else None
                raw = v.text
                if t is None and raw is not None:
                    try:
                        cells[key] = Cell(float(raw), formula)
                        continue
                    except ValueError:
                        pass
                elif t == "str" and raw is not None:
                    cells[key] = Cell(raw, formula)
                    continue
        cells[key] = _cell(c, key[0], key[1], strings, shared)


def _read_counted(data: etree._Element, cells: dict, strings: list[str]) -> None:
    shared: dict[str, tuple[int, int, str]] = {}
    row_no = -1
    for row in data.iterchildren(_ROW):
        r = row.get("r")
        row_no = int(r) - 1 if r and r.isdigit() else row_no + 1
        col_no = -1
        for c in row.iterchildren(_C):
            ref = c.get("r")
            if ref:
                try:
                    rr, col_no = parse_ref(ref)
                except ValueError:
                    continue
                if rr != row_no:
                    continue
            else:
                col_no += 1
            if len(c) and 0 <= row_no < MAX_ROW and 0 <= col_no < MAX_COL:
                cells[(row_no, col_no)] = _cell(c, row_no, col_no, strings, shared)


def _cell(c: etree._Element, row: int, col: int, strings: list[str], shared: dict) -> Cell:
    t = c.get("t")
    raw = formula = None
    inline = None
    for child in c:
        tag = child.tag
        if tag == _V:
            raw = child.text
        elif tag == _F:
            text = child.text or ""
            if child.get("t") == "shared" and child.get("si") is not None:
                si = child.get("si")
                if text:
                    shared[si] = (row, col, text)
                elif si in shared:
                    r0, c0, base = shared[si]
                    text = translate(base, row - r0, col - c0)
            formula = "=" + text if text else None
        elif tag == _IS:
            inline = child
    if t is None or t == "n":
        if raw is None:
            return Cell(None, formula)
        try:
            return Cell(float(raw), formula)
        except ValueError:
            return Cell(raw, formula, True)
    if t == "s":
        if raw.strip().isdigit() and int(raw) < len(strings):
            return Cell(strings[int(raw)], formula)
        return Cell(None, formula, True)
    if t == "inlineStr":
        return Cell(_text(inline) if inline is not None else None, formula)
    if raw is None:
        return Cell(None, formula)
    if t in ("str", "d"):
        return Cell(raw, formula)
    if t == "b":
        return Cell(raw.strip() in ("1", "true"), formula)
    return Cell(raw, formula, True)  # "e" and anything unknown: shown as text, flagged


_TOKEN = re.compile(r"""("(?:[^"]|"")*")|('(?:[^']|'')*'!)|(\$?)([A-Z]{1,3})(\$?)(\d{1,7})(?![\w(!])""")


def translate(formula: str, drow: int, dcol: int) -> str:
    """A shared formula moved by (drow, dcol): relative references shift, $-anchored stay."""
    def shift(m: re.Match) -> str:
        if m.group(1) or m.group(2):
            return m.group(0)
        start = m.start()
        if start and (formula[start - 1].isalnum() or formula[start - 1] in "_."):
            return m.group(0)
        col_abs, letters, row_abs, digits = m.group(3), m.group(4), m.group(5), m.group(6)
        col = 0
        for ch in letters:
            col = col * 26 + ord(ch) - 64
        row = int(digits)
        if not col_abs:
            col += dcol
        if not row_abs:
            row += drow
        if col < 1 or row < 1:
            return "#REF!"
        return f"{col_abs}{_letters(col)}{row_abs}{row}"
    return _TOKEN.sub(shift, formula)


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out

