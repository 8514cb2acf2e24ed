"""Peak memory (max RSS) of `perfxl generate` on a large roster, built at run time (not committed). Linux (/proc).

The roster is two CSV files written line by line into a temp folder; `perfxl generate` runs
in a fresh process that reports its own peak RSS and its largest worker's. Memory should
follow one department at a time, not the roster's size: compare --departments 1000 and 10000.

    python bench/generate_memory.py [--departments 10000] [--projects 5] [--jobs 2]
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

from perfxl.samples import write_roster_csv  # noqa: E402

# Runs the CLI in-process; prints its own peak RSS and the largest of its (waited-for) workers, in MB.
# VmHWM, not ru_maxrss: the latter keeps the high-water mark of the process that started us.
MEASURED = ("import re, resource, sys\nfrom perfxl.cli import main\ncode = 0\ntry:\n    main()\n"
            "except SystemExit as exc:\n    code = exc.code if isinstance(exc.code, int) else 1\n"
            "own = int(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1)) // 1024\n"
            "workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024\n"
            "sys.stderr.write('\\nMAXRSS %d %d\\n' % (own, workers))\nsys.exit(code)\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=4)  # 10,000 × 5 + header: over the 50,000-row cap
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="perfxl-bench-memory-"))
    try:
        write_roster_csv(work / "roster", args.departments, args.projects)
        roster_mb = sum(p.stat().st_size for p in (work / "roster").iterdir()) / 2**20
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", MEASURED, "generate", "--roster", str(work / "roster"),
                               "--year", "2025", "--out", str(work / "out"), "--date", "2026-01-05",
                               "--jobs", str(args.jobs)], capture_output=True, text=True, env=env)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"perfxl generate failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        own, workers = (int(v) for v in proc.stderr.rpartition("MAXRSS ")[2].split())
        written = sum(1 for _ in (work / "out").iterdir())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"roster: {args.departments:,} departments × {args.projects} projects ({roster_mb:.1f} MB of CSV)")
    print(f"perfxl generate --jobs {args.jobs}: {written:,} workbooks in {wall:.0f} s")
    print(f"peak memory (max RSS): {own} MB main process, {workers} MB largest worker")


if __name__ == "__main__":
    main()
