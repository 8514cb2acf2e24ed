"""Library entry points for `perfxl generate`: roster → one workbook per department."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from .atomic import Inputs, PartialWrite, snapshot, write_atomic, written_since
from .errors import OutputError, RosterError
from .i18n import Message, register
from .layout import build_layout
from .limits import MAX_AMOUNT, MAX_PROJECTS
from .naming import workbook_names
from .roster.model import Department, Roster
from .scheme import Scheme, load_scheme
from .writer import blank_meta, department_meta, department_values, info_values, render

register({
    "generate.too_many_projects": ("部门“{code}”有 {count} 个项目，超过一个工作簿 {limit} 个项目的上限。",
                                   "Department '{code}' has {count} projects, over the limit of {limit} in one "
                                   "workbook."),
    "generate.amount_out_of_range": ("部门“{code}”的金额应为 0 到 {limit} 万元之间的数字。",
                                     "Department '{code}': amounts must be numbers from 0 to {limit} 万元."),
})

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
    check_limits(roster)
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
    tasks = ((d, path, year, generated, password, force) for d, path in plan)
    results: list[Generated] = []
    with _sigterm_as_interrupt():
        if jobs <= 1 or len(plan) < PARALLEL_THRESHOLD:
            for task in tasks:
                item = _write_one(scheme, *task)
                results.append(item)
                if progress:
                    progress(item)
            return results
        chunk = max(1, min(32, len(plan) // (jobs * 4)))
        stop = multiprocessing.get_context().Event()
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(scheme, stop, os.getpid()))
        try:
            for item in pool.map(_write_in_worker, tasks, chunksize=chunk):
                results.append(item)
                if progress:
                    progress(item)
        except BaseException:
            # Ctrl-C, SIGTERM or a failed file: finish the files being written (each whole), start
            # no more, not even those of chunks the workers already hold.
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown()
    return results


def check_limits(roster: Roster) -> None:
    """A roster built in code passes the limits read_roster enforces (perfxl.limits): every
    workbook generated is one the validator accepts, and holds only finite amounts."""
    problems: list[Message] = []
    for dept in roster.departments:
        if len(dept.projects) > MAX_PROJECTS:
            problems.append(Message("generate.too_many_projects", {"code": dept.code, "count": len(dept.projects),
                                                                   "limit": MAX_PROJECTS}))
        amounts = [dept.basic_initial, dept.basic_budget, *(a for p in dept.projects for f in p.funds for a in f)]
        if not all(isinstance(a, (int, float)) and 0 <= a <= MAX_AMOUNT for a in amounts):
            problems.append(Message("generate.amount_out_of_range", {"code": dept.code,
                                                                     "limit": f"{MAX_AMOUNT:,.0f}"}))
        if len(problems) >= 20:
            break
    if problems:
        raise RosterError(problems)


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a run as Ctrl-C does (KeyboardInterrupt: files being written are finished,
    no more are started, workers exit with us); the previous handler comes back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)  # None: set outside Python


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


_worker_scheme: Scheme | None = None
_worker_stop: Any = None


_worker_writing = False
_worker_terminated = False


def _init_worker(scheme: Scheme, stop: Any, parent: int) -> None:
    """A terminal's Ctrl-C reaches the workers too; the parent alone handles it (see generate).
    A SIGTERM of its own (a process group or cgroup stopped, or the pool terminating a broken
    run) ends the worker once its current file is whole; and it dies with the parent."""
    global _worker_scheme, _worker_stop
    _worker_scheme, _worker_stop = scheme, stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_sigterm)
    from .validator.isolation import _die_with  # Linux: no orphan writing on after the parent is gone

    _die_with(parent)


def _worker_sigterm(signum: int, frame: Any) -> None:
    global _worker_terminated
    if not _worker_writing:
        os._exit(128 + signum)
    _worker_terminated = True  # _write_in_worker exits after the file


def _write_in_worker(task: tuple) -> Generated | None:
    global _worker_writing
    assert _worker_scheme is not None
    if _worker_stop is not None and _worker_stop.is_set():
        return None  # the run was interrupted; its results are no longer wanted
    _worker_writing = True
    try:
        return _write_one(_worker_scheme, *task)
    finally:
        _worker_writing = False
        if _worker_terminated:
            os._exit(128 + signal.SIGTERM)


def _write_one(scheme: Scheme, dept: Department, path: Path, year: int, generated: date, password: str,
               force: bool) -> Generated:
    data = department_workbook(dept, year, scheme, generated, password)
    write_atomic(path, data, force=force)
    return Generated(dept.code, dept.name, len(dept.projects), path)
