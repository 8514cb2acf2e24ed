"""What the cell reader leaves out but an annotated copy must keep: number formats of typed
cells (a "95%" or a date typed where the form expects a plain number) and each sheet's
protection password hash (the copy is protected again with the office's own password).

Read from the zip parts the guards already checked, with the reader's safe parser.
"""

from __future__ import annotations

from typing import Iterable

from .numfmt import is_date, is_percent
from .xlsx import _M, MAIN, Book, ReadError, _elements, parse_ref

_C, _PROTECTION = (_M + t for t in ("c", "sheetProtection"))
# The attributes that carry a sheet's password: the legacy 16-bit hash, or Excel 2010's salted one.
PASSWORD_ATTRIBUTES = ("password", "algorithmName", "hashValue", "saltValue", "spinCount")


def number_formats(book: Book, sheet_name: str, cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """(row, col) → number format code of those `cells` whose format shows a percentage or a date."""
    sheet = book.sheet(sheet_name)
    wanted = set(cells)
    if sheet is None or not wanted or sheet.part not in book.source:
        return {}
    codes = book.formats
    out: dict[tuple[int, int], str] = {}
    for c in _elements(book.source, sheet.part, _C):
        ref, style = c.get("r"), c.get("s")
        if ref is None or style is None or not style.isdigit():
            continue
        try:
            pos = parse_ref(ref)
        except ValueError:
            continue
        if pos in wanted:
            code = codes.get(int(style))
            if code is not None and (is_percent(code) or is_date(code)):
                out[pos] = code
    return out


def protection_hashes(book: Book, sheet_names: Iterable[str]) -> dict[str, dict[str, str]]:
    """Sheet name → the password attributes of its <sheetProtection>, for the sheets that have one."""
    out: dict[str, dict[str, str]] = {}
    for name in sheet_names:
        sheet = book.sheet(name)
        if sheet is None or sheet.part not in book.source:
            continue
        try:
            found = next(iter(_elements(book.source, sheet.part, _PROTECTION)), None)
        except ReadError:
            continue
        if found is None:
            continue
        attrs = {a: found.get(a) for a in PASSWORD_ATTRIBUTES if found.get(a)}
        if attrs.get("password") or attrs.get("hashValue"):
            out[name] = attrs
    return out


__all__ = ["number_formats", "protection_hashes", "is_percent", "is_date", "PASSWORD_ATTRIBUTES", "MAIN"]
