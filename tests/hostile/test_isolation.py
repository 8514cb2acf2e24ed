"""Isolation: each file is checked in a worker with a time limit and a memory cap.

A file that is slow or huge, or a worker that dies, costs only that file its finding
(F05 timeout / memory, F01 crash); the batch goes on with a fresh worker and nothing is
left running. Workers are found from the test through multiprocessing.active_children().
"""

from __future__ import annotations

import json
import re
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfxl.cli import cli
from perfxl.generate import department_workbook
from perfxl.layout.workbook import build_layout
from perfxl.roster import read_roster
from perfxl.samples import realistic_inputs
from perfxl.scheme import load_scheme
from perfxl.validator.engine import validate
from perfxl.validator.guards import Limits
from perfxl.validator.model import Report
from perfxl.writer.issue import department_values

ROOT = Path(__file__).resolve().parents[2]
ROSTER = ROOT / "examples" / "roster.xlsx"
GENERATED = date(2026, 1, 5)
POSIX = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Five returns of five departments: filled in (clean, or with mistakes) and blank."""
    folder = tmp_path_factory.mktemp("returned")
    scheme = load_scheme("national")
    roster = read_roster([ROSTER])
    paths = []
    for i, dept in enumerate(roster.departments[:5]):
        layout = build_layout(scheme, len(dept.projects), goals_issued=tuple(bool(p.goal) for p in dept.projects))
        budgets = department_values(layout, dept, 2025, scheme, GENERATED)
        inputs = realistic_inputs(layout, scheme, 7 + i, budgets=budgets) if i != 2 else {}
        if i == 3:
            inputs[("basic", "income.budget")] = 0.0
        path = folder / f"{i}_{dept.code}.xlsx"
        path.write_bytes(department_workbook(dept, 2025, scheme, GENERATED, inputs=inputs))
        paths.append(str(path))
    return paths


@pytest.fixture(scope="module")
def expected(files: list[str]) -> dict:
    """The batch checked in this process, without isolation: what every isolated run must match."""
    return validate(files, year=2025, isolate=False).to_dict()


def workers() -> list[multiprocessing.Process]:
    return [p for p in multiprocessing.active_children() if p.name == "perfxl-validate"]


def by_path(report: Report) -> dict[str, dict]:
    return {f["path"]: f for f in report.to_dict()["files"]}


def only_finding(entry: dict) -> dict:
    assert len(entry["findings"]) == 1, entry["findings"]
    return entry["findings"][0]


@pytest.mark.parametrize("jobs", [1, 3])
def test_isolated_batch_matches_in_process(files: list[str], expected: dict, jobs: int) -> None:
    calls: list[tuple[int, int]] = []
    report = validate(files, year=2025, jobs=jobs, progress=lambda done, total: calls.append((done, total)))
    assert report.to_dict() == expected  # same findings, files in input order
    assert calls == [(i, len(files)) for i in range(1, len(files) + 1)]
    assert any(f["findings"] for f in expected["files"]) and any(f["valid"] for f in expected["files"])
    assert not workers()


def test_a_tiny_time_limit_times_out_every_file_and_the_next_batch_runs(files: list[str], expected: dict) -> None:
    started = time.monotonic()
    report = validate(files, year=2025, jobs=2, limits=Limits(seconds=0.0001))
    assert time.monotonic() - started < 10
    for entry in report.to_dict()["files"]:
        finding = only_finding(entry)
        assert (finding["code"], finding["severity"]) == ("F05", "error")
        assert finding["message"] == "校验超时：超过 0.0001 秒仍未完成，文件可能过大或已损坏；已跳过此文件。"
    assert report.to_dict("en")["files"][0]["findings"][0]["message"].startswith("Checking timed out: not finished "
                                                                                    "after 0.0001 seconds")
    assert not workers()
    assert validate(files, year=2025, jobs=2).to_dict() == expected


@POSIX
def test_a_stalled_worker_costs_one_file_a_timeout(files: list[str], expected: dict) -> None:
    """A worker that stops making progress (SIGSTOP: as a file that never finishes) is killed at its
    deadline; its file gets F05 timeout and every other file is checked normally."""
    stalled: list[int] = []

    def stall(done: int, total: int) -> None:
        if done == 1:  # the worker has just been given the second file
            (worker,) = workers()
            os.kill(worker.pid, signal.SIGSTOP)
            stalled.append(worker.pid)

    started = time.monotonic()
    report = validate(files, year=2025, jobs=1, limits=Limits(seconds=2.0), progress=stall)
    assert time.monotonic() - started < 15
    got, want = by_path(report), {f["path"]: f for f in expected["files"]}
    timed_out = [p for p, entry in got.items() if entry["findings"] and entry["findings"][0]["code"] == "F05"]
    assert len(timed_out) == 1 and timed_out[0] != files[0]
    assert only_finding(got[timed_out[0]])["message"].startswith("校验超时：超过 2 秒")
    assert {p: e for p, e in got.items() if p not in timed_out} == {p: e for p, e in want.items() if p not in timed_out}
    with pytest.raises(ProcessLookupError):
        os.kill(stalled[0], 0)  # killed and reaped, not left stopped
    assert not workers()


@POSIX
def test_a_killed_worker_is_replaced(files: list[str], expected: dict) -> None:
    """A worker killed from outside (as by the OS) costs at most the file it was on an F01 naming the
    signal; a fresh worker checks the rest."""
    pids: list[int] = []

    def kill(done: int, total: int) -> None:
        (worker,) = workers()
        pids.append(worker.pid)
        if done == 1:
            os.kill(worker.pid, signal.SIGKILL)

    report = validate(files, year=2025, jobs=1, progress=kill)
    assert len(set(pids)) == 2 and pids[0] not in pids[1:]
    got, want = by_path(report), {f["path"]: f for f in expected["files"]}
    crashed = [p for p, e in got.items() if e != want[p]]
    assert len(crashed) <= 1  # none if the worker had already sent that file's result
    for path in crashed:
        finding = only_finding(got[path])
        assert finding["code"] == "F01" and "SIGKILL" in finding["message"]
        assert finding["message"].startswith("校验此文件的进程意外终止（SIGKILL")
    assert not workers()


def test_ctrl_c_stops_every_worker(files: list[str]) -> None:
    seen: list[int] = []

    def interrupt(done: int, total: int) -> None:
        seen.extend(p.pid for p in workers())
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        validate(files, year=2025, jobs=3, progress=interrupt)
    assert len(seen) == 3 and not workers()
    for pid in seen:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced on Linux")
def test_a_tiny_memory_cap_costs_each_file_an_f05(files: list[str]) -> None:
    """In a fresh interpreter (this one's free heap would count towards a forked worker's cap)."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "perfxl", "validate", *files, "--year", "2025", "--format", "json",
                           "--max-memory-mb", "1", "--jobs", "2"], capture_output=True, text=True, encoding="utf-8",
                          timeout=60)
    assert time.monotonic() - started < 30
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "Fatal" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert [f["path"] for f in doc["files"]] == files
    for entry in doc["files"]:
        finding = only_finding(entry)
        assert finding["code"] == "F05" and finding["message"] == "文件过大：校验所需内存超过 1 MB，已跳过此文件。"


def test_limits_are_options(files: list[str]) -> None:
    runner = CliRunner()
    help_text = " ".join(runner.invoke(cli, ["validate", "--help"]).output.split())
    assert re.search(r"--timeout SECONDS .*?\[default: 60.0; x>0\]", help_text)
    assert re.search(r"--max-memory-mb INTEGER RANGE .*?\[default: 1024; x>=1\]", help_text)
    result = runner.invoke(cli, ["validate", files[0], "--timeout", "0.0001"])
    assert result.exit_code == 1 and "F05 错误" in result.output and "校验超时" in result.output
    assert runner.invoke(cli, ["validate", files[0], "--timeout", "0"]).exit_code == 2
    assert runner.invoke(cli, ["validate", files[0], "--max-memory-mb", "0"]).exit_code == 2
