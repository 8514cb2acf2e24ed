"""A returned workbook read straight from its zip parts with lxml.

A full openpyxl load costs ~200 ms per file (READING-SPEED.md); the validator needs only
cell values and formulas, sheet protection, defined names and custom properties, which
this reader takes from the XML in a few milliseconds. It understands what real clients
write: shared formulas (expanded to each cell), shared and inline strings, rich text,
cells without an `r` attribute, relative or absolute part targets, sheets in any order.
Entity declarations are never expanded (the guards refuse them before parsing).

What a file claims never sets the work: cells are found by walking the XML, never a
sheet's `<dimension>` or used range, and with bounds (the template's extent of each
sheet) a cell outside is skipped before a Cell is made. A part over 2 MB is parsed as a
stream, so memory does not follow a part's size either.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple
from lxml import etree

from ..scoring import Percent
from .numfmt import cell_formats, is_percent

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
OFFICE_DOCUMENT = REL + "/officeDocument"

_M = "{%s}" % MAIN
_C, _V, _F, _IS, _T, _R, _RPH, _ROW = (_M + t for t in ("c", "v", "f", "is", "t", "r", "rPh", "row"))
# Every part is read as UTF-8, as every office application writes it: a declared encoding
# cannot turn bytes the guards scanned (no DOCTYPE, no ENTITY) into something else.
_PARSE = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True,
              remove_pis=True, encoding="utf-8")
_PARSER = etree.XMLParser(**_PARSE)
_REF = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")
MAX_ROW, MAX_COL = 1_048_576, 16_384
# A part this big is parsed as a stream: a whole tree costs ~20× the XML (a 20 MB sheet of cells: ~400 MB).
# Real parts stay under 100 KB, so they keep the faster whole-tree parse.
STREAM_FROM = 2 * 2**20
MAX_HELD = 100_000  # elements inside one wanted element of a streamed part (a row, a string item, a cell)
_SHEET, _DEFINED_NAME, _SI, _PROTECTION, _SHEET_DATA = (_M + t for t in (
    "sheet", "definedName", "si", "sheetProtection", "sheetData"))
_NUM_FMT, _CELL_XFS, _XF = (_M + t for t in ("numFmt", "cellXfs", "xf"))
_RELATIONSHIP = "{%s}Relationship" % PKG_REL
_PROPERTY = "{%s}property" % CUSTOM

Bounds = tuple[int, int]  # (rows, columns): a sheet's cells are kept where row < rows and column < columns
UNBOUNDED: Bounds = (MAX_ROW, MAX_COL)


class ReadError(Exception):
    """The zip is not a readable workbook: a part is missing, damaged or not XML."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Cell(NamedTuple):
    """What a cell holds: `value` as the client stored it, `formula` with its leading '='.

    A NamedTuple rather than a dataclass: a workbook has thousands and this is cheaper.
    """

    value: object = None          # None, float (Percent when shown as a percentage), str or bool; errors as text
    formula: str | None = None
    error: bool = False


@dataclass
class Sheet:
    name: str
    state: str                    # "visible" | "hidden" | "veryHidden"
    part: str
    protected: bool = False
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (row, col), 0-based
    read: bool = False            # cells parsed (see Book.read_sheets)

    def cell(self, row: int, col: int) -> Cell:
        return self.cells.get((row, col), EMPTY)


EMPTY = Cell()


@dataclass
class Book:
    sheets: list[Sheet]
    names: dict[str, str]         # workbook-level defined names → refers-to text
    properties: dict[str, str]    # custom document properties
    parts: list[str]
    source: Mapping[str, bytes] = field(default_factory=dict, repr=False, compare=False)
    strings: list[str] = field(default_factory=list, repr=False, compare=False)
    formats: dict[int, str] = field(default_factory=dict, repr=False, compare=False)  # style index → number format
    percent_styles: frozenset[str] = frozenset()  # style indices (the `s` attribute) that show a percentage

    def sheet(self, name: str) -> Sheet | None:
        for s in self.sheets:
            if s.name == name:
                return s
        return None

    def read_sheets(self, bounds: Mapping[str, Bounds] | None = None) -> None:
        """Parse the cells of the sheets `bounds` names, each within its bounds (None: every sheet, whole).

        The validator passes the template's own extent of each sheet, so a file claiming
        cells out to XFD1048576 costs no more than one that does not: cells outside are
        skipped as they are met, never kept, and sheets the template lacks are not parsed.
        """
        for sheet in self.sheets:
            if sheet.read or sheet.part.startswith("external:"):
                continue
            if bounds is None:
                limit = UNBOUNDED
            elif sheet.name in bounds:
                limit = bounds[sheet.name]
            else:
                continue
            _read_sheet(self.source, sheet, self.strings, limit, self.percent_styles)
            sheet.read = True


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


@lru_cache(maxsize=64)
def _refs(rows: int, cols: int) -> dict[str, tuple[int, int]]:
    """Every reference inside bounds → its position: one lookup both places a cell and bounds it."""
    if rows * cols > 100_000:
        return {}
    return {f"{_letters(c + 1)}{r + 1}": (r, c) for r in range(rows) for c in range(cols)}


def _xml(parts: Mapping[str, bytes], part: str) -> etree._Element:
    data = parts.get(part)
    if data is None:
        raise ReadError(f"missing part {part}")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ReadError(f"{part}: {exc}") from None


def _elements(parts: Mapping[str, bytes], part: str, *tags: str) -> Iterator[etree._Element]:
    """The part's elements named `tags`, in document order: from a whole tree, or streamed when big."""
    data = parts.get(part)
    if data is None:
        raise ReadError(f"missing part {part}")
    if len(data) < STREAM_FROM:
        return _xml(parts, part).iter(*tags)
    return _streamed(part, data, frozenset(tags))


def _streamed(part: str, data: bytes, tags: frozenset[str],
              on_start: Callable[[etree._Element], None] | None = None) -> Iterator[etree._Element]:
    """The `tags` elements of a big part, each with its content; everything else dropped as it ends.

    Each wanted element is cleared once the caller is done with it, and every finished
    element's earlier siblings are removed, so memory stays flat whatever the part holds:
    rows of cells, or half a million merged ranges no one asked for. A wanted element
    holding more than MAX_HELD others (no real one comes near) is refused rather than
    kept. `on_start` sees the start of every element outside the wanted ones.
    """
    inside = held = 0
    try:
        for event, el in etree.iterparse(io.BytesIO(data), events=("start", "end"), **_PARSE):
            if event == "start":
                if inside:
                    held += 1
                    if held > MAX_HELD:
                        raise ReadError(f"{part}: one element holds more than {MAX_HELD:,} others")
                    if el.tag in tags:
                        inside += 1
                elif el.tag in tags:
                    inside, held = 1, 0
                elif on_start is not None:
                    on_start(el)
                continue
            if el.tag in tags:
                inside -= 1
                if inside:  # a wanted element inside another: it comes with its container
                    continue
                yield el
            elif inside:
                continue
            el.clear()
            parent = el.getparent()
            if parent is not None:
                while el.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise ReadError(f"{part}: {exc}") from None


def load_parts(path: str) -> dict[str, bytes]:
    """Every member of the zip, each inflated as a stream held to its declared size.

    Callers guard the declared sizes first (see validator.guards); read_member makes them
    true and refuses the compression methods no office writes (bzip2, lzma …).
    """
    from ..validator.guards import open_regular, read_member

    try:
        with open_regular(path) as fh, zipfile.ZipFile(fh) as zf:
            return {info.filename: read_member(fh, info) for info in zf.infolist() if not info.is_dir()}
    except MemoryError:
        raise
    except Exception as exc:  # BadZipFile, Oversized, zlib.error, OSError, NotImplementedError …
        raise ReadError(f"{type(exc).__name__}: {exc}") from None


def _rels(zf: Mapping[str, bytes], part: str) -> dict[str, tuple[str, str]]:
    """rId → (type, target part) of a part's relationships."""
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", name + ".rels")
    if rels_part not in zf:
        return {}
    out = {}
    for rel in _elements(zf, rels_part, _RELATIONSHIP):
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
    return _ESCAPE.sub(_escaped, text)


def _escaped(m: re.Match) -> str:
    """A lone surrogate (_xD800_) is no character at all: shown as U+FFFD, so every report can encode it."""
    code = int(m.group(1), 16)
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)


def _strings(parts: Mapping[str, bytes], part: str) -> list[str]:
    """Shared strings; when every item is a single plain <t>, read them in one pass."""
    if len(parts[part]) >= STREAM_FROM:
        return [_text(si) for si in _streamed(part, parts[part], frozenset((_SI,)))]
    sst = _xml(parts, part)
    plain = [unescape(t.text or "") for t in sst.iterfind(_SI + "/" + _T)]
    if len(plain) == len(sst) and all(len(si) == 1 for si in sst):
        return plain
    return [_text(si) for si in sst.iterchildren(_SI)]


def read_book(source: str | Mapping[str, bytes], bounds: Mapping[str, Bounds] | None = None) -> Book:
    """Read a workbook from a path or its parts: every sheet's cells, or (with `bounds`) only those
    sheets' cells, each within its bounds; `Book.read_sheets` reads more later."""
    parts = load_parts(source) if isinstance(source, str) else source
    root_rels = _rels(parts, "")
    wb_part = next((t for typ, t in root_rels.values() if typ == OFFICE_DOCUMENT), "xl/workbook.xml")
    rels = _rels(parts, wb_part)
    strings: list[str] = []
    formats: dict[int, str] = {}
    for typ, target in rels.values():
        if typ.endswith("/sharedStrings") and target in parts:
            strings = _strings(parts, target)
        elif typ.endswith("/styles") and target in parts:
            formats = _cell_formats(parts, target)
    percent = frozenset(str(i) for i, code in formats.items() if is_percent(code))
    book = Book([], {}, _properties(parts), list(parts), parts, strings, formats, percent)
    for el in _elements(parts, wb_part, _SHEET, _DEFINED_NAME):
        if el.tag == _SHEET:
            target = rels.get(el.get("{%s}id" % REL), ("", ""))[1]
            book.sheets.append(Sheet(el.get("name", ""), el.get("state", "visible"), target))
            if len(book.sheets) > len(parts):  # each sheet needs a part of its own
                raise ReadError(f"{wb_part}: more sheets listed than the file has parts")
        elif el.get("localSheetId") is None and el.get("name"):
            book.names[el.get("name")] = (el.text or "").strip()
    book.read_sheets(bounds)
    return book


def _properties(parts: Mapping[str, bytes]) -> dict[str, str]:
    if "docProps/custom.xml" not in parts:
        return {}
    out = {}
    for prop in _elements(parts, "docProps/custom.xml", _PROPERTY):
        value = next(iter(prop), None)
        out[prop.get("name", "")] = (value.text or "") if value is not None else ""
    return out


def _cell_formats(parts: Mapping[str, bytes], part: str) -> dict[int, str]:
    return cell_formats(_elements(parts, part, _NUM_FMT, _XF), _NUM_FMT, _CELL_XFS)


def _read_sheet(parts: Mapping[str, bytes], sheet: Sheet, strings: list[str], bounds: Bounds,
                percent: frozenset[str] = frozenset()) -> None:
    """The sheet's cells inside `bounds`, by their `r` reference (counted on where a client left it out)."""
    data = parts.get(sheet.part)
    if data is None:
        raise ReadError(f"missing part {sheet.part}")
    found: etree._Element | None = None
    if len(data) < STREAM_FROM:
        root = _xml(parts, sheet.part)
        prot = root.find(_PROTECTION)
        sheet.protected = prot is not None and prot.get("sheet", "0") in ("1", "true")
        found = root.find(_SHEET_DATA)
        if found is None:
            return
        each: Iterable[etree._Element] = found.iter(_C)
    else:
        each = _streamed_cells(sheet, data)
    last_row, last_col = bounds
    refs = _refs(last_row, last_col)
    shared: dict[str, tuple[int, int, str]] = {}
    cells = sheet.cells
    pr = parse_ref
    counted: tuple[object, int] = (None, -1)  # the last cell placed by counting, and its column
    for c in each:
        n = len(c)
        if not n:  # a formatted blank: nothing to read
            continue
        ref = c.get("r")
        if ref is None:  # a client that leaves positions implicit: count them out row by row
            if found is not None:
                _number_rows(found)
                found = None
            r = c.getparent().get("r")
            if r is None or not r.isdigit() or len(r) > 7:  # not in a row
                continue
            col = _counted_column(c, counted)
            counted = (c, col)
            key = (int(r) - 1, col)
            if not (0 <= key[0] < last_row and col < last_col):
                continue
        else:
            key = refs.get(ref)
            if key is None:  # outside the bounds, a bounded sheet too big to list, or not a reference
                try:
                    key = pr(ref)
                except ValueError:
                    continue
                if key[0] >= last_row or key[1] >= last_col:
                    continue
        # Fast paths for what nearly every cell is: a number or shared string, a plain formula and its value.
        t = c.get("t")
        if n == 1:
            v = c[0]
            if v.tag == _V:
                raw = v.text
                if t is None:
                    try:
                        number = float(raw)
                    except (TypeError, ValueError):
                        pass
                    else:
                        cells[key] = Cell(Percent(number) if percent and c.get("s") in percent else number, None)
                        continue
                elif t == "s" and raw and raw.isdigit():  # isdigit: no sign, so no strings[-1]
                    try:
                        cells[key] = Cell(strings[int(raw)], None)
                        continue
                    except (IndexError, ValueError):  # ValueError: more digits than int() takes
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
        cell = _cell(c, key[0], key[1], strings, shared)
        if percent and type(cell.value) is float and c.get("s") in percent:
            cell = cell._replace(value=Percent(cell.value))
        cells[key] = cell


def _streamed_cells(sheet: Sheet, data: bytes) -> Iterator[etree._Element]:
    """The cells of a big sheet part one at a time (a row of many cells costs one cell), with
    the `r` a client left out filled in as the whole-tree path counts it; protection noted."""
    at = [0, -1]  # the row being read (1-based) and the column of its last cell

    def row_start(el: etree._Element) -> None:
        if el.tag == _ROW:
            r = el.get("r")
            at[0] = int(r) if r is not None and r.isdigit() and len(r) <= 7 else at[0] + 1
            at[1] = -1

    for el in _streamed(sheet.part, data, frozenset((_C, _PROTECTION)), row_start):
        if el.tag == _PROTECTION:  # after the rows
            sheet.protected = el.get("sheet", "0") in ("1", "true")
            continue
        ref = el.get("r")
        if ref is None:
            at[1] += 1
            parent = el.getparent()
            if parent is not None and parent.tag == _ROW and at[1] < MAX_COL:
                el.set("r", f"{_letters(at[1] + 1)}{at[0]}")
        else:
            try:
                at[1] = parse_ref(ref)[1]
            except ValueError:
                at[1] += 1
        yield el


def _number_rows(data: etree._Element) -> None:
    """Give every row without a usable `r` the number after the row before it (once per sheet)."""
    row_no = 0
    for row in data.iterchildren(_ROW):
        r = row.get("r")
        if r is not None and r.isdigit() and len(r) <= 7:
            row_no = int(r)
        else:
            row_no += 1
            row.set("r", str(row_no))


def _counted_column(c: etree._Element, counted: tuple[object, int]) -> int:
    """The column of a cell without `r`: one after the cell before it, wherever that one is placed.

    Walks back to the nearest cell whose column is known (by its `r`, or counted just
    before), so a row of a thousand cells without `r` costs a thousand steps, not a million.
    """
    steps = 0
    prev = c
    while True:
        prev = prev.getprevious()
        if prev is None:
            return steps
        if prev.tag != _C:
            continue
        steps += 1
        if prev is counted[0]:
            return counted[1] + steps
        ref = prev.get("r")
        if ref is not None:
            try:
                return parse_ref(ref)[1] + steps
            except ValueError:
                pass


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
        if raw is None:
            return Cell(None, formula)
        index = raw.strip()
        if index.isdecimal() and len(index) < 10 and int(index) < len(strings):
            return Cell(strings[int(index)], formula)
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

