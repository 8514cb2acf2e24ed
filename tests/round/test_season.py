"""A round as an office runs it, through the CLI: three waves of returned files — missing,
failing, fixed, an identical resubmission, one department that never passes."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfxl.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ROSTER = ROOT / "examples" / "roster.xlsx"
RETURNED = ROOT / "examples" / "returned"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def returned(code: str, suffix: str = "") -> Path:
    return next(p for p in RETURNED.glob(f"2025_{code}_*.xlsx") if p.stem.endswith("自评表" + suffix))


def _make_returned():  # noqa: ANN202 - the examples' builder, as a module
    spec = importlib.util.spec_from_file_location("make_returned", ROOT / "examples" / "make_returned.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def waves(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three inbox folders, as files come back over the weeks."""
    top = tmp_path_factory.mktemp("season")
    w1, w2, w3 = (top / f"wave{i}" for i in (1, 2, 3))
    for folder in (w1, w2, w3):
        folder.mkdir()
    shutil.copy(returned("101001"), w1)                       # passes
    shutil.copy(returned("101003"), w1)                       # fails: five errors
    shutil.copy(returned("101003", "（修改）"), w2)            # two fixed, three left (F09 gone: a resubmission)
    shutil.copy(returned("101004"), w2)                       # fails
    shutil.copy(returned("101002"), w2)                       # passes
    shutil.copy(returned("101001"), w2 / "怀来县_再发一次.xlsx")  # byte-identical to its first send
    mr = _make_returned()
    scheme = mr.load_scheme("national")
    dept = mr.read_roster([ROSTER]).department("101003")
    fixed = mr.render(mr.fill(dept, scheme, mr.Return("101003", 13)))
    (w3 / "2025_101003_承德高新技术产业开发区行政审批局_绩效自评表（第三次）.xlsx").write_bytes(fixed)
    shutil.copy(returned("101004"), w3)                       # sent again unchanged: still failing
    return {"top": top, "w1": w1, "w2": w2, "w3": w3}


def _status(folder: Path) -> dict:
    code, out = run("status", "--round", str(folder), "--format", "json", "--today", "2026-03-01")
    assert code == 0, out
    return json.loads(out)


def test_three_waves(waves: dict[str, Path]) -> None:
    folder = waves["top"] / "round"
    code, out = run("round", "init", str(folder), "--roster", str(ROSTER), "--year", "2025",
                    "--deadline", "2026-03-31")
    assert code == 0, out
    assert "5" in out

    before = {p: p.read_bytes() for w in ("w1", "w2", "w3") for p in waves[w].iterdir()}
    code, out = run("validate", str(waves["w1"]), "--round", str(folder))
    assert code == 1
    s = _status(folder)
    states = {d["code"]: d["status"] for d in s["departments"]}
    assert states == {"101001": "passed", "101002": "missing", "101003": "failed", "101004": "missing",
                      "101005": "missing"}
    assert s["days_left"] == 30
    assert s["counts"] == {"missing": 3, "failed": 1, "passed_warnings": 0, "passed": 1, "total": 5}

    code, out = run("validate", str(waves["w2"]), "--round", str(folder), "--format", "json")
    assert code == 1
    import jsonschema

    schema = json.loads((ROOT / "docs" / "report-schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(json.loads(out))     # the documented shape, round included
    report = {Path(f["path"]).name: f for f in json.loads(out)["files"]}
    chengde = report[returned("101003", "（修改）").name]
    assert "F09" not in [f["code"] for f in chengde["findings"]]      # the first send is superseded, not a rival
    assert chengde["round"]["number"] == 2 and chengde["round"]["previous"] == 1
    fixed = {f["code"] for f in chengde["round"]["fixed"]}
    assert fixed == {"S02", "V05", "S04"}
    assert {f["code"] for f in chengde["round"]["still_open"]} == {"V02", "B04"}
    assert not chengde["round"]["new"]
    again = report["怀来县_再发一次.xlsx"]
    assert again["round"]["same_as"] == 1 and again["round"]["number"] is None
    s = _status(folder)
    by_code = {d["code"]: d for d in s["departments"]}
    assert by_code["101001"]["submissions"] == 1                    # the identical copy counted once
    assert by_code["101003"]["submissions"] == 2 and by_code["101003"]["status"] == "failed"
    assert by_code["101003"]["errors"] == 2
    assert by_code["101002"]["status"] == "passed" and by_code["101004"]["status"] == "failed"

    html = waves["top"] / "第3批.html"
    code, out = run("validate", str(waves["w3"]), "--round", str(folder), "--annotate", str(waves["top"] / "退回"),
                    "-o", str(html))
    page = html.read_text(encoding="utf-8")
    assert "与第 1 次提交相同" in page                                 # 101004 sent the same file again
    assert "本轮第 3 次提交（与第 2 次相比）：已改正 2 个问题" in page     # 承德: the last two fixed
    import openpyxl

    copy = next((waves["top"] / "退回").glob("2025_101004_*_校验结果.xlsx"))
    assert "与第 1 次提交相同" in openpyxl.load_workbook(copy).worksheets[0]["A3"].value  # on the result sheet too
    s = _status(folder)
    by_code = {d["code"]: d for d in s["departments"]}
    assert by_code["101003"]["status"] == "passed" and by_code["101003"]["submissions"] == 3
    assert by_code["101004"]["status"] == "failed" and by_code["101004"]["submissions"] == 1
    assert by_code["101005"]["status"] == "missing" and by_code["101005"]["submissions"] == 0
    assert s["counts"]["passed"] == 3

    code, out = run("status", "--round", str(folder), "--today", "2026-04-02")
    assert code == 0
    assert "已过 2 天" in out and "未提交 1" in out and "长沙市望城区行政审批服务局" in out
    assert {p: p.read_bytes() for p in before} == before             # returned files only read

    # the end of the round: passed departments only, from the database
    result, report = waves["top"] / "汇总.xlsx", waves["top"] / "报告.docx"
    code, out = run("consolidate", "--round", str(folder), "-o", str(result), "--report", str(report))
    assert code == 0, out
    book = openpyxl.load_workbook(result)
    projects = [r for r in book["项目明细"].iter_rows(min_row=3, values_only=True) if r[0]]
    assert sorted({r[0] for r in projects}) == ["101001", "101002", "101003"]
    assert len(projects) == 4 + 1 + 7
    departments = {r[0]: r for r in book["部门汇总"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert departments["101004"][2].startswith("未通过") and departments["101005"][2] == "未提交"
    assert report.stat().st_size > 10_000
    code, out = run("consolidate", "--round", str(folder), "-o", str(result))
    assert code == 2 and "--force" in out


def test_rival_files_in_one_batch_stay_f09(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(returned("101003"), inbox)
    shutil.copy(returned("101003", "（修改）"), inbox)
    shutil.copy(returned("101002"), inbox / "a.xlsx")
    shutil.copy(returned("101002"), inbox / "b.xlsx")                # identical copies count once
    assert run("round", "init", str(tmp_path / "r"), "--roster", str(ROSTER), "--year", "2025")[0] == 0
    code, out = run("validate", str(inbox), "--round", str(tmp_path / "r"), "--format", "json")
    files = {Path(f["path"]).name: f for f in json.loads(out)["files"]}
    assert [f["code"] for f in files[returned("101003").name]["findings"]][0] == "F09"
    assert "F09" not in [f["code"] for f in files["a.xlsx"]["findings"]]
    assert files["b.xlsx"]["round"]["same_as"] == files["a.xlsx"]["round"]["number"] == 1
    by_code = {d["code"]: d for d in _status(tmp_path / "r")["departments"]}
    assert by_code["101003"]["submissions"] == 2 and by_code["101002"]["submissions"] == 1


def test_usage_errors(tmp_path: Path) -> None:
    code, out = run("status", "--round", str(tmp_path / "nowhere"))
    assert code == 2 and "perfxl round init" in out
    folder = tmp_path / "r"
    assert run("round", "init", str(folder), "--roster", str(ROSTER), "--year", "2025")[0] == 0
    code, out = run("round", "init", str(folder), "--roster", str(ROSTER), "--year", "2025")
    assert code == 2 and "已经是" in out
    code, out = run("validate", str(RETURNED), "--round", str(folder), "--year", "2024")
    assert code == 2 and "2025" in out
    code, out = run("validate", str(RETURNED), "--round", str(folder), "--roster", str(ROSTER))
    assert code == 2
    code, out = run("round", "init", str(tmp_path / "bad"), "--roster", str(ROSTER), "--year", "2025",
                    "--deadline", "3月31日")
    assert code == 2 and "YYYY-MM-DD" in out and not (tmp_path / "bad").exists()
    code, out = run("round", "init", str(tmp_path / "bad"), "--roster", str(tmp_path / "none.xlsx"), "--year", "2025")
    assert code == 2 and not (tmp_path / "bad").exists()


def test_status_workbook(tmp_path: Path) -> None:
    import openpyxl

    folder = tmp_path / "r"
    assert run("round", "init", str(folder), "--roster", str(ROSTER), "--year", "2025")[0] == 0
    run("validate", str(RETURNED), "--round", str(folder))
    code, out = run("status", "--round", str(folder), "-o", str(tmp_path / "提交情况.xlsx"))
    assert code == 0, out
    ws = openpyxl.load_workbook(tmp_path / "提交情况.xlsx").active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["101001", "101002", "101003", "101004", "101005"]   # one row each
    assert rows[2][2].startswith("未通过") and rows[2][5] == 2
    assert rows[2][8] is None and rows[2][9] is None               # a failed file's score is not a result
    assert rows[0][8] == 99.32 and rows[0][9] == "优"
    assert isinstance(rows[0][6], datetime) and ws.cell(2, 7).number_format == "yyyy-mm-dd hh:mm"
    assert ws.auto_filter.ref and ws.page_setup.paperSize == 9


def test_the_guides_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/finance-office-guide.md § 8.7, as written (its round folder moved into tmp_path)."""
    guide = (ROOT / "docs" / "finance-office-guide.md").read_text(encoding="utf-8")
    section = guide[guide.index("### 8.7"):]
    code = section[section.index("```python") + len("```python"):]
    code = code[:code.index("```")]
    monkeypatch.chdir(ROOT)
    code = code.replace('"2025自评', f'"{tmp_path}/2025自评')
    scope: dict = {}
    exec(compile(code, "finance-office-guide.md", "exec"), scope)  # noqa: S102 - the documented example itself
    assert (tmp_path / "2025自评汇总.xlsx").is_file()
    assert {e.code for e in scope["consolidation"].entries if e.figures} == {"101001", "101002", "101003", "101005"}


def test_generate_from_the_round(tmp_path: Path) -> None:
    """The round's roster, year and scheme give the workbooks `--roster --year --scheme` gave."""
    folder = tmp_path / "r"
    assert run("round", "init", str(folder), "--roster", str(ROSTER), "--year", "2025",
               "--scheme", "province-example")[0] == 0
    code, out = run("generate", "--round", str(folder), "--out", str(tmp_path / "a"), "--date", "2026-01-05")
    assert code == 0, out
    code, out = run("generate", "--roster", str(ROSTER), "--year", "2025", "--scheme", "province-example",
                    "--out", str(tmp_path / "b"), "--date", "2026-01-05")
    assert code == 0, out
    a = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(a) == 5 and a == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert all((tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes() for n in a)
    code, out = run("generate", "--round", str(folder), "--year", "2025", "--out", str(tmp_path / "c"))
    assert code == 2 and "--round" in out
    code, out = run("generate", "--roster", str(ROSTER), "--out", str(tmp_path / "c"))
    assert code == 2 and "--year" in out


def test_identical_copies_are_not_rivals_without_a_round_too(tmp_path: Path) -> None:
    """A department's file saved twice under two names, byte for byte: one send, not F09."""
    shutil.copy(returned("101002"), tmp_path / "a.xlsx")
    shutil.copy(returned("101002"), tmp_path / "b.xlsx")
    code, out = run("validate", str(tmp_path), "--year", "2025", "--format", "json")
    assert code == 0 and "F09" not in out


def test_a_gbk_file_name_is_recorded_readable(tmp_path: Path) -> None:
    """A name in GBK bytes (a zip from Chinese Windows, unpacked on Linux) is kept as its Chinese."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    raw = os.fsencode(inbox) + b"/" + "隆回县.xlsx".encode("gbk")
    shutil.copy(returned("101002"), raw)
    assert run("round", "init", str(tmp_path / "r"), "--roster", str(ROSTER), "--year", "2025")[0] == 0
    assert run("validate", str(inbox), "--round", str(tmp_path / "r"))[0] == 0
    code, out = run("status", "--round", str(tmp_path / "r"), "--format", "json")
    by_code = {d["code"]: d for d in json.loads(out)["departments"]}
    assert by_code["101002"]["last_file"] == "隆回县.xlsx"
