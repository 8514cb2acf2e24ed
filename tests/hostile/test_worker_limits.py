"""Issue 9, items 1 and 7: annotated copies under the check's limits; no memory carried between files.

A copy is made in a worker under `--timeout` and `--max-memory-mb`, like the check: one that
is too slow, too big or crashes is a note naming the file, the other copies are written and
the exit code is the report's. And a file's findings never depend on what the worker checked
before it: huge-record files (each F07) ahead of an honest file leave it its own findings.
Peak memory is measured in a fresh interpreter (its children's maximum resident size).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

from perfxl.layout.workbook import RECORD_SHEET
from perfxl.reader.xlsx import read_book
from perfxl.report import annotate
from perfxl.writer.record import pack
from tests.hostile.test_corpus import M, YEAR, _cell, clean, edit_sheet, parts_of

ROOT = Path(__file__).resolve().parents[2]
LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
MiB = 2**20


def workers() -> list[multiprocessing.Process]:
    return [p for p in multiprocessing.active_children() if p.name == "perfxl-validate"]


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def with_findings(n: int) -> bytes:
    """A return of test department n with its year changed in the record: F08 on a readable file."""
    return clean(n, year=YEAR - 1)


def _record_rows(data: bytes) -> dict[object, int]:
    book = read_book({k: v for k, v in parts_of(data).items() if k.endswith((".xml", ".rels"))})
    return {cell.value: r for (r, c), cell in book.sheet(RECORD_SHEET).cells.items() if c == 0}


def _set_inline(c: etree._Element, text: str) -> None:
    for child in list(c):
        c.remove(child)
    c.set("t", "inlineStr")
    etree.SubElement(etree.SubElement(c, M + "is"), M + "t").text = text


def huge_record(n: int, mb: int = 40) -> bytes:
    """~60 KB on disk: a record whose packed layout unpacks to `mb` MB and claims 501 projects (F07)."""
    data = clean(n)
    rows = _record_rows(data)
    packed = pack(json.dumps({"sheets": [], "pad": "x" * (mb * MiB + n)}))

    def edit(root: etree._Element) -> None:
        _set_inline(_cell(root, f"B{rows['layout.1'] + 1}"), packed)
        _set_inline(_cell(root, f"B{rows['projects'] + 1}"), "501")
    return edit_sheet(data, RECORD_SHEET, edit)


# Runs the CLI in a fresh interpreter, a copy made with a fault injected where the path says so,
# and prints the exit code and peak resident sizes (its own, its workers') as JSON on stderr's last line.
RUNNER = r"""
import json, os, resource, signal, sys, time
from perfxl.report import annotate

original = annotate.annotate_bytes

def faulty(result, *args, **kwargs):
    name = os.path.basename(result.path)
    if name.startswith("hang"):
        time.sleep(600)
    if name.startswith("eat"):
        hoard = []
        while True:
            hoard.append(bytearray(16 * 2**20))
    if name.startswith("die"):
        os.kill(os.getpid(), signal.SIGKILL)
    return original(result, *args, **kwargs)

annotate.annotate_bytes = faulty
from perfxl.cli import cli
try:
    code = cli.main(sys.argv[1:], prog_name="perfxl", standalone_mode=False) or 0
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
# VmHWM, not ru_maxrss: after exec, ru_maxrss still counts the peak of the process that
# started this one (pytest, hundreds of MB into a full run)
with open("/proc/self/status") as fh:
    own = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) // 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
print(json.dumps({"code": code, "own_mb": own, "workers_mb": children}), file=sys.stderr)
"""


def run_cli(*args: str, timeout: float = 300) -> tuple[dict, str, str, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", RUNNER, *args], capture_output=True, text=True, encoding="utf-8",
                          timeout=timeout, env=env)
    wall = time.monotonic() - started
    *said, last = proc.stderr.rstrip("\n").split("\n")
    return json.loads(last), proc.stdout, "\n".join(said), wall


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """Three returns with findings; the copy of `name` fails as its name says (see RUNNER)."""
    folder = tmp_path / "回收"
    folder.mkdir()
    for i, name in enumerate(("a.xlsx", "b.xlsx")):
        (folder / name).write_bytes(with_findings(i + 1))
    return folder


def _copies(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


# --- 1. the copies under the limits -------------------------------------------------------------------

@LINUX
@pytest.mark.parametrize("fault, options, zh, en", [
    # loose enough that the checks themselves finish on a busy machine
    ("hang", ("--timeout", "15"), "超过 15 秒仍未完成（--timeout）", "not done within 15 s (--timeout)"),
    ("eat", ("--max-memory-mb", "200"), "所需内存超过 200 MB（--max-memory-mb）",
     "needs more than 200 MB of memory (--max-memory-mb)"),
    ("die", (), "生成副本的进程意外终止（SIGKILL）", "the process making it died (SIGKILL)"),
])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_copy_that_cannot_be_made_is_a_note(batch: Path, tmp_path: Path, fault: str, options: tuple[str, ...],
                                             zh: str, en: str, lang: str) -> None:
    (batch / f"{fault}.xlsx").write_bytes(with_findings(3))
    before = digest(batch)
    out, summary = tmp_path / "退回", tmp_path / "汇总.xlsx"
    measured, stdout, stderr, wall = run_cli("validate", str(batch), "--year", str(YEAR), "--annotate", str(out),
                                             "--summary", str(summary), "--lang", lang, *options)
    assert measured["code"] == 1, stderr  # the report's: every file has a finding; not 2
    assert "Traceback" not in stderr + stdout
    note = (f"未能生成 {batch / fault}.xlsx 的批注副本：{zh}" if lang == "zh"
            else f"Could not make an annotated copy of {batch / fault}.xlsx: {en}")
    assert note in stderr, stderr
    assert _copies(out) == [annotate.annotated_name(batch / "a.xlsx"), annotate.annotated_name(batch / "b.xlsx")]
    assert ("已生成 2 份批注副本" if lang == "zh" else "Wrote 2 annotated copies") in stderr
    assert summary.exists()  # the batch went on after the note
    assert digest(batch) == before
    assert wall < 90
    if fault == "eat":  # the worker stopped at its cap: start-up size plus 200 MB
        assert measured["workers_mb"] < 200 + 150, measured
    assert measured["own_mb"] < 250, measured


def test_annotate_all_makes_copies_in_workers_and_leaves_none_running(batch: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The library function: each copy in a worker under the limits; a hang costs that copy only."""
    from perfxl.validator.engine import validate
    from perfxl.validator.guards import Limits

    (batch / "hang.xlsx").write_bytes(with_findings(3))
    report = validate([str(batch)], year=YEAR)
    original = annotate.annotate_bytes

    def faulty(result, *args, **kwargs):  # noqa: ANN001, ANN202 - runs in the forked worker
        if os.path.basename(result.path).startswith("hang"):
            time.sleep(600)
        return original(result, *args, **kwargs)

    monkeypatch.setattr(annotate, "annotate_bytes", faulty)
    started = time.monotonic()
    with pytest.raises(annotate.AnnotateError) as error:
        annotate.annotate_all(report, tmp_path / "out", limits=Limits(seconds=3), jobs=2)
    assert time.monotonic() - started < 30
    assert [p.name for p in error.value.written] == [annotate.annotated_name(batch / n) for n in ("a.xlsx", "b.xlsx")]
    assert "hang.xlsx" in error.value.render("zh") and "超过 3 秒仍未完成" in error.value.render("zh")
    assert _copies(tmp_path / "out") == sorted(p.name for p in error.value.written)
    assert not workers()


# --- 7. no memory carried from file to file ----------------------------------------------------------

@LINUX
def test_a_file_gets_the_same_findings_alone_and_after_huge_records(tmp_path: Path) -> None:
    """Five 60 KB files whose records unpack to 40 MB each (rightly F07), then an honest file, in one
    worker capped at 300 MB: before, the records stayed cached and the last files got F05 memory."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(5):
        (folder / f"a{i}.xlsx").write_bytes(huge_record(i + 1))
        assert (folder / f"a{i}.xlsx").stat().st_size < 200_000
    victim = folder / "z_victim.xlsx"
    victim.write_bytes(with_findings(9))
    before = digest(folder)
    common = ("--year", str(YEAR), "--format", "json", "--max-memory-mb", "300", "--jobs", "1", "--ignore", "F09")
    measured, stdout, stderr, wall = run_cli("validate", str(folder), *common)
    alone_measured, alone_stdout, _, _ = run_cli("validate", str(victim), *common)
    assert measured["code"] == 1 and "Traceback" not in stderr, stderr
    files = {Path(f["path"]).name: f for f in json.loads(stdout)["files"]}
    for i in range(5):
        assert [f["code"] for f in files[f"a{i}.xlsx"]["findings"]] == ["F07"], files[f"a{i}.xlsx"]
    [alone] = json.loads(alone_stdout)["files"]
    assert files["z_victim.xlsx"]["findings"] == alone["findings"]
    assert [f["code"] for f in alone["findings"]] == ["F08"]
    assert measured["workers_mb"] < 300 + 150, measured
    assert digest(folder) == before
    assert wall < 120


def test_record_caches_keep_nothing_of_a_file_that_failed(tmp_path: Path) -> None:
    from perfxl.reader import record
    from perfxl.validator.engine import check_file

    path = tmp_path / "huge.xlsx"
    path.write_bytes(huge_record(1, mb=8))
    record._UNPACKED.clear()
    record._JSON.clear()
    assert [f.code for f in check_file(str(path)).findings] == ["F07"]
    assert record._UNPACKED.size == record._JSON.size == 0
    good = tmp_path / "good.xlsx"
    good.write_bytes(clean(1))
    check_file(str(good))
    assert 0 < record._UNPACKED.size <= record._UNPACKED.total and 0 < record._JSON.size


def test_a_sized_cache_is_bounded_by_size() -> None:
    from perfxl.reader.record import SizedCache

    cache = SizedCache(total=100, item=40, entries=10)
    cache.put("big", "x", 41)
    assert cache.get("big") is None
    for i in range(5):
        cache.put(str(i), i, 30)
    assert cache.size <= 100 and cache.get("4") == 4 and cache.get("0") is None
