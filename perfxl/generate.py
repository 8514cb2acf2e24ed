"""Library entry points for `perfxl generate`: roster → one workbook per department."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from .atomic import Inputs, PartialWrite, snapshot, write_atomic, written_since
from .errors import OutputError, RosterError
from .i18n import Message, register
from .layout import build_layout
from .limits import MAX_AMOUNT, MAX_PROJECTS
from .naming import NamePlan, workbook_names
from .roster.model import Department, Roster
from .roster.store import RosterStore
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
# Departments handed to the workers at a time, per worker: enough that none waits for the next.
IN_FLIGHT_PER_JOB = 2


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
    """Each department and the workbook it gets (a small roster in memory; generate streams)."""
    names = workbook_names(year, ((d.code, d.name) for d in roster.departments))
    return [(d, Path(out_dir) / name) for d, name in zip(roster.departments, names)]


def check_outputs(paths: Iterable[Path], force: bool) -> None:
    """Refuse before writing anything when a target exists (unless forced)."""
    if force:
        return
    existing = [p for p in paths if p.exists() or p.is_symlink()]
    if existing:
        raise OutputError([Message("output.exists", {"path": str(p)}) for p in existing])


def generate(roster: Roster | RosterStore, year: int, out_dir: str | os.PathLike, scheme: Scheme | str = "national",
             *, force: bool = False, generated: date | None = None, password: str = "", jobs: int | None = None,
             progress: Callable[[Generated], None] | None = None) -> list[Generated]:
    """Write one workbook per roster department into `out_dir`; returns what was written."""
    results = []
    for item in generate_each(roster, year, out_dir, scheme, force=force, generated=generated, password=password,
                              jobs=jobs):
        results.append(item)
        if progress:
            progress(item)
    return results


def generate_each(roster: Roster | RosterStore, year: int, out_dir: str | os.PathLike,
                  scheme: Scheme | str = "national", *, force: bool = False, generated: date | None = None,
                  password: str = "", jobs: int | None = None) -> Iterator[Generated]:
    """`generate`, one workbook at a time: yields each as it is written, in roster order.

    Everything is checked before the first workbook is written (limits, names, existing and
    input files). From a RosterStore, one department at a time is read, sent to a worker and
    let go, and file names are planned in a temporary file (naming.NamePlan): memory does not
    grow with the roster. Closing the iterator early stops the run as Ctrl-C does.
    """
    scheme = load_scheme(scheme) if isinstance(scheme, str) else scheme
    departments: tuple[Department, ...] | RosterStore = roster.departments if isinstance(roster, Roster) else roster
    check_limits(departments)
    generated = generated or date.today()
    out = Path(out_dir)
    pairs = roster.names() if isinstance(roster, RosterStore) else ((d.code, d.name) for d in departments)
    with NamePlan(year, pairs) as names:
        inputs = Inputs(roster.sources)  # a roster kept in the output folder under a workbook's name
        clashes = [out / n for n in names if out / n in inputs]
        if clashes:
            raise OutputError([Message("output.is_input", {"path": str(p)}) for p in clashes])
        check_outputs((out / n for n in names), force)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(Message("output.unwritable", {"path": str(out),
                                                            "reason": exc.strerror or str(exc)})) from exc
        run = _Run(out, names)
        try:
            yield from _write_all(scheme, departments, run, year, generated, password, force, jobs)
        except OutputError as exc:  # a full disk: say which workbooks are whole and which were not written
            if isinstance(exc, PartialWrite):
                raise
            raise PartialWrite(exc, *run.written_and_not()) from exc


class _Run:
    """Where a run is, to say after a failure which workbooks were written: those yielded, and of
    those handed to a worker but not yet yielded (a few), the ones whose file changed since."""

    def __init__(self, out: Path, names: NamePlan) -> None:
        self.out, self.names = out, names
        self.done = 0                                  # workbooks yielded: a prefix of the roster
        self.pending: dict[Path, tuple[int, int, int] | None] = {}  # handed out: the file before

    def start(self, path: Path) -> None:
        self.pending.update(snapshot([path]))

    def finish(self, path: Path) -> None:
        del self.pending[path]
        self.done += 1

    def written_and_not(self) -> tuple[list[Path], list[Path]]:
        """(written, not written) in roster order."""
        changed, _ = written_since(self.pending)
        written, missing = [], []
        for index, name in enumerate(self.names):
            path = self.out / name
            (written if index < self.done or path in changed else missing).append(path)
        return written, missing


def _write_all(scheme: Scheme, departments: Iterable[Department], run: _Run, year: int, generated: date,
               password: str, force: bool, jobs: int | None) -> Iterator[Generated]:
    jobs = jobs or os.cpu_count() or 1
    tasks = ((d, run.out / name, year, generated, password, force) for d, name in zip(departments, run.names))
    with _sigterm_as_interrupt():
        if jobs <= 1 or len(run.names) < PARALLEL_THRESHOLD:
            for task in tasks:
                run.start(task[1])
                item = _write_one(scheme, *task)
                run.finish(task[1])
                yield item
            return
        stop = multiprocessing.get_context().Event()
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(scheme, stop, os.getpid()))
        # One department a task, and only a few tasks handed out at a time (Executor.map would
        # take them all at once): the departments in flight are the only ones in memory.
        window: deque[tuple[Path, Future[Generated | None]]] = deque()
        try:
            for task in itertools.chain(tasks, [None]):
                if task is not None:
                    run.start(task[1])
                    window.append((task[1], pool.submit(_write_in_worker, task)))
                while window and (task is None or len(window) >= IN_FLIGHT_PER_JOB * jobs):
                    path, future = window.popleft()
                    item = future.result()
                    assert item is not None  # None only once the run is stopped
                    run.finish(path)
                    yield item
        except BaseException:
            # Ctrl-C, SIGTERM, a failed file or the caller closing us: finish the files being
            # written (each whole), start no more, not even those already handed out.
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown()


def check_limits(departments: Roster | Iterable[Department]) -> None:
    """A roster built in code passes the limits read_roster enforces (perfxl.limits): every
    workbook generated is one the validator accepts, and holds only finite amounts."""
    problems: list[Message] = []
    for dept in departments.departments if isinstance(departments, Roster) else departments:
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
