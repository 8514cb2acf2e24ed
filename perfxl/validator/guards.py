"""A file identified by its bytes and sized up from its zip directory, before any XML is parsed.

Returned files arrive by e-mail from many offices: legacy .xls, encrypted workbooks,
macro-enabled ones, damaged zips and the odd hostile file. Each gets its file-level
finding here (F01–F05) and costs no parsing at all; the limits are settings.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

from .model import Finding, file_finding

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
MACRO_CONTENT = b"macroEnabled"
XML_SUFFIXES = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class Limits:
    """Refuse a file beyond any of these before parsing it (F05)."""

    file_mb: float = 50.0          # size on disk
    members: int = 1000            # parts in the zip
    part_mb: float = 100.0         # declared uncompressed size of one part
    total_mb: float = 300.0        # declared uncompressed size of all parts
    ratio: float = 100.0           # uncompressed ÷ compressed, over the whole zip


@dataclass
class Opened:
    parts: dict[str, bytes] | None = None
    finding: Finding | None = None     # stops the file when parts is None
    macro: str | None = None           # a macro part: F04, and checking goes on


def open_parts(path: str, limits: Limits = Limits()) -> Opened:
    """The XML parts of a workbook that passed every guard, or the finding that refused it."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        return Opened(finding=file_finding("F01", reason=exc.strerror or type(exc).__name__))
    if size == 0:
        return Opened(finding=file_finding("F01", "empty"))
    if size > limits.file_mb * 2**20:
        return Opened(finding=_limit("size", f"{size / 2**20:.1f} MB", f"{limits.file_mb:g} MB"))
    if head.startswith(OLE_MAGIC):
        return Opened(finding=_ole(path))
    if not head.startswith(ZIP_MAGIC):
        return Opened(finding=file_finding("F01", reason="not a zip/xlsx file"))
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            refused = _sized_up(infos, size, limits)
            if refused is not None:
                return Opened(finding=refused)
            parts = {i.filename: zf.read(i) for i in infos if i.filename.lower().endswith(XML_SUFFIXES)}
            names = [i.filename for i in infos]
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, NotImplementedError (odd compression) …
        return Opened(finding=file_finding("F01", reason=f"{type(exc).__name__}: {exc}"[:200]))
    for name, data in parts.items():
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            return Opened(finding=file_finding("F05", "entity", part=name))
    macro = next((n for n in names if n.lower().endswith("vbaproject.bin")), None)
    if macro is None and MACRO_CONTENT in parts.get("[Content_Types].xml", b""):
        macro = "[Content_Types].xml"
    return Opened(parts=parts, macro=macro)


def _sized_up(infos: list[zipfile.ZipInfo], size: int, limits: Limits) -> Finding | None:
    if len(infos) > limits.members:
        return _limit("members", len(infos), limits.members)
    total = 0
    for info in infos:
        if info.file_size > limits.part_mb * 2**20:
            return _limit("part", f"{info.filename} {info.file_size / 2**20:.1f} MB", f"{limits.part_mb:g} MB")
        total += info.file_size
    if total > limits.total_mb * 2**20:
        return _limit("total", f"{total / 2**20:.1f} MB", f"{limits.total_mb:g} MB")
    packed = sum(i.compress_size for i in infos) or 1
    if total > 2**20 and total / packed > limits.ratio:
        return _limit("ratio", f"{total / packed:.0f}", f"{limits.ratio:g}")
    return None


def _limit(what: str, actual: object, limit: object) -> Finding:
    from ..i18n import Message

    return file_finding("F05", what=Message(f"guard.{what}"), actual=str(actual), expected=str(limit),
                        limit=str(limit))


def _ole(path: str) -> Finding:
    """An OLE container: an encrypted OOXML workbook, or a legacy .xls / .et."""
    with open(path, "rb") as fh:
        data = fh.read(4 * 2**20)
    if ENCRYPTION_INFO in data:
        return file_finding("F03")
    kind = ".et" if path.lower().endswith(".et") else ".xls"
    return file_finding("F02", kind=kind)
