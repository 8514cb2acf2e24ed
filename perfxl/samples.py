"""Sample inputs for a workbook layout: what a department might type.

`random_inputs` covers the whole input space the formulas must handle (unused rows,
partial rows, zero budgets, reverse and qualitative indicators, values out of band);
`realistic_inputs` fills a workbook as a careful department would (weights adding up,
reasons given), for demos, fixtures and benchmarks. Both are seeded and reproducible.
"""

from __future__ import annotations

import csv
import os
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable

from .layout.model import Kind, SheetLayout, WorkbookLayout
from .scheme.model import Scheme
from . import scoring as sc
from .scoring import OPERATORS, QUALITATIVE

Inputs = dict[tuple[str, str], object]

REASONS = ("部分采购项目延期至次年实施，资金未按计划支付。", "受疫情影响，部分活动取消。",
           "年初目标设置偏低，下年度将据实调整指标值。", "加强项目管理，及时跟进资金拨付进度。")
NAMES = ("政务服务事项办理量", "群众满意度", "按时办结率", "项目完成及时率", "平均办理时限", "投诉率",
         "设备采购数量", "培训人次", "资金支出安排", "系统正常运行率", "服务企业数量", "宣传资料印发份数")
QUALITATIVE_TARGETS = ("有效提升", "稳步推进", "明显改善", "按期完成")
PEOPLE = ("钟华", "王浩宇", "黄巍", "肖扬", "黄滔", "李明")


def _amount(rng: random.Random, low: float = 0.0, high: float = 500.0) -> float:
    return round(rng.uniform(low, high), 2)


def _table_sheets(layout: WorkbookLayout) -> Iterable[SheetLayout]:
    return (s for s in layout.sheets if s.role in ("project", "department"))


def _input_keys(sheet: SheetLayout) -> set[str]:
    return {f.key for f in sheet.fields if f.kind == Kind.INPUT}


def random_inputs(layout: WorkbookLayout, scheme: Scheme, seed: int) -> Inputs:
    """Arbitrary but well-typed inputs: every branch of every formula gets exercised."""
    rng = random.Random(seed)
    out: Inputs = {}
    levels = [q.name for q in scheme.qualitative]
    for sheet in _table_sheets(layout):
        inputs = _input_keys(sheet)
        code = sheet.code
        for fr in sheet.funds_rows:
            for col in ("initial", "budget", "executed"):
                key = f"funds.{fr.key}.{col}"
                if key in inputs:
                    choice = rng.random()
                    out[(code, key)] = (None if choice < 0.1 else 0.0 if choice < 0.2 else _amount(rng, 0, 300))
        if rng.random() < 0.5:
            out[(code, "funds.reason")] = rng.choice(REASONS)
        for r in sheet.indicator_rows:
            p = f"ind.{r.index}"
            mode = rng.random()
            if mode < 0.35:
                continue  # unused row
            op = rng.choice(OPERATORS)
            row: dict[str, object] = {"name": rng.choice(NAMES), "op": op, "weight": round(rng.uniform(0, 20), 2)}
            if op == QUALITATIVE:
                level = rng.choice(levels + ["其他"]) if rng.random() < 0.1 else rng.choice(levels)
                row.update(target=rng.choice(QUALITATIVE_TARGETS), actual=level,
                           qual=round(rng.uniform(0, float(row["weight"]) * 1.1), 2))
            else:
                target = rng.choice([0.0, 1.0, 0.95, 100.0, _amount(rng, 0, 1000)])
                actual = rng.choice([target, 0.0, _amount(rng, 0, 1000), round(target * rng.uniform(0.5, 1.5), 2)])
                row.update(target=target, actual=actual, unit=rng.choice(scheme.units))
                if row["unit"] == "%":  # typed as "95%" (stored 0.95, percent format): both, one (V07) or none
                    typed = rng.choice(["both", "target", "actual", "none"])
                    for key in ("target", "actual"):
                        if typed in ("both", key):
                            row[key] = sc.Percent(round(float(row[key]) / 100, 6))
            if rng.random() < 0.4:
                row["reason"] = rng.choice(REASONS)
            if mode < 0.45:  # a partly filled row
                for key in rng.sample(sorted(row), k=rng.randint(1, 3)):
                    row.pop(key)
            for key, value in row.items():
                out[(code, f"{p}.{key}")] = value
        _person(rng, code, out)
    _basic(rng, out, scheme, realistic=False)
    return {k: v for k, v in out.items() if v is not None}


def realistic_inputs(layout: WorkbookLayout, scheme: Scheme, seed: int,
                     budgets: dict[tuple[str, str], float] | None = None) -> Inputs:
    """Inputs a careful department would type: a clean workbook with no live-check problem.

    `budgets` are the issued 全年预算数 by (sheet code, funds key) so spending stays near them.
    """
    rng = random.Random(seed)
    out: Inputs = {}
    budgets = budgets or {}
    for sheet in _table_sheets(layout):
        inputs = _input_keys(sheet)
        code = sheet.code
        low_rate = False
        for fr in sheet.funds_rows:
            if fr.key == "total":
                continue
            bkey = f"funds.{fr.key}.budget"
            budget = budgets.get((code, bkey))
            if bkey in inputs:
                budget = _amount(rng, 5, 200)
                out[(code, f"funds.{fr.key}.initial")] = budget
                out[(code, bkey)] = budget
            if f"funds.{fr.key}.executed" in inputs:
                rate = rng.choice([1.0, 1.0, 0.98, 0.95, 0.92, 0.8])
                low_rate = low_rate or rate < scheme.execution.reason_below
                out[(code, f"funds.{fr.key}.executed")] = round((budget or 0.0) * rate, 2)
        if low_rate:
            out[(code, "funds.reason")] = REASONS[0]
        if "goal.target" in inputs:
            out[(code, "goal.target")] = "按期完成年度工作任务，提升政务服务水平。"
        out[(code, "goal.actual")] = "已按计划完成年度目标，服务质量和群众满意度稳步提升。"
        _realistic_indicators(rng, sheet, scheme, out)
        _person(rng, code, out)
    _basic(rng, out, scheme, realistic=True)
    # The basic data repeats figures of the department table: take them from it.
    from .evaluate import evaluate_workbook

    computed = evaluate_workbook(layout, {**budgets, **out}, scheme)
    dept = layout.sheet("dept")
    basic_exec = out.get(("dept", "funds.basic.executed"))
    project_exec = computed.get(("dept", "funds.project.executed"), dept.get("funds.project.executed").value)
    out[("basic", "expense.basic")] = basic_exec if basic_exec is not None else 0.0
    out[("basic", "expense.project")] = project_exec if project_exec not in (None, "") else 0.0
    # The department's rate also counts the projects' spending: explain it when it is off too.
    rate = computed.get(("dept", "funds.total.rate"))
    if sc.execution_reason_required(rate if rate != "" else None, scheme):
        out.setdefault(("dept", "funds.reason"), REASONS[0])
    # Income covers spending, as in an honest return (D04 warns otherwise).
    spent = out[("basic", "expense.basic")] + out[("basic", "expense.project")]
    out[("basic", "income.budget")] = round(spent + _amount(rng, 0, 50), 2)
    grade = computed[("dept", "grade")]
    out[("basic", "conclusion")] = grade or None
    return {k: v for k, v in out.items() if v is not None}


def _realistic_indicators(rng: random.Random, sheet: SheetLayout, scheme: Scheme, out: Inputs) -> None:
    code = sheet.code
    money_only = {c.name for lv in scheme.levels for c in lv.categories if c.money_only}
    by_level: dict[str, list] = {}
    for r in sheet.indicator_rows:
        by_level.setdefault(r.level, []).append(r)
    names = _unique_names(rng)
    for level in scheme.levels:
        rows = by_level.get(level.name, [])
        used = [r for r in rows if rows.index(r) % 2 == 0][: max(1, len(rows) // 2)]
        if not used:
            continue
        shares = _split(level.weight, len(used), rng)
        for r, weight in zip(used, shares):
            p = f"ind.{r.index}"
            name = next(names)
            cells: dict[str, object] = {"name": name, "weight": weight}
            if rng.random() < 0.2:
                q = scheme.qualitative[0]
                cells.update(op=QUALITATIVE, target=rng.choice(QUALITATIVE_TARGETS), actual=q.name,
                             qual=round(weight, 2))
            elif r.category in money_only:
                target = _amount(rng, 10, 100)
                cells.update(op="≤", target=target, actual=round(target * rng.uniform(0.9, 1.0), 2),
                             unit=scheme.money_units[0])
            else:
                target = rng.choice([100, 95, 90, 50, 20])
                unit = "%" if target in (100, 95, 90) else rng.choice(["个", "项", "次", "件"])
                actual = target if rng.random() < 0.7 else round(target * rng.uniform(0.85, 1.0), 2)
                cells.update(op="≥", target=target, actual=actual, unit=unit)
                if actual < target:
                    cells["reason"] = REASONS[3]
            for key, value in cells.items():
                out[(code, f"{p}.{key}")] = value


def _unique_names(rng: random.Random) -> Iterable[str]:
    """Indicator names in random order, never one twice in a table (I09 flags repeats)."""
    pool = list(NAMES)
    rng.shuffle(pool)
    round_ = 1
    while True:
        for name in pool:
            yield name if round_ == 1 else f"{name}（{round_}）"
        round_ += 1


def _split(total: float, parts: int, rng: random.Random) -> list[float]:
    """`parts` weights with 2 decimals that add up exactly to `total`."""
    cents = int(round(total * 100))
    cuts = sorted(rng.sample(range(1, cents), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, cents]
    return [(b - a) / 100 for a, b in zip(bounds, bounds[1:])]


def _person(rng: random.Random, code: str, out: Inputs) -> None:
    out[(code, "filler")] = rng.choice(PEOPLE)
    out[(code, "phone")] = f"0314-{rng.randint(2000000, 2999999)}"
    out[(code, "date")] = date(2026, 1, 5) + timedelta(days=rng.randint(0, 40))


def _basic(rng: random.Random, out: Inputs, scheme: Scheme, realistic: bool) -> None:
    quota = rng.randint(10, 60)
    actual = quota - rng.randint(0, 3) if realistic else rng.randint(5, 70)
    out[("basic", "staff.quota")] = quota
    out[("basic", "staff.actual")] = actual
    out[("basic", "functions")] = "负责全县行政审批和政务服务工作。"
    for key in ("income.budget", "income.nontax", "income.transfer", "income.other"):
        out[("basic", key)] = _amount(rng, 0, 800) if key == "income.budget" or not realistic else 0.0
    for key in ("sangong.abroad", "sangong.vehicle", "sangong.reception"):
        out[("basic", key)] = _amount(rng, 0, 3)
    for group in scheme.question_groups:
        for q in group.questions:
            if q.check == "overstaffing":
                answer = "是" if actual > quota else "否"
                if not realistic:
                    answer = rng.choice(["是", "否", None])
            else:
                answer = ("否" if q.detail else "是") if realistic else rng.choice(["是", "否", None])
            out[("basic", f"q.{q.key}")] = answer
            for d in q.detail:
                if realistic or rng.random() < 0.5:
                    value: object = {"amount": _amount(rng, 0, 50), "date": date(2025, 3, 15),
                                     "choice": d.choices[0] if d.choices else None}.get(d.type, "门户网站")
                    if not realistic or answer == q.detail_when:
                        out[("basic", f"q.{q.key}.{d.key}")] = value
    out[("basic", "performance")] = "全面完成年度重点工作，政务服务效能持续提升。"
    out[("basic", "issues")] = "进一步细化预算编制，加快预算执行进度。"
    out[("basic", "filler")] = rng.choice(PEOPLE)
    out[("basic", "phone")] = f"1397393{rng.randint(1000, 9999)}"
    out[("basic", "date")] = date(2026, 1, 20)
    if not realistic:
        out[("basic", "conclusion")] = rng.choice(["优", "良", "中", "差", None])
        out[("basic", "expense.basic")] = _amount(rng, 0, 800)
        out[("basic", "expense.project")] = _amount(rng, 0, 800)


def _roster_rows(departments: int, projects: int, seed: int,
                 amount: str | None) -> Iterable[tuple[tuple[str, ...], list[tuple[str, ...]]]]:
    """(department row, its project rows) of a synthetic roster, one department at a time."""
    rng = random.Random(seed)
    for i in range(departments):
        code, name = f"{300000 + i}", f"第{i + 1}测试局"
        basic = amount or f"{_amount(rng, 100, 900):.2f}"
        rows = []
        for j in range(projects):
            budget = amount or f"{_amount(rng, 5, 300):.2f}"
            rows.append((code, f"{code}-2025-{j + 1:03d}", f"测试项目{j + 1}", name, name, budget, budget,
                         "0", "0", "0", "0", "按计划完成项目建设任务。"))
        yield (code, name, basic, basic), rows


def write_roster_csv(folder: str | os.PathLike, departments: int, projects: int, seed: int = 1,
                     amount: str | None = None) -> tuple[Path, Path]:
    """A synthetic roster as two UTF-8 CSV files (部门.csv, 项目.csv) in `folder`, written line by line
    (tests and benchmarks build large rosters at run time); `amount` replaces every budget figure."""
    from .roster.model import DEPARTMENT_COLUMNS, PROJECT_COLUMNS

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    dept_path, project_path = folder / "部门.csv", folder / "项目.csv"
    with open(dept_path, "w", encoding="utf-8-sig", newline="") as d, \
            open(project_path, "w", encoding="utf-8-sig", newline="") as p:
        dw, pw = csv.writer(d), csv.writer(p)
        dw.writerow(DEPARTMENT_COLUMNS.values())
        pw.writerow(PROJECT_COLUMNS.values())
        for dept, rows in _roster_rows(departments, projects, seed, amount):
            dw.writerow(dept)
            pw.writerows(rows)
    return dept_path, project_path


def write_roster_xlsx(path: str | os.PathLike, departments: int, projects: int, seed: int = 1,
                      amount: str | None = None) -> Path:
    """The same synthetic roster as `write_roster_csv`, as one .xlsx (sheets 部门 and 项目) with
    amounts as numbers and text in a shared-string table, as Excel saves it (and about as
    compact: 10,000 departments × 4 projects make a 16 MB 项目 sheet, under the 20 MB part limit)."""
    import xlsxwriter

    from .roster.model import DEPARTMENT_COLUMNS, DEPARTMENT_SHEET, PROJECT_COLUMNS, PROJECT_SHEET

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    dept_sheet, project_sheet = book.add_worksheet(DEPARTMENT_SHEET), book.add_worksheet(PROJECT_SHEET)
    dept_sheet.write_row(0, 0, list(DEPARTMENT_COLUMNS.values()))
    project_sheet.write_row(0, 0, list(PROJECT_COLUMNS.values()))

    def number(text: str) -> float:
        return float(text.replace(",", ""))

    row = 0
    for i, (dept, rows) in enumerate(_roster_rows(departments, projects, seed, amount), start=1):
        dept_sheet.write_row(i, 0, [dept[0], dept[1], number(dept[2]), number(dept[3])])
        for cells in rows:
            row += 1
            project_sheet.write_row(row, 0, [*cells[:5], *(number(v) for v in cells[5:11]), cells[11]])
    book.close()
    return path
