"""A file identified by its bytes and sized up from its zip directory, before any XML is parsed.

Returned files arrive by e-mail from many offices: legacy .xls, encrypted workbooks,
macro-enabled ones, damaged zips and the odd hostile file. Each gets its file-level
finding here (F01–F05) and costs no parsing at all; the limits are settings. The same
checks guard the roster (roster.reader) before openpyxl sees it.

Order matters: what is cheap and certain first (the size on disk, the first bytes, the
zip's end record), then the zip directory (sizes, ratios, encryption flags, part names),
then the decompressed XML parts' bytes (no DOCTYPE or ENTITY), and only then — in the
reader — any parsing. Every check reads at most the parts the reader will parse anyway.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO, Callable

from ..i18n import Message
from .model import Finding, file_finding

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP = b"PK\x05\x06"          # an end record and nothing else: a zip with no member
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
XML_SUFFIXES = (".xml", ".rels", ".vml")
CONTENT_TYPES = "[content_types].xml"
MEDIA = "xl/media/"                # images: never parsed as XML (an SVG may well carry a DOCTYPE)
MiB = 2**20
CHUNK = 64 * 1024                  # compressed bytes read, and most bytes inflated, per step
# The only compression methods Excel, WPS and LibreOffice write. bzip2 or lzma inflate a
# 9 KB member to gigabytes in one call, deflate64 and the rest are no office's.
ALLOWED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
METHOD_NAMES = {9: "deflate64", 12: "bzip2", 14: "lzma", 93: "zstd", 95: "xz", 96: "jpeg", 97: "wavpack",
                98: "ppmd", 99: "aes"}
CENTRAL_ENTRY = b"PK\x01\x02"
OVERRUN = MiB                      # inflating past the declared size by this much (plus that size again): a bomb
RATIO_FROM = MiB                   # a part (or a zip) smaller than this may compress as it likes

# Part names (lower case) whose content the validator ignores but the department should know
# about: F04 "macro" and its variants. The rest of the file is still checked.
VBA_PART = "vbaproject.bin"
MACRO_SHEETS = "xl/macrosheets/"   # Excel 4.0 (XLM) macros
ACTIVE_PARTS = (
    ("external", ("xl/externallinks/", "xl/connections.xml")),  # links to other workbooks, data connections
    ("activex", ("xl/activex/",)),
    ("embedded", ("xl/embeddings/",)),                          # OLE objects and embedded files
)
# The workbook's main content type, by what it means here.
MAIN_TYPES = (
    (b"ms-excel.sheet.binary.macroEnabled.main", "xlsb"),
    (b"macroEnabled.main+xml", "macro"),                        # .xlsm, .xltm
    (b"spreadsheetml.template.main+xml", "template"),           # .xltx
    (b"spreadsheetml.sheet.main+xml", "workbook"),
)
STRICT_RELS = b"purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
# OpenDocument: an uncompressed "mimetype" member first; meta.xml holds the custom properties,
# which LibreOffice carries over from the issued workbook (perfxl.department_code, perfxl.year).
ODF_MIMETYPE, ODF_META = "mimetype", "meta.xml"
ODS_TYPES = (b"application/vnd.oasis.opendocument.spreadsheet",)  # also matches "…spreadsheet-template"
ODF_META_MAX = MiB
_ODF_META_NS = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_DC_NS = "http://purl.org/dc/elements/1.1/"


@dataclass(frozen=True)
class Limits:
    """Refuse a file beyond any of these before parsing it (F05).

    A real return is ~130 KB on disk with ~20 parts, its largest part ~80 KB and all its
    XML ~0.6 MB uncompressed, packed 3–8×. A blank template of 500 projects (the most a
    template has) is 6.3 MB with 515 parts and 37 MB of XML, its largest part 0.5 MB.
    The limits sit above that and far below what would hurt: every XML part is held
    decompressed while its file is checked, so `total_mb` bounds that memory; the reader
    parses a part over 2 MB as a stream, so `part_mb` bounds time rather than memory (a
    20 MB sheet streams in ~3 s; parsed whole it would take ~400 MB).
    """

    file_mb: float = 50.0          # size on disk; nothing reads a whole file: a sanity cap (mail stops at 25–50 MB)
    members: int = 3000            # parts in the zip; 500 projects saved by Excel (rels, printer settings): ~1,500
    part_mb: float = 20.0          # declared uncompressed size of one part: 40× the largest real one; a photo fits
    total_mb: float = 100.0        # declared uncompressed size of all parts (held while checking): 500 projects take 37
    ratio: float = 100.0           # uncompressed ÷ compressed, of any part or the whole zip over 1 MB (real: 3–15)
    # While checking (validator.isolation): a file past these costs only its own F05.
    seconds: float = 60.0          # wall-clock time per file; normal files take 25–50 ms
    memory_mb: int = 1024          # address space a worker may add to its start-up size; normal files add < 170 MB


@dataclass
class Opened:
    parts: dict[str, bytes] | None = None
    finding: Finding | None = None     # stops the file when parts is None
    warnings: list[Finding] = field(default_factory=list)  # F04: ignored content; checking goes on
    # What a refused file says about itself (an .ods keeps the issued workbook's properties):
    # department_code, department_name, year. Never trusted for checking, only to tell who
    # answered, so a department that sent the wrong format is not reported as not returned.
    identity: dict[str, str] = field(default_factory=dict)


def open_parts(path: str, limits: Limits = Limits(), *, every_part: bool = False) -> Opened:
    """The XML parts of a workbook that passed every guard, or the finding that refused it.

    Every member is inflated once, as a stream that stops at its declared size, so what
    the directory says is then true for any later reader (openpyxl in the annotated copy).
    Only parts named like XML are kept (the reader parses nothing else); with `every_part`
    every member is kept, for a reader such as openpyxl that follows any name.
    """
    return _guarded(path, limits, "every" if every_part else "xml")


def check_parts(path: str, limits: Limits = Limits()) -> Finding | None:
    """The finding `open_parts(path, limits, every_part=True)` gives, without keeping the parts.

    For a file another reader parses again itself (openpyxl reading a roster): every member
    is inflated and scanned for DOCTYPE and ENTITY as a stream and dropped, so the check costs
    a chunk of memory, not the file's uncompressed size (a 10,000-department roster's sheet
    is 16 MB of XML).
    """
    return _guarded(path, limits, "none").finding


def _guarded(path: str, limits: Limits, keep: str) -> Opened:
    try:
        fh = open_regular(path)
    except NotRegular as exc:
        return Opened(finding=file_finding("F01", "special", what=Message(f"guard.special.{exc.kind}")))
    except OSError as exc:  # unreadable, vanished
        return Opened(finding=file_finding("F01", reason=exc.strerror or type(exc).__name__))
    with fh:
        return _open_parts(fh, path, limits, keep)


class _EntityScan:
    """Whether a member's bytes, seen a piece at a time, hold DOCTYPE or ENTITY (also across pieces)."""

    MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
    OVERLAP = max(len(m) for m in MARKERS) - 1

    def __init__(self) -> None:
        self.found = False
        self._tail = b""

    def __call__(self, piece: bytes) -> None:
        if self.found:
            return
        data = self._tail + piece
        self.found = b"<!" in data and any(m in data for m in self.MARKERS)
        self._tail = data[-self.OVERLAP:]


def _open_parts(fh: BinaryIO, path: str, limits: Limits, keep_parts: str) -> Opened:
    """`keep_parts`: "xml" (the parts the reader parses), "every" (all), or "none" (each member
    scanned as it streams; only what the checks below read is kept)."""
    try:
        size = os.fstat(fh.fileno()).st_size
        head = fh.read(8)
        if size == 0:
            return Opened(finding=file_finding("F01", "empty"))
        if size > limits.file_mb * MiB:
            return Opened(finding=_limit("size", f"{size / MiB:.1f} MB", f"{limits.file_mb:g} MB"))
        if head.startswith(OLE_MAGIC):
            return Opened(finding=_ole(fh, size, path))
        if head.startswith(EMPTY_ZIP):
            return Opened(finding=_not_workbook("empty_zip"))
        if not head.startswith(ZIP_MAGIC):
            return Opened(finding=file_finding("F01", "not_zip"))
        refused = _end_record(fh, limits)
        if refused is not None:
            return Opened(finding=refused)
    except OSError as exc:  # a read error on a failing disk
        return Opened(finding=file_finding("F01", reason=exc.strerror or type(exc).__name__))
    try:
        with zipfile.ZipFile(fh) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            refused = _directory(infos, limits)
            if refused is not None:
                return Opened(finding=refused)
            names = {i.filename.lower(): i.filename for i in infos}
            if CONTENT_TYPES not in names:
                if _is_ods(fh, zf, names):
                    return Opened(finding=file_finding("F02", "ods", kind=".ods"),
                                  identity=_odf_identity(fh, zf, names))
                return Opened(finding=_not_workbook(_zip_kind(names)))
            parts: dict[str, bytes] = {}
            entity: str | None = None  # keep_parts "none": the first member with an entity declaration
            for info in infos:
                name = info.filename.lower()
                if keep_parts == "none":
                    keep = name in (CONTENT_TYPES, "_rels/.rels")
                    scan = _EntityScan()
                    data = read_member(fh, info, keep=keep, scan=scan)
                    if scan.found and entity is None and not name.startswith(MEDIA):
                        entity = info.filename
                else:
                    keep = keep_parts == "every" or name.endswith(XML_SUFFIXES)
                    data = read_member(fh, info, keep=keep)
                if keep:
                    parts[info.filename] = data
    except MemoryError:
        raise  # the isolation worker turns it into F05 "memory"
    except Oversized as exc:
        return Opened(finding=file_finding("F05", "declared", part=exc.part, declared=f"{exc.declared:,}"))
    except Exception as exc:  # BadZipFile (bad CRC too), zlib.error, EOFError, OSError …
        return Opened(finding=file_finding("F01", reason=f"{type(exc).__name__}: {exc}"[:200]))
    if entity is not None:
        return Opened(finding=file_finding("F05", "entity", part=entity))
    for name, data in parts.items():
        if b"<!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data) and not name.lower().startswith(MEDIA):
            return Opened(finding=file_finding("F05", "entity", part=name))
    kind = _main_type(parts.get(names[CONTENT_TYPES], b""))
    if kind is None:
        return Opened(finding=_not_workbook(_zip_kind(names, parts.get(names[CONTENT_TYPES], b""))))
    if kind == "xlsb":
        return Opened(finding=file_finding("F02", "xlsb"))
    rels = parts.get(names.get("_rels/.rels", ""), b"")
    if STRICT_RELS in rels:
        return Opened(finding=file_finding("F01", "strict"))
    return Opened(parts=parts, warnings=_ignored_content(names, kind))


# --- files that are not regular files --------------------------------------------------------------


class NotRegular(OSError):
    """A path that is not a regular file: `kind` is fifo, socket, device, directory, loop, dangling or other."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({kind})", path)
        self.kind = kind


def special_kind(path: str | os.PathLike[str]) -> str | None:
    """What a path is when it is not a regular file (None when it is, or does not exist at all).

    open() on a FIFO blocks until a writer comes, a device may never end, and a symbolic
    link that loops makes pathlib raise RuntimeError: each is named before anything opens it.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "loop"
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                return "dangling"
        except OSError:
            pass
        return None
    return _kind_of(mode)


def _kind_of(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "other"


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """A regular file opened for reading; NotRegular for anything else, never a hang.

    Opened without blocking (a FIFO that appeared since a check cannot stall us) and
    checked on the open descriptor, so what is read is what was checked.
    """
    kind = special_kind(path)
    if kind is not None:
        raise NotRegular(os.fspath(path), kind)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        kind = _kind_of(os.fstat(fd).st_mode)
        if kind is not None:
            raise NotRegular(os.fspath(path), kind)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def file_digest(path: str | os.PathLike[str]) -> tuple[str, int]:
    """SHA-256 and size of a file, read (never written) in chunks: how a round knows a copy."""
    digest, size = hashlib.sha256(), 0
    with open_regular(path) as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# --- zip members, inflated as streams -------------------------------------------------------------


class Oversized(Exception):
    """A member that inflates past the size its directory entry declares: a bomb, not a damaged file."""

    def __init__(self, part: str, declared: int) -> None:
        super().__init__(f"{part} inflates past its declared {declared:,} bytes")
        self.part, self.declared = part, declared


def read_member(fh: BinaryIO, info: zipfile.ZipInfo, *, keep: bool = True,
                scan: Callable[[bytes], None] | None = None) -> bytes:
    """A member's bytes, inflated in steps of CHUNK and never past its declared size.

    zipfile.read() inflates a deflate member up to 2 GiB in one call, and a bzip2 or lzma
    one completely, before cutting it to the declared size. Here nothing past the declared
    size is kept; a stream that goes on well past it (OVERRUN) is a bomb (Oversized), one
    that ends a little off or fails its CRC is damaged (BadZipFile: flipped bytes inflate
    to garbage of any length). The deflate stream must end exactly at the declared size,
    so a later zipfile read of the same member (openpyxl) inflates no more than that
    either. With keep=False the bytes are checked and dropped (b""): one chunk of memory;
    `scan` sees them first, a piece at a time.
    """
    if info.compress_type not in ALLOWED_METHODS:
        raise NotImplementedError(f"compression method {_method(info.compress_type)} of {info.filename}")
    fh.seek(info.header_offset)
    local = fh.read(30)
    if len(local) < 30 or not local.startswith(ZIP_MAGIC):
        raise zipfile.BadZipFile(f"{info.filename}: bad local header")
    name_len, extra_len = struct.unpack_from("<HH", local, 26)
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    declared, left = info.file_size, info.compress_size
    out, produced, crc = bytearray(), 0, 0

    def take(piece: bytes) -> None:
        nonlocal produced, crc
        if produced + len(piece) > declared + OVERRUN + declared:
            raise Oversized(info.filename, declared)
        if produced < declared:
            if keep:
                out.extend(piece[:declared - produced])
            if scan is not None:
                scan(piece[:declared - produced])
        produced += len(piece)
        crc = zlib.crc32(piece, crc)

    def raw() -> bytes:
        nonlocal left
        data = fh.read(min(CHUNK, left)) if left > 0 else b""
        left -= len(data)
        return data

    if info.compress_type == zipfile.ZIP_STORED:
        while left > 0:
            data = raw()
            if not data:
                break
            take(data)
    else:
        inflater = zlib.decompressobj(-15)
        while not inflater.eof:
            data = inflater.unconsumed_tail or raw()
            if not data:
                break  # the compressed bytes ran out before the stream ended
            take(inflater.decompress(data, CHUNK))
    if produced != declared or (info.compress_type != zipfile.ZIP_STORED and not inflater.eof):
        raise zipfile.BadZipFile(f"{info.filename}: {produced:,} bytes, {declared:,} declared (truncated?)")
    if crc != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
    return bytes(out) if keep else b""


def _method(number: int) -> str:
    return f"{number} ({METHOD_NAMES[number]})" if number in METHOD_NAMES else str(number)


def _end_record(fh: BinaryIO, limits: Limits) -> Finding | None:
    """The member count from the zip's real central directory, before zipfile builds an object per member.

    A 50 MB zip can list ~650,000 empty members: ~400 MB of ZipInfo objects and seconds
    of work before a count could refuse it. The end record's count can lie (65,535 with
    no zip64 record, zipfile then walks whatever the directory holds), so the directory
    zipfile will walk is found as zipfile finds it, its size checked, and its entries
    counted up to the limit. An end record that cannot be found is left to zipfile, which
    calls the file damaged.
    """
    try:
        # zipfile's own search, so the directory counted here is the one it will walk
        endrec = zipfile._EndRecData(fh)  # type: ignore[attr-defined]
    except (zipfile.BadZipFile, struct.error, OSError):
        return None
    if not endrec:
        return None
    count, cd_size, location = endrec[4], endrec[5], endrec[9]
    if count > limits.members:
        return _limit("members", f"{count:,}", limits.members)
    if cd_size > limits.members * 1024:  # room for far more members than the limit admits
        return _limit("members", f"≈{cd_size // 46:,}", limits.members)
    start = location - cd_size
    if endrec[0] == b"PK\x06\x06":  # zip64: its end record and locator sit between directory and end record
        start -= 56 + 20
    if start < 0:
        return None  # zipfile: "Bad offset for central directory"
    fh.seek(start)
    directory = fh.read(cd_size)
    found = _entries(directory, limits.members + 1)
    if found > limits.members:
        return _limit("members", f"≥{found:,}", limits.members)
    return None


def _entries(directory: bytes, most: int) -> int:
    """Central-directory entries in `directory`, walked as zipfile walks it, counting at most `most`."""
    at = count = 0
    while at + 46 <= len(directory) and count < most:
        if directory[at:at + 4] != CENTRAL_ENTRY:
            break  # zipfile calls the rest damaged
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", directory, at + 28)
        at += 46 + name_len + extra_len + comment_len
        count += 1
    return count


def _directory(infos: list[zipfile.ZipInfo], limits: Limits) -> Finding | None:
    """Limits on what the zip directory declares; read_member holds every member to its declared size."""
    if len(infos) > limits.members:
        return _limit("members", len(infos), limits.members)
    total = packed = 0
    for info in infos:
        if info.flag_bits & 0x1:  # a zip-level password (not something Excel writes)
            return file_finding("F03", "zip", part=info.filename)
        if info.compress_type not in ALLOWED_METHODS:
            return file_finding("F01", "compression", part=info.filename, method=_method(info.compress_type))
        if info.file_size > limits.part_mb * MiB:
            return _limit("part", f"{info.filename} {info.file_size / MiB:.1f} MB", f"{limits.part_mb:g} MB")
        if info.file_size > RATIO_FROM and info.file_size > limits.ratio * max(info.compress_size, 1):
            return _limit("ratio", f"{info.filename} {info.file_size / max(info.compress_size, 1):.0f}",
                          f"{limits.ratio:g}")
        total += info.file_size
        packed += info.compress_size
    if total > limits.total_mb * MiB:
        return _limit("total", f"{total / MiB:.1f} MB", f"{limits.total_mb:g} MB")
    if total > RATIO_FROM and total > limits.ratio * max(packed, 1):
        return _limit("ratio", f"{total / max(packed, 1):.0f}", f"{limits.ratio:g}")
    return None


def _main_type(content_types: bytes) -> str | None:
    """What the package says it is: "workbook", "template", "macro", "xlsb", or None for no workbook."""
    for marker, kind in MAIN_TYPES:
        if marker in content_types:
            return kind
    return None


def _ignored_content(names: dict[str, str], kind: str) -> list[Finding]:
    """F04 warnings: macros, links to other files, controls and embedded objects are never run or followed."""
    found: list[Finding] = []
    macro = next((names[n] for n in sorted(names) if n.endswith(VBA_PART) or n.startswith(MACRO_SHEETS)), None)
    if macro is None and kind == "macro":
        macro = "[Content_Types].xml"
    if macro is not None:
        found.append(file_finding("F04", part=macro))
    for variant, prefixes in ACTIVE_PARTS:
        part = next((names[n] for n in sorted(names) if n.startswith(prefixes)), None)
        if part is not None:
            found.append(file_finding("F04", variant, part=part))
    if kind == "template":
        found.append(file_finding("F04", "template"))
    return found


def _not_workbook(kind: str, **params: object) -> Finding:
    return file_finding("F01", "not_workbook", what=Message(f"guard.kind.{kind}", dict(params)))


def _is_ods(fh: BinaryIO, zf: zipfile.ZipFile, names: dict[str, str]) -> bool:
    """An OpenDocument spreadsheet (or template) by its mimetype member, whatever the file is called."""
    info = zf.getinfo(names[ODF_MIMETYPE]) if ODF_MIMETYPE in names else None
    return info is not None and info.file_size <= 100 and read_member(fh, info).strip().startswith(ODS_TYPES)


def _odf_identity(fh: BinaryIO, zf: zipfile.ZipFile, names: dict[str, str]) -> dict[str, str]:
    """department_code, department_name and year from an .ods's meta.xml, when it came from a perfxl workbook.

    The part is small and guarded like any XML part (size, no DOCTYPE/ENTITY); anything odd gives {}.
    """
    info = zf.getinfo(names[ODF_META]) if ODF_META in names else None
    if info is None or info.file_size > ODF_META_MAX:
        return {}
    try:
        data = read_member(fh, info)
    except (Oversized, zipfile.BadZipFile, zlib.error, NotImplementedError, OSError):
        return {}
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return {}
    from lxml import etree

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                                      huge_tree=False))
    except etree.XMLSyntaxError:
        return {}
    props = {str(e.get(f"{{{_ODF_META_NS}}}name")): (e.text or "").strip()
             for e in root.iter(f"{{{_ODF_META_NS}}}user-defined")}
    code = props.get("perfxl.department_code", "")
    if not code or code == "-":  # a blank template records no department
        return {}
    out = {"department_code": code[:100]}
    if props.get("perfxl.year", "").isdigit():
        out["year"] = props["perfxl.year"][:4]
    subject = root.find(f".//{{{_DC_NS}}}subject")
    if subject is not None and subject.text and subject.text.strip():
        out["department_name"] = subject.text.strip()[:200]
    return out


def _zip_kind(names: dict[str, str], content_types: bytes = b"") -> str:
    """What a zip that holds no workbook is, in words a department knows."""
    if b"wordprocessingml" in content_types or "word/document.xml" in names:
        return "word"
    if b"presentationml" in content_types or "ppt/presentation.xml" in names:
        return "powerpoint"
    return "zip"


def _limit(what: str, actual: object, limit: object) -> Finding:
    return file_finding("F05", what=Message(f"guard.{what}"), actual=str(actual), expected=str(limit),
                        limit=str(limit))


# --- OLE compound files: an encrypted OOXML workbook, a legacy .xls / .et, or something else --------

FREE_OR_END = 0xFFFFFFFA  # sector numbers from here up mark free sectors and chain ends


def _ole(fh: BinaryIO, size: int, path: str) -> Finding:
    """F03 for an encrypted workbook (its package sits in an EncryptedPackage stream), F02 for a legacy one.

    Decided by the stream names in the compound file's directory, not by bytes anywhere in
    the file: a cell of an .xls may well say "EncryptionInfo". A directory that cannot be
    walked falls back to looking for that name in the first 4 MB.
    """
    streams = _ole_streams(fh, size)
    if streams is None:
        fh.seek(0)
        streams = {"encryptioninfo"} if ENCRYPTION_INFO in fh.read(4 * MiB) else set()
    if streams & {"encryptioninfo", "encryptedpackage"}:
        return file_finding("F03")
    if not streams & {"workbook", "book"}:  # an .xls has one of these; a .doc or .ppt renamed has not
        if "worddocument" in streams:
            return _not_workbook("word")
        if "powerpoint document" in streams:
            return _not_workbook("powerpoint")
    kind = ".et" if path.lower().endswith(".et") else ".xls"
    return file_finding("F02", kind=kind)


def _ole_streams(fh: BinaryIO, size: int) -> set[str] | None:
    """Lower-case names of every storage and stream in the directory; None when it cannot be walked.

    [MS-CFB]: a 512-byte header, sectors of 512 or 4096 bytes, a FAT of sector chains
    whose own sectors the DIFAT lists (109 in the header, more in a chain), and the
    directory, a chain of 128-byte entries. Every chain is walked at most once per sector.
    """
    try:
        fh.seek(0)
        header = fh.read(512)
        shift = struct.unpack_from("<H", header, 30)[0]
        if shift not in (9, 12):
            return None
        sector = 1 << shift
        per_sector = sector // 4
        most = size // sector + 1
        fat_count, dir_start = struct.unpack_from("<II", header, 44)
        difat_start, difat_count = struct.unpack_from("<II", header, 68)

        def read(n: int) -> bytes:
            if n >= most:
                raise ValueError("sector out of the file")
            fh.seek((n + 1) * sector)
            data = fh.read(sector)
            if len(data) < sector:
                raise ValueError("short sector")
            return data

        difat = list(struct.unpack_from("<109I", header, 76))
        n, steps = difat_start, 0
        while n < FREE_OR_END and steps < min(difat_count, most):
            entries = struct.unpack(f"<{per_sector}I", read(n))
            difat.extend(entries[:-1])
            n, steps = entries[-1], steps + 1
        fat_sectors = [s for s in difat[:fat_count] if s < FREE_OR_END]
        fat_cache: dict[int, tuple[int, ...]] = {}

        def following(n: int) -> int:
            index = n // per_sector
            if index >= len(fat_sectors):
                raise ValueError("sector beyond the FAT")
            if index not in fat_cache:
                fat_cache[index] = struct.unpack(f"<{per_sector}I", read(fat_sectors[index]))
            return fat_cache[index][n % per_sector]

        names: set[str] = set()
        n, steps = dir_start, 0
        while n < FREE_OR_END:
            steps += 1
            if steps > most:
                raise ValueError("a loop in the directory chain")
            data = read(n)
            for offset in range(0, sector, 128):
                length = struct.unpack_from("<H", data, offset + 64)[0]
                if data[offset + 66] in (1, 2) and 2 <= length <= 64:  # storage, stream
                    names.add(data[offset:offset + length - 2].decode("utf-16-le", "replace").lower())
            n = following(n)
        return names
    except (struct.error, ValueError, OSError):
        return None
