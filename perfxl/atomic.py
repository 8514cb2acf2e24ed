"""Write outputs atomically: a temp file in the target folder, then a rename.

An interrupted run leaves no half-written file, and without `force` an existing file
is never replaced (os.link refuses to overwrite, so even a race cannot clobber it).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import OutputError
from .i18n import Message, register

register({
    "output.header": ("未写入任何文件：", "Nothing was written:"),
    "output.exists": ("文件已存在：{path}（如需覆盖，请加 --force）", "File exists: {path} (use --force to overwrite)"),
    "output.unwritable": ("无法写入 {path}：{reason}", "Cannot write {path}: {reason}"),
})


def write_atomic(path: Path, data: bytes, force: bool = False) -> None:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
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
                if path.exists():
                    raise OutputError(Message("output.exists", {"path": str(path)})) from None
                os.replace(tmp, path)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(Message("output.unwritable", {"path": str(path), "reason": exc.strerror or str(exc)})) from exc
    finally:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
