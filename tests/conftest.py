"""Shared pytest wiring: the ``libreoffice`` marker and its scratch folder.

Formulas are only proven by a real recalculation, so LibreOffice tests must never
vanish quietly: they are skipped loudly without soffice, and fail in CI (``CI`` set).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

_HINT = "install libreoffice-calc-nogui libreoffice-writer-nogui python3-uno"
_skipped: list[str] = []


def _reason(count: int) -> str:
    return f"LibreOffice (soffice) not found: {count} LibreOffice tests SKIPPED — {_HINT}"


def _soffice_missing() -> bool:
    return not (shutil.which("soffice") or shutil.which("libreoffice"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without soffice, skip the marked tests loudly (outside CI)."""
    if os.environ.get("CI") or not _soffice_missing():
        return
    marked = [item for item in items if item.get_closest_marker("libreoffice")]
    for item in marked:
        item.add_marker(pytest.mark.skip(reason=_reason(len(marked))))
        _skipped.append(item.nodeid)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """In CI a LibreOffice test must run: fail it rather than skip it."""
    if item.get_closest_marker("libreoffice") and os.environ.get("CI") and _soffice_missing():
        pytest.fail(f"CI is set but LibreOffice (soffice) is not on PATH: {_HINT}", pytrace=False)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped:
        terminalreporter.write_line(_reason(len(_skipped)), red=True, bold=True)


@pytest.fixture(scope="session")
def lo_scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for LibreOffice profiles, HOME and TMPDIR, shared by the session."""
    return tmp_path_factory.mktemp("libreoffice")
