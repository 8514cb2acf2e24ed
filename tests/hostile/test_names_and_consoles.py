"""File names in undecodable bytes and consoles that cannot show every character (issue 9, items 3 and 4).

A zip packed on Chinese Windows and unpacked with `unzip` on Linux gives file names in
GBK bytes (surrogate-escaped in Python); output redirected on Chinese Windows is GBK. No
output may crash on either: every path is shown through perfxl.display, and the console
streams replace what they cannot encode.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from perfxl.display import shown_name, shown_path
from perfxl.generate import department_workbook
from perfxl.i18n import Message
from perfxl.roster import read_roster
from perfxl.scheme import load_scheme

ROOT = Path(__file__).resolve().parents[2]
ROSTER = ROOT / "examples" / "roster.xlsx"
GENERATED = date(2026, 1, 5)
GBK_NAME = "2025_101001_怀来县行政审批局_绩效自评表.xlsx"
BAD_BYTES = b"2025_101002_\xff\xfe\x80.xlsx"  # neither UTF-8 nor GB18030

posix_bytes_names = pytest.mark.skipif(sys.platform == "win32" or sys.getfilesystemencoding() != "utf-8",
                                       reason="file names are bytes only on a POSIX UTF-8 file system")


def _env(encoding: str | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PERFXL_LANG": "zh"}
    env.pop("NO_COLOR", None)
    if encoding:
        env["PYTHONIOENCODING"] = encoding
    return env


def _perfxl(*args: str, encoding: str | None = "utf-8:strict") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "perfxl", *args], capture_output=True, env=_env(encoding),
                          timeout=300)


def _hashes(folder: Path) -> dict[bytes, str]:
    """Every file of `folder` by its name in bytes: the names and contents an output must not change."""
    raw = os.fsencode(folder)
    return {entry: hashlib.sha256(Path(os.fsdecode(raw + b"/" + entry)).read_bytes()).hexdigest()
            for entry in sorted(os.listdir(raw))}


# --- the helper --------------------------------------------------------------------------------

def test_valid_paths_are_shown_as_they_are() -> None:
    for path in ("回收/2025_101001_怀来县.xlsx", "a/b.xlsx", "", "/"):
        assert shown_path(path) == path
    assert shown_name("回收/怀来县.xlsx") == "怀来县.xlsx"


def test_a_gbk_component_is_decoded_and_a_utf8_one_kept() -> None:
    path = os.fsdecode("回收/".encode() + GBK_NAME.encode("gbk"))
    assert shown_path(path) == "回收/" + GBK_NAME
    assert shown_path(os.fsencode(path)) == "回收/" + GBK_NAME
    assert shown_name(path) == GBK_NAME


@posix_bytes_names
def test_a_gbk_byte_that_is_a_backslash_does_not_split_the_name() -> None:
    char = next(chr(c) for c in range(0x4E00, 0x9FA5) if chr(c).encode("gbk", "ignore").endswith(b"\\"))
    path = os.fsdecode(f"部门{char}表.xlsx".encode("gbk"))
    assert "\\" in path and shown_path(path) == f"部门{char}表.xlsx"


def test_undecodable_bytes_become_replacement_characters() -> None:
    shown = shown_path(os.fsdecode(b"x/" + BAD_BYTES))
    assert shown.startswith("x/2025_101002_") and shown.endswith(".xlsx") and "\ufffd" in shown
    shown.encode("utf-8")  # displayable: no lone surrogate left
    assert shown_path("a\ud800b") == "a\ufffdb"  # a lone surrogate that was no byte (Windows)


def test_messages_show_paths_displayably() -> None:
    path = os.fsdecode(GBK_NAME.encode("gbk"))
    rendered = Message("output.exists", {"path": path}).render("zh")
    assert GBK_NAME in rendered
    assert GBK_NAME in Message("output.exists", {"path": Path(path)}).render("en")


# --- every output ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def returned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two failing workbooks (nothing typed in): one named in GBK bytes, one in bytes no codec reads."""
    folder = tmp_path_factory.mktemp("names") / "回收"
    folder.mkdir()
    scheme = load_scheme("national")
    roster = read_roster([ROSTER])
    first, second = roster.departments[:2]
    raw = os.fsencode(folder)
    Path(os.fsdecode(raw + b"/" + GBK_NAME.encode("gbk"))).write_bytes(
        department_workbook(first, 2025, scheme, GENERATED))
    Path(os.fsdecode(raw + b"/" + BAD_BYTES)).write_bytes(department_workbook(second, 2025, scheme, GENERATED))
    return folder


def _shown_bad(folder: Path) -> str:
    return shown_path(os.fsdecode(os.fsencode(folder) + b"/" + BAD_BYTES))


@posix_bytes_names
@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_reports_on_a_strict_utf8_stdout(returned: Path, fmt: str) -> None:
    before = _hashes(returned)
    proc = _perfxl("validate", str(returned), "--year", "2025", "--format", fmt)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    out = proc.stdout.decode("utf-8")  # strict: no surrogate reached the stream
    assert f"{returned}/{GBK_NAME}" in out and _shown_bad(returned) in out
    if fmt == "json":
        paths = {f["path"] for f in json.loads(out)["files"]}
        assert paths == {f"{returned}/{GBK_NAME}", _shown_bad(returned)}
    assert _hashes(returned) == before


@posix_bytes_names
def test_summary_and_annotated_copies(returned: Path, tmp_path: Path) -> None:
    before = _hashes(returned)
    summary, copies = tmp_path / "汇总.xlsx", tmp_path / "退回"
    proc = _perfxl("validate", str(returned), "--year", "2025", "--summary", str(summary), "--annotate", str(copies))
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 1 and "Traceback" not in err, err
    names = sorted(os.listdir(copies))
    stem = GBK_NAME[:-5]
    assert f"{stem}_校验结果.xlsx" in names  # the copy is named as the file is shown
    for name in names:
        name.encode("utf-8")
        title = openpyxl.load_workbook(copies / name, read_only=True)["校验结果"]["A1"].value
        assert "\ufffd" in title or stem in title
    book = openpyxl.load_workbook(summary, read_only=True)
    cells = {str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    assert GBK_NAME in cells and f"{returned}/{GBK_NAME}" in cells and shown_name(_shown_bad(returned)) in cells
    assert _hashes(returned) == before


@posix_bytes_names
def test_an_error_naming_such_a_file_is_shown(returned: Path, tmp_path: Path) -> None:
    taken = Path(os.fsdecode(os.fsencode(tmp_path) + b"/" + "报告.json".encode("gbk")))
    taken.write_text("{}")
    proc = _perfxl("validate", str(returned), "--year", "2025", "-o", str(taken))
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and "Traceback" not in err and "报告.json" in err
    assert taken.read_text() == "{}"


# --- consoles ----------------------------------------------------------------------------------

# Standard output and error both strict in the given encoding, as a redirected console can be
# (PYTHONIOENCODING leaves stderr on backslashreplace, so the streams are replaced here).
_STRICT = """
import io, sys
enc = sys.argv.pop(1)
sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding=enc, errors="strict")
sys.stderr = io.TextIOWrapper(sys.stderr.buffer, encoding=enc, errors="strict")
sys.argv[0] = "perfxl"
from perfxl.cli import main
main()
"""


def _strict(encoding: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-c", _STRICT, encoding, *args], capture_output=True, env=_env(),
                          timeout=300)


@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
def test_generate_writes_every_workbook_whatever_the_console(tmp_path: Path, encoding: str) -> None:
    for run, launch in (("env", lambda *a: _perfxl(*a, encoding=f"{encoding}:strict")),
                        ("streams", lambda *a: _strict(encoding, *a))):
        out = tmp_path / run
        proc = launch("generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(out), "--date",
                      "2026-01-05")
        assert proc.returncode == 0, proc.stderr
        assert b"Traceback" not in proc.stderr
        assert len(list(out.glob("*.xlsx"))) == 5
        if encoding == "gbk":
            text = proc.stdout.decode("gbk")  # what the console shows: a look-alike for ✓
            assert text.count("√") == 5 and "已生成 5 个工作簿" in text


@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
def test_validate_reports_whatever_the_console(tmp_path: Path, encoding: str) -> None:
    out = tmp_path / "out"
    assert _perfxl("generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(out), "--date",
                   "2026-01-05").returncode == 0
    for fmt in ("text", "json", "html"):
        proc = _strict(encoding, "validate", str(out), "--year", "2025", "--format", fmt)
        assert proc.returncode == 1, proc.stderr  # nothing typed in: every file fails
        assert b"Traceback" not in proc.stderr
        # What was written is in the console's encoding; click takes a stream declared ASCII for a
        # misconfigured UTF-8 one (LANG=C on a UTF-8 terminal) and writes UTF-8 there.
        proc.stdout.decode("utf-8" if encoding == "ascii" else encoding)
        if fmt == "text" and encoding == "gbk":
            assert "× " + str(out) in proc.stdout.decode("gbk")
        if fmt == "json":  # escaped to ASCII: valid JSON in any console, the same document
            assert proc.stdout.isascii()
            document = json.loads(proc.stdout)
            assert any("怀来县" in f["path"] for f in document["files"])
        if fmt == "html":
            assert proc.stdout.isascii() and b"&#" in proc.stdout
    proc = _strict(encoding, "validate", str(out / "nothing-here.xlsx"), "--lang", "zh")
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
