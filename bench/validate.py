"""Benchmark `perfxl validate`: 1,000 returned workbooks × 5 projects, against the parse floor in the same run.

The files are what departments send back: perfxl workbooks filled by
`samples.realistic_inputs` for a synthetic, seeded roster (5 projects per department,
budgets from tens to thousands of 万元); about 15% carry typical mistakes (a blank
required input, indicator weights off, spending over budget, a number typed as text, an
overwritten formula) so the rules' finding paths run, not only the clean path.

Floor: opening each zip and parsing every XML part with lxml.etree.fromstring, nothing
else (READING-SPEED.md). The ratio check_file / floor is perfxl's own cost. Full runs of
`validate` happen in a fresh interpreter each, so their peak RSS (own and workers')
is theirs alone; running it on the first 200 files too shows memory does not grow with
the batch.

Returned files were saved by an office application, not by xlsxwriter: `--libreoffice N`
also round-trips N clean files through LibreOffice (headless) and times those.

    python bench/validate.py [--files 1000] [--jobs 2] [--keep DIR] [--sample N] [--phases 100] [--libreoffice 10]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any, Callable

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perfxl.evaluate import evaluate_workbook  # noqa: E402
from perfxl.generate import department_workbook  # noqa: E402
from perfxl.layout.model import a1  # noqa: E402
from perfxl.layout.workbook import build_layout  # noqa: E402
from perfxl.naming import workbook_name  # noqa: E402
from perfxl.roster.model import Department, Project, Roster  # noqa: E402
from perfxl.samples import REASONS, realistic_inputs  # noqa: E402
from perfxl.scheme import load_scheme  # noqa: E402
from perfxl.scoring import execution_reason_required  # noqa: E402
from perfxl.validator.context import Options  # noqa: E402
from perfxl.validator.engine import check_file, validate  # noqa: E402
from perfxl.writer.issue import department_values  # noqa: E402

YEAR = 2025
GENERATED = date(2026, 1, 5)
SEED = 20250105
PROJECTS = 5
MISTAKE_SHARE = 0.15
TARGET_RATIO = 3.0
TARGET_SECONDS_PER_1000 = 6.0
COUNTIES = ("怀来县", "隆回县", "衡山县", "望城区", "承德高新区", "涿鹿县", "宣化区", "邵东市", "湘潭县", "平山县")
BUREAUS = ("行政审批局", "财政局", "教育局", "卫生健康局", "农业农村局", "交通运输局", "水利局", "民政局",
           "自然资源局", "市场监督管理局", "人力资源和社会保障局", "住房和城乡建设局")
PROJECT_NAMES = ("政务服务中心运行维护经费", "12345政务服务热线运行经费", "信息化系统建设", "办公设备购置",
                 "业务培训经费", "专项督查经费", "基础设施维修改造", "宣传专项经费", "委托业务费", "事务运转专项")


# --- the files ---------------------------------------------------------------------------------------

def synthetic_roster(departments: int, projects: int = PROJECTS, seed: int = SEED) -> Roster:
    """`departments` departments of `projects` projects, budgets varied the way real rosters vary."""
    rng = random.Random(seed)
    out = []
    for i in range(departments):
        code = f"{300000 + i}"
        name = f"{COUNTIES[i % len(COUNTIES)]}{BUREAUS[(i // len(COUNTIES)) % len(BUREAUS)]}{i + 1:04d}"
        scale = math.exp(rng.uniform(math.log(20), math.log(3000)))  # 20 to 3,000 万元
        chosen = []
        for j in range(projects):
            fiscal = round(scale * rng.uniform(0.05, 0.6), 2)
            carry = round(fiscal * rng.uniform(0.05, 0.3), 2) if rng.random() < 0.3 else 0.0
            other = round(fiscal * rng.uniform(0.02, 0.2), 2) if rng.random() < 0.15 else 0.0
            chosen.append(Project(
                code, f"{code}-{YEAR}-{j + 1:03d}", PROJECT_NAMES[(i + j) % len(PROJECT_NAMES)],
                name, name if rng.random() < 0.6 else f"{name}服务中心",
                fiscal, round(fiscal * rng.choice((1.0, 1.0, 1.0, 1.05, 1.2, 0.9)), 2),
                0.0, carry, 0.0, other,
                "按期完成年度工作任务，保障项目正常运行。" if rng.random() < 0.5 else ""))
        basic = round(scale * rng.uniform(0.3, 1.0), 2)
        out.append(Department(code, name, basic, round(basic * rng.choice((1.0, 1.0, 1.03)), 2), tuple(chosen)))
    return Roster(tuple(out))


Inputs = dict[tuple[str, str], object]


def _blank_input(inputs: Inputs, rng: random.Random, issued: Inputs) -> None:
    """A required input left empty (V01, or B06 for the goal)."""
    sheet = rng.choice(["dept", *(f"p{k}" for k in range(1, PROJECTS + 1))])
    inputs.pop((sheet, rng.choice(("filler", "phone", "goal.actual"))), None)


def _weight_off(inputs: Inputs, rng: random.Random, issued: Inputs) -> None:
    """One indicator's weight changed, so its level and the total no longer add up (I01, I02)."""
    keys = [k for k in inputs if k[1].endswith(".weight") and k[1].startswith("ind.")]
    key = rng.choice(sorted(keys))
    inputs[key] = round(float(inputs[key]) + rng.choice((-2.5, 3.0, 5.0)), 2)  # type: ignore[arg-type]


def _over_budget(inputs: Inputs, rng: random.Random, issued: Inputs) -> None:
    """More spent than budgeted on one project's fiscal funds (B02, B04)."""
    sheet = f"p{rng.randint(1, PROJECTS)}"
    budget = float(issued[(sheet, "funds.fiscal.budget")])  # type: ignore[arg-type]
    inputs[(sheet, "funds.fiscal.executed")] = round(budget * rng.uniform(1.05, 1.5) + 1, 2)


def _text_number(inputs: Inputs, rng: random.Random, issued: Inputs) -> None:
    """An amount typed as text with a thousands separator and unit (V02, V05)."""
    sheet = f"p{rng.randint(1, PROJECTS)}"
    value = inputs.get((sheet, "funds.fiscal.executed"), 12.5)
    inputs[(sheet, "funds.fiscal.executed")] = f"{float(value) * 10000:,.2f}元"  # type: ignore[arg-type]


INPUT_MISTAKES: dict[str, Callable[[Inputs, random.Random, Inputs], None]] = {
    "blank input": _blank_input, "weight off": _weight_off, "over budget": _over_budget, "text number": _text_number,
}
MISTAKES = (*INPUT_MISTAKES, "overwritten formula")


def _overwrite_formula(data: bytes, part: str, ref: str) -> bytes:
    """The file with the formula in `ref` replaced by a typed number, as a hand-edited total (S02, T01)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == part:
                text = body.decode("utf-8")
                cell = re.compile(r'<c r="%s"([^>]*)><f>[^<]*</f><v>([^<]*)</v></c>' % ref)
                text = cell.sub(lambda m: f'<c r="{ref}"{m.group(1)}><v>{_bumped(m.group(2))}</v></c>', text, count=1)
                body = text.encode("utf-8")
            dst.writestr(info, body)
    return out.getvalue()


def _bumped(value: str) -> str:
    try:
        return repr(float(value) + 7.5)
    except ValueError:
        return "99"


def _explain_department_rate(layout: Any, scheme: Any, issued: Inputs, inputs: Inputs) -> None:
    """Give the department table the reason its total rate needs, as a careful department would.

    realistic_inputs decides on a reason from the department's own rows only, but its total
    rate also counts the projects' spending, so a clean file could otherwise carry a B04.
    """
    computed = evaluate_workbook(layout, {**issued, **inputs}, scheme)
    rate = computed.get(("dept", "funds.total.rate"))
    if isinstance(rate, float) and execution_reason_required(rate, scheme):
        inputs.setdefault(("dept", "funds.reason"), REASONS[0])


def write_one(task: tuple[int, Department, str, tuple[str, ...]]) -> tuple[str, tuple[str, ...]]:
    """One returned workbook on disk, filled as a careful department would, plus any mistakes."""
    index, dept, path, mistakes = task
    scheme = load_scheme("national")
    layout = build_layout(scheme, len(dept.projects), goals_issued=tuple(bool(p.goal) for p in dept.projects))
    issued = department_values(layout, dept, YEAR, scheme, GENERATED)
    inputs = realistic_inputs(layout, scheme, SEED + index, budgets=issued)
    _explain_department_rate(layout, scheme, issued, inputs)
    rng = random.Random(SEED * 7 + index)
    for mistake in mistakes:
        if mistake in INPUT_MISTAKES:
            INPUT_MISTAKES[mistake](inputs, rng, issued)
    data = department_workbook(dept, YEAR, scheme, GENERATED, inputs=inputs)
    if "overwritten formula" in mistakes:
        code = f"p{rng.randint(1, PROJECTS)}"
        part = [s.code for s in layout.sheets].index(code) + 1  # xlsxwriter numbers parts in sheet order
        f = layout.sheet(code).get("total.score")
        data = _overwrite_formula(data, f"xl/worksheets/sheet{part}.xml", a1(f.row, f.col))
    Path(path).write_bytes(data)
    return path, mistakes


def write_files(roster: Roster, out: Path, jobs: int) -> dict[str, tuple[str, ...]]:
    """Path → mistakes it carries; about MISTAKE_SHARE of the files carry one or two."""
    rng = random.Random(SEED)
    tasks = []
    for i, dept in enumerate(roster.departments):
        mistakes: tuple[str, ...] = ()
        if rng.random() < MISTAKE_SHARE:
            mistakes = tuple(rng.sample(MISTAKES, k=rng.choice((1, 1, 2))))
        tasks.append((i, dept, str(out / workbook_name(YEAR, dept.code, dept.name)), mistakes))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return dict(pool.map(write_one, tasks, chunksize=max(1, min(32, len(tasks) // (jobs * 4)))))


# --- what is measured ----------------------------------------------------------------------------------

def parse_floor(path: str) -> int:
    """Open the zip and parse every XML part with lxml, nothing else; returns the parts parsed."""
    n = 0
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.filename.endswith((".xml", ".rels")):
                etree.fromstring(zf.read(info))
                n += 1
    return n


def timed_each(fn: Callable[[str], Any], paths: list[str]) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds per file (CPU time is less inflated by other processes on the machine)."""
    fn(paths[0])  # warm caches (layout, imports)
    wall, cpu = [], []
    for path in paths:
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(path)
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return wall, cpu


def timed_pairs(fns: tuple[Callable[[str], Any], ...], paths: list[str]) -> list[tuple[list[float], list[float]]]:
    """timed_each for several functions, interleaved file by file, so a busy moment on the machine
    slows all of them alike and their ratio stays fair."""
    for fn in fns:
        fn(paths[0])
    out: list[tuple[list[float], list[float]]] = [([], []) for _ in fns]
    for path in paths:
        for fn, (wall, cpu) in zip(fns, out):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn(path)
            cpu.append(time.process_time() - start_cpu)
            wall.append(time.perf_counter() - start)
    return out


PHASES = (  # (indent, label, module, function) — inclusive times; a missing name is skipped
    (0, "guards: zip read, decompress, entity scan", "perfxl.validator.engine", "open_parts"),
    (0, "reader: workbook, strings, record sheet", "perfxl.validator.engine", "read_book"),
    (0, "reader: form sheets (parse + cell loop)", "perfxl.reader.xlsx", "_read_sheet"),
    (1, "XML parse (lxml), every part read", "perfxl.reader.xlsx", "_xml"),
    (0, "template: open_template", "perfxl.validator.engine", "open_template"),
    (1, "record: read + unpack", "perfxl.validator.template", "read_record"),
    (1, "scheme_from_json (+ checks, hash)", "perfxl.validator.template", "scheme_from_json"),
    (1, "build_layout", "perfxl.validator.template", "build_layout"),
    (0, "structure (S01, S04, S05)", "perfxl.validator.engine", "check_structure"),
    (0, "read_values", "perfxl.validator.engine", "read_values"),
    (1, "evaluate_workbook", "perfxl.validator.structure", "evaluate_workbook"),
    (0, "integrity (S02, S03)", "perfxl.validator.engine", "check_integrity"),
    (0, "values (V01–V06)", "perfxl.validator.engine", "check_values"),
    (0, "budget (B02–B06)", "perfxl.validator.engine", "check_budget"),
    (0, "indicators (I01–I11)", "perfxl.validator.engine", "check_indicators"),
    (0, "summary (T04)", "perfxl.validator.engine", "check_summary"),
    (0, "department (T05, D02–D05)", "perfxl.validator.engine", "check_department"),
    (0, "roster (R01–R03)", "perfxl.validator.engine", "check_roster"),
    (0, "scores", "perfxl.validator.engine", "_scores"),
)


def phases(paths: list[str], options: Options) -> tuple[list[tuple[int, str, float]], float]:
    """check_file's time per phase (ms per file), by wrapping the functions it calls in timers."""
    import importlib

    totals: dict[int, float] = {}
    patched: list[tuple[Any, str, Any]] = []
    for i, (_, _, module_name, name) in enumerate(PHASES):
        module = importlib.import_module(module_name)
        original = getattr(module, name, None)
        if original is None:
            continue

        def timed(*args: Any, _i: int = i, _f: Any = original, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return _f(*args, **kwargs)
            finally:
                totals[_i] = totals.get(_i, 0.0) + time.perf_counter() - start

        patched.append((module, name, original))
        setattr(module, name, timed)
    try:
        check_file(paths[0], options)
        totals.clear()
        start = time.perf_counter()
        for path in paths:
            check_file(path, options)
        whole = time.perf_counter() - start
    finally:
        for module, name, original in patched:
            setattr(module, name, original)
    rows = [(indent, label, totals[i] / len(paths) * 1000) for i, (indent, label, _, _) in enumerate(PHASES)
            if i in totals]
    return rows, whole / len(paths) * 1000


def run_child(*argv: str) -> dict[str, Any]:
    """This script in a fresh interpreter (clean ru_maxrss), answering one JSON line."""
    done = subprocess.run([sys.executable, __file__, *argv], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def own_peak_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: after exec, ru_maxrss still counts the
    parent's memory at fork time (Linux), which here is the bench's own."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_validate(listing: str, files: int, jobs: int) -> None:
    """`validate` on the listed files with the roster and year, as the finance office runs it."""
    paths = Path(listing).read_text(encoding="utf-8").splitlines()
    roster = synthetic_roster(files)
    start = time.perf_counter()
    report = validate(paths, roster=roster, year=YEAR, jobs=jobs)
    wall = time.perf_counter() - start
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    codes = Counter(f.code for r in report.files for f in r.findings if f.code not in ("R04",))
    print(json.dumps({"wall": wall, "files": len(report.files), "own_mb": own_peak_mb(),
                      "workers_mb": workers.ru_maxrss / 1024, "own_cpu": own.ru_utime + own.ru_stime,
                      "workers_cpu": workers.ru_utime + workers.ru_stime,
                      "with_findings": sum(1 for r in report.files if r.findings),
                      "errors": sum(1 for r in report.files if r.errors), "codes": dict(codes),
                      "flagged": [r.path for r in report.files if r.findings]}))


def _noop(_: int) -> int:
    return os.getpid()


def child_startup(path: str, jobs: int) -> None:
    """Pool start-up, imports and a worker's first (cold) file, each measured on its own."""
    out: dict[str, float] = {}
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:  # fork: workers inherit the parent's imports
        list(pool.map(_noop, range(jobs * 4)))
    out["fork_pool"] = time.perf_counter() - start
    import multiprocessing

    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_noop, range(jobs * 4)))  # spawn (Windows, macOS): each worker imports this script
    out["spawn_pool"] = time.perf_counter() - start
    start = time.perf_counter()
    check_file(path, Options(year=YEAR))
    out["first_file"] = time.perf_counter() - start
    start = time.perf_counter()
    check_file(path, Options(year=YEAR))
    out["second_file"] = time.perf_counter() - start
    print(json.dumps(out))


def import_seconds() -> float:
    """Interpreter start plus `import perfxl.validator.engine`, minus a bare interpreter start."""
    def best(code: str) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
            times.append(time.perf_counter() - start)
        return min(times)
    return best("import perfxl.validator.engine") - best("pass")


def layout_shapes(roster: Roster) -> int:
    """Distinct workbook layouts among the departments: the validator builds (and caches) each once per process."""
    return len({tuple(bool(p.goal) for p in d.projects) for d in roster.departments})


def libreoffice_copies(paths: list[str], out: Path) -> list[str]:
    """The files as LibreOffice saves them (a private profile, so other soffice runs do not interfere)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or not paths:
        return []
    out.mkdir(parents=True, exist_ok=True)
    profile = (out / "profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--calc", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *paths],
                   capture_output=True, timeout=60 + 10 * len(paths), check=False)
    return [str(out / Path(p).name) for p in paths if (out / Path(p).name).exists()]


def openpyxl_load(paths: list[str]) -> float:
    import openpyxl

    return statistics.median(timed_each(lambda p: openpyxl.load_workbook(p), paths)[0])


# --- the report ----------------------------------------------------------------------------------------

def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--sample", type=int, default=0, help="files timed one by one (default: all)")
    parser.add_argument("--phases", type=int, default=100, help="files for the per-phase breakdown (0: skip)")
    parser.add_argument("--libreoffice", type=int, default=0, help="clean files also timed as LibreOffice saves them")
    parser.add_argument("--child-validate", nargs=2, metavar=("LISTING", "ROSTER_SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--child-startup", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_validate:
        child_validate(args.child_validate[0], int(args.child_validate[1]), args.jobs)
        return
    if args.child_startup:
        child_startup(args.child_startup, args.jobs)
        return

    roster = synthetic_roster(args.files)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (timings below assume an idle machine)")
    out = args.keep or Path(tempfile.mkdtemp(prefix="perfxl-bench-validate-"))
    out.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        written = write_files(roster, out, args.jobs)
        made = time.perf_counter() - start
        paths = list(written)
        mix = Counter(m for ms in written.values() for m in ms)
        size = sum(os.path.getsize(p) for p in paths) / len(paths) / 1024
        xml = sum(i.file_size for i in zipfile.ZipFile(paths[0]).infolist()) / 1024
        print(f"files: {len(paths)} returned workbooks × {PROJECTS} projects, {size:.0f} KB each "
              f"({xml:.0f} KB of XML), written in {made:.1f} s with --jobs {args.jobs}")
        print(f"  with mistakes: {sum(1 for m in written.values() if m)} "
              f"({', '.join(f'{k} {v}' for k, v in sorted(mix.items()))})")

        sample = paths[: args.sample] if args.sample else paths
        options = Options(year=YEAR, roster=roster)
        (floor, floor_cpu), (ours, ours_cpu) = timed_pairs((parse_floor, lambda p: check_file(p, options)), sample)
        ratio = statistics.median(ours_cpu) / statistics.median(floor_cpu)
        wall_ratio = statistics.median(ours) / statistics.median(floor)
        print(f"per file, one process (median of {len(sample)}: wall, CPU; total wall):")
        for label, w, c in (("parse floor: zip + lxml.etree.fromstring of every XML part", floor, floor_cpu),
                            ("perfxl check_file (guards, reader, template, every rule)", ours, ours_cpu)):
            print(f"  {label:<60} {statistics.median(w) * 1000:6.1f} ms {statistics.median(c) * 1000:6.1f} ms "
                  f"{sum(w):6.1f} s")
        print(f"  {'ratio check_file / floor, CPU (wall)':<60} {ratio:6.2f}×  ({wall_ratio:.2f}×)  "
              f"target ≤ {TARGET_RATIO:g}×: {met(ratio <= TARGET_RATIO)}")
        context = paths[:5]
        print(f"  {f'context: openpyxl default load (median of {len(context)})':<60} "
              f"{openpyxl_load(context) * 1000:6.0f} ms")

        listing = out / "_files.txt"
        listing.write_text("\n".join(paths), encoding="utf-8")
        full = run_child("--child-validate", str(listing), str(args.files), "--jobs", str(args.jobs))
        small_n = max(1, min(200, len(paths) // 5))
        listing.write_text("\n".join(paths[:small_n]), encoding="utf-8")
        small = run_child("--child-validate", str(listing), str(args.files), "--jobs", str(args.jobs))
        listing.unlink()
        target = TARGET_SECONDS_PER_1000 * len(paths) / 1000
        print(f"full run: validate({len(paths)} files, roster, year, jobs={args.jobs}) on {os.cpu_count()} cores, "
              f"fresh process: {full['wall']:.1f} s, {full['files'] / full['wall']:.0f} files/s "
              f"(target ≤ {target:.1f} s: {met(full['wall'] <= target)})")
        print(f"  CPU: {full['own_cpu']:.1f} s main process, {full['workers_cpu']:.1f} s workers "
              f"({full['workers_cpu'] / full['files'] * 1000:.1f} ms per file)")
        flagged = set(full["flagged"])
        wrong = [p for p, m in written.items() if bool(m) != (p in flagged)]
        print(f"  {len(flagged)} files with findings ({full['errors']} with errors), "
              f"{len(wrong)} disagree with the mistakes written; "
              f"codes: {', '.join(f'{k} {v}' for k, v in sorted(full['codes'].items()))}")
        grows = full["workers_mb"] - small["workers_mb"]
        print(f"peak memory (max RSS): {len(paths)} files: {full['own_mb']:.0f} MB main, "
              f"{full['workers_mb']:.0f} MB largest worker; first {small_n} files: {small['own_mb']:.0f} MB main, "
              f"{small['workers_mb']:.0f} MB largest worker "
              f"(workers flat within 10%: {met(full['workers_mb'] <= small['workers_mb'] * 1.1)}, {grows:+.1f} MB; "
              f"layout shapes {layout_shapes(Roster(roster.departments[:small_n]))} → {layout_shapes(roster)})")

        start_up = run_child("--child-startup", paths[0], "--jobs", str(args.jobs))
        print(f"start-up: fork pool of {args.jobs} {start_up['fork_pool'] * 1000:.0f} ms; spawn pool of {args.jobs} "
              f"{start_up['spawn_pool'] * 1000:.0f} ms; import perfxl.validator.engine {import_seconds() * 1000:.0f} ms;"
              f" a worker's first file {start_up['first_file'] * 1000:.0f} ms (then {start_up['second_file'] * 1000:.0f}"
              f" ms)")

        if args.libreoffice:
            clean = [p for p, m in written.items() if not m][: args.libreoffice]
            saved = libreoffice_copies(clean, out / "_libreoffice")
            if saved:
                (_, lo_floor_cpu), (_, lo_ours_cpu) = timed_pairs((parse_floor, lambda p: check_file(p, options)), saved)
                kb = sum(i.file_size for i in zipfile.ZipFile(saved[0]).infolist()) / 1024
                flagged = sum(1 for p in saved if check_file(p, options).findings)
                print(f"saved by LibreOffice ({len(saved)} clean files, {kb:.0f} KB of XML): floor "
                      f"{statistics.median(lo_floor_cpu) * 1000:.1f} ms, check_file {statistics.median(lo_ours_cpu) * 1000:.1f}"
                      f" ms CPU, ratio {statistics.median(lo_ours_cpu) / statistics.median(lo_floor_cpu):.2f}×; "
                      f"{flagged} of them with findings")
            else:
                print("saved by LibreOffice: soffice not found or conversion failed, skipped")

        if args.phases:
            rows, whole = phases(paths[: args.phases], options)
            print(f"check_file by phase (inclusive ms per file, {min(args.phases, len(paths))} files, "
                  f"timers on: {whole:.1f} ms per file):")
            for indent, label, ms in rows:
                print(f"  {'  ' * indent}{label:<{50 - 2 * indent}} {ms:6.2f}")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
