"""File names that are safe on every system, whatever a roster says."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_SPACES = re.compile(r"\s+")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_PART = 60  # characters; a CJK character is 3 bytes in UTF-8 and names are capped at 255 bytes


def safe_part(text: str, max_chars: int = MAX_PART) -> str:
    """One component of a file name: no separators, control characters or reserved names."""
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    text = _UNSAFE.sub("_", text)
    text = _SPACES.sub(" ", text).strip(" ._")
    text = text[:max_chars].rstrip(" ._")
    if not text or text.upper() in _RESERVED:
        text = f"_{text}" if text else "_"
    return text


def workbook_name(year: int, department_code: str, department_name: str) -> str:
    return f"{year}_{safe_part(department_code, 30)}_{safe_part(department_name)}_绩效自评表.xlsx"
