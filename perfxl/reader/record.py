"""The template record of a returned workbook, as `writer.record` stored it."""

from __future__ import annotations

import json
import zlib
from binascii import Error as Base64Error
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..layout.workbook import RECORD_SHEET
from ..writer.record import KEY_COL, PACKED, RECORD_FORMAT, VALUE_COL, unpack
from .xlsx import Book


class RecordError(Exception):
    """The record sheet exists but cannot be read (damaged, edited, or another format)."""


@dataclass
class Record:
    meta: dict[str, str]
    layout: dict = field(default_factory=dict)
    issued: dict[str, dict[str, object]] = field(default_factory=dict)
    scheme_json: str = ""

    def get(self, key: str, default: str = "") -> str:
        return self.meta.get(key, default)

    @property
    def year(self) -> int | None:
        try:
            return int(float(self.meta.get("year", "")))
        except (ValueError, OverflowError):  # "inf" in a hand-edited record
            return None

    @property
    def project_codes(self) -> list[str]:
        try:
            codes = json.loads(self.meta.get("project_codes", "[]"))
        except ValueError:
            return []
        return [str(c) for c in codes] if isinstance(codes, list) else []


def read_record(book: Book) -> Record | None:
    """None when the workbook has no record sheet (not made by perfxl generate)."""
    sheet = book.sheet(RECORD_SHEET)
    if sheet is None:
        return None
    rows: dict[int, list[object]] = {}
    for (r, c), cell in sheet.cells.items():
        if c in (KEY_COL, VALUE_COL):
            rows.setdefault(r, [None, None])[c - KEY_COL] = cell.value
    meta: dict[str, str] = {}
    parts: dict[str, list[tuple[int, str]]] = {}
    for r in sorted(rows):
        key, value = rows[r]
        if not isinstance(key, str):
            continue
        text = "" if value is None else (str(int(value)) if isinstance(value, float) and value.is_integer()
                                         else str(value))
        stem, _, n = key.rpartition(".")
        if stem in PACKED and n.isdigit():
            parts.setdefault(stem, []).append((int(n), text))
        else:
            meta[key] = text
    if meta.get("format") != RECORD_FORMAT:
        raise RecordError(meta.get("format", ""))
    record = Record(meta)
    try:
        if "layout" in parts:
            record.layout = _json(_joined(parts["layout"]))
        if "issued" in parts:
            record.issued = json.loads(_joined(parts["issued"]))
        if "scheme_data" in parts:
            record.scheme_json = _joined(parts["scheme_data"])
    except (ValueError, zlib.error, Base64Error, UnicodeDecodeError) as exc:
        raise RecordError(str(exc)) from None
    return record


def _joined(chunks: list[tuple[int, str]]) -> str:
    return _unpacked("".join(text for _, text in sorted(chunks)))


@lru_cache(maxsize=64)
def _unpacked(packed: str) -> str:
    """Workbooks of one shape carry the same packed layout and scheme: unpack each once."""
    return unpack(packed)


@lru_cache(maxsize=64)
def _json(text: str) -> Any:
    return json.loads(text)
