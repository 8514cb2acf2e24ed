"""A round: the office's season in one folder — roster, year, scheme, deadline, and every
submission with its findings and figures, so no later step reopens a returned file.

>>> from perfxl.round import Round                                    # doctest: +SKIP
>>> rnd = Round.init("2025轮次", roster="examples/roster.xlsx", year=2025, deadline="2026-03-31")
>>> report = rnd.validate(["examples/returned/"])                       # checks and records
>>> [(s.code, s.state) for s in rnd.status().departments][:2]
[('101001', 'passed'), ('101002', 'failed')]
"""

from __future__ import annotations

import getpass
import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..display import shown_name, shown_path
from ..i18n import Message, register
from ..validator.figures import Figures
from ..validator.guards import Limits, file_digest
from ..validator.model import FileResult, Finding, Report
from . import db
from .changes import SubmissionNote, compare
from .db import RoundError, transaction
from .status import Status
from .status import query as query_status

__all__ = ["Round", "RoundInfo", "SubmissionNote", "file_digest"]

register({
    "round.bad_deadline": ("截止日期“{value}”应写作 YYYY-MM-DD，如 2026-03-31。",
                           "The deadline '{value}' must be written YYYY-MM-DD, e.g. 2026-03-31."),
    "round.cannot_make": ("无法建立轮次文件夹 {dir}：{reason}。请换一个位置。",
                          "Cannot make the round folder {dir}: {reason}. Choose another place."),
    "round.year_mismatch": ("本轮为 {round} 年度，--year 给的是 {given}。", "The round is for {round}; --year says {given}."),
})


@dataclass(frozen=True)
class RoundInfo:
    folder: Path
    year: int
    scheme_name: str
    scheme_json: str
    deadline: date | None
    created_at: str

    @property
    def scheme(self):  # noqa: ANN201 - Scheme; imported lazily with the scheme loader
        from ..scheme.loader import scheme_from_json

        return scheme_from_json(self.scheme_json, source=db.DB_NAME)


def parse_deadline(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise RoundError(Message("round.bad_deadline", {"value": value})) from exc


class Round:
    """One round folder, open. Use as a context manager, or call close()."""

    def __init__(self, folder: Path, conn: sqlite3.Connection):
        self.folder = folder
        self.conn = conn

    # --- opening ----------------------------------------------------------------------------

    @classmethod
    def init(cls, folder: str | os.PathLike[str], roster: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
             year: int, scheme: str = "national", deadline: str | date | None = None) -> Round:
        """Make a round folder: the roster (checked, stored whole), year, scheme and deadline.
        Nothing is left behind when the roster or the scheme cannot be used."""
        from ..roster.store import load_into
        from ..scheme.loader import load_scheme

        folder = Path(folder)
        loaded = load_scheme(scheme)
        when = parse_deadline(deadline)
        made_folder = not folder.exists()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a file of that name, a read-only disk, no permission
            raise RoundError(Message("round.cannot_make", {"dir": str(folder),
                                                           "reason": exc.strerror or str(exc)})) from exc
        conn = db.connect(folder, create=True)
        try:
            with transaction(conn):
                conn.execute("INSERT INTO round_info VALUES (1,?,?,?,?,?,?)",
                             (year, loaded.name, loaded.data_json, when.isoformat() if when else None,
                              _now(), _who()))
                load_into(conn, roster)
        except BaseException:
            conn.close()
            _remove_database(folder, made_folder)
            raise
        return cls(folder, conn)

    @classmethod
    def open(cls, folder: str | os.PathLike[str]) -> Round:
        folder = Path(folder)
        return cls(folder, db.connect(folder))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Round:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def info(self) -> RoundInfo:
        row = self.conn.execute("SELECT year, scheme_name, scheme_json, deadline, created_at FROM round_info").fetchone()
        if row is None:
            raise RoundError(Message("round.damaged", {"dir": str(self.folder), "reason": "round_info"}))
        year, name, scheme_json, deadline, created = row
        return RoundInfo(self.folder, year, name, scheme_json, date.fromisoformat(deadline) if deadline else None,
                         created)

    def roster(self):  # noqa: ANN201 - RosterStore over this round's connection
        from ..roster.store import RosterStore

        return RosterStore(self.conn)

    # --- checking and recording -------------------------------------------------------------

    def validate(self, paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str], *,
                 select: Sequence[str] = (), ignore: Sequence[str] = (), strict: bool = False, jobs: int = 1,
                 limits: Limits = Limits(), progress: Callable[[int, int], None] | None = None,
                 at: datetime | None = None) -> Report:
        """Check files with the round's roster and year, then record them (see record); `at` is
        the time recorded for the batch (default now: a reprint or a test gives its own)."""
        from ..validator.engine import collect, validate

        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        files, _ = collect(paths)
        digests: dict[str, tuple[str, int]] = {}
        for path in files:
            try:
                digests[path] = file_digest(path)
            except OSError:
                continue  # the check says why it cannot be read; such a file is not recorded
        info = self.info
        roster = self.roster().roster()
        report = validate(paths, roster, info.year, select=select, ignore=ignore, strict=strict, jobs=jobs,
                          limits=limits, progress=progress, digests={p: d for p, (d, _) in digests.items()},
                          recorded=self.recorded_digests(d for d, _ in digests.values()))
        self.record(report, digests, at)
        submitted = self.submitted_codes()
        report.batch = [f for f in report.batch if not (f.code == "R04" and f.message.params.get("code") in submitted)]
        return report

    def submitted_codes(self) -> frozenset[str]:
        """Departments with any submission: not "not returned" (R04) in a later wave."""
        return frozenset(c for (c,) in self.conn.execute(
            "SELECT DISTINCT department_code FROM submission WHERE department_code IS NOT NULL"))

    def status(self, today: date | None = None) -> Status:
        info = self.info
        return query_status(self.conn, info.year, info.deadline, today)

    def consolidation(self, now: datetime | None = None):  # noqa: ANN201 - consolidation.Consolidation
        """Every roster department with the figures of its latest submission when that one passed;
        a department whose latest submission failed, or that sent nothing, has none."""
        from .consolidation import Consolidation, Entry

        info = self.info
        entries = []
        for d in self.status().departments:
            figures = None
            if d.passed and d.submission_id is not None:
                figures = self._figures(d.submission_id)
            entries.append(Entry(d.code, d.name, d.state, d.errors, d.submissions, d.last_at, figures))
        return Consolidation(info.year, info.scheme, tuple(entries), now or datetime.now().astimezone(),
                             info.deadline)

    # --- recording --------------------------------------------------------------------------

    def recorded_digests(self, digests: Iterable[str]) -> frozenset[str]:
        """Which of these contents the round has already recorded (their files are not new)."""
        wanted = list(dict.fromkeys(digests))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(h for (h,) in self.conn.execute(
                f"SELECT DISTINCT sha256 FROM submission WHERE sha256 IN ({marks})", chunk))
        return frozenset(found)

    def record(self, report: Report, digests: dict[str, tuple[str, int]],
               at: datetime | None = None) -> dict[str, SubmissionNote]:
        """Record every file of a checked batch, one transaction per file (a killed run keeps
        the files recorded before it and nothing half-written), and say for each what it is."""
        when = _now() if at is None else at.isoformat(timespec="seconds")
        with transaction(self.conn):
            cur = self.conn.execute("INSERT INTO batch (started_at, perfxl_version) VALUES (?,?)",
                                    (when, _version()))
            batch = cur.lastrowid
        notes: dict[str, SubmissionNote] = {}
        for result in report.files:
            if result.path not in digests:
                continue
            digest, size = digests[result.path]
            with transaction(self.conn):
                notes[result.path] = self._record_one(result, digest, size, batch, when)
            result.round_note = notes[result.path]
        return notes

    def _record_one(self, result: FileResult, digest: str, size: int, batch: int, when: str) -> SubmissionNote:
        code = result.department_code
        prior = self.conn.execute(
            "SELECT number, sha256, id FROM submission WHERE department_code IS ? ORDER BY number, id",
            (code,)).fetchall()
        same = [number for number, sha, _ in prior if sha == digest]
        if same:
            latest = prior[-1][0]
            return SubmissionNote(same_as=same[-1], latest=latest if same[-1] != latest else None)
        number = None if code is None else (prior[-1][0] + 1 if prior else 1)
        figures = result.figures.to_dict() if result.figures is not None else None
        cur = self.conn.execute(
            "INSERT INTO submission (department_code, number, batch_id, file_name, path, sha256, size, submitted_at,"
            " department_name, readable, errors, warnings, total_score, grade, figures)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (code, number, batch, _name(result.path), _text_path(result.path), digest, size, when,
             result.department_name, int(result.readable), result.errors, result.warnings, result.total_score,
             result.grade, db.pack(figures) if figures else None))
        sid = cur.lastrowid
        self.conn.executemany("INSERT INTO finding VALUES (?,?,?,?,?,?,?,?,?,?)", list(_finding_rows(sid, result)))
        if code is None or not prior:
            return SubmissionNote(number=number)
        previous_number, _, previous_id = prior[-1]
        return SubmissionNote(number=number, previous=previous_number,
                              change=compare(self._stored(previous_id), (result.findings, result.figures)))

    def _stored(self, sid: int) -> tuple[list[tuple], Figures | None]:
        rows = self.conn.execute(
            "SELECT code, severity, sheet, cell, label, message_zh, message_en FROM finding"
            " WHERE submission_id = ? AND parent IS NULL ORDER BY ord", (sid,)).fetchall()
        return rows, self._figures(sid)

    def _figures(self, sid: int) -> Figures | None:
        (blob,) = self.conn.execute("SELECT figures FROM submission WHERE id = ?", (sid,)).fetchone()
        return Figures.from_dict(db.unpack(blob)) if blob else None


def _finding_rows(sid: int, result: FileResult) -> Iterable[tuple]:
    ord_ = 0

    def walk(findings: Sequence[Finding], parent: int | None) -> Iterable[tuple]:
        nonlocal ord_
        for f in findings:
            ord_ += 1
            me = ord_
            yield (sid, me, parent, f.code, f.severity, f.sheet, f.cell, f.label, f.text("zh"), f.text("en"))
            yield from walk(f.consequences, me)

    return walk(result.findings, None)


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _who() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a container or a service account
        return ""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("perfxl")
    except PackageNotFoundError:
        return "unknown"


def _name(path: str) -> str:
    """The file name as the reports show it: GBK bytes from an unzip decoded, never an error."""
    return shown_name(path)


def _text_path(path: str) -> str:
    return shown_path(path)


def _remove_database(folder: Path, made_folder: bool) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            (folder / (db.DB_NAME + suffix)).unlink()
        except FileNotFoundError:
            pass
    if made_folder:
        try:
            folder.rmdir()
        except OSError:
            pass
