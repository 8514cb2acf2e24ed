"""Drive LibreOffice headless as the reference spreadsheet client.

Tests use it to prove formulas right: xlsxwriter stores 0 as the cached value
of every formula, so only a real recalculation by another application shows
what a user would see.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "LibreOfficeError",
    "soffice_path",
    "make_profile",
    "scratch_env",
    "recalculate",
    "render_png",
]

# 0 = "always recalculate" for /org.openoffice.Office.Calc/Formula/Load.
# Without it LibreOffice keeps the cached values of an .xlsx (all 0 from xlsxwriter).
# The en-US locale makes typed input ("98.5", "97.5%") parse the same on every machine.
# AutoInput (autocomplete from the column) off: typing CJK text into a merged cell of a
# column with a list validation crashed soffice 7.4's xlsx export in 2 of 3 runs.
# The formula bar (child window 26100) hidden: Debian's calc-nogui lacks its .ui file, and
# building it at the first idle after a UNO dispatch aborted soffice in about one run in
# three (notes/LIBREOFFICE.md).
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N">\
<prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>en-US</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N">\
<prop oor:name="ooLocale" oor:op="fuse"><value>en-US</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Input">\
<prop oor:name="AutoInput" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Views/Windows"><node oor:name="26100" oor:op="replace">\
<prop oor:name="Visible" oor:op="fuse"><value>false</value></prop></node></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    """soffice failed, timed out, or silently produced no output."""


def soffice_path() -> str | None:
    """Return the soffice executable on PATH, or None when LibreOffice is absent."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def make_profile(directory: Path) -> str:
    """Write a user profile that recalculates every file on load.

    Returns the ``file://`` URL to pass as ``-env:UserInstallation=``.
    One profile per concurrent soffice: sharing one loses jobs.
    """
    directory = Path(directory).resolve()
    user = directory / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")
    return directory.as_uri()


def scratch_env(scratch: Path) -> dict[str, str]:
    """Environment with HOME/TMPDIR in ``scratch``: soffice litters both."""
    home = scratch / "home"
    tmp = scratch / "tmp"
    home.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(HOME=str(home), TMPDIR=str(tmp), LC_ALL="C.UTF-8", LANG="C.UTF-8")
    env.pop("DISPLAY", None)
    return env


def _require_soffice() -> str:
    soffice = soffice_path()
    if soffice is None:
        raise LibreOfficeError(
            "LibreOffice (soffice) not found: install libreoffice-calc-nogui python3-uno"
        )
    return soffice


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the process group we created for ``proc`` (soffice forks soffice.bin)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _run_batches(
    batches: list[list[Path]], args: list[str], outdir: Path, timeout: float
) -> list[str]:
    """Run one soffice per batch in parallel, each with its own profile and scratch."""
    soffice = _require_soffice()
    logs: list[str] = []
    with tempfile.TemporaryDirectory(prefix="perfxl-lo-") as scratch_name:
        scratch = Path(scratch_name)
        procs: list[subprocess.Popen[bytes]] = []
        try:
            for index, batch in enumerate(batches):
                job = scratch / f"job{index}"
                cmd = [
                    soffice,
                    f"-env:UserInstallation={make_profile(job / 'profile')}",
                    "--headless",
                    "--invisible",
                    "--norestore",
                    "--nolockcheck",
                    *args,
                    "--outdir",
                    str(outdir),
                    *(str(p) for p in batch),
                ]
                procs.append(
                    subprocess.Popen(
                        cmd,
                        env=scratch_env(job),
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
            deadline = time.monotonic() + timeout
            for proc in procs:
                try:
                    out, _ = proc.communicate(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    raise LibreOfficeError(
                        f"soffice did not finish within {timeout:g} s: {' '.join(proc.args)}"
                    ) from None
                logs.append(out.decode("utf-8", "replace"))
        finally:
            for proc in procs:
                if proc.poll() is None:
                    _kill_group(proc)
    return logs


def _split(items: Sequence[Path], jobs: int) -> list[list[Path]]:
    """Split into at most ``jobs`` non-empty batches of near-equal size."""
    jobs = max(1, min(jobs, len(items)))
    return [list(items[i::jobs]) for i in range(jobs)]


def _convert(
    inputs: Sequence[Path], outdir: Path, target: str, jobs: int, timeout: float
) -> dict[Path, Path]:
    """Convert ``inputs`` into ``outdir`` and check that every output exists."""
    inputs = [Path(p).resolve() for p in inputs]
    outdir = Path(outdir).resolve()
    for path in inputs:
        if not path.is_file():
            raise FileNotFoundError(path)
        if path.parent == outdir:
            raise ValueError(f"outdir {outdir} holds input {path}: it would be overwritten")
    expected = {p: outdir / f"{p.stem}.{target}" for p in inputs}
    if len(set(expected.values())) != len(expected):
        raise ValueError("two inputs share a file stem: their outputs would collide")
    outdir.mkdir(parents=True, exist_ok=True)
    for out in expected.values():
        out.unlink(missing_ok=True)
    if not inputs:
        return {}
    logs = _run_batches(_split(inputs, jobs), ["--convert-to", target], outdir, timeout)
    missing = [str(p) for p, out in expected.items() if not out.is_file()]
    if missing:
        raise LibreOfficeError(
            f"soffice exited but produced no {target} for {len(missing)} input(s):\n  "
            + "\n  ".join(missing)
            + "\nsoffice output:\n"
            + "\n".join(logs)
        )
    return expected


def recalculate(
    inputs: Sequence[Path], outdir: Path, jobs: int = 2, timeout: float = 300
) -> dict[Path, Path]:
    """Open each input in LibreOffice, recalculate everything and save it as xlsx.

    The outputs carry the values LibreOffice computed, readable with
    ``openpyxl.load_workbook(path, data_only=True)``. Returns input -> output.
    """
    return _convert(inputs, outdir, "xlsx", jobs, timeout)


def render_png(
    xlsx: Path, out_png: Path, dpi: int = 80, page: int = 1, timeout: float = 120
) -> Path:
    """Render one printed page of a workbook to PNG, e.g. for README screenshots."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise LibreOfficeError("pdftoppm not found: install poppler-utils")
    out_png = Path(out_png).resolve()
    out_png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="perfxl-pdf-") as pdf_dir:
        pdf = _convert([Path(xlsx)], Path(pdf_dir), "pdf", 1, timeout)[Path(xlsx).resolve()]
        prefix = out_png.with_suffix("")
        done = subprocess.run(
            [pdftoppm, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
             str(pdf), str(prefix)],
            timeout=timeout,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise LibreOfficeError(
                f"pdftoppm failed on page {page} of {xlsx}: {done.stderr.strip()}"
            )
        produced = prefix.with_suffix(".png")
        if not produced.is_file():
            raise LibreOfficeError(f"pdftoppm produced no page {page} from {pdf}")
        if produced != out_png:
            produced.replace(out_png)
    return out_png
