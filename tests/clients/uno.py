"""Run ``uno_driver.py`` from any Python.

``python3-uno`` imports only under Debian's ``/usr/bin/python3``, not the project's
interpreter, so the driver runs as a separate process; this module wraps that call.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .libreoffice import soffice_path

__all__ = ["UNO_PYTHON", "DRIVER", "UnoError", "UnoUnavailableError", "uno_available", "run_uno"]

UNO_PYTHON = "/usr/bin/python3"
DRIVER = Path(__file__).resolve().parent / "uno_driver.py"
INSTALL_HINT = "install libreoffice-calc-nogui python3-uno"


class UnoError(RuntimeError):
    """The driver failed; carries its JSON result (``ok`` false, partial ``actions``)."""

    def __init__(self, message: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.result = result or {}


class UnoUnavailableError(UnoError):
    """soffice or Debian's python3 with the uno module is missing."""


@functools.cache
def _uno_problem() -> str | None:
    """Why the driver cannot run here, or None when it can (checked once)."""
    if soffice_path() is None:
        return f"LibreOffice (soffice) not found: {INSTALL_HINT}"
    if not os.access(UNO_PYTHON, os.X_OK):
        return f"{UNO_PYTHON} not found: {INSTALL_HINT}"
    probe = subprocess.run(
        [UNO_PYTHON, "-c", "import uno"], capture_output=True, text=True, timeout=30
    )
    if probe.returncode != 0:
        return f"{UNO_PYTHON} cannot import uno: {INSTALL_HINT} ({probe.stderr.strip()[-200:]})"
    return None


def uno_available() -> bool:
    """True when soffice and a Python with the uno module are installed."""
    return _uno_problem() is None


def run_uno(
    input: Path, output: Path, actions: list[dict[str, Any]], timeout: float = 120
) -> dict[str, Any]:
    """Apply ``actions`` to ``input`` in LibreOffice and save the result as ``output``.

    Returns the driver's JSON result: ``{"ok": True, "output": ..., "actions": [...]}``,
    one entry per action with ``changed`` (and ``message`` for refused typing).
    Raises UnoUnavailableError when LibreOffice/python3-uno is missing, UnoError on failure.
    """
    problem = _uno_problem()
    if problem is not None:
        raise UnoUnavailableError(problem)
    with tempfile.TemporaryDirectory(prefix="perfxl-actions-") as tmp:
        actions_file = Path(tmp) / "actions.json"
        actions_file.write_text(json.dumps(actions, ensure_ascii=False), encoding="utf-8")
        proc = subprocess.Popen(
            [UNO_PYTHON, str(DRIVER), str(input), str(output), str(actions_file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            start_new_session=True,
        )
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # SIGTERM lets the driver stop its own soffice; SIGKILL if it does not.
            proc.send_signal(signal.SIGTERM)
            try:
                proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
            raise UnoError(f"uno_driver did not finish within {timeout:g} s on {input}") from None
    try:
        result: dict[str, Any] = json.loads(stdout)
    except json.JSONDecodeError:
        raise UnoError(
            f"uno_driver exited {proc.returncode} without a JSON result on {input}:\n"
            f"{stderr.strip()[-2000:]}"
        ) from None
    if proc.returncode != 0 or not result.get("ok"):
        raise UnoError(f"uno_driver failed on {input}: {result.get('error')}", result)
    return result


def typed_text(value: object) -> str:
    """What a user types for a value: dates as ISO, whole numbers without '.0'."""
    if isinstance(value, (date, datetime)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
