"""`perfxl generate` and `perfxl schemes` as a user runs them."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from perfxl.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ROSTER = ROOT / "examples" / "roster.xlsx"


def run(*args: str, lang: str | None = None):
    runner = CliRunner()
    argv = list(args) + (["--lang", lang] if lang else [])
    return runner.invoke(cli, argv, catch_exceptions=False)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_generate_from_roster(tmp_path: Path) -> None:
    result = run("generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(tmp_path), "--date", "2026-01-05")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 5
    assert "2025_101003_承德高新技术产业开发区行政审批局_绩效自评表.xlsx" in files
    assert "已生成 5 个工作簿（共 20 个项目）" in result.output
    wb = openpyxl.load_workbook(tmp_path / files[2])
    assert "项目7" in wb.sheetnames
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_generate_from_csv_pair_matches_xlsx(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    run("generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(a), "--date", "2026-01-05")
    csv = ROOT / "examples" / "roster_csv"
    result = run("generate", "--roster", str(csv / "项目.csv"), "--roster", str(csv / "部门.csv"), "--year", "2025",
                 "--out", str(b), "--date", "2026-01-05")
    assert result.exit_code == 0, result.output
    assert digest(a) == digest(b)  # same roster, year and date: byte-identical files


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    run("generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(tmp_path), "--date", "2026-01-05")
    before = digest(tmp_path)
    result = run("generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(tmp_path), "--date", "2026-02-01")
    assert result.exit_code == 2
    assert "文件已存在" in result.output and "--force" in result.output
    assert digest(tmp_path) == before
    forced = run("generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(tmp_path), "--date",
                 "2026-02-01", "--force")
    assert forced.exit_code == 0
    assert digest(tmp_path) != before and set(digest(tmp_path)) == set(before)


def test_refuses_if_any_target_exists_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "2025_101002_隆回县行政审批服务局_绩效自评表.xlsx").write_bytes(b"mine")
    result = run("generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(tmp_path), lang="en")
    assert result.exit_code == 2
    assert "File exists" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["2025_101002_隆回县行政审批服务局_绩效自评表.xlsx"]


def test_bad_roster_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("部门编码,部门名称,基本支出年初预算数\n101,局,12元\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("generate", "--roster", str(bad), "--year", "2025", "--out", str(out))
    assert result.exit_code == 2
    assert "bad.csv" in result.output
    assert not out.exists()


def test_blank_workbook(tmp_path: Path) -> None:
    target = tmp_path / "空白.xlsx"
    result = run("generate", "--blank", "--projects", "3", "--year", "2025", "-o", str(target))
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(target)
    assert [n for n in wb.sheetnames if n[2:].isdigit()] == ["项目1", "项目2", "项目3"]
    assert run("generate", "--blank", "--projects", "3", "--year", "2025", "-o", str(target)).exit_code == 2


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("generate", "--year", "2025", "--out", str(tmp_path)).exit_code == 2
    assert run("generate", "--roster", str(ROSTER), "--year", "1999", "--out", str(tmp_path)).exit_code == 2
    assert run("generate", "--roster", str(ROSTER), "--blank", "--year", "2025", "-o", str(tmp_path / "x.xlsx")
               ).exit_code == 2
    result = run("generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(tmp_path), "--scheme", "nope")
    assert result.exit_code == 2 and "national" in result.output
    result = run("generate", "--blank", "--year", "2025", "-o", str(tmp_path / "b.xlsx"))
    assert result.exit_code == 2 and "--projects" in result.output


def test_other_scheme_changes_the_workbook(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    run("generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(a), "--date", "2026-01-05")
    run("generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(b), "--date", "2026-01-05",
        "--scheme", "province-example")
    name = "2025_101004_衡山县行政审批服务局_绩效自评表.xlsx"
    wa, wb = openpyxl.load_workbook(a / name), openpyxl.load_workbook(b / name)
    assert any("（50分）" in str(c.value) for row in wa["项目1"].iter_rows() for c in row)
    assert any("（40分）" in str(c.value) for row in wb["项目1"].iter_rows() for c in row)


def test_scheme_found_by_file_name_or_its_own_name(tmp_path: Path) -> None:
    for scheme in ("province-example", "province-example.toml"):
        out = tmp_path / scheme
        assert run("generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(out), "--scheme",
                   scheme).exit_code == 0
    custom = tmp_path / "我省方案.toml"
    text = (ROOT / "templates" / "schemes" / "national.toml").read_text(encoding="utf-8")
    custom.write_text(text.replace('name = "national"', 'name = "my-province"'), encoding="utf-8")
    assert run("generate", "--roster", str(ROSTER), "--year", "2025", "--out", str(tmp_path / "c"), "--scheme",
               str(custom)).exit_code == 0


def test_schemes_lists_both(tmp_path: Path) -> None:
    result = run("schemes")
    assert result.exit_code == 0
    assert "national" in result.output and "province-example" in result.output and "优≥90" in result.output
    assert "weights" in run("schemes", lang="en").output


@pytest.mark.parametrize("command", [[], ["generate"], ["schemes"]])
def test_help_has_examples(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "示例" in result.output and "Example" in result.output


def test_help_does_not_import_heavy_libraries() -> None:
    code = ("import sys; from perfxl.cli import cli; "
            "print(sorted(m for m in ('openpyxl', 'xlsxwriter', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_console_script_shows_errors_without_traceback(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "perfxl", "generate", "--roster", str(tmp_path / "none.xlsx"),
                           "--year", "2025", "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.strip()


def test_blank_project_count_stops_where_the_validator_does() -> None:
    """One home for the project limit (perfxl.limits): a blank workbook the validator would refuse is not made."""
    from click.testing import CliRunner

    from perfxl.cli import cli
    from perfxl.limits import MAX_PROJECTS

    result = CliRunner().invoke(cli, ["generate", "--blank", "--projects", str(MAX_PROJECTS + 1), "--year", "2025",
                                      "-o", "x.xlsx"])
    assert result.exit_code == 2 and str(MAX_PROJECTS) in result.output
