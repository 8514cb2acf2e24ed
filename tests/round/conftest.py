"""A round built from real validated files: every Entry's figures come from check_file.

The example roster's five departments, one per kind of standing:
- 101001 怀来县 and 101005 望城区: the clean returns of examples/returned (passed);
- 101004 衡山县: a return built here with examples/make_returned.py's machinery that does badly
  (a project graded 差, one graded 中 and executed at half its budget, reasons given) and
  spends more than it declares as income (warning D04): passed with warnings;
- 101003 承德高新区: the two returns of examples/returned, both with errors: failed;
- 101002 隆回县: nothing sent: missing (its clean example file is deliberately left out).
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from perfxl.roster.reader import read_roster
from perfxl.round.consolidation import FAILED, MISSING, PASSED, PASSED_WARNINGS, Consolidation, Entry
from perfxl.scheme import load_scheme
from perfxl.scoring import QUALITATIVE, QUANTITATIVE
from perfxl.validator.context import Options
from perfxl.validator.engine import check_file
from perfxl.validator.model import FileResult

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
RETURNED = EXAMPLES / "returned"
YEAR = 2025
GENERATED = datetime(2026, 3, 2, 9, 15)
DEADLINE = date(2026, 2, 28)


def _make_returned() -> Any:
    spec = importlib.util.spec_from_file_location("make_returned", EXAMPLES / "make_returned.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def underperform(code: str, achieved: float, spent: float | None = None) -> Any:
    """Every used indicator of sheet `code` reaches `achieved` of its target (a reason given for
    each), and, with `spent`, every funds row is executed at that share (its reason given too)."""
    def apply(f: Any) -> None:
        scheme = f.scheme
        for index in f.rows(code):
            p = f"ind.{index}"
            op, target = f.inputs.get((code, f"{p}.op")), f.inputs.get((code, f"{p}.target"))
            weight = f.inputs[(code, f"{p}.weight")]
            if op == QUALITATIVE:
                level = min((q for q in scheme.qualitative if q.min <= achieved), key=lambda q: achieved - q.min)
                f.inputs[(code, f"{p}.actual")] = level.name
                f.inputs[(code, f"{p}.qual")] = round(weight * max(level.min, min(achieved, level.max - 0.01)), 2)
            elif op in QUANTITATIVE and isinstance(target, (int, float)) and target > 0:
                actual = target * (2 - achieved) if op in ("≤", "<") else target * achieved
                f.inputs[(code, f"{p}.actual")] = round(actual, 2)
            else:
                continue
            f.inputs[(code, f"{p}.reason")] = "受项目实施进度影响，年度指标未能完成，下年度将加快推进。"
        if spent is not None:
            for sub in ("fiscal", "carryover", "other"):
                budget = f.issued.get((code, f"funds.{sub}.budget"))
                if isinstance(budget, (int, float)) and (code, f"funds.{sub}.executed") in f.inputs:
                    f.inputs[(code, f"funds.{sub}.executed")] = round(budget * spent, 2)
            f.inputs[(code, "funds.reason")] = "项目前期手续办理滞后，资金支付进度慢于计划。"
    return apply


def _low_performer(folder: Path) -> Path:
    mr = _make_returned()
    roster = read_roster(EXAMPLES / "roster.xlsx")
    dept = next(d for d in roster.departments if d.code == "101004")
    scheme = load_scheme("national")
    fill = mr.fill(dept, scheme, mr.Return("101004", 14, (underperform("p1", 0.4),
                                                          underperform("p2", 0.72, spent=0.5))))
    fill.inputs[("basic", "income.budget")] = 1.0  # spends more than it declares: D04, a warning
    path = folder / "2025_101004_衡山县行政审批服务局_绩效自评表.xlsx"
    path.write_bytes(mr.render(fill))
    return path


@dataclass(frozen=True)
class Round:
    consolidation: Consolidation
    results: dict[str, FileResult]  # the latest submission's check, by department code

    def entry(self, code: str) -> Entry:
        return next(e for e in self.consolidation.entries if e.code == code)


def _entry(code: str, name: str, result: FileResult | None, submissions: int, at: str | None) -> Entry:
    if result is None:
        return Entry(code, name, MISSING, 0, 0, None, None)
    if result.errors:
        return Entry(code, name, FAILED, result.errors, submissions, at, None)
    status = PASSED_WARNINGS if result.warnings else PASSED
    return Entry(code, name, status, 0, submissions, at, result.figures)


@pytest.fixture(scope="session")
def round_(tmp_path_factory: pytest.TempPathFactory) -> Round:
    folder = tmp_path_factory.mktemp("round-returns")
    roster = read_roster(EXAMPLES / "roster.xlsx")
    options = Options(YEAR, roster)
    files = {
        "101001": [RETURNED / "2025_101001_怀来县行政审批局_绩效自评表.xlsx"],
        "101003": [RETURNED / "2025_101003_承德高新技术产业开发区行政审批局_绩效自评表.xlsx",
                   RETURNED / "2025_101003_承德高新技术产业开发区行政审批局_绩效自评表（修改）.xlsx"],
        "101004": [_low_performer(folder)],
        "101005": [RETURNED / "2025_101005_长沙市望城区行政审批服务局_绩效自评表.xlsx"],
    }
    results = {code: check_file(str(paths[-1]), options) for code, paths in files.items()}
    entries = []
    for i, dept in enumerate(roster.departments):
        paths = files.get(dept.code, [])
        at = f"2026-02-{10 + i:02d}T09:30:00+08:00" if paths else None
        entries.append(_entry(dept.code, dept.name, results.get(dept.code), len(paths), at))
    c = Consolidation(YEAR, load_scheme("national"), tuple(entries), GENERATED, DEADLINE)
    return Round(c, results)
