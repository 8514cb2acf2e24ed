"""Issue 9, items 6, 8 and 9: infinite numbers, SIGTERM during generate, and generate's size limits.

Every roster and returned file is built at test time (large ones only as sparse files or
written line by line into tmp_path). Each case asserts no traceback, the documented message
and exit code, no partial or temp output, and, where memory is the point, a peak RSS bound.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from perfxl.errors import RosterError
from perfxl.generate import department_workbook, generate
from perfxl.layout.model import a1
from perfxl.limits import MAX_AMOUNT, MAX_PROJECTS, ROSTER_MAX_CSV_MB, ROSTER_MAX_ROWS
from perfxl.roster import read_roster
from perfxl.roster.model import Roster
from perfxl.samples import write_roster_csv
from perfxl.scheme import load_scheme

from .test_corpus import GENERATED, M, YEAR, _cell, _department, clean, edit_sheet, layout_of

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
# Runs the CLI in-process and reports its own peak RSS (MB) on the last line of stderr: VmHWM, as
# ru_maxrss keeps the high-water mark of the process before exec (pytest's, when it vforks us).
MEASURED = ("import re, sys\nfrom perfxl.cli import main\ncode = 0\ntry:\n    main()\n"
            "except SystemExit as exc:\n    code = exc.code if isinstance(exc.code, int) else 1\n"
            "try:\n    hwm = re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1)\n"
            "except OSError:\n    hwm = 0  # no /proc: not measured\n"
            "sys.stderr.write('\\nMAXRSS %d\\n' % (int(hwm) // 1024))\n"
            "sys.exit(code)\n")
NON_FINITE_V = re.compile(rb"<v>[^<]*(?:inf|nan)[^<]*</v>", re.I)


def perfxl(*args: str, timeout: float = 120) -> tuple[int, str, int]:
    """(exit code, output, peak RSS in MB) of `perfxl ARGS` in a fresh process."""
    proc = subprocess.run([sys.executable, "-c", MEASURED, *args], capture_output=True, text=True, env=ENV,
                          timeout=timeout, cwd=ROOT)
    out, _, rss = proc.stderr.rpartition("MAXRSS ")
    return proc.returncode, proc.stdout + out, int(rss or 0)


def no_traceback(output: str) -> None:
    assert "Traceback" not in output and "Error:" not in output.replace("RosterError", ""), output


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".")]


# --- item 6: infinite numbers ---------------------------------------------------------------------

def test_roster_amount_of_400_nines_is_a_roster_error(tmp_path: Path) -> None:
    write_roster_csv(tmp_path / "r", 2, 2)
    projects = tmp_path / "r" / "项目.csv"
    lines = projects.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[1].split(",")
    cells[6] = "9" * 400                      # 财政拨款全年预算数
    lines[1] = ",".join(cells)
    projects.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    before = projects.read_bytes()
    code, output, _ = perfxl("generate", "--roster", str(tmp_path / "r"), "--year", "2025", "--out",
                             str(tmp_path / "out"))
    no_traceback(output)
    assert code == 2 and "超过 1,000,000,000 万元的上限" in output and "第2行 G列" in output, output
    assert not (tmp_path / "out").exists() and projects.read_bytes() == before
    code, output, _ = perfxl("validate", str(tmp_path), "--roster", str(tmp_path / "r"), "--year", "2025",
                             "--lang", "en")
    assert code == 2 and "over the limit of 1,000,000,000 万元" in output, output


def test_amounts_up_to_the_forms_limit_are_read(tmp_path: Path) -> None:
    write_roster_csv(tmp_path / "ok", 1, 1, amount="1,000,000,000")
    assert read_roster(tmp_path / "ok").departments[0].basic_budget == MAX_AMOUNT
    write_roster_csv(tmp_path / "over", 1, 1, amount="1000000000.01")
    with pytest.raises(RosterError) as caught:
        read_roster(tmp_path / "over")
    assert sum("上限" in m.render() for m in caught.value.messages) == 4  # 2 department + 2 project budgets


def test_xlsx_roster_number_over_the_limit(tmp_path: Path) -> None:
    import openpyxl

    write_roster_csv(tmp_path / "r", 1, 1)
    book = openpyxl.Workbook()
    book.active.title = "部门"
    for name in ("部门", "项目"):
        sheet = book[name] if name in book.sheetnames else book.create_sheet(name)
        rows = read_csv_rows(tmp_path / "r" / f"{name}.csv")
        for row in rows:
            sheet.append(row)
    book["部门"]["D2"] = 2e9
    book.save(tmp_path / "roster.xlsx")
    with pytest.raises(RosterError) as caught:
        read_roster(tmp_path / "roster.xlsx")
    assert "部门 › 第2行 D列" in caught.value.render() and "2000000000" in caught.value.render()


def read_csv_rows(path: Path) -> list[list[str]]:
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_a_roster_built_in_code_passes_the_same_limits(tmp_path: Path) -> None:
    dept = _department(1)
    huge = replace(dept, projects=(replace(dept.projects[0], fiscal_budget=float("inf")),) + dept.projects[1:])
    many = replace(dept, code="X", projects=tuple(replace(dept.projects[0], code=f"p{i}")
                                                  for i in range(MAX_PROJECTS + 1)))
    with pytest.raises(RosterError) as caught:
        generate(Roster((huge, many)), YEAR, tmp_path / "out", generated=GENERATED)
    text = caught.value.render("en")
    assert "from 0 to 1,000,000,000" in text and f"{MAX_PROJECTS + 1} projects" in text
    assert not (tmp_path / "out").exists()


def _percent_inf() -> bytes:
    """A returned file whose 全年执行数 holds <v>1e309</v> with a percent format (typed as a percentage)."""
    sheet = next(s for s in layout_of(1).sheets if s.role == "project")
    executed, rate = sheet.get("funds.fiscal.executed"), sheet.get("funds.fiscal.rate")

    def edit(root: etree._Element) -> None:
        c = _cell(root, a1(executed.row, executed.col))
        style = _cell(root, a1(rate.row, rate.col)).get("s")
        for child in list(c):
            c.remove(child)
        c.attrib.pop("t", None)
        c.set("s", style)
        etree.SubElement(c, M + "v").text = "1e309"
    return edit_sheet(clean(1), sheet.name, edit)


def _budgets_past_float_range() -> bytes:
    """A workbook whose issued budgets (each finite) sum past 1e308, as a hand-built roster gives it."""
    dept = _department(2)
    first = replace(dept.projects[0], fiscal_initial=1.7e308, fiscal_budget=1.7e308, carryover_initial=1.7e308,
                    carryover_budget=1.7e308)
    dept = replace(dept, basic_budget=1.7e308, projects=(first,) + dept.projects[1:])
    return department_workbook(dept, YEAR, load_scheme("national"), GENERATED)


def test_non_finite_values_are_never_written_as_numbers(tmp_path: Path) -> None:
    data = _budgets_past_float_range()
    assert not NON_FINITE_V.search(b"".join(_xml_parts(data))), "a cached <v>inf</v>"
    assert b"<v>#NUM!</v>" in b"".join(_xml_parts(data))
    returned = tmp_path / "returned"
    returned.mkdir()
    (returned / "percent_inf.xlsx").write_bytes(_percent_inf())
    (returned / "past_range.xlsx").write_bytes(data)
    before = {p.name: p.read_bytes() for p in returned.iterdir()}
    code, output, _ = perfxl("validate", str(returned), "--year", "2025", "--summary", str(tmp_path / "s.xlsx"),
                             "--annotate", str(tmp_path / "ann"), "--format", "json", "-o", str(tmp_path / "r.json"))
    no_traceback(output)
    assert code == 1, output
    json.loads((tmp_path / "r.json").read_text(encoding="utf-8"), parse_constant=_no_constant)
    written = [tmp_path / "s.xlsx", *sorted((tmp_path / "ann").iterdir())]
    assert len(written) == 3
    for path in written:
        assert not NON_FINITE_V.search(b"".join(_xml_parts(path.read_bytes()))), path.name
    assert {p.name: p.read_bytes() for p in returned.iterdir()} == before
    assert not leftovers(tmp_path)


def _no_constant(name: str) -> None:
    raise AssertionError(f"{name} in the JSON report")


def _xml_parts(data: bytes) -> list[bytes]:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [zf.read(n) for n in zf.namelist() if n.endswith(".xml")]


# --- item 9: size limits ----------------------------------------------------------------------------

def test_projects_per_department_limit_is_the_validators(tmp_path: Path) -> None:
    write_roster_csv(tmp_path / "ok", 2, MAX_PROJECTS)
    assert [len(d.projects) for d in read_roster(tmp_path / "ok").departments] == [MAX_PROJECTS] * 2
    write_roster_csv(tmp_path / "over", 2, MAX_PROJECTS + 1)
    code, output, _ = perfxl("generate", "--roster", str(tmp_path / "over"), "--year", "2025", "--out",
                             str(tmp_path / "out"))
    no_traceback(output)
    assert code == 2 and output.count(f"有 {MAX_PROJECTS + 1} 个项目，超过一个工作簿 {MAX_PROJECTS} 个项目的上限") == 2
    assert not (tmp_path / "out").exists()
    code, output, _ = perfxl("validate", str(tmp_path / "ok"), "--roster", str(tmp_path / "over"), "--year",
                             "2025", "--lang", "en")
    assert code == 2 and f"over the limit of {MAX_PROJECTS} projects in one workbook" in output, output


def test_csv_roster_over_the_row_cap_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    write_roster_csv(folder, 1, 1)
    projects = folder / "项目.csv"
    row = projects.read_text(encoding="utf-8-sig").splitlines()[1].split(",")
    with open(projects, "a", encoding="utf-8", newline="") as fh:
        for i in range(ROSTER_MAX_ROWS + 10):
            row[1] = f"x{i}"
            fh.write(",".join(row) + "," + ",".join("1" * 1 for _ in range(60)) + "\n")
    size_mb = projects.stat().st_size / 2**20
    assert 10 < size_mb < ROSTER_MAX_CSV_MB
    code, output, rss = perfxl("generate", "--roster", str(folder), "--year", "2025", "--out", str(tmp_path / "out"))
    no_traceback(output)
    assert code == 2 and f"超过 {ROSTER_MAX_ROWS} 行" in output, output
    assert rss < 200, f"{rss} MB to refuse a {size_mb:.0f} MB CSV"  # measured: 92 MB (all rows read whole: ~300)
    assert not (tmp_path / "out").exists()


def test_csv_roster_too_large_or_one_endless_line(tmp_path: Path) -> None:
    folder = tmp_path / "big"
    write_roster_csv(folder, 1, 1)
    with open(folder / "项目.csv", "r+b") as fh:  # sparse: tiny on disk
        fh.truncate((ROSTER_MAX_CSV_MB + 1) * 2**20)
    code, output, rss = perfxl("generate", "--roster", str(folder), "--year", "2025", "--out", str(tmp_path / "o"),
                               "--lang", "en")
    no_traceback(output)
    assert code == 2 and f"over the limit of {ROSTER_MAX_CSV_MB} MB" in output, output

    folder = tmp_path / "line"
    write_roster_csv(folder, 1, 1)
    with open(folder / "项目.csv", "a", encoding="utf-8") as fh:
        fh.write("1," * 15_000_000)  # 30 MB, one line: 15 million fields
    code, output, rss = perfxl("generate", "--roster", str(folder), "--year", "2025", "--out", str(tmp_path / "o"))
    no_traceback(output)
    assert code == 2 and "第3行：一行超过 1,000,000 个字符" in output, output
    assert rss < 150, f"{rss} MB for one long line"  # measured: 33 MB (15 million fields in a list: ~150)
    assert not (tmp_path / "o").exists()


# --- item 8: SIGTERM ----------------------------------------------------------------------------------

def _group(pgid: int) -> list[int]:
    """Processes still in the process group `pgid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("whole_group", [False, True], ids=["parent", "process-group"])
def test_sigterm_stops_generate_like_ctrl_c(tmp_path: Path, whole_group: bool) -> None:
    write_roster_csv(tmp_path / "r", 120, 3)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "perfxl", "generate", "--roster", str(tmp_path / "r"), "--year",
                             "2025", "--out", str(out), "--jobs", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=ENV, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out.exists() and any(out.glob("*.xlsx"))):
        time.sleep(0.05)
    assert proc.poll() is None, "finished before the signal: make the roster larger"
    if whole_group:
        os.killpg(proc.pid, signal.SIGTERM)
    else:
        proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)  # returns only once nobody holds the pipes
    text = stdout.decode() + stderr.decode()
    assert proc.returncode == 130, text
    assert "已中断" in text and "Traceback" not in text, text
    time.sleep(0.2)
    assert _group(proc.pid) == [], "a worker outlived generate"
    written = sorted(out.glob("*.xlsx"))
    assert 0 < len(written) < 120
    count = len(written)
    time.sleep(1.0)
    assert len(list(out.glob("*.xlsx"))) == count, "workbooks written after generate exited"
    assert not leftovers(out)
    for path in written:  # every file written is whole
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None
