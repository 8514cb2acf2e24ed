"""Benchmark `perfxl generate`: 1,000 departments × 5 projects, against a baseline in the same run.

Baseline: the xlsxwriter calls perfxl makes for one workbook are recorded once, then
replayed on a fresh xlsxwriter Workbook per department — the same cells, formulas,
formats, merges, validations and conditional formats, with no perfxl logic (no scheme,
layout, engine or record building). The ratio perfxl / baseline is perfxl's own cost.
The replay uses perfxl's worksheet class (it skips xlsxwriter's future-function regex
scan, see perfxl/writer/fastsheet.py); the stock class is timed too, for reference.

    python bench/generate.py [--departments 1000] [--projects 5] [--jobs 2] [--sample 40]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perfxl.generate import department_workbook, generate  # noqa: E402
from perfxl.roster import read_roster  # noqa: E402
from perfxl.roster.model import Department, Roster  # noqa: E402
from perfxl.scheme import load_scheme  # noqa: E402
import importlib  # noqa: E402

render_module = importlib.import_module("perfxl.writer.render")  # the module, not the function it exports
from perfxl.writer.fastsheet import FastWorksheet  # noqa: E402

GENERATED = date(2026, 1, 5)
SHEET_METHODS = (
    "set_column", "set_row", "hide_gridlines", "merge_range", "write_string", "write_url", "write_blank",
    "write_formula", "write_number", "write_boolean", "write_datetime", "data_validation", "conditional_format",
    "protect", "set_paper", "set_landscape", "set_portrait", "fit_to_pages", "center_horizontally", "set_margins",
    "set_footer", "print_area", "repeat_rows", "very_hidden", "set_h_pagebreaks",
)


def synthetic_roster(departments: int, projects: int) -> Roster:
    """`departments` departments with `projects` projects each, cycling the example roster's data."""
    example = read_roster([ROOT / "examples" / "roster.xlsx"])
    pool = [p for d in example.departments for p in d.projects]
    out = []
    for i in range(departments):
        base = example.departments[i % len(example.departments)]
        code = f"{200000 + i}"
        chosen = tuple(replace(pool[(i * projects + j) % len(pool)], department_code=code,
                               code=f"{code}-2025-{j + 1:03d}") for j in range(projects))
        out.append(Department(code, f"{base.name}{i + 1:04d}", base.basic_initial, base.basic_budget, chosen))
    return Roster(tuple(out))


class Recording:
    """The xlsxwriter calls of one render, replayable without perfxl."""

    def __init__(self) -> None:
        self.options: dict[str, Any] = {}
        self.formats: list[dict[str, Any]] = []
        self.steps: list[tuple] = []

    def replay(self, worksheet_class: type[Worksheet]) -> bytes:
        buffer = io.BytesIO()
        wb = xlsxwriter.Workbook(buffer, self.options)
        formats = [wb.add_format(props) for props in self.formats]
        sheets: list[Any] = []
        for step in self.steps:
            target, method, args, kwargs = step
            args = tuple(formats[a.fid] if isinstance(a, _FormatRef) else a for a in args)
            if method == "conditional_format":
                args = (args[0], {**args[1], "format": formats[args[1]["format"].fid]})
            if target == "workbook":
                if method == "add_worksheet":
                    sheets.append(wb.add_worksheet(args[0], worksheet_class=worksheet_class))
                else:
                    getattr(wb, method)(*args, **kwargs)
            else:
                getattr(sheets[target], method)(*args, **kwargs)
        wb.close()
        return buffer.getvalue()


class _FormatRef:
    def __init__(self, fid: int) -> None:
        self.fid = fid


def record_one(dept: Department, scheme: Any) -> Recording:
    """Render one workbook through perfxl while logging every xlsxwriter call it makes."""
    rec = Recording()
    real_workbook = render_module.ProtectedWorkbook  # xlsxwriter's Workbook, structure locked

    class RecordingWorkbook(real_workbook):  # type: ignore[misc, valid-type]
        def __init__(self, target: Any, options: dict[str, Any]) -> None:
            self._recording = False  # xlsxwriter's own default formats are not ours to replay
            super().__init__(target, options)
            self._recording = True
            rec.options = dict(options)

        def add_format(self, props: dict[str, Any] | None = None) -> Any:
            fmt = super().add_format(props)
            if self._recording:
                fmt._bench_ref = _FormatRef(len(rec.formats))  # type: ignore[attr-defined]
                rec.formats.append(dict(props or {}))
            return fmt

        def add_worksheet(self, name: str | None = None, worksheet_class: Any = None) -> Any:
            index = sum(1 for s in rec.steps if s[1] == "add_worksheet")
            rec.steps.append(("workbook", "add_worksheet", (name,), {}))
            ws = super().add_worksheet(name, worksheet_class=worksheet_class)
            for method in SHEET_METHODS:
                setattr(ws, method, _logged(ws, method, index, rec))
            return ws

        def define_name(self, *args: Any) -> Any:
            rec.steps.append(("workbook", "define_name", args, {}))
            return super().define_name(*args)

        def set_properties(self, props: Any) -> Any:
            rec.steps.append(("workbook", "set_properties", (props,), {}))
            return super().set_properties(props)

        def set_custom_property(self, *args: Any) -> Any:
            rec.steps.append(("workbook", "set_custom_property", args, {}))
            return super().set_custom_property(*args)

    render_module.ProtectedWorkbook = RecordingWorkbook
    try:
        department_workbook(dept, 2025, scheme, GENERATED)
    finally:
        render_module.ProtectedWorkbook = real_workbook
    return rec


def _logged(ws: Any, method: str, index: int, rec: Recording) -> Any:
    bound = getattr(ws, method)

    def call(*args: Any, **kwargs: Any) -> Any:
        logged = tuple(getattr(a, "_bench_ref", a) for a in args)
        if method == "conditional_format":
            logged = (logged[0], {**logged[1], "format": logged[1]["format"]._bench_ref})
        rec.steps.append((index, method, logged, dict(kwargs)))
        return bound(*args, **kwargs)

    return call


def per_workbook(fn: Any, repeats: int) -> float:
    fn()  # warm caches (layout, imports)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", type=int, default=1000)
    parser.add_argument("--projects", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=40, help="workbooks timed one by one for the ratio")
    args = parser.parse_args()

    scheme = load_scheme("national")
    roster = synthetic_roster(args.departments, args.projects)
    dept = roster.departments[0]
    rec = record_one(dept, scheme)
    cells = sum(1 for s in rec.steps if s[1].startswith("write") or s[1] == "merge_range")
    formulas = sum(1 for s in rec.steps if s[1] == "write_formula")
    print(f"workbook: {sum(1 for s in rec.steps if s[1] == 'add_worksheet')} sheets, {cells} cell writes "
          f"({formulas} formulas), {len(rec.formats)} formats, "
          f"{sum(1 for s in rec.steps if s[1] == 'data_validation')} validations, "
          f"{sum(1 for s in rec.steps if s[1] == 'conditional_format')} conditional formats, "
          f"{len(department_workbook(dept, 2025, scheme, GENERATED)) / 1024:.0f} KB")

    perfxl_t = per_workbook(lambda: department_workbook(dept, 2025, scheme, GENERATED), args.sample)
    base_t = per_workbook(lambda: rec.replay(FastWorksheet), args.sample)
    stock_t = per_workbook(lambda: rec.replay(Worksheet), max(3, args.sample // 8))
    print(f"per workbook, one process (median of {args.sample}):")
    print(f"  perfxl (scheme + layout + engine + record + xlsxwriter)  {perfxl_t * 1000:7.1f} ms")
    print(f"  baseline: replay of the same xlsxwriter calls           {base_t * 1000:7.1f} ms")
    print(f"  reference: same replay, stock xlsxwriter worksheet      {stock_t * 1000:7.1f} ms")
    print(f"  ratio perfxl / baseline                                 {perfxl_t / base_t:7.2f}×  (target ≤ 1.5×)")

    out = Path(tempfile.mkdtemp(prefix="perfxl-bench-"))
    try:
        start = time.perf_counter()
        written = generate(roster, 2025, out, scheme, generated=GENERATED, jobs=args.jobs)
        wall = time.perf_counter() - start
        size = sum(p.stat().st_size for p in out.iterdir()) / len(written) / 1024
    finally:
        shutil.rmtree(out, ignore_errors=True)
    own, children = peak_rss_mb()
    print(f"full run: {len(written)} workbooks × {args.projects} projects with --jobs {args.jobs} "
          f"on {os.cpu_count()} cores: {wall:.1f} s, {len(written) / wall:.0f} workbooks/s "
          f"(target: 1,000 in ≤ 20 s), {size:.0f} KB each")
    print(f"peak memory: {own:.0f} MB main process, {children:.0f} MB largest worker")


if __name__ == "__main__":
    main()
