"""A disk that fills up part way (issue 9, item 12): every output already written is whole, none
is half-written, and the message says which outputs were written and which were not.

The full disk is simulated in a child process: perfxl.atomic's `open` is replaced so that a
temp file's write fails with ENOSPC after part of the data (as a real full disk does), from
a chosen output on. Worker processes are forked from that child and inherit the
replacement. One test uses a real limit instead (RLIMIT_FSIZE, no root needed).
"""

from __future__ import annotations

import csv
import hashlib
import os
import pickle
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from perfxl.atomic import PartialWrite
from perfxl.errors import OutputError
from perfxl.i18n import Message
from perfxl.report.annotate import AnnotateError

ROOT = Path(__file__).resolve().parents[2]
ROSTER = ROOT / "examples" / "roster.xlsx"
DATE = "2026-01-05"

# argv: MODE VALUE perfxl-args… ; MODE "count": the VALUE+1-th output on fails, in this process;
# MODE "name": every output whose name sorts at or after VALUE fails, in any process.
_FULL_DISK = r"""
import builtins, errno, os, sys
from perfxl import atomic
mode, value = sys.argv.pop(1), sys.argv.pop(1)
started = 0
real_open = builtins.open

class _Full:
    def __init__(self, fh):
        self.fh = fh
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self.fh.close()
    def write(self, data):
        self.fh.write(data[: len(data) // 2])  # part of it fits, as on a real disk
        self.fh.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    def flush(self):
        pass
    def fileno(self):
        return self.fh.fileno()

def fake_open(path, mode_="r", *args, **kwargs):
    global started
    fh = real_open(path, mode_, *args, **kwargs)
    name = os.path.basename(os.fspath(path))
    if "x" in mode_ and atomic.is_temp_name(name):
        started += 1
        if (started > int(value)) if mode == "count" else (name[1:] >= value):
            return _Full(fh)
    return fh

atomic.open = fake_open
sys.argv[0] = "perfxl"
from perfxl.cli import main
main()
"""


def _full_disk(mode: str, value: str | int, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-c", _FULL_DISK, mode, str(value), *args, "--lang", "zh"],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)


def _listed(stderr: str, key: str) -> list[str]:
    """The file names a message line lists ("已完整写入 N 个文件，可以使用：a、b")."""
    line = next((ln for ln in stderr.splitlines() if key in ln), None)
    if line is None:
        return []
    count = int(re.search(rf"{key} (\d+) ", line).group(1))
    names = [os.path.basename(p) for p in line.split("：", 1)[1].split("、")]
    assert len(names) == count or (count > 10 and len(names) == 10)
    return names


def _assert_honest(stderr: str, folder: Path, planned: list[str]) -> list[str]:
    """What the message says was written is exactly what is on disk, whole; the rest is said to be missing."""
    assert "Traceback" not in stderr and "写入中途停止，没有留下写了一半的文件" in stderr, stderr
    assert "磁盘空间不足" in stderr
    on_disk = sorted(p.name for p in folder.iterdir())
    assert not [n for n in on_disk if ".perfxl-" in n or n.endswith(".tmp")]  # no temp file left
    for name in on_disk:
        with zipfile.ZipFile(folder / name) as book:
            assert book.testzip() is None  # whole
    assert sorted(_listed(stderr, "已完整写入")) == on_disk
    assert sorted(_listed(stderr, "未写入")) == sorted(set(planned) - set(on_disk))
    return on_disk


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example roster's workbooks on a disk with room: what a whole file is."""
    out = tmp_path_factory.mktemp("reference")
    proc = _full_disk("count", 10**6, "generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(out),
                      "--date", DATE)
    assert proc.returncode == 0, proc.stderr
    return out


def test_generate_says_which_workbooks_were_written(reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _full_disk("count", 2, "generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(out),
                      "--date", DATE)
    assert proc.returncode == 2
    written = _assert_honest(proc.stderr, out, sorted(p.name for p in reference.iterdir()))
    assert len(written) == 2
    assert all((out / n).read_bytes() == (reference / n).read_bytes() for n in written)


def test_parallel_generate_says_which_workbooks_were_written(tmp_path: Path) -> None:
    roster = tmp_path / "roster"
    roster.mkdir()
    codes = [f"90{i:04d}" for i in range(16)]
    with open(roster / "部门.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["部门编码", "部门名称", "基本支出年初预算数", "基本支出全年预算数"],
                                  *([c, f"测试部门{c}", "100.00", "100.00"] for c in codes)])
    with open(roster / "项目.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["部门编码", "项目编码", "项目名称", "主管部门", "实施单位", "财政拨款年初预算数",
                                   "财政拨款全年预算数", "上年结转年初预算数", "上年结转全年预算数",
                                   "其他资金年初预算数", "其他资金全年预算数", "预期目标"],
                                  *([c, f"{c}-001", "运行经费", "主管", "实施", "10.00", "10.00", "0", "0", "0", "0",
                                     "保障运行"] for c in codes)])
    out = tmp_path / "out"
    proc = _full_disk("name", "2025_900010", "generate", "--roster", str(roster / "部门.csv"), "--roster",
                      str(roster / "项目.csv"), "--year", "2025", "--out", str(out), "--date", DATE, "--jobs", "2")
    assert proc.returncode == 2
    planned = [f"2025_{c}_测试部门{c}_绩效自评表.xlsx" for c in codes]
    written = _assert_honest(proc.stderr, out, planned)
    assert written and all(n < "2025_900010" for n in written)


@pytest.fixture(scope="module")
def returned(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five failing returned files (nothing typed in)."""
    folder = tmp_path_factory.mktemp("returned")
    for path in reference.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def test_validate_says_which_outputs_were_written(returned: Path, tmp_path: Path) -> None:
    before = _digest(returned)
    out = tmp_path / "out"
    proc = _full_disk("count", 2, "validate", str(returned), "--year", "2025", "-o", str(out / "报告.json"),
                      "--annotate", str(out / "退回"), "--summary", str(out / "汇总.xlsx"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    copies = sorted(p.name for p in (out / "退回").iterdir())
    assert len(copies) == 1 and not (out / "汇总.xlsx").exists()
    assert sorted(_listed(proc.stderr, "已完整写入")) == sorted(["报告.json", *copies])
    missing = _listed(proc.stderr, "未写入")
    assert len(missing) == 5 and "汇总.xlsx" in missing and copies[0] not in missing
    assert not [p for p in out.rglob("*") if ".perfxl-" in p.name]
    assert _digest(returned) == before


def test_validate_whose_first_output_fails_writes_nothing(returned: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _full_disk("count", 0, "validate", str(returned), "--year", "2025", "-o", str(out / "报告.html"),
                      "--annotate", str(out / "退回"), "--summary", str(out / "汇总.xlsx"))
    assert proc.returncode == 2 and "未写入任何文件" in proc.stderr and "Traceback" not in proc.stderr
    assert "批注副本" in proc.stderr and "汇总.xlsx" in proc.stderr and "磁盘空间不足" in proc.stderr
    assert [p for p in out.rglob("*") if p.is_file()] == []


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_real_write_limit(reference: Path, tmp_path: Path) -> None:
    """No simulation: the kernel refuses to grow a file past RLIMIT_FSIZE (EFBIG), even for root."""
    names = sorted(p.name for p in reference.iterdir())
    sizes = [(reference / n).stat().st_size for n in names]
    if not max(sizes[:2]) < sizes[2]:
        pytest.skip("the third workbook is not the largest so far")
    limit = max(sizes[:2]) + 1
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); "
            "sys.argv[0] = 'perfxl'; from perfxl.cli import main; main()")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sys.executable, "-c", code, "generate", "--roster", str(ROSTER), "--year", "2025",
                           "--out", str(out), "--date", DATE, "--jobs", "1", "--lang", "zh"],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == names[:2]
    assert sorted(_listed(proc.stderr, "已完整写入")) == names[:2]
    assert sorted(_listed(proc.stderr, "未写入")) == names[2:]


def test_errors_cross_from_a_worker_whole() -> None:
    """A worker's OutputError reaches the parent by pickle, with its messages and errno."""
    error = OutputError(Message("output.unwritable", {"path": "x.xlsx", "reason": "No space left on device"}))
    error.errno = 28
    for original in (error, PartialWrite(error, [Path("a.xlsx")], [Path("b.xlsx")]),
                     AnnotateError([Message("output.exists", {"path": "c.xlsx"})], [Path("d.xlsx")])):
        copy = pickle.loads(pickle.dumps(original))
        assert type(copy) is type(original) and copy.render("zh") == original.render("zh")
        assert copy.__dict__.keys() == original.__dict__.keys()
    assert pickle.loads(pickle.dumps(error)).errno == 28
