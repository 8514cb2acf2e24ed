"""Check each file in a worker process with a time limit and a memory cap.

A file that gets past the guards can still be slow or huge to check (or hit a bug in a C
library). In a worker of our own it costs only its own finding — F05 "timeout" or
"memory", or F01 "crash" — and the batch goes on with a fresh worker. Workers take one
path at a time over a pipe, so the parent knows which file each one is on and when it
started; only the small FileResult comes back, so the parent's memory does not grow with
the batch. The annotated copies are made the same way (a Job of report.annotate): each
under the same limits, its bytes sent back to be written by the parent.

One file's result never depends on the others in the batch: the memory cap is set afresh
for each file (the worker's address space when it takes the file, plus `memory_mb`), and a
worker that kept more than RECYCLE_SHARE of `memory_mb` (caches, a fragmented heap) after
a file is replaced by a fresh one.

A worker's standard error goes to a file of its own: when a worker dies, what it wrote last
(CPython's "Fatal Python error", faulthandler's traceback) names the crash in the finding
and tells a death from lack of memory from any other.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, BinaryIO, Callable, Sequence

from ..errors import PerfxlError
from ..i18n import Message, register
from .context import Options
from .guards import Limits
from .model import FileResult, file_finding

SAMPLE_EVERY = 0.05    # seconds between looks at busy workers' memory (Linux /proc)
NEAR_CAP = 0.1         # within this share of the memory allowed (or NEAR_CAP_MB) of the cap is near it
NEAR_CAP_MB = 64
STOP_GRACE = 0.5       # seconds a terminated worker gets before it is killed
START_FAILURES = 3     # fresh workers failing to start, in a row, before giving up
START_TIMEOUT = 60.0   # seconds a fresh worker has to become ready (spawn imports everything anew)
LOG_TAIL = 65536       # bytes of a dead worker's standard error read for its crash
EXIT_MEMORY = 3        # a worker's exit code for a MemoryError outside a job's run
OUT_OF_MEMORY = re.compile(rb"MemoryError|out of memory|cannot allocate memory", re.I)
RECYCLE_SHARE = 0.25   # a worker grown by more than this share of memory_mb (or RECYCLE_MB) after a task is replaced
RECYCLE_MB = 128


register({"isolation.start": ("无法启动校验进程：{reason}", "Cannot start the checking processes: {reason}")})


class WorkerStartError(PerfxlError):
    """Worker processes cannot be started at all (not something a file did): exit code 2."""


@dataclass(frozen=True)
class _Ready:
    """A worker's first message: set up, and the address-space cap it applies (bytes; None: no cap)."""

    cap: int | None


class Job:
    """What the workers do with each task (`run`, in a worker) and what a task gets when its
    worker does not answer (`failed`, in the parent). Must pickle where workers are spawned."""

    def run(self, task: Any, limits: Limits, near_cap: Callable[[], bool]) -> Any:
        """The task's answer; `near_cap()` tells whether this task took the worker near its memory cap."""
        raise NotImplementedError

    def failed(self, task: Any, limits: Limits, problem: str, reason: str = "") -> Any:
        """The answer for a task whose worker timed out ("timeout"), ran out of memory ("memory") or died ("crash")."""
        raise NotImplementedError

    def fresh_after(self, answer: Any) -> bool:
        """Whether the worker should be replaced after giving this answer."""
        return False


@dataclass(frozen=True)
class CheckJob(Job):
    """check_file on each path."""

    options: Options

    def run(self, task: Any, limits: Limits, near_cap: Callable[[], bool]) -> FileResult:
        """check_file turns a MemoryError into F05 memory, but C libraries report running out in their own
        ways (zlib's error, libxml2's "unknown error", SystemError) and the guards or reader make an F01 of
        it: an F01 from a file that took the worker to near its cap is F05 memory too."""
        from .engine import check_file

        result = check_file(task, self.options, limits)
        if any(f.code == "F01" for f in result.findings) and near_cap():
            return FileResult(task, [file_finding("F05", "memory", limit=f"{limits.memory_mb:g}")])
        return result

    def failed(self, task: Any, limits: Limits, problem: str, reason: str = "") -> FileResult:
        if problem == "timeout":
            return FileResult(task, [file_finding("F05", "timeout", limit=f"{limits.seconds:g}")])
        if problem == "memory":
            return FileResult(task, [file_finding("F05", "memory", limit=f"{limits.memory_mb:g}")])
        return FileResult(task, [file_finding("F01", "crash", reason=reason)])

    def fresh_after(self, answer: Any) -> bool:
        """Its heap is fragmented and near the cap: start afresh."""
        return isinstance(answer, FileResult) and _memory(answer)


@dataclass
class _Worker:
    process: Any                     # multiprocessing.Process of the chosen context
    conn: Connection
    log: BinaryIO                    # its standard error, read when it dies
    log_path: str | None             # unlinked once the worker has opened it
    started: float = field(default_factory=time.monotonic)
    ready: bool = False
    cap: int | None = None           # the address-space cap for its current task (bytes; None: no cap)
    base: int | None = None          # its address-space size when it became ready (bytes)
    task: int | None = None          # index of the file it is checking
    deadline: float = 0.0
    before: int = 0                  # its peak address-space size when given its file (bytes)
    seen: int = 0                    # the peak last seen while on its file
    sampled: float = 0.0

    @property
    def sentinel(self) -> int:
        return self.process.sentinel


@dataclass
class _Batch:
    tasks: Sequence[Any]
    job: Job
    limits: Limits
    progress: Callable[[int, int], None] | None
    deliver: Callable[[int, Any], None]
    next: int = 0
    done: int = 0
    start_failures: int = 0


def context() -> Any:
    """'fork' where it is safe (workers inherit imports and the roster: fast start), else 'spawn'.

    macOS offers fork, but system frameworks may crash in a forked child, so Python's own
    default there is spawn; so is ours.
    """
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else "spawn")


def check_isolated(paths: Sequence[str], options: Options, limits: Limits, jobs: int = 1,
                   progress: Callable[[int, int], None] | None = None) -> list[FileResult]:
    """One FileResult per path, in input order; each file checked in a worker under `limits`.

    `progress(done, total)` is called as each file finishes (in finishing order). Ctrl-C
    (or any error) stops every worker before it propagates.
    """
    results: list[FileResult | None] = [None] * len(paths)
    run_isolated(paths, CheckJob(options), limits, jobs, results.__setitem__, progress)
    return [r for r in results if r is not None]


def run_isolated(tasks: Sequence[Any], job: Job, limits: Limits, jobs: int, deliver: Callable[[int, Any], None],
                 progress: Callable[[int, int], None] | None = None) -> None:
    """`job` on every task in `jobs` workers under `limits`; `deliver(index, answer)` as each finishes.

    An error raised by `deliver` (or Ctrl-C) stops every worker before it propagates.
    """
    batch = _Batch(tasks, job, limits, progress, deliver)
    if not tasks:
        return
    ctx = context()
    workers: list[_Worker] = []
    try:
        for _ in range(max(1, min(jobs, len(tasks)))):
            workers.append(_start(ctx, batch, workers))
        while batch.done < len(tasks):
            _step(ctx, batch, workers)
    finally:
        _stop_all(workers, graceful=batch.done == len(tasks))


def _step(ctx: Any, batch: _Batch, workers: list[_Worker]) -> None:
    """Wait for a result, a death or a deadline, and act on it."""
    now = time.monotonic()
    busy = [w for w in workers if w.task is not None]
    timeout = SAMPLE_EVERY
    if busy:
        timeout = max(0.0, min(SAMPLE_EVERY, min(w.deadline for w in busy) - now))
    ready = set(wait([w.conn for w in workers] + [w.sentinel for w in workers], timeout))
    for i, w in enumerate(list(workers)):
        if w.conn in ready:  # a message first: a worker may send its result and then die
            try:
                message = w.conn.recv()
            except (EOFError, OSError):  # it is gone
                _died(ctx, batch, workers, i)
                continue
            if isinstance(message, _Ready):
                w.ready, w.cap, w.base = True, message.cap, _vm_size(w.process.pid)
                _unlink_log(w)
                batch.start_failures = 0
                _dispatch(ctx, batch, workers, i)
            elif w.task is not None:
                index, w.task = w.task, None
                if batch.job.fresh_after(message) or _grown(w, batch.limits):
                    workers[i] = _replace(ctx, batch, workers, w, graceful=True)
                _finish(batch, index, message, ctx, workers, i)
        elif w.sentinel in ready:
            _died(ctx, batch, workers, i)
    now = time.monotonic()
    for i, w in enumerate(list(workers)):
        if not w.ready and now - w.started > START_TIMEOUT:
            _start_failed(batch, f"not ready after {START_TIMEOUT:g} s")
            workers[i] = _replace(ctx, batch, workers, w, graceful=False)
        if w.task is None:
            continue
        if now >= w.deadline:
            index = w.task
            workers[i] = _replace(ctx, batch, workers, w, graceful=False)
            _finish(batch, index, batch.job.failed(batch.tasks[index], batch.limits, "timeout"), ctx, workers, i)
        elif now - w.sampled >= SAMPLE_EVERY:
            w.seen, w.sampled = max(w.seen, _vm_peak(w.process.pid)), now


def _finish(batch: _Batch, index: int, answer: Any, ctx: Any, workers: list[_Worker], i: int) -> None:
    """Give its worker the next task, hand over a task's answer, then report progress."""
    batch.done += 1
    _dispatch(ctx, batch, workers, i)
    batch.deliver(index, answer)
    if batch.progress is not None:
        batch.progress(batch.done, len(batch.tasks))


def _dispatch(ctx: Any, batch: _Batch, workers: list[_Worker], i: int) -> None:
    """The next file to worker i, if it is ready and idle; a worker found dead while idle is replaced."""
    w = workers[i]
    if not w.ready or w.task is not None or batch.next >= len(batch.tasks):
        return
    if not w.process.is_alive():  # died between files (killed from outside): no file to blame
        workers[i] = _replace(ctx, batch, workers, w, graceful=False)
        return
    index = batch.next
    size = _vm_size(w.process.pid)  # what the worker bases this task's cap on (see _task_cap)
    try:
        w.conn.send(batch.tasks[index])
    except OSError:  # its end of the pipe is gone: it died just now
        workers[i] = _replace(ctx, batch, workers, w, graceful=False)
        return
    batch.next += 1
    w.task, w.deadline, w.sampled = index, time.monotonic() + batch.limits.seconds, time.monotonic()
    w.before = w.seen = _vm_peak(w.process.pid)
    if w.cap is not None and size is not None:
        w.cap = size + batch.limits.memory_mb * 2**20


def _died(ctx: Any, batch: _Batch, workers: list[_Worker], i: int) -> None:
    """A worker ended on its own: its file (if any) gets a finding; a fresh worker takes over."""
    w = workers[i]
    w.process.join(STOP_GRACE)
    code = w.process.exitcode
    said = _tail(w.log)
    if not w.ready:
        _start_failed(batch, _exit_reason(code, said))
    index = w.task
    w.task = None
    workers[i] = _replace(ctx, batch, workers, w, graceful=False)
    if index is None:
        return
    if code == EXIT_MEMORY or OUT_OF_MEMORY.search(said) or _near_cap(w.cap, batch.limits, w.before, w.seen):
        answer = batch.job.failed(batch.tasks[index], batch.limits, "memory")
    else:
        answer = batch.job.failed(batch.tasks[index], batch.limits, "crash", _exit_reason(code, said))
    _finish(batch, index, answer, ctx, workers, i)


def _start_failed(batch: _Batch, reason: str) -> None:
    batch.start_failures += 1
    if batch.start_failures >= START_FAILURES:
        raise WorkerStartError(Message("isolation.start", {"reason": reason}))


def _near_cap(cap: int | None, limits: Limits, before: int, peak: int) -> bool:
    """The file took the worker's peak address space up to near its cap: an allocation there may have failed."""
    margin = max(NEAR_CAP * limits.memory_mb, NEAR_CAP_MB) * 2**20
    return cap is not None and peak > before and peak >= cap - margin


def _exit_reason(code: int | None, said: bytes = b"") -> str:
    """The signal or exit code, and the first line of a fatal-error report: "SIGSEGV: Fatal Python error: …"."""
    if code is not None and code < 0:
        try:
            reason = signal.Signals(-code).name
        except ValueError:
            reason = f"signal {-code}"
    else:
        reason = f"exit code {code}"
    lines = [line.strip() for line in said.decode("utf-8", "replace").splitlines() if line.strip()]
    fatal = next((line for line in lines if line.startswith("Fatal Python error")), lines[-1] if lines else "")
    return f"{reason}: {fatal}"[:200] if fatal else reason


def _tail(log: BinaryIO) -> bytes:
    try:
        log.seek(0, os.SEEK_END)
        log.seek(max(0, log.tell() - LOG_TAIL))
        return log.read()
    except (OSError, ValueError):
        return b""


def _grown(w: _Worker, limits: Limits) -> bool:
    """The worker kept much more than it started with (caches, a fragmented heap): replace it,
    so the machine's memory stays near one cap per worker."""
    now = _vm_size(w.process.pid)
    if w.base is None or now is None:
        return False
    return now - w.base > max(RECYCLE_SHARE * limits.memory_mb, RECYCLE_MB) * 2**20


def _memory(result: FileResult) -> bool:
    return any(f.code == "F05" and f.message.key == "rule.F05.memory" for f in result.findings)


def _start(ctx: Any, batch: _Batch, workers: list[_Worker]) -> _Worker:
    parent, child = ctx.Pipe()
    # A forked child inherits the parent's ends of its own and the other workers' pipes; it
    # closes them, so it sees end-of-file as soon as the parent is gone.
    inherited: tuple[int, ...] = ()
    if ctx.get_start_method() == "fork":
        inherited = (parent.fileno(), *(w.conn.fileno() for w in workers if not w.conn.closed))
    fd, log_path = tempfile.mkstemp(prefix="perfxl-worker-", suffix=".log")
    worker = _Worker(None, parent, os.fdopen(fd, "rb"), log_path)
    worker.process = ctx.Process(target=_serve, name="perfxl-validate", daemon=True,
                                 args=(child, batch.job, batch.limits, os.getpid(), inherited, log_path))
    try:
        worker.process.start()
    except BaseException:
        _reap(worker)
        raise
    finally:
        child.close()
    return worker


def _replace(ctx: Any, batch: _Batch, workers: list[_Worker], w: _Worker, graceful: bool) -> _Worker:
    _stop(w, graceful)
    return _start(ctx, batch, [o for o in workers if o is not w])


def _stop_all(workers: list[_Worker], graceful: bool) -> None:
    """Every worker, at the end of a batch or on Ctrl-C: all told (or terminated) at once, then reaped."""
    for w in workers:
        _tell(w, graceful)
    for w in workers:
        _reap(w)


def _stop(w: _Worker, graceful: bool) -> None:
    """Graceful: ask it to finish; otherwise (or if it does not) terminate, then kill."""
    _tell(w, graceful)
    _reap(w)


def _tell(w: _Worker, graceful: bool) -> None:
    if w.process.pid is None or not w.process.is_alive():
        return
    if graceful:
        try:
            w.conn.send(None)
            return
        except OSError:  # gone already
            pass
    w.process.terminate()


def _reap(w: _Worker) -> None:
    process = w.process
    if process.pid is not None:
        process.join(STOP_GRACE)
        if process.is_alive():
            process.terminate()
            process.join(STOP_GRACE)
        if process.is_alive():
            process.kill()
            process.join()
        process.close()
    w.conn.close()
    w.log.close()
    _unlink_log(w)


def _unlink_log(w: _Worker) -> None:
    """The worker holds its log open; the name is not needed (and not left behind)."""
    if w.log_path is not None:
        try:
            os.unlink(w.log_path)
        except OSError:  # Windows: not while open; _reap tries again after closing
            return
        w.log_path = None


# --- in the worker ---------------------------------------------------------------------------------

def _serve(conn: Connection, job: Job, limits: Limits, parent: int, inherited: tuple[int, ...],
           log_path: str) -> None:
    """A worker's life: set up once, then do one task at a time until told to stop."""
    from .engine import _fewer_collections

    _stderr_to(log_path)
    for fd in inherited:
        try:
            os.close(fd)
        except OSError:
            pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops us
    _die_with(parent)
    _fewer_collections()
    ceiling = _soft_limit()
    cap = _memory_cap(limits.memory_mb)
    conn.send(_Ready(cap))  # before the cap applies: however small it is, the worker starts
    before = _vm_peak()
    try:
        while True:
            try:
                task = conn.recv()
            except EOFError:  # the parent is gone
                return
            if task is None:
                return
            cap = _memory_cap(limits.memory_mb)  # afresh: what earlier tasks left never counts against this one
            _apply_cap(cap, ceiling)
            before = _vm_peak()
            answer = job.run(task, limits, lambda: _near_cap(cap, limits, before, _vm_peak()))
            try:
                conn.send(answer)
            except OSError:  # the parent is gone
                return
            del answer
    except Exception as exc:  # outside the job's own guard: receiving, sending, sorting findings
        if isinstance(exc, MemoryError) or _near_cap(cap, limits, before, _vm_peak()):
            os._exit(EXIT_MEMORY)  # the parent gives the task its "memory" answer
        raise  # the traceback goes to the log; the parent names it in the task's "crash" answer


def _stderr_to(log_path: str) -> None:
    """Standard error (and faulthandler's report of a fatal signal) into the log the parent reads."""
    if sys.stderr is not None:
        sys.stderr.flush()
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(fd, 2)
    os.close(fd)
    faulthandler.enable(file=2)


def _die_with(parent: int) -> None:
    """Linux: the kernel kills this worker if the parent dies, even by SIGKILL (no orphans)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _memory_cap(memory_mb: int) -> int | None:
    """This process's address-space size now plus `memory_mb`, in bytes; None where unknown.

    Relative to the size now because a forked worker inherits the parent's address space,
    which differs by caller (measured: 39 MB forked from the CLI, 183 MB from a parent that
    had run a thread pool, whose idle arenas stay mapped), and because what earlier tasks
    left (caches, a fragmented heap) must not count against the next one.
    """
    base = _vm_size()
    return None if base is None or memory_mb <= 0 else base + memory_mb * 2**20


def _soft_limit() -> int | None:
    """The address-space limit whoever started us set (bytes); None: none, or unknown."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, ValueError, OSError):  # Windows
        return None
    return None if soft == resource.RLIM_INFINITY else soft


def _apply_cap(cap: int | None, ceiling: int | None) -> None:
    """RLIMIT_AS: beyond the cap, allocation fails (MemoryError) instead of the machine swapping.
    Set again for each task (raised or lowered), never above `ceiling`, the limit we were started with."""
    if cap is None:
        return
    try:
        import resource
    except ImportError:  # Windows
        return
    try:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        soft = cap if ceiling is None else min(cap, ceiling)
        resource.setrlimit(resource.RLIMIT_AS, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
    except (ValueError, OSError):  # a platform that refuses RLIMIT_AS
        return


def _vm_size(pid: int | None = None) -> int | None:
    """A process's address-space size in bytes (Linux /proc), else None. This process by default."""
    try:
        with open(f"/proc/{pid or 'self'}/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, MemoryError):
        return None


def _vm_peak(pid: int | None = None) -> int:
    """A process's peak address-space size in bytes (Linux /proc: VmPeak, which starts afresh in a
    forked child); 0 where unknown. This process by default."""
    try:
        with open(f"/proc/{pid or 'self'}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError, MemoryError):
        pass
    return 0
