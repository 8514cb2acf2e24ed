"""Shared pytest wiring: the ``libreoffice`` marker and its scratch folder.

Formulas are only proven by a real recalculation, so LibreOffice tests must never
vanish quietly: they are skipped loudly without soffice, and fail in CI (``CI`` set).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

_HINT = "install libreoffice-calc-nogui python3-uno"
_skipped: list[str] = []


def _reason(count: int) -> str:
    return f"LibreOffice (soffice) not found: {count} LibreOffice tests SKIPPED — {_HINT}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without soffice: skip marked tests, or make them fail when running in CI."""
    if shutil.which("soffice") or shutil.which("libreoffice"):
        return
    marked = [item for item in items if item.get_closest_marker("libreoffice")]
    reason = _reason(len(marked))
    for item in marked:
        if os.environ.get("CI"):
            item.add_marker(pytest.mark.usefixtures("_libreoffice_required_in_ci"))
        else:
            item.add_marker(pytest.mark.skip(reason=reason))
            _skipped.append(item.nodeid)


@pytest.fixture
def _libreoffice_required_in_ci() -> None:
    pytest.fail(f"CI is set but LibreOffice (soffice) is not on PATH: {_HINT}", pytrace=False)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped:
        terminalreporter.write_line(_reason(len(_skipped)), red=True, bold=True)


@pytest.fixture(scope="session")
def lo_scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for LibreOffice profiles, HOME and TMPDIR, shared by the session."""
    return tmp_path_factory.mktemp("libreoffice")
