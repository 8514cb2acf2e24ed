"""Formula text as clients rewrite it, reduced to what it means.

A round trip through a real client changes how a formula is written but not what it
computes: LibreOffice drops the quotes around sheet names ('项目1'!F6 → 项目1!F6) and
writes FALSE as FALSE(); Excel adds _xlfn. prefixes; users' clients vary spacing and
case. Comparing normalised texts tells a changed formula from a rewritten one.
"""

from __future__ import annotations

import re
from typing import Mapping

_QUOTED_SHEET = re.compile(r"'((?:[^']|'')+)'!")
_BOOL_CALL = re.compile(r"\b(TRUE|FALSE)\(\)")
_STRING = re.compile(r'"(?:[^"]|"")*"')


def normalise(formula: str) -> str:
    """A canonical form of a formula's text (string literals are kept as written)."""
    text = formula.strip()
    if text.startswith("="):
        text = text[1:]
    parts = []
    last = 0
    for m in _STRING.finditer(text):
        parts.append(_code(text[last:m.start()]))
        parts.append(m.group(0))
        last = m.end()
    parts.append(_code(text[last:]))
    return "=" + "".join(parts)


def rename_sheets(formula: str, renames: Mapping[str, str]) -> str:
    """The formula as a client rewrites it when sheets are renamed (old name → new name).

    Only references ('项目1'!F6 or 项目1!F6) change, never the text inside string literals,
    as in Excel and LibreOffice.
    """
    if not renames:
        return formula
    pattern = re.compile("|".join(
        rf"'{re.escape(old.replace(chr(39), chr(39) * 2))}'!|(?<![\w.'])" + re.escape(old) + "!"
        for old in sorted(renames, key=len, reverse=True)))
    by_ref = {}
    for old, new in renames.items():
        quoted = "'" + new.replace("'", "''") + "'!"
        by_ref["'" + old.replace("'", "''") + "'!"] = by_ref[old + "!"] = quoted
    parts = []
    last = 0
    for m in _STRING.finditer(formula):
        parts.append(pattern.sub(lambda r: by_ref[r.group(0)], formula[last:m.start()]))
        parts.append(m.group(0))
        last = m.end()
    parts.append(pattern.sub(lambda r: by_ref[r.group(0)], formula[last:]))
    return "".join(parts)


def _code(text: str) -> str:
    text = text.replace("_xlfn.", "").replace("_xlws.", "")
    text = _QUOTED_SHEET.sub(lambda m: m.group(1).replace("''", "'") + "!", text)
    text = re.sub(r"\s+", "", text).upper()
    return _BOOL_CALL.sub(r"\1", text)
