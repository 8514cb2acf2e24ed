"""Library entry points for `perfxl generate`: roster → one workbook per department."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Mapping

from .atomic import write_atomic
from .errors import OutputError
from .i18n import Message
from .layout import build_layout
from .naming import workbook_name
from .roster.model import Department, Roster
from .scheme import Scheme, load_scheme
from .writer import blank_meta, department_meta, department_values, info_values, render

# Below this many workbooks, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 8


@dataclass(frozen=True)
class Generated:
    department_code: str
    department_name: str
    projects: int
    path: Path


def department_workbook(dept: Department, year: int, scheme: Scheme, generated: date, password: str = "",
                        inputs: Mapping[tuple[str, str], object] | None = None, cache: bool = True) -> bytes:
    """The xlsx bytes of one department's workbook; `inputs` pre-fills input cells (fixtures)."""
    layout = build_layout(scheme, len(dept.projects), blank=False,
                          goals_issued=tuple(bool(p.goal) for p in dept.projects))
    values = department_values(layout, dept, year, scheme, generated)
    if inputs:
        values.update(inputs)
    return render(layout, scheme, department_meta(dept, year, scheme, generated), values, password, cache)


def blank_workbook(projects: int, year: int, scheme: Scheme, generated: date, password: str = "",
                   inputs: Mapping[tuple[str, str], object] | None = None, cache: bool = True) -> bytes:
    """A workbook whose names and budgets are inputs, for departments outside the roster."""
    layout = build_layout(scheme, projects, blank=True)
    values: dict[tuple[str, str], object] = dict(info_values(year, scheme, generated))
    if inputs:
        values.update(inputs)
    return render(layout, scheme, blank_meta(year, scheme, generated), values, password, cache)


def planned_outputs(roster: Roster, year: int, out_dir: Path) -> list[tuple[Department, Path]]:
    return [(d, Path(out_dir) / workbook_name(year, d.code, d.name)) for d in roster.departments]


def check_outputs(paths: Iterable[Path], force: bool) -> None:
    """Refuse before writing anything when a target exists (unless forced)."""
    if force:
        return
    existing = [p for p in paths if p.exists() or p.is_symlink()]
    if existing:
        raise OutputError([Message("output.exists", {"path": str(p)}) for p in existing])


def generate(roster: Roster, year: int, out_dir: str | os.PathLike, scheme: Scheme | str = "national", *,
             force: bool = False, generated: date | None = None, password: str = "", jobs: int | None = None,
             progress: Callable[[Generated], None] | None = None) -> list[Generated]:
    """Write one workbook per roster department into `out_dir`; returns what was written."""
    scheme = load_scheme(scheme) if isinstance(scheme, str) else scheme
    generated = generated or date.today()
    out = Path(out_dir)
    plan = planned_outputs(roster, year, out)
    check_outputs((p for _, p in plan), force)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(Message("output.unwritable", {"path": str(out), "reason": exc.strerror or str(exc)})) from exc
    jobs = jobs or os.cpu_count() or 1
    tasks = [(d, path, year, generated, password, force) for d, path in plan]
    results: list[Generated] = []
    if jobs <= 1 or len(tasks) < PARALLEL_THRESHOLD:
        for task in tasks:
            item = _write_one(scheme, *task)
            results.append(item)
            if progress:
                progress(item)
        return results
    chunk = max(1, min(32, len(tasks) // (jobs * 4)))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(scheme,)) as pool:
        for item in pool.map(_write_in_worker, tasks, chunksize=chunk):
            results.append(item)
            if progress:
                progress(item)
    return results


_worker_scheme: Scheme | None = None


def _init_worker(scheme: Scheme) -> None:
    global _worker_scheme
    _worker_scheme = scheme


def _write_in_worker(task: tuple) -> Generated:
    assert _worker_scheme is not None
    return _write_one(_worker_scheme, *task)


def _write_one(scheme: Scheme, dept: Department, path: Path, year: int, generated: date, password: str,
               force: bool) -> Generated:
    data = department_workbook(dept, year, scheme, generated, password)
    write_atomic(path, data, force=force)
    return Generated(dept.code, dept.name, len(dept.projects), path)
