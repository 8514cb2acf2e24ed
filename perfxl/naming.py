"""File names that are safe on every system, whatever a roster says.

A name part never holds a path separator, a character Windows refuses (<>:"/\\|?*), a
control or invisible formatting character, or a trailing dot or space, and is capped in
characters and in UTF-8 bytes: ext4 allows 255 bytes a name and a Chinese character
takes 3, and the name must leave room for the annotated copy's `_校验结果` and for the
temp name it is written under.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_SPACES = re.compile(r"\s+")
# Windows device names, also with an extension (CON.txt) and with superscript digits.
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
             *(f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³"))}
MAX_PART = 60          # characters of a department name in a file name
MAX_PART_BYTES = 120   # UTF-8 bytes of a department name in a file name
MAX_CODE = 30          # characters of a department code in a file name
MAX_CODE_BYTES = 45
SUFFIX = "_绩效自评表.xlsx"


def safe_part(text: str, max_chars: int = MAX_PART, max_bytes: int = MAX_PART_BYTES) -> str:
    """One component of a file name: no separators, control characters or reserved names."""
    text = unicodedata.normalize("NFC", str(text))
    # Cc controls, Cf invisible formatting (bidi overrides, zero-width), Cs lone surrogates
    # (unencodable as a file name), Co private use, Cn unassigned, Zl/Zp line breaks.
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
    text = _UNSAFE.sub("_", text)
    text = _SPACES.sub(" ", text).strip(" ._")
    text = _cut(text, max_chars, max_bytes).rstrip(" ._")
    if not text or text.split(".")[0].rstrip(" ").upper() in _RESERVED:
        text = f"_{text}" if text else "_"
    return text


def _cut(text: str, max_chars: int, max_bytes: int) -> str:
    """At most `max_chars` characters and `max_bytes` UTF-8 bytes, cut between characters
    and never between a character and the combining marks that follow it."""
    end = min(len(text), max_chars)
    while end and len(text[:end].encode("utf-8")) > max_bytes:
        end -= 1
    if end < len(text):
        while end and unicodedata.combining(text[end]):
            end -= 1  # back to the base character, which goes with its marks
    return text[:end]


def workbook_name(year: int, department_code: str, department_name: str) -> str:
    return f"{year}_{safe_part(department_code, MAX_CODE, MAX_CODE_BYTES)}_{safe_part(department_name)}{SUFFIX}"


def workbook_names(year: int, departments: Iterable[tuple[str, str]]) -> list[str]:
    """workbook_name for each (code, name), made distinct even where cleaning or cutting made
    two alike, and alike only in case (Windows and macOS folders ignore case).

    Only the colliding names change: each gets a short hash of its department code, so a
    name does not depend on the roster's order.
    """
    pairs = list(departments)
    names = [workbook_name(year, code, name) for code, name in pairs]
    counts: dict[str, int] = {}
    for n in names:
        counts[n.casefold()] = counts.get(n.casefold(), 0) + 1
    used = {n.casefold() for n in names if counts[n.casefold()] == 1}
    out: list[str] = []
    for (code, _), name in zip(pairs, names):
        if counts[name.casefold()] > 1:
            stem = name[: -len(SUFFIX)]
            tag = hashlib.sha256(str(code).encode("utf-8", "surrogatepass")).hexdigest()[:8]
            name, n = f"{stem}_{tag}{SUFFIX}", 1
            while name.casefold() in used:  # only a repeated code (the roster refuses those) gets here
                n += 1
                name = f"{stem}_{tag}_{n}{SUFFIX}"
            used.add(name.casefold())
        out.append(name)
    return out
