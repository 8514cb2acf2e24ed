"""`pip install .` ships every package and every template: pyproject's explicit lists keep up
with the source tree (a package missing there imports in the checkout and fails when installed)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_package_is_listed() -> None:
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "perfxl").rglob("__init__.py")}
    assert found <= set(CONFIG["packages"]), sorted(found - set(CONFIG["packages"]))


def test_every_template_ships() -> None:
    templates = ROOT / CONFIG["package-dir"]["perfxl._templates"]
    globs = CONFIG["package-data"]["perfxl._templates"]
    files = [p.relative_to(templates).as_posix() for p in templates.rglob("*") if p.is_file()]
    assert "reports/self-evaluation-report.md.j2" in files
    assert [f for f in files if not any(fnmatch.fnmatch(f, g) for g in globs)] == []
