"""Issued workbooks stay valid across perfxl upgrades (see freeze.py).

Files made by every released template version validate with the findings pinned for
them, and each version is still accepted (no F07).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfxl.layout.workbook import LAYOUT_VERSIONS, TEMPLATE_VERSION

from .freeze import HERE, findings

EXPECTED = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))


def test_every_released_version_has_frozen_files() -> None:
    versions = {key.split("/")[0] for key in EXPECTED}
    assert {f"v{v}" for v in LAYOUT_VERSIONS if v != TEMPLATE_VERSION} <= versions
    assert all(Path(HERE / key).is_file() for key in EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_frozen_file_keeps_its_findings(key: str) -> None:
    assert findings(HERE / key) == EXPECTED[key]
    assert "F07" not in [f[0] for f in EXPECTED[key]]
