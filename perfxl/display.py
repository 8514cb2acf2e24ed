"""A path as shown to a person: the one place that turns a file name into displayable text.

On Linux a file name is bytes. A zip packed on Chinese Windows and unpacked with `unzip`
gives names in GBK, which Python carries as lone surrogates (surrogateescape): such a
str cannot be encoded as UTF-8, so printing it, or writing it into JSON, HTML or a
workbook, fails. Reports show `shown_path(path)` instead, and keep the real path for
opening the file.

Each path component that is not valid UTF-8 is decoded as GB18030 (a superset of GBK)
when that gives ordinary text, which is what such a name almost always is; otherwise
its undecodable bytes become U+FFFD. Valid components are never touched, so a UTF-8
folder holding a GBK file name shows both right.
"""

from __future__ import annotations

import os
import re
import unicodedata

_SURROGATES = re.compile("[\ud800-\udfff]")
# Not text a person can read: controls, formatting, surrogates, private use, unassigned.
_NOT_TEXT = ("Cc", "Cf", "Cs", "Co", "Cn")


def shown_path(path: str | os.PathLike[str] | bytes) -> str:
    """`path` as displayable text (no lone surrogates); the same str when it already is."""
    value = os.fspath(path)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "surrogateescape")
    if not _SURROGATES.search(value):
        return value
    # Only "/" splits on POSIX: a GBK character's second byte may be 0x5C, a backslash.
    parts = re.split(r"([\\/])" if os.sep == "\\" else "(/)", value)
    return "".join(_shown_part(part) for part in parts)


def shown_name(path: str | os.PathLike[str] | bytes) -> str:
    """The last component of `path` (its file name), displayable."""
    shown = shown_path(path)
    return os.path.basename(shown) or shown


def _shown_part(part: str) -> str:
    if not _SURROGATES.search(part):
        return part
    try:
        raw = part.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that was no byte (Windows names can hold them)
        return _SURROGATES.sub("\ufffd", part)
    try:
        decoded = raw.decode("gb18030")
    except UnicodeDecodeError:
        decoded = ""
    if decoded and not any(unicodedata.category(ch) in _NOT_TEXT for ch in decoded):
        return decoded
    return raw.decode("utf-8", "replace")
