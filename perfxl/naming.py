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
from typing import Iterable, Iterator

from .scratch import scratch_connection

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
    name does not depend on the roster's order. (NamePlan, as a list.)
    """
    with NamePlan(year, departments) as plan:
        return list(plan)


class NamePlan:
    """`workbook_names` for a roster of any size, kept in a private temporary SQLite file
    (perfxl.scratch) rather than in memory, and read back one name at a time in roster order.

    Whether a name collides depends on every other department's, so all are computed first;
    with tens of thousands of departments, names and the sets that find collisions would be
    tens of megabytes in Python, and here they cost none.
    """

    _BATCH = 1000

    def __init__(self, year: int, departments: Iterable[tuple[str, str]]) -> None:
        self._conn, self._close = scratch_connection()
        try:
            self._plan(year, departments)
        except BaseException:
            self._close()
            raise

    def _plan(self, year: int, departments: Iterable[tuple[str, str]]) -> None:
        conn = self._conn
        # taken: the folded name once final (a name no other department shares, or a colliding
        # one after its tag); NULL while a colliding name waits for its tag.
        conn.execute("CREATE TABLE plan (seq INTEGER PRIMARY KEY, name TEXT NOT NULL, folded TEXT NOT NULL, "
                     "tag TEXT NOT NULL, taken TEXT)")
        insert = "INSERT INTO plan (name, folded, tag) VALUES (?, ?, ?)"
        batch = []
        for code, dept_name in departments:
            name = workbook_name(year, code, dept_name)
            batch.append((name, name.casefold(), _tag(code)))
            if len(batch) >= self._BATCH:
                conn.executemany(insert, batch)
                batch.clear()
        conn.executemany(insert, batch)
        conn.execute("CREATE INDEX plan_folded ON plan (folded)")
        conn.execute("UPDATE plan SET taken = folded WHERE folded IN "
                     "(SELECT folded FROM plan GROUP BY folded HAVING COUNT(*) = 1)")
        conn.execute("CREATE INDEX plan_taken ON plan (taken)")
        last = 0
        while colliding := conn.execute("SELECT seq, name, tag FROM plan WHERE taken IS NULL AND seq > ? "
                                        "ORDER BY seq LIMIT ?", (last, self._BATCH)).fetchall():
            for seq, name, tag in colliding:
                stem = name[: -len(SUFFIX)]
                name, n = f"{stem}_{tag}{SUFFIX}", 1
                while conn.execute("SELECT 1 FROM plan WHERE taken = ?", (name.casefold(),)).fetchone():
                    n += 1  # only a repeated code (the roster refuses those) gets here
                    name = f"{stem}_{tag}_{n}{SUFFIX}"
                conn.execute("UPDATE plan SET name = ?, taken = ? WHERE seq = ?", (name, name.casefold(), seq))
                last = seq

    def __len__(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM plan").fetchone()[0]

    def __iter__(self) -> Iterator[str]:
        """The file names in roster order (a fresh pass each time)."""
        return (name for (name,) in self._conn.execute("SELECT name FROM plan ORDER BY seq"))

    def close(self) -> None:
        self._close()

    def __enter__(self) -> NamePlan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _tag(code: str) -> str:
    """The short hash of a department code that sets a colliding name apart."""
    return hashlib.sha256(str(code).encode("utf-8", "surrogatepass")).hexdigest()[:8]
