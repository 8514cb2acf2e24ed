"""What the cell reader leaves out but an annotated copy must keep: number formats of typed
cells (a "95%" or a date typed where the form expects a plain number) and each sheet's
protection password hash (the copy is protected again with the office's own password).

Read from the zip parts the guards already checked, with the reader's safe parser.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from .xlsx import _M, MAIN, OFFICE_DOCUMENT, Book, ReadError, _elements, _rels, parse_ref

_C, _XF, _NUMFMT, _CELLXFS, _PROTECTION = (_M + t for t in ("c", "xf", "numFmt", "cellXfs", "sheetProtection"))
# The attributes that carry a sheet's password: the legacy 16-bit hash, or Excel 2010's salted one.
PASSWORD_ATTRIBUTES = ("password", "algorithmName", "hashValue", "saltValue", "spinCount")

# Built-in number formats (ECMA-376 18.8.30) that show a percentage or a date/time; 27–36
# and 50–58 are the East Asian date formats Excel and WPS use in a Chinese locale.
_BUILTIN = {9: "0%", 10: "0.00%", 14: "yyyy/m/d", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
            19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "yyyy/m/d h:mm", 45: "mm:ss", 46: "[h]:mm:ss",
            47: "mm:ss.0", **{i: 'yyyy"年"m"月"d"日"' for i in (*range(27, 37), *range(50, 59))}}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_percent(code: str) -> bool:
    return "%" in _QUOTED.sub("", code)


def is_date(code: str) -> bool:
    """A date or time format: y, m, d, h or s outside quoted text and [colour] brackets."""
    bare = _QUOTED.sub("", code.split(";")[0]).lower()
    return bool(re.search(r"[ymdhs]", bare)) and "general" not in bare


def number_formats(book: Book, sheet_name: str, cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """(row, col) → number format code of those `cells` whose format shows a percentage or a date."""
    sheet = book.sheet(sheet_name)
    wanted = set(cells)
    if sheet is None or not wanted or sheet.part not in book.source:
        return {}
    codes = _xf_formats(book)
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


def _xf_formats(book: Book) -> dict[int, str]:
    """cellXfs index → number format code (built-in ids resolved), for the formats worth keeping."""
    part = _styles_part(book.source)
    if part is None:
        return {}
    custom: dict[int, str] = {}
    out: dict[int, str] = {}
    index = 0
    for el in _elements(book.source, part, _NUMFMT, _XF):
        if el.tag == _NUMFMT:
            num = el.get("numFmtId", "")
            if num.isdigit():
                custom[int(num)] = el.get("formatCode", "")
        elif el.getparent() is not None and el.getparent().tag == _CELLXFS:
            num = el.get("numFmtId", "0")
            if num.isdigit():
                code = custom.get(int(num), _BUILTIN.get(int(num)))
                if code:
                    out[index] = code
            index += 1
    return out


def _styles_part(parts: Mapping[str, bytes]) -> str | None:
    root = next((t for typ, t in _rels(parts, "").values() if typ == OFFICE_DOCUMENT), "xl/workbook.xml")
    for typ, target in _rels(parts, root).values():
        if typ.endswith("/styles") and target in parts:
            return target
    return None


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
