"""The template record of a returned workbook, as `writer.record` stored it."""

from __future__ import annotations

import json
import zlib
from binascii import Error as Base64Error
from collections import OrderedDict
from dataclasses import dataclass, field
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
    # (cache, key, value, size) read from this file, cached only once its template is accepted: see remember
    pending: list[tuple[Any, str, Any, int]] = field(default_factory=list, repr=False, compare=False)

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
            record.layout = _json(_joined(parts["layout"], record), record)
        if "issued" in parts:  # one department's figures: never shared, never cached
            record.issued = json.loads(unpack(_chunks(parts["issued"])))
        if "scheme_data" in parts:
            record.scheme_json = _joined(parts["scheme_data"], record)
    except (ValueError, zlib.error, Base64Error, UnicodeDecodeError) as exc:
        raise RecordError(str(exc)) from None
    return record


class SizedCache:
    """Least recently used entries dropped first, bounded by the size of what it holds (characters)
    as well as by count; an entry larger than `item` is never kept."""

    def __init__(self, total: int, item: int, entries: int = 64) -> None:
        self.total, self.item, self.entries = total, item, entries
        self.size = 0
        self._data: OrderedDict[str, tuple[Any, int]] = OrderedDict()

    def get(self, key: str) -> Any | None:
        hit = self._data.get(key)
        if hit is None:
            return None
        self._data.move_to_end(key)
        return hit[0]

    def put(self, key: str, value: Any, size: int) -> None:
        if size > self.item or key in self._data:
            return
        self._data[key] = (value, size)
        self.size += size
        while self.size > self.total or len(self._data) > self.entries:
            _, (_, dropped) = self._data.popitem(last=False)
            self.size -= dropped

    def clear(self) -> None:
        self._data.clear()
        self.size = 0


# Workbooks of one shape carry the same packed layout and scheme: unpack and parse each once.
# A 500-project layout is about 0.6 M characters unpacked; a record can claim far more.
_UNPACKED = SizedCache(total=16 * 2**20, item=2 * 2**20)
_JSON = SizedCache(total=8 * 2**20, item=2 * 2**20)


def remember(record: Record) -> None:
    """Cache what `record` unpacked, now that its file's template is accepted (never a failing file's)."""
    for cache, key, value, size in record.pending:
        cache.put(key, value, size)
    record.pending.clear()


def _chunks(chunks: list[tuple[int, str]]) -> str:
    return "".join(text for _, text in sorted(chunks))


def _joined(chunks: list[tuple[int, str]], record: Record) -> str:
    packed = _chunks(chunks)
    text = _UNPACKED.get(packed)
    if text is None:
        text = unpack(packed)
        record.pending.append((_UNPACKED, packed, text, len(packed) + len(text)))
    return text


def _json(text: str, record: Record) -> Any:
    found = _JSON.get(text)
    if found is None:
        found = json.loads(text)
        record.pending.append((_JSON, text, found, len(text)))
    return found
