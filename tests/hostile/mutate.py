"""Seeded mutations of valid returned workbooks, for the fuzz test (tests/hostile/test_fuzz.py).

A case is a pure function of its integer seed: the seed picks a base workbook (a realistic
return, an untouched blank template, a return typed in LibreOffice), then either edits its
XML (cell types and values, references, shared strings, shared formulas, rows, defined
names, relationships, the template record) or damages its bytes (of the zip, or of one
decompressed part before re-zipping). Mutated packages are re-zipped with ZIP_STORED,
which is fast and keeps the guards' compression-ratio check out of the way.

Reproduce one case by its seed:

    python -m tests.hostile.mutate 1234 -o /tmp/case.xlsx     # writes it, prints its findings
"""

from __future__ import annotations

import copy
import functools
import io
import json
import random
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from lxml import etree

from perfxl.generate import blank_workbook, department_workbook
from perfxl.layout import build_layout
from perfxl.layout.model import Kind, WorkbookLayout, a1
from perfxl.layout.workbook import RECORD_SHEET
from perfxl.roster import read_roster
from perfxl.samples import realistic_inputs
from perfxl.scheme import load_scheme
from perfxl.validator.context import Options
from perfxl.reader.xlsx import parse_ref, read_book
from perfxl.validator.model import FileResult
from perfxl.validator.template import open_template
from perfxl.writer import department_values
from perfxl.writer.record import pack, unpack

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
YEAR = 2025
GENERATED = date(2026, 1, 5)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
M = "{%s}" % MAIN
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)


# --- base workbooks ------------------------------------------------------------------------------

@dataclass
class Base:
    """A valid workbook, decompressed once; every case starts from a copy of its parts."""

    name: str
    zip_bytes: bytes                     # the package as its writer made it (deflated)
    parts: dict[str, bytes]              # every member, decompressed, in zip order
    layout: WorkbookLayout
    sheet_parts: dict[str, str]          # sheet name → part
    strings_part: str | None
    # part → cells worth hitting: (row, col) of every layout field, or of the record's values
    targets: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    inputs: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # part → input cells
    formulas: list[str] = field(default_factory=list)   # formula texts seen (for swapping in)
    record: dict[str, tuple[int, object]] = field(default_factory=dict)  # record key → (row, value)

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheet_parts)


def _scheme():
    return load_scheme("national")


def realistic_bytes(code: str = "101004", seed: int = 7) -> bytes:
    """A clean return: the fixture roster's department, filled by samples.realistic_inputs."""
    scheme = _scheme()
    roster = read_roster(FIXTURES / "roster")
    dept = roster.department(code)
    layout = build_layout(scheme, len(dept.projects), goals_issued=tuple(bool(p.goal) for p in dept.projects))
    issued = department_values(layout, dept, YEAR, scheme, GENERATED)
    inputs = realistic_inputs(layout, scheme, seed, budgets=issued)
    return department_workbook(dept, YEAR, scheme, GENERATED, inputs=inputs)


def blank_bytes(projects: int = 2) -> bytes:
    """The blank template (names and budgets are inputs) as issued: nothing typed yet."""
    return blank_workbook(projects, YEAR, _scheme(), GENERATED)


def libreoffice_bytes() -> bytes:
    return (FIXTURES / "should_pass" / "clean_101004_typed_in_libreoffice.xlsx").read_bytes()


def make_base(name: str, data: bytes) -> Base:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    # The layout the validator itself rebuilds from the file's record.
    path = f"<{name}>"
    opened = open_parts_from_bytes(data)
    book = read_book(opened)
    ctx = open_template(path, book, Options(year=YEAR), FileResult(path))
    assert ctx is not None, f"base {name} is not a perfxl workbook"
    sheet_parts = {s.name: s.part for s in book.sheets}
    strings_part = next((p for p in parts if p.lower().endswith("sharedstrings.xml")), None)
    base = Base(name, data, parts, ctx.layout, sheet_parts, strings_part)
    for sheet in ctx.layout.sheets:
        part = sheet_parts.get(sheet.name)
        if part:
            base.targets[part] = [(f.row, f.col) for f in sheet.fields]
            base.inputs[part] = [(f.row, f.col) for f in sheet.fields if f.kind == Kind.INPUT]
            base.formulas += [f.formula[1:] for f in sheet.fields if f.kind == Kind.FORMULA and f.formula]
    record = sheet_parts.get(RECORD_SHEET)
    if record:
        cells = book.sheet(RECORD_SHEET).cells
        rows = sorted({r for (r, _c) in cells})
        base.record = {cells[(r, 0)].value: (r, cells[(r, 1)].value if (r, 1) in cells else None)
                       for r in rows if (r, 0) in cells}
        base.targets[record] = [(r, 1) for r in rows] + [(r, 0) for r in rows[:5]]
    return base


def open_parts_from_bytes(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist() if i.filename.endswith((".xml", ".rels"))}


@functools.lru_cache(maxsize=None)
def bases() -> tuple[Base, ...]:
    """Built once per process: generated workbooks are byte-for-byte reproducible."""
    return (make_base("realistic", realistic_bytes()), make_base("blank", blank_bytes()),
            make_base("libreoffice", libreoffice_bytes()))


# --- a package being mutated ---------------------------------------------------------------------

class Doc:
    """The parts of one case: XML parts parsed on first edit and serialised once at the end."""

    def __init__(self, base: Base):
        self.base = base
        self.parts: dict[str, bytes] = dict(base.parts)
        self.trees: dict[str, etree._Element] = {}
        self.cells: dict[str, dict[str, etree._Element]] = {}   # part → r → <c>
        self.notes: list[str] = []
        self.extra_names: list[tuple[str, bytes]] = []          # duplicate zip members

    def tree(self, part: str) -> etree._Element:
        if part not in self.trees:
            self.trees[part] = etree.fromstring(self.parts[part], PARSER)
        return self.trees[part]

    def note(self, text: str) -> None:
        self.notes.append(text)

    def package(self) -> bytes:
        for part, root in self.trees.items():
            self.parts[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        return zip_parts(list(self.parts.items()) + self.extra_names)

    # --- cells ---
    def index(self, part: str) -> dict[str, etree._Element]:
        if part not in self.cells:
            self.cells[part] = {c.get("r"): c for c in self.tree(part).iter(M + "c") if c.get("r")}
        return self.cells[part]

    def data(self, part: str) -> etree._Element:
        root = self.tree(part)
        data = root.find(M + "sheetData")
        if data is None:
            data = etree.SubElement(root, M + "sheetData")
        return data

    def cell(self, part: str, row: int, col: int) -> etree._Element:
        """The <c> at (row, col), made (in its row, in column order) when the sheet has none."""
        ref = a1(row, col)
        found = self.index(part).get(ref)
        if found is not None:
            return found
        data = self.data(part)
        row_el = next((r for r in data.iterchildren(M + "row") if r.get("r") == str(row + 1)), None)
        if row_el is None:
            row_el = etree.Element(M + "row", r=str(row + 1))
            after = [r for r in data.iterchildren(M + "row")
                     if (r.get("r") or "").isdigit() and int(r.get("r")) < row + 1]
            if after:
                after[-1].addnext(row_el)
            else:
                data.insert(0, row_el)
        c = etree.Element(M + "c", r=ref)
        later = [x for x in row_el.iterchildren(M + "c") if _col(x.get("r")) > col]
        if later:
            later[0].addprevious(c)
        else:
            row_el.append(c)
        self.index(part)[ref] = c
        return c

    def add_string(self, text: str) -> int | None:
        """Append a shared string (`text` as raw <t> content); its index, or None without a table."""
        part = self.base.strings_part
        if part is None or part not in self.parts:
            return None
        sst = self.tree(part)
        si = etree.SubElement(sst, M + "si")
        etree.SubElement(si, M + "t").text = text
        return sum(1 for _ in sst.iterchildren(M + "si")) - 1


def _col(ref: str | None) -> int:
    try:
        return parse_ref(ref or "")[1]
    except ValueError:
        return -1


def zip_parts(items: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        warnings.simplefilter("ignore")  # "Duplicate name": some cases double a member on purpose
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 5, 0, 0, 0))
            zf.writestr(info, data)
    return buf.getvalue()


# --- what goes into a cell -----------------------------------------------------------------------

NUMBERS = ("1e308", "-1e308", "1.7976931348623157e308", "1e309", "-1e309", "NaN", "nan", "-nan", "inf", "-inf",
           "Infinity", "-Infinity", "5e-324", "-0", "0", "1e-320", "123456789012345678901234567890", "9" * 400,
           "0x10", "1_000", " 12 ", "", " ", "١٢", "12,5", "1e", "--1", "+5", ".5", "5.", "1E+400", "-1", "-0.005",
           "99999999999999999999.99", "0.1", "100", "TRUE")
TEXTS = ("abc", "", " ", "\u3000", "１２３", "12,345.6", "1,227.14", "98 分", "95%", "97.5 %", "一百", "12.5万元",
         "1192819.16 元", "=cmd|' /C calc'!A0", "+1+1", "@SUM(1)", "-2+3", "=1+1", "=HYPERLINK(\"http://x\",\"y\")",
         "\t=1", "_x0000_", "_xD800_", "_xDFFF_x", "_x0007_bell", "_x001B_[31mred", "_x202E_evil", "_x005F_x0041_",
         "a" * 5000, "优", "良", "中", "差", "是", "否", "定性", "≥", "≤", "=", "%", "万元", "优秀", "{label}",
         "{0}", "%s%d", "<script>alert(1)</script>", "'; DROP TABLE x; --", "\u200b", "𠀀", "😀", "NaN", "inf")
FORMULAS = ("cmd|' /C calc'!A0", "1+1", "SUM(1)", "1/0", "", "SUM(A1:XFD1048576)", "'项目9'!A1", "#REF!+1",
            "INDIRECT(\"A\"&1)", "A1", "XFD1048576", "'_perfxl'!B3", "HYPERLINK(\"http://x\")", "\"" + "x" * 300 + "\"")
REFS = ("ZZZZ99999999", "A0", "XFD1048577", "XFE1", "XFD1048576", "a1", "", "A-1", "$A$1", "A1:B2", "1A", "A01",
        "A 1", "Ａ1", "A1048576", "AAAA1", "A99999999", "B", "12", "A1.5", "A\u0661")
ROW_REFS = ("0", "-1", "x", "99999999999", "1048577", "1048576", "", "1.5", "٣")
SST_INDEXES = ("-1", "999999", "1.5", " 3 ", "٣", "²", "", "abc", "1e3", "3 ", "00003", "99999999999999999999")
T_VALUES = ("s", "b", "e", "d", "n", "str", "inlineStr", "foo", "", "S", "str ")


def _clear(c: etree._Element) -> None:
    for child in list(c):
        c.remove(child)
    for attr in ("t",):
        if attr in c.attrib:
            del c.attrib[attr]


def set_number(c: etree._Element, raw: str | None) -> None:
    _clear(c)
    if raw is not None:
        etree.SubElement(c, M + "v").text = raw


def set_inline(c: etree._Element, text: str) -> None:
    _clear(c)
    c.set("t", "inlineStr")
    is_ = etree.SubElement(c, M + "is")
    etree.SubElement(is_, M + "t").text = text


def set_str(c: etree._Element, text: str) -> None:
    _clear(c)
    c.set("t", "str")
    etree.SubElement(c, M + "v").text = text


def set_value(doc: Doc, c: etree._Element, value: object) -> None:
    """A Python value typed into a cell, as a client would store it."""
    if value is None:
        _clear(c)
    elif isinstance(value, bool):
        _clear(c)
        c.set("t", "b")
        etree.SubElement(c, M + "v").text = "1" if value else "0"
    elif isinstance(value, (int, float)):
        set_number(c, repr(float(value)))
    else:
        text = str(value)
        index = doc.add_string(text)
        if index is None:
            set_inline(c, text)
        else:
            _clear(c)
            c.set("t", "s")
            etree.SubElement(c, M + "v").text = str(index)


# --- XML mutations -------------------------------------------------------------------------------

def _sheet_part(rng: random.Random, doc: Doc) -> str:
    parts = [p for p in doc.base.targets if p in doc.parts]
    return rng.choice(parts)


def _pick(rng: random.Random, doc: Doc, part: str | None = None) -> tuple[str, etree._Element]:
    """A cell to hit: mostly a layout field (input, issued, formula) or a record value."""
    part = part or _sheet_part(rng, doc)
    targets = doc.base.targets.get(part, [])
    if targets and rng.random() < 0.8:
        row, col = rng.choice(targets)
        return part, doc.cell(part, row, col)
    cells = list(doc.tree(part).iter(M + "c"))
    if cells and rng.random() < 0.9:
        return part, rng.choice(cells)
    return part, doc.cell(part, rng.randrange(0, 80), rng.randrange(0, 20))


def _where(part: str, c: etree._Element) -> str:
    return f"{part}!{c.get('r')}"


def m_number(rng, doc):
    part, c = _pick(rng, doc)
    raw = rng.choice(NUMBERS)
    set_number(c, raw)
    doc.note(f"number {raw[:20]!r} at {_where(part, c)}")


EXTREMES = ("1e308", "-1e308", "1.7976931348623157e308", "8.98846567431158e307", "5e-324", "-5e-324", "1e-300",
            "1e300", "1e15", "0", "-0", "NaN", "inf", "-inf", "-1e-9", "4503599627370497", "0.005", "-0.005")


def m_inputs(rng, doc):
    """Several input cells of one sheet at extremes at once: sums and ratios that overflow or vanish."""
    parts = [p for p, cells in doc.base.inputs.items() if cells and p in doc.parts]
    part = rng.choice(parts)
    cells = rng.sample(doc.base.inputs[part], min(len(doc.base.inputs[part]), rng.randint(2, 12)))
    raw = rng.choice(EXTREMES)
    for row, col in cells:
        set_number(doc.cell(part, row, col), raw if rng.random() < 0.7 else rng.choice(EXTREMES))
    doc.note(f"{len(cells)} inputs of {part} at extremes like {raw!r}: {' '.join(a1(r, c) for r, c in cells)}")


MIXED = (None, 0.0, -1.0, 1.0, 100.0, 1e308, -1e308, 5e-324, 0.005, 12.5, True, False, "", " ", "abc", "定性", "≥",
         ">", "≤", "<", "=", "%", "万元", "元", "个", "达成年度指标", "部分达成年度指标并具有一定效果",
         "未达成年度指标且效果较差", "优", "良", "中", "差", "是", "否", "95%", "1,227.14", "98 分", "12.5万元",
         "1192819.16 元", "=1+1", "+1+1", "@SUM(1)", "-2+3", "#DIV/0!", "NaN", "inf", "1e309", "群众满意度")


def m_inputs_mixed(rng, doc):
    """Several input cells of one sheet given values of any type: operators, levels, units, flags …"""
    parts = [p for p, cells in doc.base.inputs.items() if cells and p in doc.parts]
    part = rng.choice(parts)
    cells = doc.base.inputs[part]
    if rng.random() < 0.5:  # one row of the form: an indicator row, a funds row
        row = rng.choice(cells)[0]
        picked = [rc for rc in cells if rc[0] == row]
    else:
        picked = rng.sample(cells, min(len(cells), rng.randint(2, 15)))
    for row, col in picked:
        value = rng.choice(MIXED)
        c = doc.cell(part, row, col)
        if value == "#DIV/0!":
            _clear(c)
            c.set("t", "e")
            etree.SubElement(c, M + "v").text = value
        else:
            set_value(doc, c, value)
    doc.note(f"{len(picked)} inputs of {part} given mixed values: {' '.join(a1(r, c) for r, c in picked)}")


def m_text(rng, doc):
    part, c = _pick(rng, doc)
    text = rng.choice(TEXTS)
    how = rng.choice(("inline", "str", "sst"))
    if how == "inline":
        set_inline(c, text)
    elif how == "str":
        set_str(c, text)
    else:
        set_value(doc, c, text)
    doc.note(f"text {text[:30]!r} ({how}) at {_where(part, c)}")


def m_empty(rng, doc):
    part, c = _pick(rng, doc)
    how = rng.choice(("no children", "<v/>", "<v></v> t=s", "<is/>", "<f/>", "<v> </v> t=n", "<v/> t=b", "<v/> t=e"))
    _clear(c)
    if how == "<v/>":
        etree.SubElement(c, M + "v")
    elif how == "<v></v> t=s":
        c.set("t", "s")
        etree.SubElement(c, M + "v").text = ""
    elif how == "<is/>":
        c.set("t", "inlineStr")
        etree.SubElement(c, M + "is")
    elif how == "<f/>":
        etree.SubElement(c, M + "f")
    elif how == "<v> </v> t=n":
        c.set("t", "n")
        etree.SubElement(c, M + "v").text = " "
    elif how == "<v/> t=b":
        c.set("t", "b")
        etree.SubElement(c, M + "v")
    elif how == "<v/> t=e":
        c.set("t", "e")
        etree.SubElement(c, M + "v")
    doc.note(f"empty ({how}) at {_where(part, c)}")


def m_wrong_t(rng, doc):
    part, c = _pick(rng, doc)
    t = rng.choice(T_VALUES)
    c.set("t", t)
    if rng.random() < 0.5:
        for child in list(c):
            if child.tag == M + "v":
                child.text = rng.choice(NUMBERS + TEXTS[:12])
    doc.note(f"t={t!r} at {_where(part, c)}")


def m_sst_index(rng, doc):
    part, c = _pick(rng, doc)
    raw = rng.choice(SST_INDEXES)
    _clear(c)
    c.set("t", "s")
    if rng.random() < 0.15:
        etree.SubElement(c, M + "f").text = "1+1"  # a formula and no <v> at all
        raw = "none, <f> only"
    else:
        etree.SubElement(c, M + "v").text = raw
    doc.note(f"shared string index {raw!r} at {_where(part, c)}")


def m_bool_error_date(rng, doc):
    part, c = _pick(rng, doc)
    t, raw = rng.choice((("b", "1"), ("b", "2"), ("b", "true"), ("b", " "), ("e", "#DIV/0!"), ("e", "#REF!"),
                         ("e", "#N/A"), ("e", "garbage"), ("d", "2025-13-45"), ("d", "notadate"),
                         ("d", "2025-01-05T00:00:00"), ("n", "abc")))
    _clear(c)
    c.set("t", t)
    etree.SubElement(c, M + "v").text = raw
    doc.note(f"t={t} v={raw!r} at {_where(part, c)}")


def m_formula(rng, doc):
    """A formula put on a cell (an input, or replacing the template's own), with some cached value."""
    part, c = _pick(rng, doc)
    text = rng.choice(FORMULAS + tuple(rng.sample(doc.base.formulas, 2)))
    _clear(c)
    f = etree.SubElement(c, M + "f")
    f.text = text
    cached = rng.choice((None, "0", "1e308", "NaN", "#VALUE!", "text"))
    if cached is not None:
        if cached.startswith("#"):
            c.set("t", "e")
        elif cached == "text":
            c.set("t", "str")
        etree.SubElement(c, M + "v").text = cached
    doc.note(f"formula {text[:30]!r} cached {cached!r} at {_where(part, c)}")


def m_lying_value(rng, doc):
    """A formula cell whose cached <v> lies (or is dropped, or the formula is dropped: typed over)."""
    part = _sheet_part(rng, doc)
    formulas = [c for c in doc.tree(part).iter(M + "c") if c.find(M + "f") is not None]
    if not formulas:
        return m_number(rng, doc)
    c = rng.choice(formulas)
    v = c.find(M + "v")
    how = rng.choice(("lie", "lie", "drop v", "drop f", "error", "string"))
    if how == "lie":
        if v is None:
            v = etree.SubElement(c, M + "v")
        v.text = rng.choice(NUMBERS)
        c.attrib.pop("t", None)
    elif how == "drop v" and v is not None:
        c.remove(v)
    elif how == "drop f":
        c.remove(c.find(M + "f"))
    elif how == "error":
        c.set("t", "e")
        if v is None:
            v = etree.SubElement(c, M + "v")
        v.text = rng.choice(("#DIV/0!", "#NAME?", "#REF!"))
    elif how == "string":
        c.set("t", "str")
        if v is None:
            v = etree.SubElement(c, M + "v")
        v.text = rng.choice(TEXTS)
    doc.note(f"formula cell {how} at {_where(part, c)}")


def m_shared_formula(rng, doc):
    """Formulas rewritten as shared ones, then broken: missing master, odd si, child before master."""
    part = _sheet_part(rng, doc)
    formulas = [c for c in doc.tree(part).iter(M + "c") if c.find(M + "f") is not None]
    if len(formulas) < 2:
        return m_number(rng, doc)
    picked = rng.sample(formulas, min(len(formulas), rng.randint(2, 6)))
    si = rng.choice(("0", "1", "-1", "abc", "", "99999999999999999999", "0 "))
    how = rng.choice(("no master", "master last", "ok", "two masters", "child with text", "master ref lies", "no si"))
    master = picked[0] if how != "master last" else picked[-1]
    for c in picked:
        f = c.find(M + "f")
        f.attrib.clear()
        f.set("t", "shared")
        if how != "no si":
            f.set("si", si)
        if c is master or how == "two masters":
            f.set("ref", rng.choice(("A1:XFD1048576", "A1", "ZZ0:A1", "", c.get("r") or "A1")))
            if how == "master ref lies":
                f.text = rng.choice(("A1", "$A$1+B2", "XFD1048576+A1", "'x'!A1+A1", "SUM(A1:B2)"))
        elif how != "child with text":
            f.text = None
    doc.note(f"shared formula si={si!r} ({how}) over {len(picked)} cells of {part}")


def m_duplicate_cell(rng, doc):
    part, c = _pick(rng, doc)
    dup = copy.deepcopy(c)
    set_number(dup, rng.choice(NUMBERS)) if rng.random() < 0.5 else set_inline(dup, rng.choice(TEXTS))
    (c.addnext if rng.random() < 0.5 else c.addprevious)(dup)
    doc.note(f"duplicate cell at {_where(part, c)}")


def m_reorder(rng, doc):
    part = _sheet_part(rng, doc)
    data = doc.data(part)
    rows = list(data.iterchildren(M + "row"))
    how = rng.choice(("shuffle rows", "reverse cells", "cell into another row"))
    if not rows:
        return
    if how == "shuffle rows":
        rng.shuffle(rows)
        for r in rows:
            data.remove(r)
            data.append(r)
    elif how == "reverse cells":
        row = rng.choice(rows)
        cells = list(row)
        for x in cells:
            row.remove(x)
        for x in reversed(cells):
            row.append(x)
    else:
        row, other = rng.choice(rows), rng.choice(rows)
        cells = list(row.iterchildren(M + "c"))
        if cells:
            other.append(rng.choice(cells))
    doc.note(f"{how} in {part}")


def m_bad_ref(rng, doc):
    part, c = _pick(rng, doc)
    old = c.get("r")
    if rng.random() < 0.15:
        del c.attrib["r"]
        doc.note(f"no r on {part}!{old}")
        return
    ref = rng.choice(REFS)
    c.set("r", ref)
    doc.note(f"r {old}→{ref!r} in {part}")


def m_bad_row_ref(rng, doc):
    part = _sheet_part(rng, doc)
    rows = list(doc.data(part).iterchildren(M + "row"))
    if not rows:
        return
    row = rng.choice(rows)
    old = row.get("r")
    if rng.random() < 0.3:
        row.attrib.pop("r", None)
        if rng.random() < 0.5:  # and its cells too: positions counted out
            for c in row:
                c.attrib.pop("r", None)
        doc.note(f"row {old} without r in {part}")
    else:
        value = rng.choice(ROW_REFS)
        row.set("r", value)
        doc.note(f"row r {old}→{value!r} in {part}")


def m_delete(rng, doc):
    """A deleted cell, a deleted row, or a row deleted the way Excel does it (rows below move up)."""
    part = _sheet_part(rng, doc)
    data = doc.data(part)
    rows = list(data.iterchildren(M + "row"))
    if not rows:
        return
    how = rng.choice(("cell", "row", "row shifted", "all rows", "sheetData"))
    if how == "cell":
        part, c = _pick(rng, doc, part)
        c.getparent().remove(c)
        doc.cells.pop(part, None)
    elif how == "row":
        data.remove(rng.choice(rows))
        doc.cells.pop(part, None)
    elif how == "row shifted":
        gone = rng.randrange(len(rows))
        data.remove(rows[gone])
        for row in rows[gone + 1:]:
            r = row.get("r")
            if r and r.isdigit():
                row.set("r", str(int(r) - 1))
            for c in row.iterchildren(M + "c"):
                try:
                    rr, cc = parse_ref(c.get("r") or "")
                except ValueError:
                    continue
                c.set("r", a1(rr - 1, cc))
        doc.cells.pop(part, None)
    elif how == "all rows":
        for r in rows:
            data.remove(r)
        doc.cells.pop(part, None)
    else:
        data.getparent().remove(data)
        doc.cells.pop(part, None)
    doc.note(f"deleted {how} in {part}")


def m_far_cell(rng, doc):
    part = _sheet_part(rng, doc)
    row, col = rng.choice(((1_048_575, 16_383), (1_048_575, 0), (0, 16_383), (999_999, 999)))
    c = doc.cell(part, row, col)
    set_number(c, "1")
    dim = doc.tree(part).find(M + "dimension")
    if dim is not None:
        dim.set("ref", "A1:XFD1048576")
    doc.note(f"far cell {a1(row, col)} in {part}")


def m_protection(rng, doc):
    part = _sheet_part(rng, doc)
    root = doc.tree(part)
    prot = root.find(M + "sheetProtection")
    if prot is not None:
        if rng.random() < 0.5:
            root.remove(prot)
        else:
            prot.set("sheet", rng.choice(("0", "false", "", "2", "yes")))
    doc.note(f"sheet protection changed in {part}")


def m_shared_strings(rng, doc):
    part = doc.base.strings_part
    if part is None:
        return m_text(rng, doc)
    sst = doc.tree(part)
    items = list(sst.iterchildren(M + "si"))
    how = rng.choice(("drop last", "drop many", "empty si", "rich", "phonetic", "count lies", "nested junk",
                      "escape", "all gone"))
    if how == "drop last" and items:
        sst.remove(items[-1])
    elif how == "drop many" and items:
        for si in rng.sample(items, max(1, len(items) // 3)):
            sst.remove(si)
    elif how == "empty si" and items:
        si = rng.choice(items)
        for x in list(si):
            si.remove(x)
    elif how == "rich" and items:
        si = rng.choice(items)
        for x in list(si):
            si.remove(x)
        for text in ("=1", "+2", "abc"):
            r = etree.SubElement(si, M + "r")
            etree.SubElement(r, M + "t").text = text
    elif how == "phonetic" and items:
        si = rng.choice(items)
        rph = etree.SubElement(si, M + "rPh", sb="0", eb="1")
        etree.SubElement(rph, M + "t").text = "ふりがな"
    elif how == "count lies":
        sst.set("count", "-5")
        sst.set("uniqueCount", "99999999999")
    elif how == "nested junk" and items:
        si = rng.choice(items)
        etree.SubElement(si, M + "junk").text = "x"
        etree.SubElement(si, M + "t")
    elif how == "escape" and items:
        si = rng.choice(items)
        t = si.find(M + "t")
        if t is not None:
            t.text = rng.choice(("_xD800_", "_x0000_", "_xFFFF_", "_x001B_]0;title_x0007_", "_x"))
    elif how == "all gone":
        for si in items:
            sst.remove(si)
    doc.note(f"sharedStrings: {how}")


def m_workbook(rng, doc):
    """Sheet entries and defined names of xl/workbook.xml."""
    part = next(p for p in doc.parts if p.endswith("workbook.xml") and "rels" not in p)
    wb = doc.tree(part)
    sheets = list(wb.iter(M + "sheet"))
    names = list(wb.iter(M + "definedName"))
    how = rng.choice(("rename", "swap names", "very hidden", "no r:id", "bad r:id", "duplicate sheet", "drop sheet",
                      "name → #REF!", "name elsewhere", "name garbage", "names gone", "local name", "empty name"))
    s = rng.choice(sheets)
    if how == "rename":
        s.set("name", rng.choice(("项目1 ", "x", "", "'", "_perfxl", "基础数据表", "a" * 300, "项目99")))
    elif how == "swap names":
        a, b = rng.sample(sheets, 2)
        na, nb = a.get("name"), b.get("name")
        a.set("name", nb)
        b.set("name", na)
    elif how == "very hidden":
        s.set("state", rng.choice(("veryHidden", "hidden", "bogus")))
    elif how == "no r:id":
        s.attrib.pop(REL_ID, None)
    elif how == "bad r:id":
        s.set(REL_ID, rng.choice(("rId999", "", "rId1")))
    elif how == "duplicate sheet":
        s.addnext(copy.deepcopy(s))
    elif how == "drop sheet":
        s.getparent().remove(s)
    elif names and how == "name → #REF!":
        rng.choice(names).text = "#REF!"
    elif names and how == "name elsewhere":
        n = rng.choice(names)
        n.text = (n.text or "").replace("$", "")[:-1] + rng.choice(("9", "0", "99999999"))
    elif names and how == "name garbage":
        rng.choice(names).text = rng.choice(("", "'", "'项目1'!", "!A1", "'a''b'!$A$1", "=SUM(A1)", "'x'!$ZZZZ$1"))
    elif names and how == "names gone":
        container = names[0].getparent()
        container.getparent().remove(container)
    elif names and how == "local name":
        n = rng.choice(names)
        n.set("localSheetId", rng.choice(("0", "-1", "x")))
    elif names and how == "empty name":
        rng.choice(names).set("name", "")
    doc.note(f"workbook.xml: {how}")


def m_rels(rng, doc):
    rels = [p for p in doc.parts if p.endswith(".rels")]
    part = rng.choice(rels)
    root = doc.tree(part)
    items = list(root)
    if not items:
        return
    rel = rng.choice(items)
    how = rng.choice(("target missing", "external", "absolute", "escape", "type", "duplicate id", "drop"))
    if how == "target missing":
        rel.set("Target", "worksheets/nope.xml")
    elif how == "external":
        rel.set("TargetMode", "External")
        rel.set("Target", "file:///etc/passwd")
    elif how == "absolute":
        target = rel.get("Target", "")
        rel.set("Target", "/xl/" + target if not target.startswith("/") else target[1:])
    elif how == "escape":
        rel.set("Target", "../../../../etc/passwd")
    elif how == "type":
        rel.set("Type", "http://example.com/nonsense")
    elif how == "duplicate id" and len(items) > 1:
        items[0].set("Id", items[1].get("Id", ""))
    elif how == "drop":
        root.remove(rel)
    doc.note(f"{part}: {how}")


def m_record(rng, doc):
    """A value of the hidden template record: year, project count, codes, hashes, a packed chunk."""
    part = doc.base.sheet_parts.get(RECORD_SHEET)
    if part is None or part not in doc.parts:
        return m_number(rng, doc)
    if rng.random() < 0.7:  # a meta value: format, version, year, codes, hashes, blank, projects …
        c = doc.cell(part, rng.randint(1, 13), 1)
    else:
        _, c = _pick(rng, doc, part)
    value = rng.choice(("inf", "-inf", "nan", "1e999", "1e309", "-1", "2025.5", "99999", "", "[", "{}", "[1e999]",
                        "[\"x\",null]", "0", "501", "-0", "x" * 100, "AAAA", "eJwDAAAAAAE=", "eJxLTEoGAAJNASc=",
                        "2025", "1"))
    if rng.random() < 0.5 and value and value.lstrip("-").replace(".", "", 1).replace("e", "", 1).isdigit():
        set_number(c, value)
    else:
        set_value(doc, c, value)
    doc.note(f"record value {value[:20]!r} at {_where(part, c)}")


HOSTILE_JSON = (None, True, 0, -1, 1e308, float("inf"), float("nan"), "", "x", "=1+1", [], {}, [None], {"": None},
                [[[[[[[[[[]]]]]]]]]], "a" * 1000, 10 ** 30, -10 ** 30, ["goal.target", "B12", "issued"], {"fields": 1})


def _json_walk(rng: random.Random, node: object, depth: int = 0) -> tuple[object, str]:
    """`node` with one of its descendants replaced (or dropped); the path, for the note."""
    if isinstance(node, dict) and node and rng.random() < 0.85:
        key = rng.choice(list(node))
        if rng.random() < 0.1:
            return {k: v for k, v in node.items() if k != key}, f"-{key}"
        child, path = _json_walk(rng, node[key], depth + 1)
        return {**node, key: child}, f"{key}/{path}"
    if isinstance(node, list) and node and rng.random() < 0.85:
        i = rng.randrange(len(node))
        child, path = _json_walk(rng, node[i], depth + 1)
        return node[:i] + [child] + node[i + 1:], f"{i}/{path}"
    if rng.random() < 0.05:
        return json.loads("[" * 50 + "]" * 50), "a list 50 deep"
    value = rng.choice(HOSTILE_JSON)
    return value, repr(value)[:30]


def m_record_json(rng, doc):
    """A packed part of the record (layout, issued values, scheme) unpacked, edited and re-packed:
    only the layout and the scheme are checked against hashes, so a file can carry anything here."""
    part = doc.base.sheet_parts.get(RECORD_SHEET)
    chunks = {k: v for k, v in doc.base.record.items() if isinstance(k, str) and k.endswith(".1")}
    if part is None or part not in doc.parts or not chunks:
        return m_record(rng, doc)
    key = rng.choice(sorted(chunks))
    row, packed = chunks[key]
    try:
        data = json.loads(unpack(str(packed)))
    except Exception:  # noqa: BLE001
        return m_record(rng, doc)
    how = rng.random()
    if how < 0.08:  # nesting deeper than any parser's recursion limit
        text = "[" * 200_000 + "]" * 200_000
        note = "nested 200,000 deep"
    elif how < 0.15:
        text = rng.choice(("", "null", "[]", "1", "\"x\"", "{", "NaN", "[1e999]"))
        note = f"JSON {text!r}"
    else:
        data, note = _json_walk(rng, data)
        text = json.dumps(data, ensure_ascii=False, allow_nan=True)
    set_inline(doc.cell(part, row, 1), pack(text))
    doc.note(f"record {key}: {note}")


def m_content_types(rng, doc):
    part = "[Content_Types].xml"
    if part not in doc.parts:
        return
    data = doc.parts[part]
    how = rng.choice(("macro", "drop", "garbage"))
    if how == "macro":
        doc.parts[part] = data.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
    elif how == "drop":
        del doc.parts[part]
    else:
        doc.parts[part] = data[: len(data) // 2]
    doc.note(f"content types: {how}")


def m_package(rng, doc):
    """Members added, dropped or doubled in the zip."""
    how = rng.choice(("drop part", "duplicate member", "junk member", "dir member", "vba"))
    names = [p for p in doc.parts]
    if how == "drop part":
        victim = rng.choice(names)
        doc.parts.pop(victim)
        doc.trees.pop(victim, None)
        doc.note(f"dropped {victim}")
        return
    if how == "duplicate member":
        victim = rng.choice(names)
        doc.extra_names.append((victim, rng.choice((b"", b"<x/>", doc.base.parts[victim][:100]))))
    elif how == "junk member":
        name = rng.choice(("xl/junk.bin", "../../evil.xml", "/abs.xml", "xl\\back.xml"))
        doc.extra_names.append((name, b"\x00" * 64))
    elif how == "dir member":
        doc.extra_names.append(("xl/worksheets/sheet1.xml/", b""))
    else:
        doc.extra_names.append(("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 60))
    doc.note(f"package: {how}")


XML_MUTATIONS: list[tuple[Callable, int]] = [
    (m_number, 10), (m_inputs, 8), (m_inputs_mixed, 10), (m_text, 10), (m_empty, 5), (m_wrong_t, 5),
    (m_sst_index, 5), (m_bool_error_date, 4), (m_formula, 5), (m_lying_value, 6), (m_shared_formula, 5),
    (m_duplicate_cell, 4), (m_reorder, 3), (m_bad_ref, 5), (m_bad_row_ref, 3), (m_delete, 4), (m_far_cell, 2),
    (m_protection, 2), (m_shared_strings, 4), (m_workbook, 4), (m_rels, 2), (m_record, 4), (m_record_json, 5),
    (m_content_types, 1), (m_package, 2),
]


# --- byte mutations ------------------------------------------------------------------------------

INSERTS = (b"<", b">", b"&", b"\x00", b"\xff\xfe", b"]]>", b"<!DOCTYPE x>", b"&amp;", b"\xc3\x28", b"\xed\xa0\x80",
           b"<c r=\"A1\"><v>1</v></c>", b"</row>", b"\"", b"'", b"PK\x03\x04", b"PK\x05\x06", b"\xff" * 8)


def damage(rng: random.Random, data: bytes, tail_bias: float = 0.0) -> tuple[bytes, str]:
    """1–4 byte edits: flips, overwrites, inserts, deletions, truncation."""
    buf = bytearray(data)
    done = []
    for _ in range(rng.randint(1, 4)):
        if not buf:
            break
        if tail_bias and rng.random() < tail_bias:  # the zip's central directory and end record
            pos = max(0, len(buf) - 1 - int(rng.expovariate(1 / 600)))
        else:
            pos = rng.randrange(len(buf))
        op = rng.choice(("flip", "flip", "set", "insert", "delete", "truncate", "duplicate"))
        if op == "flip":
            buf[pos] ^= 1 << rng.randrange(8)
        elif op == "set":
            buf[pos] = rng.randrange(256)
        elif op == "insert":
            buf[pos:pos] = rng.choice(INSERTS) if rng.random() < 0.6 else rng.randbytes(rng.randint(1, 16))
        elif op == "delete":
            del buf[pos:pos + rng.randint(1, 64)]
        elif op == "truncate":
            del buf[pos:]
        else:
            buf[pos:pos] = buf[pos:pos + rng.randint(1, 256)]
        done.append(f"{op}@{pos}")
    return bytes(buf), " ".join(done)


# --- one case ------------------------------------------------------------------------------------

@dataclass
class Case:
    seed: int
    base: str
    kind: str
    what: str
    data: bytes

    def __str__(self) -> str:
        return f"seed={self.seed} base={self.base} {self.kind}: {self.what}"


def _choose(rng: random.Random, table: list[tuple[Callable, int]]) -> Callable:
    return rng.choices([f for f, _ in table], weights=[w for _, w in table])[0]


def make_case(seed: int) -> Case:
    rng = random.Random(seed)
    base = rng.choice(bases())
    roll = rng.random()
    if roll < 0.68:
        doc = Doc(base)
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            _choose(rng, XML_MUTATIONS)(rng, doc)
        return Case(seed, base.name, "xml", "; ".join(doc.notes), doc.package())
    if roll < 0.84:  # bytes of one decompressed part, then re-zipped
        weights = [8 if "worksheets" in p else 4 if p.endswith(("sharedStrings.xml", "workbook.xml")) else 1
                   for p in base.parts]
        part = rng.choices(list(base.parts), weights=weights)[0]
        damaged, how = damage(rng, base.parts[part])
        parts = dict(base.parts)
        parts[part] = damaged
        return Case(seed, base.name, "part bytes", f"{part}: {how}", zip_parts(list(parts.items())))
    # bytes of the zip itself: as its writer deflated it, or stored
    stored = rng.random() < 0.4
    data = zip_parts(list(base.parts.items())) if stored else base.zip_bytes
    damaged, how = damage(rng, data, tail_bias=0.35)
    return Case(seed, base.name, "zip bytes", f"{'stored' if stored else 'deflated'} zip: {how}", damaged)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from perfxl.validator.engine import check_file

    parser = argparse.ArgumentParser(description="Rebuild one fuzz case by its seed and validate it.")
    parser.add_argument("seed", type=int)
    parser.add_argument("-o", "--out", default="fuzz_case.xlsx")
    args = parser.parse_args(argv)
    case = make_case(args.seed)
    Path(args.out).write_bytes(case.data)
    print(case)
    from tests.hostile.test_fuzz import fuzz_options

    for f in check_file(args.out, fuzz_options(args.seed)).findings:
        print(f"  {f.code} {f.sheet}!{f.cell}: {f.text('en')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
