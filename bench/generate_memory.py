"""Peak memory of `perfxl generate` as the roster grows: it should follow one department at a time.

For each size (default 1,000 and 10,000 departments × 4 projects) and each roster form (two
CSV files, one .xlsx), the roster is built at run time in a temp folder (never committed) and
`perfxl generate` runs in a fresh process that reports its own peak RSS and its largest
worker's. The last lines compare the largest size with the smallest: a ratio near 1.0 means
memory does not grow with the roster. Linux (/proc).

    python bench/generate_memory.py [--departments 1000 10000] [--projects 4] [--jobs 2] [--forms csv xlsx]

10,000 workbooks take about 12 minutes on two cores; `--departments 200 2000` is a quick look.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perfxl.samples import write_roster_csv, write_roster_xlsx  # noqa: E402

# Runs the CLI in-process; prints its own peak RSS and the largest of its (waited-for) workers, in MB.
# VmHWM, not ru_maxrss, for the process itself: ru_maxrss keeps the high-water mark of the process
# that exec'd it. The workers are forked by the measured process, so RUSAGE_CHILDREN is theirs alone.
MEASURED = ("import re, resource, sys\nfrom perfxl.cli import main\ncode = 0\ntry:\n    main()\n"
            "except SystemExit as exc:\n    code = exc.code if isinstance(exc.code, int) else 1\n"
            "own = int(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1)) // 1024\n"
            "workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024\n"
            "sys.stderr.write('\\nMAXRSS %d %d\\n' % (own, workers))\nsys.exit(code)\n")


def measure(form: str, departments: int, projects: int, jobs: int) -> dict[str, float]:
    """One run of `perfxl generate` on a fresh roster: its size, time and peak memory."""
    work = Path(tempfile.mkdtemp(prefix="perfxl-bench-memory-"))
    try:
        if form == "csv":
            write_roster_csv(work / "roster", departments, projects)
        else:
            write_roster_xlsx(work / "roster" / "roster.xlsx", departments, projects)
        roster_mb = sum(p.stat().st_size for p in (work / "roster").iterdir()) / 2**20
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", MEASURED, "generate", "--roster", str(work / "roster"),
                               "--year", "2025", "--out", str(work / "out"), "--date", "2026-01-05",
                               "--jobs", str(jobs)], capture_output=True, text=True, env=env)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"perfxl generate failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        own, workers = (int(v) for v in proc.stderr.rpartition("MAXRSS ")[2].split())
        written = sum(1 for _ in (work / "out").iterdir())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if written != departments:
        sys.exit(f"{written} workbooks written for {departments} departments")
    return {"roster_mb": roster_mb, "seconds": wall, "main": own, "worker": workers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--projects", type=int, default=4)  # 10,000 × 5 + header: over the 50,000-row cap
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--forms", nargs="+", choices=("csv", "xlsx"), default=["csv", "xlsx"])
    args = parser.parse_args()

    sizes = sorted(set(args.departments))
    print(f"perfxl generate --jobs {args.jobs}, {args.projects} projects a department; peak RSS (VmHWM) in MB")
    print(f"{'roster':<8}{'departments':>12}{'roster MB':>11}{'seconds':>9}{'main MB':>9}{'worker MB':>11}")
    results: dict[tuple[str, int], dict[str, float]] = {}
    for form in args.forms:
        for size in sizes:
            r = results[form, size] = measure(form, size, args.projects, args.jobs)
            print(f"{form:<8}{size:>12,}{r['roster_mb']:>11.1f}{r['seconds']:>9.0f}{r['main']:>9.0f}"
                  f"{r['worker']:>11.0f}", flush=True)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for form in args.forms:
            a, b = results[form, small], results[form, large]
            print(f"{form}: {large:,} / {small:,} departments ({large / small:.0f}× the roster): main "
                  f"{b['main'] / a['main']:.2f}×, worker {b['worker'] / a['worker']:.2f}×")


if __name__ == "__main__":
    main()
