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


def test_public_names_resolve_and_import_stays_light() -> None:
    """`perfxl.<name>` for every public name; `import perfxl` alone loads no file library."""
    import subprocess
    import sys

    code = ("import sys, perfxl\n"
            "heavy = [m for m in ('lxml', 'openpyxl', 'xlsxwriter', 'docx', 'jinja2') if m in sys.modules]\n"
            "assert not heavy, heavy\n"
            "missing = [n for n in perfxl.__all__ if not hasattr(perfxl, n)]\n"
            "assert not missing, missing\n"
            "assert callable(perfxl.validate) and perfxl.Round.__name__ == 'Round'\n")
    subprocess.run([sys.executable, "-c", code], check=True)
