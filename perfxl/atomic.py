"""Write outputs atomically: a temp file in the target folder, then a rename.

An interrupted run leaves no half-written file, and without `force` an existing file
is never replaced (os.link refuses to overwrite, so even a race cannot clobber it).

A Ctrl-C removes the temp file on the way out; a kill (SIGKILL, a power cut) cannot, so
temp names say which process made them (`.{name}.perfxl-{host}-{pid}-{rand}.tmp`) and
the first write into a folder removes the temp files there whose process is gone. A live
process's temp file, or one from another machine sharing the folder, is never touched.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import socket
import sys
from pathlib import Path
from typing import Iterable

from .errors import OutputError
from .i18n import Items, Message, register

register({
    "output.header": ("未写入任何文件：", "Nothing was written:"),
    "output.exists": ("文件已存在：{path}（如需覆盖，请加 --force）", "File exists: {path} (use --force to overwrite)"),
    "output.unwritable": ("无法写入 {path}：{reason}", "Cannot write {path}: {reason}"),
    "output.partial": ("写入中途停止，没有留下写了一半的文件：", "Writing stopped part way; no half-written file was left:"),
    "output.written": ("已完整写入 {count} 个文件，可以使用：{files}", "Written in full, ready to use ({count}): {files}"),
    "output.not_written": ("未写入 {count} 个文件：{files}", "Not written ({count}): {files}"),
    "output.no_space": ("磁盘空间不足：腾出空间后重新运行，并加 --force 以替换已写入的文件。",
                        "The disk is full: free some space, then run again with --force to replace the files "
                        "already written."),
    "output.is_input": ("{path} 是本次读取的文件：输出从不覆盖它，加 --force 也不会。请换一个输出位置。",
                        "{path} is a file this run reads: no output replaces it, not even with --force. "
                        "Choose another place."),
})

# The target's name is cut to this many UTF-8 bytes in the temp name, so the temp name
# stays under the 255-byte limit of ext4/NTFS whatever the target is called.
_TEMP_NAME_BYTES = 120
_TEMP = re.compile(r"\.(?P<name>.*)\.perfxl-(?P<host>[0-9a-f]{8})-(?P<pid>[0-9]{1,10})-[0-9a-f]{6}\.tmp", re.S)
_HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "surrogatepass")).hexdigest()[:8]
_reaped: set[str] = set()  # folders this process has already cleaned


def write_output(path: str | os.PathLike[str], data: bytes, force: bool = False) -> Path:
    """An output file (report, workbook, document): refused when it exists unless `force` (so
    a file the office already sent on or started editing is never replaced by accident), its
    folder made, then written atomically."""
    path = Path(path)
    if not force and (path.exists() or path.is_symlink()):
        raise OutputError(Message("output.exists", {"path": str(path)}))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(Message("output.unwritable", {"path": str(path),
                                                        "reason": exc.strerror or str(exc)})) from exc
    write_atomic(path, data, force)
    return path


def write_atomic(path: Path, data: bytes, force: bool = False) -> None:
    """Write `data` to `path` through a temp file; refuse an existing `path` unless `force`."""
    path = Path(path)
    _reap_once(path.parent)
    tmp = path.with_name(temp_name(path.name))
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if force:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise OutputError(Message("output.exists", {"path": str(path)})) from None
            except OSError:
                # Filesystems without hard links: fall back to a checked rename.
                if path.exists() or path.is_symlink():
                    raise OutputError(Message("output.exists", {"path": str(path)})) from None
                os.replace(tmp, path)
    except OutputError:
        raise
    except OSError as exc:
        error = OutputError(Message("output.unwritable", {"path": str(path), "reason": exc.strerror or str(exc)}))
        error.errno = exc.errno  # kept when pickled from a worker, unlike __cause__
        raise error from exc
    finally:  # also on KeyboardInterrupt: the temp file never outlives the call
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass  # a later run's clean-up removes it once this process is gone


class PartialWrite(OutputError):
    """A batch of outputs stopped part way (a full disk): the cause, which outputs are whole
    and which were never written. `written` and `not_written` hold the paths."""

    header_key = "output.partial"

    def __init__(self, cause: OutputError, written: list[Path], not_written: list[Path | Message]) -> None:
        messages = list(cause.messages)
        if written:
            messages.append(Message("output.written", {"count": len(written), "files": Items(items=tuple(written))}))
        else:
            self.header_key = "output.header"
        if not_written:
            messages.append(Message("output.not_written", {"count": len(not_written),
                                                           "files": Items(items=tuple(not_written))}))
        if getattr(cause, "errno", None) in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            messages.append(Message("output.no_space"))
        super().__init__(messages)
        self.cause, self.written, self.not_written = cause, written, not_written


def snapshot(paths: Iterable[Path]) -> dict[Path, tuple[int, int, int] | None]:
    """What each target is before a batch writes it (None: absent), to tell afterwards which it wrote."""
    return {path: _version(path) for path in paths}


def written_since(before: dict[Path, tuple[int, int, int] | None]) -> tuple[list[Path], list[Path]]:
    """(written, not written) since `snapshot`: a write is a new file or a new inode (a rename)."""
    written = [p for p, was in before.items() if (now := _version(p)) is not None and now != was]
    return written, [p for p in before if p not in set(written)]


def _version(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_mtime_ns


class Inputs:
    """The files a run reads. An output that is one of them is refused whatever `force` says:
    --force may replace an earlier output, never a returned file or the roster.

    What counts is the directory entry an output would replace: the same name in the same
    folder once the folder's symlinks and `..` are resolved, or another spelling of it on a
    case-insensitive file system. A symlink or hard link elsewhere is another entry, and
    replacing it leaves the input as it was; an input given through a symlink counts both
    as the link and as the file it points to.
    """

    def __init__(self, paths: Iterable[str | os.PathLike[str]] = ()) -> None:
        self._entries: set[tuple[str, str]] = set()
        self._folded: dict[tuple[str, str], set[tuple[int, int]]] = {}
        for path in paths:
            self.add(path)

    def add(self, path: str | os.PathLike[str]) -> None:
        for entry in {os.fspath(path), os.path.realpath(path)}:
            folder, name = _entry(entry)
            self._entries.add((folder, name))
            identity = _identity(entry)
            self._folded.setdefault((folder, name.casefold()), set()).update([identity] if identity else [])

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, (str, os.PathLike)):
            return False
        folder, name = _entry(path)
        if (folder, name) in self._entries:
            return True
        ids = self._folded.get((folder, name.casefold()))
        return bool(ids) and _identity(path) in ids  # README.XLSX on macOS is readme.xlsx


def _entry(path: str | os.PathLike[str]) -> tuple[str, str]:
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.normcase(os.path.realpath(folder)), os.path.normcase(name)


def _identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """(device, inode) of the entry itself (a symlink is not followed)."""
    try:
        st = os.lstat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if st.st_ino else None


def temp_name(name: str, pid: int | None = None) -> str:
    """The temp file name for a target `name`, recognisable by clean_stale."""
    short = name.encode("utf-8", "surrogatepass")[:_TEMP_NAME_BYTES].decode("utf-8", "ignore")
    return f".{short}.perfxl-{_HOST}-{os.getpid() if pid is None else pid}-{secrets.token_hex(3)}.tmp"


def is_temp_name(name: str) -> bool:
    return _TEMP.fullmatch(name) is not None


def clean_stale(folder: Path) -> list[Path]:
    """Remove temp files left in `folder` by processes of this machine that no longer run."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed  # not there yet, or not readable: nothing of ours to clean
    for entry in entries:
        match = _TEMP.fullmatch(entry.name)
        if match is None or match["host"] != _HOST:
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or _alive(int(match["pid"])):
                continue
            os.unlink(entry.path)
        except OSError:
            continue  # removed by a concurrent clean-up, or not ours to remove
        removed.append(Path(entry.path))
    return removed


def _reap_once(folder: Path) -> None:
    key = os.path.normcase(os.path.abspath(folder))
    if key not in _reaped:
        _reaped.add(key)
        clean_stale(folder)


def _alive(pid: int) -> bool:
    """Whether a process with this id runs; when unsure, it does (its file is then kept)."""
    if pid <= 0:
        return True
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return _alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # PermissionError: it runs, as another user
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed process nobody has reaped yet still answers os.kill, but it writes nothing more."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rpartition(b")")[2].split()[0]
    except (OSError, IndexError):
        return False  # no /proc (macOS) or already gone: os.kill has the last word
    return state in (b"Z", b"X")


def _alive_windows(pid: int) -> bool:  # pragma: no cover - exercised on Windows only
    """os.kill(pid, 0) would send CTRL_C_EVENT on Windows, so ask the kernel instead."""
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() != 87  # ERROR_INVALID_PARAMETER: no such process
    try:
        code = wintypes.DWORD()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)
