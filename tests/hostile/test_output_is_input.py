"""An output that is an input is refused, with or without --force (issue 9, item 5).

--force replaces an earlier output; it must never replace a returned file, a file skipped
in a checked folder, or the roster, however the output is spelled (a file found in a
folder, a symlink, a hard link). perfxl.atomic.Inputs is the one check, shared with
--annotate's plan and generate.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfxl.atomic import Inputs
from perfxl.cli import cli
from perfxl.generate import department_workbook
from perfxl.roster import read_roster
from perfxl.scheme import load_scheme

ROOT = Path(__file__).resolve().parents[2]
ROSTER = ROOT / "examples" / "roster.xlsx"
NAME = "2025_101001_怀来县行政审批局_绩效自评表.xlsx"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--lang", "zh"], catch_exceptions=False)
    return result.exit_code, result.output


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture()
def batch(tmp_path: Path) -> Path:
    """A returned folder: a workbook in a subfolder and a note the department added."""
    folder = tmp_path / "回收"
    (folder / "县局").mkdir(parents=True)
    dept = read_roster([ROSTER]).departments[0]
    (folder / "县局" / NAME).write_bytes(department_workbook(dept, 2025, load_scheme("national"), date(2026, 1, 5)))
    (folder / "情况说明.pdf").write_bytes(b"%PDF-1.4 a note\n")
    shutil.copy(ROSTER, tmp_path / "roster.xlsx")
    return folder


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize("option", ["-o", "--summary"])
def test_an_input_found_in_a_folder_is_never_an_output(batch: Path, option: str, force: bool) -> None:
    before = _digest(batch.parent)
    target = batch / "县局" / NAME
    code, output = _run("validate", str(batch), "--year", "2025", option, str(target), *(["--force"] * force))
    assert code == 2 and "Traceback" not in output
    assert f"{option} {target} 是本次要读取的文件" in output and "加 --force 也不会" in output
    assert _digest(batch.parent) == before


def test_a_file_named_on_the_command_line_a_skipped_file_and_the_roster(batch: Path) -> None:
    before = _digest(batch.parent)
    book, note, roster = batch / "县局" / NAME, batch / "情况说明.pdf", batch.parent / "roster.xlsx"
    for args in (("validate", str(book), "-o", str(book), "--format", "json"),
                 ("validate", str(batch), "-o", str(note)),
                 ("validate", str(batch), "--roster", str(roster), "-o", str(roster)),
                 ("validate", str(batch), "--roster", str(batch.parent), "--summary", str(roster))):
        code, output = _run(*args, "--year", "2025", "--force")
        assert code == 2 and "是本次要读取的文件" in output, (args, output)
    assert _digest(batch.parent) == before


def test_other_spellings_of_an_input_are_refused(batch: Path, tmp_path: Path) -> None:
    book = batch / "县局" / NAME
    (tmp_path / "via").symlink_to(batch / "县局")  # a linked folder: the same entry
    before = _digest(batch.parent)
    for target in (batch / "县局" / ".." / "县局" / NAME, tmp_path / "via" / NAME):
        code, output = _run("validate", str(batch), "--year", "2025", "-o", str(target), "--force")
        assert code == 2 and "是本次要读取的文件" in output, (target, output)
    assert _digest(batch.parent) == before
    assert tmp_path / "via" / NAME in Inputs([book]) and tmp_path / "other.json" not in Inputs([book])


def test_a_link_elsewhere_is_replaced_and_the_input_kept(batch: Path, tmp_path: Path) -> None:
    """Replacing a symlink or a hard link replaces that entry only: allowed with --force, the input unchanged."""
    book = batch / "县局" / NAME
    os.link(book, tmp_path / "hard.json")
    (tmp_path / "soft.json").symlink_to(book)
    before = _digest(batch)
    for target in (tmp_path / "hard.json", tmp_path / "soft.json"):
        code, output = _run("validate", str(batch), "--year", "2025", "-o", str(target), "--force")
        assert code == 1, output
        assert not target.is_symlink() and target.read_text(encoding="utf-8").startswith("{")
    assert _digest(batch) == before


def test_the_file_behind_an_input_link_is_an_input(batch: Path, tmp_path: Path) -> None:
    book = batch / "县局" / NAME
    (tmp_path / "link.xlsx").symlink_to(book)
    before = _digest(batch)
    code, output = _run("validate", str(tmp_path / "link.xlsx"), "--year", "2025", "-o", str(book), "--format",
                        "json", "--force")
    assert code == 2 and "是本次要读取的文件" in output
    assert _digest(batch) == before


def test_a_new_workbook_named_report_in_a_checked_folder_is_refused(batch: Path) -> None:
    code, output = _run("validate", str(batch), "--year", "2025", "-o", str(batch / "报告.xlsx"))
    assert code == 2 and "在被校验的文件夹" in output and not (batch / "报告.xlsx").exists()
    code, output = _run("validate", str(batch), "--year", "2025", "-o", str(batch / "报告.json"))
    assert code == 1 and (batch / "报告.json").exists()  # a JSON report there is never taken for a workbook


def test_generate_never_replaces_its_roster(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    roster = out / NAME  # the roster kept under the name of a workbook it makes
    shutil.copy(ROSTER, roster)
    before = roster.read_bytes()
    code, output = _run("generate", "--roster", str(roster), "--year", "2025", "--out", str(out), "--force")
    assert code == 2 and "是本次读取的文件" in output
    assert roster.read_bytes() == before and os.listdir(out) == [NAME]
