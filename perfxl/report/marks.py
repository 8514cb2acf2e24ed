"""Live marks: Excel conditions that hold while a cell still shows what the validator found.

A mark drawn as conditional formatting with such a condition disappears the moment the
department changes the cell, and the 校验结果 sheet's status column (the same condition)
turns from 待修改 to 已修改 in every client that recalculates. Only classic functions are
used: the writer's worksheets skip the `_xlfn.` rewriting (writer.fastsheet).
"""

from __future__ import annotations

import math
import re

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def literal(text: str) -> str:
    """A formula string literal; line breaks as CHAR(10), and no piece over Excel's 255 characters."""
    pieces: list[str] = []
    for i, line in enumerate(text.split("\n")):
        if i:
            pieces.append("CHAR(10)")
        for start in range(0, len(line), 120):
            pieces.append('"' + line[start:start + 120].replace('"', '""') + '"')
    return "&".join(p for p in pieces if p != '""') or '""'


def unchanged(ref: str, value: object, text_ref: str | None = None) -> str | None:
    """A condition that holds while `ref` holds `value`; None when a formula cannot say it.

    Text is compared with the cell `text_ref`, which holds it as a plain string: a typed
    text never becomes part of a formula, not even as a string literal (hostile files).
    """
    if value is None or value == "":
        return f"LEN({ref})=0"
    if isinstance(value, bool):
        return f"AND(ISLOGICAL({ref}),{ref}={'TRUE' if value else 'FALSE'})"
    if isinstance(value, (int, float)):
        v = float(value)
        if not math.isfinite(v):
            return None
        tol = 1e-9 * max(1.0, abs(v))
        return f"AND(ISNUMBER({ref}),ABS({ref}-({v:.15G}))<={tol:.3G})"
    if isinstance(value, str) and text_ref is not None and not _ILLEGAL.search(value):
        return f"AND(ISTEXT({ref}),EXACT({ref},{text_ref}))"
    return None


def all_of(conditions: list[str]) -> str:
    return conditions[0] if len(conditions) == 1 else "AND(" + ",".join(conditions) + ")"
