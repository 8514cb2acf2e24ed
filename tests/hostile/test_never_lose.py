"""Never lose anything (issue 4): inputs stay untouched, outputs appear whole or not at all,
file names are safe whatever the roster says, and no report can be turned against its reader.

Related tests elsewhere, not repeated here: the -o JSON, --summary and generate refusals
without --force (tests/cli), annotate/summary refusals through the library and the
formula-like V02 value in both (tests/report), HTML escaping of every report field
(tests/report/test_html.py) and the terminal cleaning of one department name
(tests/cli/test_validate_cli.py).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import signal
import subprocess
import sys
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterator
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from perfxl import atomic
from perfxl.atomic import clean_stale, is_temp_name, temp_name, write_atomic
from perfxl.cli import cli
from perfxl.generate import blank_workbook, department_workbook
from perfxl.layout.workbook import build_layout
from perfxl.naming import workbook_name, workbook_names
from perfxl.report.annotate import annotate_all, annotated_name
from perfxl.report.html import render_html
from perfxl.report.summary import write_summary
from perfxl.roster import read_roster
from perfxl.samples import realistic_inputs
from perfxl.scheme import load_scheme
from perfxl.validator.engine import validate
from perfxl.writer.issue import department_values
from tests.report.html_page import parse as parse_html

ROOT = Path(__file__).resolve().parents[2]
ROSTER = ROOT / "examples" / "roster.xlsx"
YEAR = 2025
GENERATED = date(2026, 1, 5)

# Text that a spreadsheet would run as a formula if it were written as one.
HYPERLINK = '=HYPERLINK("http://x","y")'
FORMULAS = (HYPERLINK, "@SUM(1)", "+1+1", "-2+3")
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
# Nothing of these may reach a terminal: C0/C1 controls (but newline) and every bidi control.
TERMINAL_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
WINDOWS_FORBIDDEN = set('<>:"/\\|?*')
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{d}{n}" for d in ("COM", "LPT") for n in "0123456789¹²³")}
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under `root` with its mtime (ns); files also with size and sha256. A
    folder's mtime changes when anything is created or removed in it, even briefly."""
    out: dict[str, tuple] = {}
    for path in sorted([root, *root.rglob("*")]):
        st_ = path.lstat()
        key = str(path.relative_to(root))
        if path.is_file() and not path.is_symlink():
            out[key] = ("file", st_.st_mtime_ns, st_.st_size, sha256(path))
        else:
            out[key] = ("dir" if path.is_dir() else "other", st_.st_mtime_ns)
    return out


# --- watching what this process does to the input folder ------------------------------------

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_CHANGING = {"os.rename", "os.remove", "os.rmdir", "os.link", "os.symlink", "os.truncate", "os.chmod",
             "os.chown", "os.utime", "os.mkdir"}


@dataclass
class _Seen:
    roots: tuple[str, ...] = ()
    reads: list[str] = field(default_factory=list)
    writes: list[tuple[str, str]] = field(default_factory=list)


_SEEN: _Seen | None = None
_HOOKED = False


def _inside(value: object, roots: tuple[str, ...]) -> str | None:
    if not isinstance(value, (str, bytes, os.PathLike)):
        return None
    path = os.path.abspath(os.fsdecode(value))
    return path if any(path == r or path.startswith(r + os.sep) for r in roots) else None


def _audit(event: str, args: tuple) -> None:
    """Records opens for writing and changes under the watched folder (never raises)."""
    seen = _SEEN
    if seen is None:
        return
    try:
        if event == "open":
            path = _inside(args[0], seen.roots)
            if path is None:
                return
            mode, flags = args[1], args[2]
            writes = (flags & _WRITE_FLAGS) if isinstance(flags, int) else any(c in (mode or "") for c in "wax+")
            (seen.writes.append((event, path)) if writes else seen.reads.append(path))
        elif event in _CHANGING:
            for arg in args:
                path = _inside(arg, seen.roots)
                if path is not None:
                    seen.writes.append((event, path))
    except Exception:  # an audit hook that raises would break the code under test
        pass


class watching:
    """Context manager: what this process opens or changes under `folder` while inside."""

    def __init__(self, folder: Path) -> None:
        self.seen = _Seen(roots=tuple({os.path.abspath(folder), os.path.realpath(folder)}))

    def __enter__(self) -> _Seen:
        global _SEEN, _HOOKED
        if not _HOOKED:
            sys.addaudithook(_audit)  # hooks cannot be removed; it is idle outside `watching`
            _HOOKED = True
        _SEEN = self.seen
        return self.seen

    def __exit__(self, *exc: object) -> None:
        global _SEEN
        _SEEN = None


# --- the xlsx XML, as Excel reads it ----------------------------------------------------------

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@dataclass(frozen=True)
class XCell:
    part: str
    ref: str
    type: str
    formula: str | None  # None: no <f>; "" for a shared formula's follower
    value: str | None


def xml_cells(path: Path) -> Iterator[XCell]:
    """Every <c> of every worksheet part, with shared and inline strings resolved."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ET.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(_NS + "t")) for si in root.findall(_NS + "si")]
        for part in sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)):
            for c in ET.fromstring(z.read(part)).iter(_NS + "c"):
                kind = c.get("t", "n")
                f, v = c.find(_NS + "f"), c.find(_NS + "v")
                if kind == "s" and v is not None:
                    value: str | None = shared[int(v.text or 0)]
                elif kind == "inlineStr":
                    inline = c.find(_NS + "is")
                    value = "".join(t.text or "" for t in inline.iter(_NS + "t")) if inline is not None else ""
                else:
                    value = v.text if v is not None else None
                yield XCell(part, c.get("r", ""), kind, None if f is None else (f.text or ""), value)


def literal_texts(path: Path, markers: tuple[str, ...]) -> set[str]:
    """The markers found in literal text cells; fails on a marker in a formula or in a cell
    that is neither a shared nor an inline string."""
    found: set[str] = set()
    for cell in xml_cells(path):
        for marker in markers:
            if cell.formula is not None:
                assert marker not in cell.formula, f"{path.name} {cell.part} {cell.ref}: <f>{cell.formula}</f>"
            elif cell.value is not None and marker in cell.value:
                assert cell.type in ("s", "inlineStr"), f"{path.name} {cell.part} {cell.ref}: t={cell.type}"
                found.add(marker)
    return found


def comment_texts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        parts = [n for n in z.namelist() if re.fullmatch(r"xl/comments/?\w*\d+\.xml", n)]
        return ["".join(t.text or "" for t in ET.fromstring(z.read(p)).iter(_NS + "t")) for p in parts]


def assert_whole_workbook(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None, path
        assert "[Content_Types].xml" in z.namelist() and "xl/workbook.xml" in z.namelist(), path


# --- a returned batch: clean, with findings, hostile text, damaged, a lock file ----------------


@dataclass(frozen=True)
class Returned:
    folder: Path
    injection: Path
    script: Path
    empty: Path


def _filled_blank(scheme, hostile: dict) -> bytes:
    """A blank workbook typed in carefully, then given the hostile text; indicator 1 lacks its
    actual value, so a finding names the indicator (its label starts with the indicator name)."""
    layout = build_layout(scheme, 1, blank=True)
    inputs = realistic_inputs(layout, scheme, 7)
    inputs.pop(("p1", "ind.1.actual"))
    return blank_workbook(1, YEAR, scheme, GENERATED, inputs={**inputs, **hostile})


@pytest.fixture(scope="module")
def scheme():
    return load_scheme("national")


@pytest.fixture(scope="module")
def returned(tmp_path_factory: pytest.TempPathFactory, scheme) -> Returned:
    folder = tmp_path_factory.mktemp("never_lose") / "回收"
    (folder / "子文件夹").mkdir(parents=True)
    roster = read_roster([ROSTER])
    clean_dept, empty_dept = (next(d for d in roster.departments if d.code == c) for c in ("101002", "101004"))
    layout = build_layout(scheme, len(clean_dept.projects),
                          goals_issued=tuple(bool(p.goal) for p in clean_dept.projects))
    inputs = realistic_inputs(layout, scheme, 7, budgets=department_values(layout, clean_dept, YEAR, scheme,
                                                                           GENERATED))
    clean = folder / "干净.xlsx"
    clean.write_bytes(department_workbook(clean_dept, YEAR, scheme, GENERATED, inputs=inputs))
    injection = folder / "注入.xlsx"
    injection.write_bytes(_filled_blank(scheme, {
        ("dept", "name"): HYPERLINK, ("p1", "name"): "@SUM(1)", ("p1", "ind.1.name"): "+1+1",
        ("p1", "funds.fiscal.executed"): "-2+3"}))
    script = folder / "子文件夹" / "脚本.xlsx"
    script.write_bytes(_filled_blank(scheme, {("dept", "name"): SCRIPT, ("p1", "ind.1.name"): ATTRIBUTE}))
    empty = folder / "子文件夹" / "未填.xlsx"
    empty.write_bytes(department_workbook(empty_dept, YEAR, scheme, GENERATED))
    (folder / "损坏.xlsx").write_bytes(b"PK\x03\x04 cut short in the mail")
    (folder / "~$干净.xlsx").write_bytes(b"\x00owner")
    (folder / "说明.txt").write_text("随附说明", encoding="utf-8")
    return Returned(folder, injection, script, empty)


@dataclass(frozen=True)
class CliBatch:
    exit_code: int
    output: str
    before: dict
    after: dict
    seen: _Seen
    report: Path
    summary: Path
    annotated: Path


@pytest.fixture(scope="module")
def cli_batch(returned: Returned, tmp_path_factory: pytest.TempPathFactory) -> CliBatch:
    """One `perfxl validate` of the batch with every output: HTML report, summary, copies."""
    out = tmp_path_factory.mktemp("outputs")
    before = snapshot(returned.folder)
    with watching(returned.folder) as seen:
        result = run("validate", str(returned.folder), "--year", str(YEAR), "--annotate", str(out / "退回"),
                     "--summary", str(out / "汇总.xlsx"), "-o", str(out / "报告.html"))
    return CliBatch(result.exit_code, result.output, before, snapshot(returned.folder), seen, out / "报告.html",
                    out / "汇总.xlsx", out / "退回")


# --- 1. inputs are only ever read ------------------------------------------------------------


def test_cli_batch_leaves_every_input_as_it_was(cli_batch: CliBatch, returned: Returned) -> None:
    assert cli_batch.exit_code == 1, cli_batch.output
    assert cli_batch.after == cli_batch.before  # bytes, mtimes, and no entry added or removed
    assert cli_batch.seen.writes == []  # files are read in workers (checks and copies): the hook sees no read here
    assert cli_batch.report.is_file() and cli_batch.summary.is_file()
    assert sorted(p.name for p in cli_batch.annotated.iterdir()) == sorted(
        annotated_name(p) for p in (returned.injection, returned.script, returned.empty))


@pytest.mark.parametrize("jobs, isolate", [(1, False), (1, True), (2, True)])
def test_library_batch_leaves_every_input_as_it_was(returned: Returned, tmp_path: Path, jobs: int,
                                                    isolate: bool) -> None:
    before = snapshot(returned.folder)
    with watching(returned.folder) as seen:
        report = validate([returned.folder], year=YEAR, jobs=jobs, isolate=isolate)
        written = annotate_all(report, tmp_path / "退回", jobs=jobs, isolate=isolate)
        write_summary(report, tmp_path / "汇总.xlsx")
        write_atomic(tmp_path / "报告.html", render_html(report).encode("utf-8"))
    assert snapshot(returned.folder) == before
    assert seen.writes == []
    assert bool(seen.reads) == (not isolate)  # in this process the hook sees the batch read; workers read it otherwise
    assert len(report.files) == 5 and len(written) == 3
    assert sorted(Path(p).name for p, _ in report.skipped) == ["~$干净.xlsx", "说明.txt"]


# --- 2. outputs: whole or not at all, never over an existing file without --force -------------


@pytest.mark.parametrize("kind", ["html report", "annotated copy", "blank workbook"])
def test_an_existing_output_is_kept_without_force(kind: str, returned: Returned, tmp_path: Path) -> None:
    """The kinds tests/cli and tests/report do not already cover through the CLI."""
    out = tmp_path / "out"
    if kind == "html report":
        target = out / "报告.html"
        args = ["validate", str(returned.injection), "-o", str(target)]
    elif kind == "annotated copy":
        target = out / annotated_name(returned.injection)
        args = ["validate", str(returned.injection), "--annotate", str(out)]
    else:
        target = out / "空白.xlsx"
        args = ["generate", "--blank", "--projects", "1", "--year", str(YEAR), "-o", str(target)]
    out.mkdir()
    target.write_bytes(b"the office's own file")
    os.utime(target, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = snapshot(out)
    refused = run(*args)
    assert refused.exit_code == 2, refused.output
    assert "文件已存在" in refused.output and "--force" in refused.output
    assert snapshot(out) == before
    forced = run(*args, "--force")
    assert forced.exit_code in (0, 1), forced.output
    assert target.read_bytes() != b"the office's own file"
    assert sorted(p.name for p in out.iterdir()) == [target.name]  # no temp file, nothing else
    if target.suffix == ".xlsx":
        assert_whole_workbook(target)


def test_force_replaces_a_symlink_not_the_file_it_points_to(returned: Returned, tmp_path: Path) -> None:
    """-o naming a link to a returned file: the link is refused, then replaced; the file never written."""
    link = tmp_path / "报告.html"
    link.symlink_to(returned.injection)
    before = snapshot(returned.folder)
    assert run("validate", str(returned.injection), "-o", str(link)).exit_code == 2
    assert run("validate", str(returned.injection), "-o", str(link), "--force").exit_code == 1
    assert not link.is_symlink() and "<html" in link.read_text(encoding="utf-8").lower()
    assert snapshot(returned.folder) == before


@pytest.mark.parametrize("step,force", [("fsync", False), ("link", False), ("replace", True)])
def test_ctrl_c_inside_write_atomic_leaves_nothing(step: str, force: bool, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "汇总.xlsx"
    if force:
        target.write_bytes(b"previous")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, step, interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"PK" + b"x" * 100_000, force=force)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == (["汇总.xlsx"] if force else [])
    if force:
        assert target.read_bytes() == b"previous"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temp_files_of_dead_processes_are_removed_by_the_next_write(tmp_path: Path) -> None:
    """A killed run cannot clean up; the next write into the folder does, and only that."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = tmp_path / temp_name("a.xlsx", pid=_dead_pid())
        live = tmp_path / temp_name("b.xlsx", pid=sleeper.pid)
        own = tmp_path / temp_name("c.xlsx")
        host = "0" * 8 if atomic._HOST != "0" * 8 else "1" * 8  # a machine sharing the folder
        other_host = tmp_path / f".e.xlsx.perfxl-{host}-{_dead_pid()}-abcdef.tmp"
        users = [tmp_path / ".notes.123.tmp", tmp_path / "report.tmp"]
        folder_like = tmp_path / temp_name("d.xlsx", pid=_dead_pid())
        folder_like.mkdir()
        for path in (dead, live, own, other_host, *users):
            path.write_bytes(b"half a workb")
        assert all(is_temp_name(p.name) for p in (dead, live, own, other_host, folder_like))
        assert not any(is_temp_name(p.name) for p in users)
        write_atomic(tmp_path / "new.xlsx", b"PK whole")
        assert not dead.exists()
        assert all(p.exists() for p in (live, own, other_host, folder_like, *users))
        assert (tmp_path / "new.xlsx").read_bytes() == b"PK whole"
        assert clean_stale(tmp_path) == []  # nothing left that may go
    finally:
        sleeper.kill()
        sleeper.wait()


def test_long_target_names_still_get_a_temp_file(tmp_path: Path) -> None:
    name = "长" * 78 + ".xlsx"  # 239 bytes: legal, but not with a temp prefix and suffix added
    assert len(name.encode()) <= 255 and len(temp_name(name).encode()) <= 255
    write_atomic(tmp_path / name, b"PK")
    assert [p.name for p in tmp_path.iterdir()] == [name]


def _roster_csv(folder: Path, departments: list[tuple[str, str]], project: dict[str, str] | None = None) -> list[str]:
    """A CSV roster pair with one project per department; returns the --roster arguments."""
    folder.mkdir(parents=True, exist_ok=True)
    project = project or {}
    with open(folder / "部门.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["部门编码", "部门名称", "基本支出年初预算数", "基本支出全年预算数"])
        writer.writerows([code, name, "100.00", "100.00"] for code, name in departments)
    with open(folder / "项目.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["部门编码", "项目编码", "项目名称", "主管部门", "实施单位", "财政拨款年初预算数",
                         "财政拨款全年预算数", "上年结转年初预算数", "上年结转全年预算数", "其他资金年初预算数",
                         "其他资金全年预算数", "预期目标"])
        writer.writerows([code, f"{code}-001", project.get("name", "运行经费"), project.get("supervisor", "主管"),
                          project.get("implementer", "实施"), "10.00", "10.00", "0", "0", "0", "0",
                          project.get("goal", "保障运行")] for code, _ in departments)
    return ["--roster", str(folder / "部门.csv"), "--roster", str(folder / "项目.csv")]


@pytest.fixture(scope="module")
def big_roster(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """300 departments: long enough to generate that a signal lands in the middle."""
    return _roster_csv(tmp_path_factory.mktemp("big_roster"), [(f"9{i:05d}", f"测试部门{i}") for i in range(300)])


def _start(args: list[str], logs: Path) -> subprocess.Popen:
    """`python -m perfxl …` in its own process group; output to files (a full pipe would stall it)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "stdout", "wb") as stdout, open(logs / "stderr", "wb") as stderr:
        return subprocess.Popen([sys.executable, "-m", "perfxl", *args], stdout=stdout, stderr=stderr, env=env,
                                start_new_session=True)


def _wait_until(proc: subprocess.Popen, ready: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "the run never got going"
        time.sleep(0.001)


def _xlsx_and_temps(folder: Path) -> tuple[list[Path], list[Path]]:
    entries = list(folder.iterdir()) if folder.exists() else []
    return [p for p in entries if p.suffix == ".xlsx"], [p for p in entries if is_temp_name(p.name)]


def _signal(proc: subprocess.Popen, sig: int, whom: str) -> None:
    if whom == "group":  # what a terminal does: the workers get it too
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)


def _finish(proc: subprocess.Popen, logs: Path) -> str:
    """Waits for the run; returns its standard error."""
    try:
        proc.wait(timeout=120)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the group this test started, should anything linger
        except ProcessLookupError:
            pass
    return (logs / "stderr").read_text(encoding="utf-8", errors="replace")


def _assert_interrupted_cleanly(proc: subprocess.Popen, stderr: str) -> None:
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "已中断" in stderr, stderr


@posix_only
@pytest.mark.parametrize("whom", ["group", "parent"])
def test_ctrl_c_during_generate_leaves_only_whole_workbooks(big_roster: list[str], tmp_path: Path,
                                                            whom: str) -> None:
    out = tmp_path / "out"
    proc = _start(["generate", *big_roster, "--year", str(YEAR), "--out", str(out), "--jobs", "2"], tmp_path / "logs")
    try:
        _wait_until(proc, lambda: len(_xlsx_and_temps(out)[0]) >= 5)
        _signal(proc, signal.SIGINT, whom)
    finally:
        stderr = _finish(proc, tmp_path / "logs")
    _assert_interrupted_cleanly(proc, stderr)
    workbooks, temps = _xlsx_and_temps(out)
    assert temps == [] and sorted(out.iterdir()) == sorted(workbooks)
    assert 5 <= len(workbooks) < 300
    for path in workbooks:
        assert_whole_workbook(path)


@posix_only
def test_kill_during_generate_leaves_whole_workbooks_and_the_next_run_cleans_up(big_roster: list[str],
                                                                                tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _start(["generate", *big_roster, "--year", str(YEAR), "--out", str(out), "--jobs", "2"], tmp_path / "logs")
    try:
        # Kill while a temp file exists, if polling catches one; after 60 workbooks in any case.
        _wait_until(proc, lambda: (lambda w, t: (len(w) >= 3 and bool(t)) or len(w) >= 60)(*_xlsx_and_temps(out)))
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        _finish(proc, tmp_path / "logs")
    assert proc.returncode == -signal.SIGKILL
    workbooks, temps = _xlsx_and_temps(out)
    assert sorted(out.iterdir()) == sorted(workbooks + temps)  # a leftover is always recognisable
    for path in workbooks:
        assert_whole_workbook(path)
    planted = out / temp_name("2025_900000_测试部门0_绩效自评表.xlsx", pid=_dead_pid())
    planted.write_bytes(b"PK\x03\x04 half")
    later = run("generate", "--blank", "--projects", "0", "--year", str(YEAR), "-o", str(out / "空白.xlsx"))
    assert later.exit_code == 0, later.output
    assert _xlsx_and_temps(out)[1] == []
    assert sorted(out.iterdir()) == sorted(workbooks + [out / "空白.xlsx"])


@pytest.fixture(scope="module")
def many_with_findings(tmp_path_factory: pytest.TempPathFactory, scheme) -> Path:
    """12 returned files with findings: annotating them takes a few seconds."""
    folder = tmp_path_factory.mktemp("many")
    dept = next(d for d in read_roster([ROSTER]).departments if d.code == "101004")
    data = department_workbook(dept, YEAR, scheme, GENERATED)
    for i in range(12):
        (folder / f"{i:02d}.xlsx").write_bytes(data)
    return folder


@posix_only
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_annotate_leaves_whole_copies_and_untouched_inputs(many_with_findings: Path, tmp_path: Path,
                                                                       sig: int) -> None:
    before = snapshot(many_with_findings)
    out = tmp_path / "退回"
    proc = _start(["validate", str(many_with_findings), "--year", str(YEAR), "--annotate", str(out),
                   "--ignore", "F09"], tmp_path / "logs")
    try:
        _wait_until(proc, lambda: len(_xlsx_and_temps(out)[0]) >= 1)
        _signal(proc, sig, "group")
    finally:
        stderr = _finish(proc, tmp_path / "logs")
    if sig == signal.SIGINT:
        _assert_interrupted_cleanly(proc, stderr)
    else:
        assert proc.returncode == -signal.SIGKILL
    copies, temps = _xlsx_and_temps(out)
    assert 1 <= len(copies) < 12
    for path in copies:
        assert_whole_workbook(path)
    assert sorted(out.iterdir()) == sorted(copies + temps) and (sig == signal.SIGKILL or temps == [])
    assert snapshot(many_with_findings) == before


# --- 3. file names safe whatever the roster says ---------------------------------------------

HOSTILE_DEPARTMENTS = [
    ("101", "财政/局\\办:公室"),
    ("102", "长" * 300),
    ("103", "坏\x1b[31m部门\x07\u202e"),
    ("104", "CON"),
    ("105", ".."),
    ("106", 'x<>:"|?*'),
    ("107", "尾随点和空格. ."),
    ("108", "甲\r\n乙\t丙"),
    ("X/1", "同名"),      # the codes clean to the same text …
    ("X:1", "同名"),
    ("abc", "大小写"),    # … differ only in case …
    ("ABC", "大小写"),
    ("C" * 31 + "1", "截断"),  # … or only after the part a file name keeps
    ("C" * 31 + "2", "截断"),
    ("com1", "设备名"),
]


def assert_safe_name(name: str) -> None:
    assert not WINDOWS_FORBIDDEN & set(name), name
    assert not [ch for ch in name if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")], name
    assert name == name.rstrip(" ."), name
    assert name.split(".")[0].rstrip(" ").upper() not in WINDOWS_RESERVED, name
    # room for the annotated copy's suffix (and its temp name) within ext4's 255 bytes
    copy = annotated_name(name).replace(".xlsx", "_99.xlsx")
    assert len(copy.encode("utf-8")) <= 255 and len(temp_name(copy).encode("utf-8")) <= 255, name


def test_generated_file_names_are_safe_and_distinct(tmp_path: Path) -> None:
    roster_args = _roster_csv(tmp_path / "花名册", HOSTILE_DEPARTMENTS)
    out = tmp_path / "out"
    outside = snapshot(tmp_path)
    result = run("generate", *roster_args, "--year", str(YEAR), "--out", str(out), "--date", "2026-01-05")
    assert result.exit_code == 0, result.output
    assert not TERMINAL_UNSAFE.search(result.output)
    files = list(out.iterdir())
    assert all(p.is_file() and p.parent == out for p in files)
    def beside_out(entries: dict[str, tuple]) -> dict[str, tuple]:
        return {k: v for k, v in entries.items() if k not in (".", "out") and not k.startswith("out" + os.sep)}

    assert beside_out(snapshot(tmp_path)) == beside_out(outside)  # nothing written outside the out folder
    assert len(files) == len(HOSTILE_DEPARTMENTS)
    assert len({unicodedata.normalize("NFC", p.name).casefold() for p in files}) == len(files)
    for path in files:
        assert_safe_name(path.name)
        assert path.name.startswith(f"{YEAR}_") and path.name.endswith("_绩效自评表.xlsx")

    # Each workbook still carries its department's full name, as the roster gave it.
    roster = read_roster([Path(a) for a in roster_args[1::2]])
    expected = {d.code: d.name for d in roster.departments}
    assert len(expected["102"]) == 300
    report = validate([out], year=YEAR)
    assert {r.department_code: r.department_name for r in report.files} == expected
    assert not any(f.code == "F09" for r in report.files for f in r.findings)  # no two files of one department


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=400)), min_size=1,
                max_size=6, unique_by=lambda d: d[0]))
def test_any_roster_text_makes_safe_distinct_names(departments: list[tuple[str, str]]) -> None:
    names = workbook_names(YEAR, departments)
    assert len({n.casefold() for n in names}) == len(names)
    for (code, name), file_name in zip(departments, names):
        assert_safe_name(file_name)
        assert file_name == workbook_name(YEAR, code, name) or \
            sum(workbook_name(YEAR, c, n).casefold() == workbook_name(YEAR, code, name).casefold()
                for c, n in departments) > 1  # only colliding names change


# --- 4. reports cannot be turned against their readers ---------------------------------------


def test_generated_workbooks_write_issued_formula_text_as_text(tmp_path: Path) -> None:
    departments = [("201", HYPERLINK), ("202", "@SUM(1)"), ("203", "+1+1"), ("204", "-2+3")]
    project = {"name": "@SUM(2)", "supervisor": "=1+2", "implementer": "-3+4", "goal": "+目标"}
    roster_args = _roster_csv(tmp_path / "花名册", departments, project)
    out = tmp_path / "out"
    assert run("generate", *roster_args, "--year", str(YEAR), "--out", str(out)).exit_code == 0
    files = sorted(out.iterdir())
    assert len(files) == 4
    for path, (_, name) in zip(sorted(files, key=lambda p: p.name.split("_")[1]), departments):
        markers = (name, *project.values())
        assert literal_texts(path, markers) == set(markers), path.name


def test_summary_writes_formula_text_as_text(cli_batch: CliBatch) -> None:
    assert literal_texts(cli_batch.summary, FORMULAS) == set(FORMULAS)


def test_annotated_copy_writes_formula_text_as_text(cli_batch: CliBatch, returned: Returned) -> None:
    copy = cli_batch.annotated / annotated_name(returned.injection)
    assert literal_texts(copy, FORMULAS) == set(FORMULAS)  # the 校验结果 sheet and the department's own sheets
    # The 校验结果 sheet's formulas are its own live status lines, made of these functions only.
    ours = {"IF", "AND", "ISNUMBER", "ISTEXT", "ISLOGICAL", "EXACT", "ABS", "LEN", "COUNTIF", "N", "CHAR"}
    formulas = [c.formula for c in xml_cells(copy) if c.part == "xl/worksheets/sheet1.xml" and c.formula]
    assert formulas
    for formula in formulas:
        code = re.sub(r'"(?:[^"]|"")*"', "", formula)
        assert set(re.findall(r"([A-Z]+)\(", code)) <= ours, formula
    comments = "\n".join(comment_texts(copy))
    assert "“-2+3”" in comments and "V02" in comments


def test_html_report_of_hostile_files_is_escaped(cli_batch: CliBatch) -> None:
    page = cli_batch.report.read_text(encoding="utf-8")
    parsed = parse_html(page)
    assert [t for t, _ in parsed.tags if t == "script"] == ["script"]  # only the page's own
    assert "alert" not in "".join(parsed.scripts)
    assert not [t for t, _ in parsed.tags if t == "img"]
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    assert SCRIPT not in page and ATTRIBUTE not in page and 'HYPERLINK("' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert re.search(r"&(#34|quot);&gt;&lt;img src=x onerror=alert\(1\)&gt;", page)
    assert re.search(r"=HYPERLINK\(&(#34|quot);http://x&(#34|quot);", page)


def test_terminal_output_has_no_escapes_or_bidi_controls(tmp_path: Path, scheme) -> None:
    folder = tmp_path / "回收"
    folder.mkdir()
    (folder / "坏\x1b[31m文件\u202e.xlsx").write_bytes(_filled_blank(scheme, {
        ("dept", "name"): "坏\x1b[31m部门\u202e",
        ("p1", "name"): "项目\x1b]0;窗口标题\x07",
        ("p1", "ind.1.name"): "指标\u200f\u2066甲\u2069\x9b2J",
        ("p1", "funds.fiscal.executed"): "9\x1b[2J8\u061c",
    }))
    (folder / "~$坏\x07.xlsx").write_bytes(b"\x00owner")
    for lang in ("zh", "en"):
        result = run("validate", str(folder), "--year", str(YEAR), "--lang", lang)
        assert result.exit_code == 1
        assert not TERMINAL_UNSAFE.search(result.output), repr(result.output)
        assert "坏部门" in result.output and "坏文件.xlsx" in result.output
        assert "V06" in result.output and "V02" in result.output  # the hostile label and value were shown


def test_roster_error_messages_reach_the_terminal_clean(tmp_path: Path) -> None:
    """A bad roster's values are quoted in its error; they are no less untrusted than a file's."""
    evil = "1\x1b]0;pwned\x07\u202e"
    roster_args = _roster_csv(tmp_path / "花名册", [(evil, "甲"), (evil, "乙")])
    result = run("generate", *roster_args, "--year", str(YEAR), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert not TERMINAL_UNSAFE.search(result.output), repr(result.output)
    assert not (tmp_path / "out").exists()
