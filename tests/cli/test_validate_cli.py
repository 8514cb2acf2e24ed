"""`perfxl validate` as a user runs it: exit codes, options, outputs and a safe terminal."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfxl.cli import cli
from perfxl.generate import blank_workbook, department_workbook
from perfxl.i18n import Message
from perfxl.layout.workbook import build_layout
from perfxl.report.text import clean, render_text
from perfxl.roster import read_roster
from perfxl.samples import realistic_inputs
from perfxl.scheme import load_scheme
from perfxl.validator.model import FileResult, Finding, Report
from perfxl.writer.issue import department_values

ROOT = Path(__file__).resolve().parents[2]
ROSTER = ROOT / "examples" / "roster.xlsx"
GENERATED = date(2026, 1, 5)
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
HOSTILE_NAME = "坏\x1b[31m部门\x07"


def run(*args: str, lang: str | None = None):
    return CliRunner().invoke(cli, list(args) + (["--lang", lang] if lang else []), catch_exceptions=False)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """clean and warning (income below spending: D04 only) of 101002; errors: 101004 with nothing typed (V01 …)."""
    folder = tmp_path_factory.mktemp("books")
    scheme = load_scheme("national")
    roster = read_roster([ROSTER])
    dept, other = (next(d for d in roster.departments if d.code == code) for code in ("101002", "101004"))
    layout = build_layout(scheme, len(dept.projects), goals_issued=tuple(bool(p.goal) for p in dept.projects))
    inputs = realistic_inputs(layout, scheme, 7, budgets=department_values(layout, dept, 2025, scheme, GENERATED))
    made = {
        "clean": department_workbook(dept, 2025, scheme, GENERATED, inputs=inputs),
        "warning": department_workbook(dept, 2025, scheme, GENERATED,
                                       inputs={**inputs, ("basic", "income.budget"): 0.0}),
        "errors": department_workbook(other, 2025, scheme, GENERATED),
    }
    paths = {}
    for name, data in made.items():
        (folder / name).mkdir()
        paths[name] = folder / name / f"{name}.xlsx"
        paths[name].write_bytes(data)
    return paths


def test_clean_file_passes(books: dict[str, Path]) -> None:
    result = run("validate", str(books["clean"]), "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "✓" in result.output and "隆回县行政审批服务局（101002）" in result.output and "通过" in result.output
    assert result.output.strip().splitlines()[-1] == "共 1 个文件：1 个通过，0 个未通过 · 0 个错误，0 个警告"


def test_errors_exit_1_with_cells(books: dict[str, Path]) -> None:
    result = run("validate", str(books["errors"]), "--year", "2025")
    assert result.exit_code == 1
    assert "未通过" in result.output
    assert "  V01 错误 基础数据表!C3 编制人数 — 必填项“编制人数”为空。" in result.output.splitlines()


def test_english(books: dict[str, Path]) -> None:
    result = run("validate", str(books["errors"]), str(books["clean"]), "--year", "2025", lang="en")
    assert result.exit_code == 1
    assert "Required input '编制人数' is blank." in result.output
    assert re.search(r"^2 files: 1 passed, 1 failed · \d+ errors, 0 warnings$", result.output, re.M), result.output


def test_wrong_year_is_an_error(books: dict[str, Path]) -> None:
    result = run("validate", str(books["clean"]), "--year", "2024")
    assert result.exit_code == 1 and "F08" in result.output


def test_warnings_pass_unless_strict(books: dict[str, Path]) -> None:
    relaxed = run("validate", str(books["warning"]), "--year", "2025")
    assert relaxed.exit_code == 0, relaxed.output
    assert "D04 警告" in relaxed.output and "1 个警告" in relaxed.output
    strict = run("validate", str(books["warning"]), "--year", "2025", "--strict")
    assert strict.exit_code == 1
    assert "0 个通过，1 个未通过" in strict.output


def test_select_and_ignore(books: dict[str, Path]) -> None:
    errors = str(books["errors"])
    assert run("validate", errors, "--select", "F,S").exit_code == 0
    assert run("validate", errors, "--ignore", "V,B06,I10").exit_code == 0
    only_b = run("validate", errors, "--select", "b0,I01", "--select", "T")
    assert only_b.exit_code == 1
    codes = set(re.findall(r"^  ([A-Z]\d\d) ", only_b.output, re.M))
    assert codes == {"B06"}, codes
    assert run("validate", str(books["warning"]), "--strict", "--ignore", "D04").exit_code == 0


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_codes_are_usage_errors(books: dict[str, Path], option: str) -> None:
    result = run("validate", str(books["clean"]), option, "B,X42")
    assert result.exit_code == 2
    assert "X42" in result.output and "perfxl rules" in result.output
    assert run("validate", str(books["clean"]), option, "Q", lang="en").exit_code == 2


def test_missing_path_exits_2(books: dict[str, Path], tmp_path: Path) -> None:
    result = run("validate", str(books["clean"]), str(tmp_path / "无此文件夹"))
    assert result.exit_code == 2
    assert "找不到文件或文件夹" in result.output and "无此文件夹" in result.output
    assert run("validate").exit_code == 2


def test_empty_folder_exits_2(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("备注", encoding="utf-8")
    result = run("validate", str(tmp_path))
    assert result.exit_code == 2
    assert "没有找到要校验的工作簿" in result.output


def test_lock_files_and_other_files_are_skipped(books: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_bytes(books["clean"].read_bytes())
    (tmp_path / "~$a.xlsx").write_bytes(b"\x00owner")
    (tmp_path / "notes.txt").write_text("备注", encoding="utf-8")
    result = run("validate", str(tmp_path), "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "已跳过 2 个文件：" in result.output
    assert "~$a.xlsx — Excel/WPS 的临时锁文件，已跳过" in result.output
    assert "notes.txt — 不是工作簿文件，已跳过" in result.output
    assert "共 1 个文件：1 个通过，0 个未通过" in result.output


def test_roster_adds_not_returned(books: dict[str, Path]) -> None:
    result = run("validate", str(books["clean"]), "--roster", str(ROSTER), "--year", "2025")
    assert result.exit_code == 0, result.output  # R04 warns about the batch; the file passes
    assert "本批检查：" in result.output and result.output.count("R04 警告") == 4
    bad = run("validate", str(books["clean"]), "--roster", str(books["clean"].parent / "none.xlsx"))
    assert bad.exit_code == 2 and "none.xlsx" in bad.output


def test_json_report(books: dict[str, Path]) -> None:
    result = run("validate", str(books["clean"]), str(books["errors"]), "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["schema"] == "perfxl-report/2"
    assert doc["summary"]["files"] == 2 and doc["summary"]["failed"] == 1
    failed = next(f for f in doc["files"] if not f["valid"])
    assert failed["path"] == str(books["errors"]) and any(f["code"] == "V01" for f in failed["findings"])


def test_out_refuses_to_overwrite_without_force(books: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    first = run("validate", str(books["clean"]), "-o", str(target))
    assert first.exit_code == 0, first.output
    assert json.loads(target.read_text(encoding="utf-8"))["schema"] == "perfxl-report/2"  # format from the suffix
    assert "报告已写入" in first.output
    target.write_text("mine", encoding="utf-8")
    again = run("validate", str(books["errors"]), "-o", str(target))
    assert again.exit_code == 2
    assert "文件已存在" in again.output and "--force" in again.output
    assert target.read_text(encoding="utf-8") == "mine"
    forced = run("validate", str(books["errors"]), "-o", str(target), "--format", "text", "--force")
    assert forced.exit_code == 1
    assert "V01 错误" in target.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert run("validate", str(books["clean"]), "-o", str(tmp_path)).exit_code == 2  # a folder


def test_html_report(books: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "报告.html"
    result = run("validate", str(books["errors"]), "-o", str(target))
    assert result.exit_code == 1
    html = target.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "V01" in html


def test_annotate(books: dict[str, Path], tmp_path: Path) -> None:
    returned = books["errors"].read_bytes()
    out = tmp_path / "退回"
    result = run("validate", str(books["errors"]), str(books["clean"]), "--annotate", str(out))
    assert result.exit_code == 1
    assert "批注副本" in result.stderr
    copies = list(out.iterdir())
    assert copies and all(p.suffix == ".xlsx" for p in copies)
    assert books["errors"].read_bytes() == returned  # the returned file is never modified


def test_summary_workbook(books: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "汇总"
    args = ("validate", str(books["clean"]), str(books["errors"]), "--roster", str(ROSTER), "--summary", str(target))
    result = run(*args)
    assert result.exit_code == 1
    written = tmp_path / "汇总.xlsx"
    assert "汇总表已写入" in result.stderr and written.read_bytes()[:2] == b"PK"
    before = written.read_bytes()
    again = run(*args)
    assert again.exit_code == 2 and "--force" in again.output
    assert written.read_bytes() == before
    assert run(*args, "--force").exit_code == 1


def test_outputs_inside_the_checked_folder_are_refused(books: dict[str, Path]) -> None:
    folder = books["clean"].parent
    result = run("validate", str(folder), "--annotate", str(folder / "退回"))
    assert result.exit_code == 2 and "--annotate" in result.output
    assert not (folder / "退回").exists()


def test_text_is_plain_when_piped(books: dict[str, Path]) -> None:
    result = run("validate", str(books["errors"]), str(books["warning"]), "--year", "2025")
    assert "\x1b" not in result.output
    proc = subprocess.run([sys.executable, "-m", "perfxl", "validate", str(books["warning"])], capture_output=True,
                          text=True, encoding="utf-8")
    assert proc.returncode == 0 and "\x1b" not in proc.stdout and "D04" in proc.stdout


def test_colour_only_when_asked() -> None:
    report = _report_with(FileResult("a.xlsx", [Finding("V01", Message("rule.V01", {"label": "填报人"}), "项目1", "C50",
                                                         "填报人")], "101", "局"))
    coloured = render_text(report, color=True)
    assert "\x1b[31m" in coloured and "\x1b[32m" not in coloured.splitlines()[0]
    assert "\x1b" not in render_text(report)


def test_control_characters_from_a_department_name_are_stripped(tmp_path: Path) -> None:
    scheme = load_scheme("national")
    hostile = tmp_path / "hostile.xlsx"
    hostile.write_bytes(blank_workbook(1, 2025, scheme, GENERATED, inputs={("dept", "name"): HOSTILE_NAME}))
    c1 = tmp_path / "c1.xlsx"  # C1 controls are legal XML, so these reach the reader as they are
    c1.write_bytes(blank_workbook(1, 2025, scheme, GENERATED, inputs={("dept", "name"): "坏\x9b31m部门\u202e"}))
    for lang in ("zh", "en"):
        result = run("validate", str(hostile), str(c1), "--year", "2025", lang=lang)
        assert result.exit_code == 1
        assert not CONTROL.search(result.output), repr(result.output[:300])
        assert "\u202e" not in result.output
        assert f"{c1}  坏部门  " in result.output


def test_render_text_cleans_every_piece_from_a_file() -> None:
    evil = "\x1b]0;title\x07\x1b[2J\x9b1m"
    finding = Finding("V02", Message("rule.V02.unknown", {"actual": f"98{evil}分\n伪造的一行"}), f"项目1{evil}", "C5",
                      f"标签{evil}")
    result = FileResult(f"dir/a{evil}.xlsx", [finding], f"1{evil}01", f"部门{evil}\n✓ 假的通过")
    report = _report_with(result)
    report.skipped = [(f"~$x{evil}.xlsx", "lock")]
    out = render_text(report)
    assert not CONTROL.search(out.replace("\n", "")), repr(out)
    assert "dir/a.xlsx  部门 ✓ 假的通过（101）" in out
    assert "V02 错误 项目1!C5 标签 — 应为数字，表中为文字“98分\n      伪造的一行”。" in out
    assert all(line.startswith(("✗", "  ", "已跳过", "共")) or not line for line in out.splitlines())
    assert clean("a\tb\x00c\u2067d") == "a bcd"


def test_help_has_examples_and_defaults() -> None:
    result = run("validate", "--help")
    assert result.exit_code == 0
    assert "示例" in result.output and "Example" in result.output
    assert "--max-file-mb" in result.output and "default: 50.0" in result.output


def test_validate_help_does_not_import_heavy_libraries() -> None:
    code = ("import sys; from click.testing import CliRunner; from perfxl.cli import cli; "
            "r = CliRunner().invoke(cli, ['validate', '--help']); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('lxml', 'openpyxl', 'xlsxwriter', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_parallel_batch_matches_serial(books: dict[str, Path], tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"{i}.xlsx").write_bytes(books["errors"].read_bytes())
    serial = run("validate", str(tmp_path), "--format", "json", "--jobs", "1", "--ignore", "F09")
    parallel = run("validate", str(tmp_path), "--format", "json", "--jobs", "2", "--ignore", "F09")
    assert serial.exit_code == parallel.exit_code == 1
    assert json.loads(serial.stdout) == json.loads(parallel.stdout)


def test_guard_limits_are_options(books: dict[str, Path]) -> None:
    result = run("validate", str(books["clean"]), "--max-file-mb", "0.001")
    assert result.exit_code == 1 and "F05" in result.output
    assert run("validate", str(books["clean"]), "--max-ratio", "0").exit_code == 2


def _report_with(*files: FileResult) -> Report:
    return Report(list(files))
