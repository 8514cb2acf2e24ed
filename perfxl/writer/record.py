"""The template record: what the validator needs to know from the file alone.

Stored three ways, each cheap to read: custom document properties (identity), a very
hidden sheet `_perfxl` with key/value rows and JSON (every field's cell, kind and exact
formula; the issued values), and workbook defined names for the fields.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass
from datetime import date

from ..layout.model import Kind, WorkbookLayout, a1
from ..layout.workbook import MAX_SHAPES, TEMPLATE_VERSION
from ..scheme.model import Scheme

RECORD_FORMAT = "perfxl-template-record/1"  # JSON parts: zlib + base64 (see pack)
NAME_PREFIX = "perfxl"
CHUNK = 30000  # characters per cell (Excel's limit is 32,767)
KEY_COL, VALUE_COL = 0, 1  # the record sheet: a title row, then one key/value pair per row
PACKED = ("layout", "issued", "scheme_data")  # parts stored packed, in chunks named "<part>.<n>"


@dataclass(frozen=True)
class Meta:
    year: int
    department_code: str
    department_name: str
    scheme_name: str
    scheme_title: str
    scheme_hash: str
    generated: date
    project_codes: tuple[str, ...] = ()


def meta_rows(layout: WorkbookLayout, meta: Meta) -> list[tuple[str, str]]:
    return [
        ("format", RECORD_FORMAT),
        ("template_version", TEMPLATE_VERSION),
        ("year", str(meta.year)),
        ("department_code", meta.department_code),
        ("department_name", meta.department_name),
        ("scheme", meta.scheme_name),
        ("scheme_title", meta.scheme_title),
        ("scheme_hash", meta.scheme_hash),
        ("layout_hash", layout.digest),
        ("blank", "1" if layout.blank else "0"),
        ("projects", str(layout.projects)),
        ("project_codes", json.dumps(list(meta.project_codes), ensure_ascii=False)),
        ("generated", meta.generated.isoformat()),
    ]


_layout_json: dict[str, str] = {}


def layout_json(layout: WorkbookLayout) -> str:
    """Every field of every sheet; identical for all workbooks of one shape, so cached.

    Sheets laid out alike (all project sheets) share one entry under "forms".
    """
    digest = layout.digest
    if digest not in _layout_json:
        forms: dict[str, dict] = {}
        form_ids: dict[str, str] = {}
        sheets = []
        for s in layout.sheets:
            form = {
                "fields": [[f.key, a1(f.row, f.col), f.kind.value, f.vtype.value, f.formula, int(f.required)]
                           for f in s.fields],
                "ranges": s.ranges,
                "indicator_rows": [[r.index, r.row + 1, r.level, r.category] for r in s.indicator_rows],
                "funds_rows": [[r.key, r.row + 1] for r in s.funds_rows],
                "last_row": s.last_row + 1,
            }
            text = json.dumps(form, ensure_ascii=False, sort_keys=True)
            form_id = form_ids.setdefault(text, s.code)
            forms.setdefault(form_id, form)
            sheets.append({"code": s.code, "name": s.name, "role": s.role, "form": form_id})
        data = {"layout_hash": digest, "scheme": layout.scheme_name, "scheme_hash": layout.scheme_hash,
                "lists": {k: list(v) for k, v in layout.lists.items()}, "sheets": sheets, "forms": forms}
        if len(_layout_json) >= MAX_SHAPES:
            del _layout_json[next(iter(_layout_json))]
        _layout_json[digest] = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return _layout_json[digest]


def pack(text: str) -> str:
    """JSON → zlib → base64: the record's big parts stay a few KB in every file."""
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def unpack(packed: str) -> str:
    return zlib.decompress(base64.b64decode(packed)).decode("utf-8")


_packed_layout: dict[str, str] = {}


def packed_layout(layout: WorkbookLayout) -> str:
    digest = layout.digest
    if digest not in _packed_layout:
        if len(_packed_layout) >= MAX_SHAPES:
            del _packed_layout[next(iter(_packed_layout))]
        _packed_layout[digest] = pack(layout_json(layout))
    return _packed_layout[digest]


_packed_scheme: dict[str, str] = {}


def packed_scheme(scheme: Scheme) -> str:
    """The scheme itself, so a workbook can be validated without the office's scheme file.

    Keyed by the recorded text, not the content hash: two schemes that differ only in a table
    the hash leaves out ([consolidation]) share a hash but not their record."""
    if scheme.data_json not in _packed_scheme:
        if len(_packed_scheme) >= MAX_SHAPES:
            del _packed_scheme[next(iter(_packed_scheme))]
        _packed_scheme[scheme.data_json] = pack(scheme.data_json)
    return _packed_scheme[scheme.data_json]


def issued_json(layout: WorkbookLayout, values: dict[tuple[str, str], object]) -> str:
    """The locked values this workbook was issued with, by sheet code and field key."""
    issued: dict[str, dict[str, object]] = {}
    for s in layout.sheets:
        for f in s.fields:
            if f.kind == Kind.ISSUED:
                value = values.get((s.code, f.key), f.value)
                issued.setdefault(s.code, {})[f.key] = value
    return json.dumps(issued, ensure_ascii=False, separators=(",", ":"), default=str)


def record_rows(layout: WorkbookLayout, scheme: Scheme, meta: Meta,
                values: dict[tuple[str, str], object]) -> list[tuple[str, str]]:
    """Every key/value row of the record sheet, in order: identity first, then the packed parts."""
    rows = meta_rows(layout, meta)
    packed = {"layout": packed_layout(layout), "issued": pack(issued_json(layout, values)),
              "scheme_data": packed_scheme(scheme)}
    for part in PACKED:
        rows += [(f"{part}.{i}", text) for i, text in enumerate(chunks(packed[part]), start=1)]
    return rows


def chunks(text: str) -> list[str]:
    return [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]


_defined_names: dict[str, list[tuple[str, str]]] = {}


def defined_names(layout: WorkbookLayout) -> list[tuple[str, str]]:
    """(name, refers-to) for every named field and range: perfxl.<sheet code>.<field name>.

    The writer adds them to every workbook and the validator compares them in every file
    (S05), so they are computed once per shape.
    """
    from ..layout.model import quote_sheet

    if layout.digest in _defined_names:
        return _defined_names[layout.digest]
    out = []
    for s in layout.sheets:
        sheet = quote_sheet(s.name)
        for f in s.fields:
            if f.name:
                out.append((f"{NAME_PREFIX}.{s.code}.{f.name}", f"={sheet}!{a1(f.row, f.col, absolute=True)}"))
        for suffix, rng in s.ranges.items():
            parts = rng.split(":")
            absolute = ":".join(f"${p.rstrip('0123456789')}${p[len(p.rstrip('0123456789')):]}" for p in parts)
            out.append((f"{NAME_PREFIX}.{s.code}.{suffix}", f"={sheet}!{absolute}"))
    if len(_defined_names) >= MAX_SHAPES:
        del _defined_names[next(iter(_defined_names))]
    _defined_names[layout.digest] = out
    return out
