"""Library entry points for `perfxl generate`: roster → one workbook per department."""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from .atomic import Inputs, PartialWrite, snapshot, write_atomic, written_since
from .errors import OutputError
from .i18n import Message
from .layout import build_layout
from .naming import workbook_names
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
    names = workbook_names(year, ((d.code, d.name) for d in roster.departments))
    return [(d, Path(out_dir) / name) for d, name in zip(roster.departments, names)]


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
    inputs = Inputs(roster.sources)  # a roster kept in the output folder under a workbook's name
    clashes = [p for _, p in plan if p in inputs]
    if clashes:
        raise OutputError([Message("output.is_input", {"path": str(p)}) for p in clashes])
    check_outputs((p for _, p in plan), force)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(Message("output.unwritable", {"path": str(out), "reason": exc.strerror or str(exc)})) from exc
    before = snapshot(p for _, p in plan)
    try:
        return _write_all(scheme, plan, year, generated, password, force, jobs, progress)
    except OutputError as exc:  # a full disk: say which workbooks are whole and which were not written
        if isinstance(exc, PartialWrite):
            raise
        raise PartialWrite(exc, *written_since(before)) from exc


def _write_all(scheme: Scheme, plan: list[tuple[Department, Path]], year: int, generated: date, password: str,
               force: bool, jobs: int | None, progress: Callable[[Generated], None] | None) -> list[Generated]:
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
    stop = multiprocessing.get_context().Event()
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(scheme, stop))
    try:
        for item in pool.map(_write_in_worker, tasks, chunksize=chunk):
            results.append(item)
            if progress:
                progress(item)
    except BaseException:
        # Ctrl-C or a failed file: finish the files being written (each whole), start no more,
        # not even those of chunks the workers already hold.
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    return results


_worker_scheme: Scheme | None = None
_worker_stop: Any = None


def _init_worker(scheme: Scheme, stop: Any) -> None:
    """A terminal's Ctrl-C reaches the workers too; the parent alone handles it (see generate)."""
    global _worker_scheme, _worker_stop
    _worker_scheme, _worker_stop = scheme, stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _write_in_worker(task: tuple) -> Generated | None:
    assert _worker_scheme is not None
    if _worker_stop is not None and _worker_stop.is_set():
        return None  # the run was interrupted; its results are no longer wanted
    return _write_one(_worker_scheme, *task)


def _write_one(scheme: Scheme, dept: Department, path: Path, year: int, generated: date, password: str,
               force: bool) -> Generated:
    data = department_workbook(dept, year, scheme, generated, password)
    write_atomic(path, data, force=force)
    return Generated(dept.code, dept.name, len(dept.projects), path)
