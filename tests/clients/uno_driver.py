"""Edit a workbook in LibreOffice through UNO, as a user or as a tamperer would.

Run with Debian's interpreter (the only one that can import ``uno``)::

    /usr/bin/python3 tests/clients/uno_driver.py INPUT.xlsx OUTPUT.xlsx ACTIONS.json

ACTIONS.json is a list of actions applied in order (sheet names and cells as in Excel,
rows 1-based)::

    {"op": "type", "sheet": "项目1", "cell": "E12", "text": "98.5"}   # as typed; obeys protection
    {"op": "set", "sheet": ..., "cell": ..., "value": 1.5 | "text"}   # API; ignores protection
    {"op": "formula", "sheet": ..., "cell": ..., "formula": "=1+1"}   # API; ignores protection
    {"op": "unprotect", "sheet": ..., "password": ""}
    {"op": "protect", "sheet": ..., "password": ""}
    {"op": "unprotect_structure", "password": ""}                    # Tools ▸ Protect Spreadsheet Structure off
    {"op": "protect_structure", "password": ""}
    {"op": "rename", "sheet": "项目1", "name": "智慧政务平台"}          # API; refused while the structure is locked
    {"op": "insert_rows", "sheet": ..., "row": 15, "count": 1}
    {"op": "delete_rows", "sheet": ..., "row": 15, "count": 1}
    {"op": "calculate"}

Prints one JSON object on stdout: ``{"ok": true, "output": ..., "actions": [...]}`` with,
per action, ``"changed"`` (did the document change) and for ``type`` the ``"message"`` of
any alert LibreOffice raised. Exits 1 with ``"ok": false`` and an ``"error"`` on failure.

Found on LibreOffice 7.4.7 headless: typing into a locked cell of a protected sheet does
not block; the "Protected cells can not be modified." alert is cancelled silently but left
behind as an invisible top window, and the *next* refused edit then crashes soffice
(SIGSEGV in Dialog::ImplStartExecute). So after every typed entry the driver disposes
leftover alerts, and every UNO call runs under a watchdog that kills soffice if it hangs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
# Block before importing uno: its runtime starts threads that would otherwise take a
# SIGTERM and die without stopping soffice. A dedicated thread waits for these instead.
signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)

# This folder holds uno.py (the wrapper), which would shadow the real uno module.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
import uno  # type: ignore[import-not-found]  # noqa: E402
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]  # noqa: E402

sys.path.append(str(HERE))
from libreoffice import make_profile, scratch_env, soffice_path  # noqa: E402

CONNECT_SECONDS = 20.0
INTERRUPTED = threading.Event()
CALL_SECONDS = 30.0
XLSX_FILTER = "Calc MS Excel 2007 XML"
_ROLES = "com.sun.star.accessibility.AccessibleRole."
ROLE_ALERT = uno.getConstantByName(_ROLES + "ALERT")
# Where an alert keeps its message text.
ROLE_LABEL_LIKE = (uno.getConstantByName(_ROLES + "LABEL"), uno.getConstantByName(_ROLES + "STATIC"))


class DriverError(RuntimeError):
    """A failure to report as the driver's error message."""


def prop(name: str, value: Any) -> PropertyValue:
    """Build a PropertyValue: UNO's keyword-argument convention."""
    result = PropertyValue()
    result.Name = name
    result.Value = value
    return result


class Office:
    """One private soffice process, connected over a named pipe."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.log = scratch / "soffice.log"
        self.pipe = f"perfxl_uno_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.timed_out: str | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.ctx: Any = None
        self.smgr: Any = None
        self.desktop: Any = None
        self.dispatcher: Any = None
        self.toolkit: Any = None

    def start(self) -> None:
        """Start soffice and connect; ``stop`` cleans up even if this fails halfway."""
        soffice = soffice_path()
        if soffice is None:
            raise DriverError("soffice not found: install libreoffice-calc-nogui")
        scratch = self.scratch
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [
                    soffice,
                    f"-env:UserInstallation={make_profile(scratch / 'profile')}",
                    "--headless",
                    "--invisible",
                    "--norestore",
                    "--nolockcheck",
                    "--nodefault",
                    f"--accept=pipe,name={self.pipe};urp;",
                ],
                env=scratch_env(scratch),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_unblock_stop_signals,
            )
        self.ctx = self._connect()
        self.smgr = self.ctx.ServiceManager
        self.desktop = self.smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)
        self.dispatcher = self.smgr.createInstanceWithContext(
            "com.sun.star.frame.DispatchHelper", self.ctx
        )
        self.toolkit = self.smgr.createInstanceWithContext("com.sun.star.awt.Toolkit", self.ctx)

    def _connect(self) -> Any:
        """Retry until soffice accepts on the pipe (about 1 s), bounded."""
        assert self.proc is not None
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + CONNECT_SECONDS
        while True:
            if INTERRUPTED.is_set():
                raise DriverError("driver interrupted by a signal")
            if self.proc.poll() is not None:
                raise DriverError(f"soffice exited with {self.proc.returncode} before accepting")
            try:
                return resolver.resolve(url)
            except Exception as exc:  # NoConnectException until it listens
                if time.monotonic() > deadline:
                    raise DriverError(
                        f"soffice did not accept on pipe {self.pipe} within {CONNECT_SECONDS:g} s"
                    ) from exc
                time.sleep(0.1)

    @contextmanager
    def watchdog(self, what: str, seconds: float = CALL_SECONDS) -> Iterator[None]:
        """Kill soffice if a call blocks (e.g. on a modal dialog); the call then raises."""
        timer = threading.Timer(seconds, self._expire, args=(what, seconds))
        timer.daemon = True
        timer.start()
        try:
            yield
        except Exception as exc:
            assert self.proc is not None
            if self.timed_out:
                raise DriverError(self.timed_out) from exc
            if not isinstance(exc, DriverError):
                with suppress(subprocess.TimeoutExpired):
                    self.proc.wait(1.0)  # a crashing soffice drops the bridge before exiting
            if self.proc.poll() is not None:
                raise DriverError(
                    f"soffice died during {what} (exit code {self.proc.returncode}); "
                    f"its log ends with: {self.log_tail()!r}"
                ) from exc
            raise
        finally:
            timer.cancel()

    def _expire(self, what: str, seconds: float) -> None:
        self.timed_out = f"{what} did not return within {seconds:g} s: soffice killed"
        self.kill()

    def log_tail(self, chars: int = 300) -> str:
        """The last words soffice wrote, e.g. "Fatal exception: Signal 6"."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return " ".join(line for line in text.splitlines() if not line.startswith("/"))[-chars:]

    def stop(self) -> None:
        """Ask soffice to quit, so it removes its pipes in /tmp, then make sure by PID."""
        if self.proc is None:
            return
        if self.proc.poll() is None and self.desktop is not None and not self.timed_out:
            try:
                with self.watchdog("terminating soffice", 10.0):
                    self.desktop.terminate()
            except Exception:  # the bridge goes away while soffice exits: expected
                pass
            with suppress(subprocess.TimeoutExpired):
                self.proc.wait(5.0)
        self.kill()
        # osl puts named pipes in /tmp whatever TMPDIR says; ours is left if soffice was killed.
        Path(f"/tmp/OSL_PIPE_{os.getuid()}_{self.pipe}").unlink(missing_ok=True)

    def kill(self) -> None:
        """Stop our soffice (its own process group: the launcher forks soffice.bin)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        # SIGCONT lets a stopped soffice act on SIGTERM; SIGKILL if it does not exit soon.
        for signals, wait in (((signal.SIGTERM, signal.SIGCONT), 3.0), ((signal.SIGKILL,), 5.0)):
            try:
                for sig in signals:
                    os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue

    def take_alerts(self) -> list[str]:
        """Dispose alert windows left behind, returning their messages.

        Headless LibreOffice 7.4 cancels the alert but keeps its window; a second
        alert in the same view then crashes soffice.
        """
        messages: list[str] = []
        for index in reversed(range(self.toolkit.getTopWindowCount())):
            window = self.toolkit.getTopWindow(index)
            context = window.getAccessibleContext()
            if context is None or context.getAccessibleRole() != ROLE_ALERT:
                continue
            messages.append(_alert_text(context) or context.getAccessibleName())
            window.dispose()
        return messages


def _alert_text(context: Any, depth: int = 0) -> str:
    """The message label inside an alert's accessibility tree."""
    if context.getAccessibleRole() in ROLE_LABEL_LIKE and context.getAccessibleName():
        return str(context.getAccessibleName())
    if depth > 6:
        return ""
    for index in range(context.getAccessibleChildCount()):
        child = context.getAccessibleChild(index)
        found = _alert_text(child.getAccessibleContext(), depth + 1) if child else ""
        if found:
            return found
    return ""


def snapshot(cell: Any) -> dict[str, Any]:
    """What a reader would compare: content type, formula text, value, shown text."""
    kind = cell.getType().value  # EMPTY, VALUE, TEXT, FORMULA
    return {
        "type": kind,
        "formula": cell.getFormula(),
        "value": cell.getValue(),
        "string": cell.getString(),
    }


def sheet_by_name(doc: Any, name: Any) -> Any:
    """Look up a sheet, listing the real names when it is missing."""
    sheets = doc.getSheets()
    if not isinstance(name, str) or not sheets.hasByName(name):
        raise DriverError(f"no sheet {name!r}; sheets are {list(sheets.getElementNames())}")
    return sheets.getByName(name)


def used_formulas(sheet: Any, extra_rows: int) -> tuple[tuple[str, ...], ...]:
    """Formulas of the used area (plus some rows), to tell whether rows moved."""
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    end = cursor.getRangeAddress()
    last_row = min(end.EndRow + extra_rows, 1_048_575)
    return sheet.getCellRangeByPosition(0, 0, end.EndColumn, last_row).getFormulaArray()


class Session:
    """Applies actions to one loaded document."""

    def __init__(self, office: Office, doc: Any) -> None:
        self.office = office
        self.doc = doc

    def apply(self, action: dict[str, Any]) -> dict[str, Any]:
        op = action.get("op")
        handler: Callable[[dict[str, Any]], dict[str, Any]] | None = getattr(
            self, f"op_{op}", None
        )
        if not isinstance(op, str) or handler is None:
            raise DriverError(f"unknown op {op!r} in {action}")
        if INTERRUPTED.is_set():
            raise DriverError("driver interrupted by a signal")
        with self.office.watchdog(f"action {json.dumps(action, ensure_ascii=False)}"):
            result = handler(action)
        return {**action, **result}

    def _cell(self, action: dict[str, Any]) -> tuple[Any, Any]:
        sheet = sheet_by_name(self.doc, action.get("sheet"))
        try:
            return sheet, sheet.getCellRangeByName(str(action["cell"]))
        except KeyError as exc:
            raise DriverError(f"missing 'cell' in {action}") from exc
        except Exception as exc:
            raise DriverError(f"bad cell {action.get('cell')!r} in {action}") from exc

    def op_type(self, action: dict[str, Any]) -> dict[str, Any]:
        """Select the cell and enter text through the dispatcher, like keyboard input."""
        sheet, cell = self._cell(action)
        text = action.get("text")
        if not isinstance(text, str):
            raise DriverError(f"'text' must be a string in {action}")
        before = snapshot(cell)
        controller = self.doc.getCurrentController()
        controller.setActiveSheet(sheet)
        frame = controller.getFrame()
        dispatch = self.office.dispatcher.executeDispatch
        dispatch(frame, ".uno:GoToCell", "", 0, (prop("ToPoint", str(action["cell"])),))
        selected = _selected_address(controller)
        wanted = cell.getCellAddress()
        on_target = selected == (wanted.Sheet, wanted.Column, wanted.Row)
        messages: list[str] = []
        if on_target:
            dispatch(frame, ".uno:EnterString", "", 0, (prop("StringName", text),))
            if snapshot(cell) == before:  # only a refused edit leaves an alert behind
                messages = self.office.take_alerts()
        after = snapshot(cell)
        return {
            "selected": on_target,
            "changed": before != after,
            "message": "; ".join(messages) or None,
            "before": before,
            "after": after,
        }

    def op_set(self, action: dict[str, Any]) -> dict[str, Any]:
        """setValue/setString: the API ignores sheet protection (tampered fixtures)."""
        _, cell = self._cell(action)
        value = action.get("value")
        before = snapshot(cell)
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise DriverError(f"'value' must be a number or string in {action}")
        if isinstance(value, str):
            cell.setString(value)
        else:
            cell.setValue(float(value))
        after = snapshot(cell)
        return {"changed": before != after, "before": before, "after": after}

    def op_formula(self, action: dict[str, Any]) -> dict[str, Any]:
        """setFormula (English function names): ignores sheet protection."""
        _, cell = self._cell(action)
        formula = action.get("formula")
        if not isinstance(formula, str):
            raise DriverError(f"'formula' must be a string in {action}")
        before = snapshot(cell)
        cell.setFormula(formula)
        after = snapshot(cell)
        return {"changed": before != after, "before": before, "after": after}

    def op_unprotect(self, action: dict[str, Any]) -> dict[str, Any]:
        sheet = sheet_by_name(self.doc, action.get("sheet"))
        was = sheet.isProtected()
        try:
            sheet.unprotect(str(action.get("password", "")))
        except Exception as exc:  # IllegalArgumentException on a wrong password
            raise DriverError(f"cannot unprotect {action.get('sheet')!r}: wrong password?") from exc
        return {"changed": was != sheet.isProtected(), "protected": sheet.isProtected()}

    def op_protect(self, action: dict[str, Any]) -> dict[str, Any]:
        sheet = sheet_by_name(self.doc, action.get("sheet"))
        was = sheet.isProtected()
        sheet.protect(str(action.get("password", "")))
        return {"changed": was != sheet.isProtected(), "protected": sheet.isProtected()}

    def op_unprotect_structure(self, action: dict[str, Any]) -> dict[str, Any]:
        was = self.doc.isProtected()
        try:
            self.doc.unprotect(str(action.get("password", "")))
        except Exception as exc:  # IllegalArgumentException on a wrong password
            raise DriverError("cannot unprotect the workbook structure: wrong password?") from exc
        return {"changed": was != self.doc.isProtected(), "protected": self.doc.isProtected()}

    def op_protect_structure(self, action: dict[str, Any]) -> dict[str, Any]:
        was = self.doc.isProtected()
        self.doc.protect(str(action.get("password", "")))
        return {"changed": was != self.doc.isProtected(), "protected": self.doc.isProtected()}

    def op_rename(self, action: dict[str, Any]) -> dict[str, Any]:
        """setName, as renaming the tab does: LibreOffice rewrites formulas and names that point to it.

        A locked structure refuses it (the name stays); that is reported, not raised.
        """
        sheet = sheet_by_name(self.doc, action.get("sheet"))
        name = action.get("name")
        if not isinstance(name, str) or not name:
            raise DriverError(f"'name' must be a non-empty string in {action}")
        before = sheet.getName()
        error = None
        try:
            sheet.setName(name)
        except Exception as exc:  # noqa: BLE001 - a refused rename is a result
            error = f"{type(exc).__name__}: {exc}"
        return {"changed": sheet.getName() != before, "name": sheet.getName(), "error": error}

    def _rows(self, action: dict[str, Any], insert: bool) -> dict[str, Any]:
        sheet = sheet_by_name(self.doc, action.get("sheet"))
        row, count = action.get("row"), action.get("count", 1)
        if not isinstance(row, int) or not isinstance(count, int) or row < 1 or count < 1:
            raise DriverError(f"'row' and 'count' must be positive integers in {action}")
        before = used_formulas(sheet, count)
        rows = sheet.getRows()
        if insert:
            rows.insertByIndex(row - 1, count)
        else:
            rows.removeByIndex(row - 1, count)
        return {"changed": before != used_formulas(sheet, count)}

    def op_insert_rows(self, action: dict[str, Any]) -> dict[str, Any]:
        return self._rows(action, insert=True)

    def op_delete_rows(self, action: dict[str, Any]) -> dict[str, Any]:
        return self._rows(action, insert=False)

    def op_calculate(self, action: dict[str, Any]) -> dict[str, Any]:
        self.doc.calculateAll()
        return {"changed": True}


def _selected_address(controller: Any) -> tuple[int, int, int] | None:
    """Sheet, column, row of the cell cursor (None if the selection is not one cell).

    Going to a merged cell selects its whole merged range: that counts as its top-left cell.
    """
    selection = controller.getSelection()
    try:
        address = selection.getCellAddress()
    except AttributeError:
        try:
            cursor = selection.getSpreadsheet().createCursorByRange(selection)
            cursor.collapseToMergedArea()
            area = selection.getRangeAddress()
            merged = cursor.getRangeAddress()
        except AttributeError:
            return None
        if (area.StartColumn, area.StartRow, area.EndColumn, area.EndRow) != (
                merged.StartColumn, merged.StartRow, merged.EndColumn, merged.EndRow):
            return None
        return (area.Sheet, area.StartColumn, area.StartRow)
    return (address.Sheet, address.Column, address.Row)


def load_actions(path: Path) -> list[dict[str, Any]]:
    actions = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
        raise DriverError(f"{path} must hold a JSON list of objects")
    return actions


def run(
    input_path: Path,
    output_path: Path,
    actions: list[dict[str, Any]],
    results: list[dict[str, Any]],
) -> dict[str, Any]:
    """Load a private copy of INPUT, apply the actions, store OUTPUT as xlsx.

    ``results`` collects per-action results as they complete, to report partial work.
    """
    input_path = input_path.resolve()
    output_path = output_path.resolve()
    if not input_path.is_file():
        raise DriverError(f"input {input_path} does not exist")
    if input_path == output_path:
        raise DriverError("OUTPUT must differ from INPUT: the input is never overwritten")
    with tempfile.TemporaryDirectory(prefix="perfxl-uno-") as scratch_name:
        scratch = Path(scratch_name)
        # A private copy: LibreOffice leaves lock files next to what it opens.
        work = scratch / f"input{input_path.suffix}"
        shutil.copyfile(input_path, work)
        office = Office(scratch)
        OFFICES.append(office)
        try:
            office.start()
            with office.watchdog("loading the input"):
                doc = office.desktop.loadComponentFromURL(
                    uno.systemPathToFileUrl(str(work)), "_blank", 0, (prop("Hidden", True),)
                )
            if doc is None or not doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
                raise DriverError(f"LibreOffice could not open {input_path} as a spreadsheet")
            session = Session(office, doc)
            for action in actions:
                results.append(session.apply(action))
            stored = scratch / f"output{output_path.suffix or '.xlsx'}"
            # Storing while a cell with a validation input prompt is selected (its help
            # window open) crashed soffice 7.4 in 5 of 5 runs; select A1 of the first sheet.
            controller = doc.getCurrentController()
            controller.setActiveSheet(doc.getSheets().getByIndex(0))
            office.dispatcher.executeDispatch(controller.getFrame(), ".uno:GoToCell", "", 0, (prop("ToPoint", "A1"),))
            with office.watchdog("storing the output"):
                doc.storeToURL(
                    uno.systemPathToFileUrl(str(stored)),
                    (prop("FilterName", XLSX_FILTER), prop("Overwrite", True)),
                )
                doc.close(True)
            if not stored.is_file():
                raise DriverError("LibreOffice stored no output")
            output_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(stored), output_path)
        finally:
            office.stop()
    return {"ok": True, "input": str(input_path), "output": str(output_path), "actions": results}


OFFICES: list[Office] = []


def _unblock_stop_signals() -> None:
    """In soffice's child: undo the signal mask it would inherit from the driver."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _stop_on_signals() -> None:
    """On SIGTERM/SIGINT kill soffice from a thread: the main thread may be stuck in UNO."""

    def wait() -> None:
        signal.sigwait(STOP_SIGNALS)
        INTERRUPTED.set()
        for office in OFFICES:
            office.timed_out = "driver interrupted by a signal: soffice killed"
            office.kill()

    threading.Thread(target=wait, daemon=True).start()


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(f"usage: {argv[0]} INPUT.xlsx OUTPUT.xlsx ACTIONS.json", file=sys.stderr)
        return 2
    _stop_on_signals()
    results: list[dict[str, Any]] = []
    try:
        result = run(Path(argv[1]), Path(argv[2]), load_actions(Path(argv[3])), results)
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        cause = exc.__cause__
        if cause is not None:
            message += f" (caused by {type(cause).__name__}: {cause})"
        print(json.dumps({"ok": False, "error": message, "actions": results}, ensure_ascii=False))
        print(f"uno_driver failed: {message}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
