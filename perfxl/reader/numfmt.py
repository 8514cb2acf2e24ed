"""Number formats as workbooks store them: what a cell's style shows (a percentage, a date).

One home for the reader (a number shown as a percentage was typed as "98%": scoring.Percent)
and for the annotated copy (a typed "95%" or date keeps its format). No parsing here:
callers hand in the styles part's elements, read with the reader's safe parser.
"""

from __future__ import annotations

import re
from typing import Iterable

from lxml import etree

# Built-in number formats (ECMA-376 18.8.30) that show a percentage or a date/time; 27–36
# and 50–58 are the East Asian date formats Excel and WPS use in a Chinese locale.
BUILTIN = {9: "0%", 10: "0.00%", 14: "yyyy/m/d", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
           19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "yyyy/m/d h:mm", 45: "mm:ss", 46: "[h]:mm:ss",
           47: "mm:ss.0", **{i: 'yyyy"年"m"月"d"日"' for i in (*range(27, 37), *range(50, 59))}}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_percent(code: str) -> bool:
    """A format that shows a percentage: a % outside quotes, escapes and [brackets], in its
    first (positive) section."""
    return "%" in _QUOTED.sub("", code).split(";")[0]


def is_date(code: str) -> bool:
    """A date or time format: y, m, d, h or s outside quoted text and [colour] brackets."""
    bare = _QUOTED.sub("", code.split(";")[0]).lower()
    return bool(re.search(r"[ymdhs]", bare)) and "general" not in bare


def cell_formats(elements: Iterable[etree._Element], num_fmt: str, cell_xfs: str) -> dict[int, str]:
    """cellXfs index → number format code (built-in ids resolved) of the styles part's
    `numFmt` and `xf` elements in document order; formats that are neither built in nor
    declared are left out."""
    custom: dict[int, str] = {}
    out: dict[int, str] = {}
    index = 0
    for el in elements:
        if el.tag == num_fmt:
            num = el.get("numFmtId", "")
            if num.isdigit():
                custom[int(num)] = el.get("formatCode", "")
        elif el.getparent() is not None and el.getparent().tag == cell_xfs:
            num = el.get("numFmtId", "0")
            if num.isdigit():
                code = custom.get(int(num), BUILTIN.get(int(num)))
                if code:
                    out[index] = code
            index += 1
    return out
