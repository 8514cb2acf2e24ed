"""Every formula cell of a workbook, computed in Python from its inputs and issued values.

The writer stores these as the formulas' cached values, so a client that does not
recalculate on load (LibreOffice keeps cached values of files from "Microsoft Excel")
still shows the right figures; the agreement test compares them, cell by cell, with
what LibreOffice computes from the formulas.
"""

from __future__ import annotations

from typing import Mapping

from . import livechecks as lc
from . import scoring as sc
from .layout.instructions import STATUS_MISSING, STATUS_OK, STATUS_PROBLEMS
from .layout.model import Kind, SheetLayout, WorkbookLayout
from .layout.summary import COPIED
from .scheme.model import Scheme

Values = Mapping[tuple[str, str], object]
Blank = ""


def _text(value: object) -> str:
    """What `=IF(x="","",x)` shows of a referenced cell."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Sheet:
    """Reads one sheet's cell values: typed or issued values, then layout constants."""

    def __init__(self, sheet: SheetLayout, values: Values):
        self.sheet = sheet
        self.values = values

    def __call__(self, key: str) -> object:
        value = self.values.get((self.sheet.code, key))
        if value is None:
            f = self.sheet.get(key)
            if f.kind == Kind.ISSUED:
                value = f.value
        return None if value == "" else value


def read_table(sheet: SheetLayout, values: Values) -> sc.Table:
    """The scoring engine's view of an F1/F2 sheet."""
    get = _Sheet(sheet, values)
    funds = [sc.FundRow(get(f"funds.{fr.key}.initial"), get(f"funds.{fr.key}.budget"), get(f"funds.{fr.key}.executed"))
             for fr in sheet.funds_rows if fr.key != "total"]
    indicators = [
        sc.Indicator(level=r.level, category=r.category, name=get(f"ind.{r.index}.name"), op=get(f"ind.{r.index}.op"),
                     target=get(f"ind.{r.index}.target"), unit=get(f"ind.{r.index}.unit"),
                     actual=get(f"ind.{r.index}.actual"), weight=get(f"ind.{r.index}.weight"),
                     qualitative_score=get(f"ind.{r.index}.qual"), reason=get(f"ind.{r.index}.reason"))
        for r in sheet.indicator_rows
    ]
    return sc.Table(funds, indicators, get("funds.reason"))


def _blank(v: object) -> object:
    return Blank if v is None else v


def _table_cells(sheet: SheetLayout, values: Values, scheme: Scheme,
                 project_funds: dict[str, float | None] | None = None,
                 checks: bool = True) -> tuple[dict[str, object], sc.Table, sc.TableResult]:
    """Formula values of an F1/F2 sheet; `project_funds` feeds F2's 项目支出 row."""
    table = read_table(sheet, values)
    if project_funds is not None:  # F2 of a workbook with project sheets: 项目支出 is their sum
        funds = list(table.funds)
        keys = [fr.key for fr in sheet.funds_rows if fr.key != "total"]
        i = keys.index("project")
        funds[i] = sc.FundRow(project_funds["initial"], project_funds["budget"], project_funds["executed"])
        table = sc.Table(funds, table.indicators, table.execution_reason)
    res = sc.evaluate(table, scheme)
    out: dict[str, object] = {}
    subs = [fr for fr in sheet.funds_rows if fr.key != "total"]
    for fr, rate in zip(subs, res.row_rates):
        out[f"funds.{fr.key}.rate"] = _blank(rate)
    if project_funds is not None:
        for key in ("initial", "budget", "executed"):
            out[f"funds.project.{key}"] = _blank(project_funds[key])
    out["funds.total.initial"] = _blank(res.initial)
    out["funds.total.budget"] = _blank(res.budget)
    out["funds.total.executed"] = _blank(res.executed)
    out["funds.total.rate"] = _blank(res.rate)
    out["funds.total.score"] = _blank(res.execution_score)
    helpers = bool(sheet.indicator_rows) and sheet.has(f"ind.{sheet.indicator_rows[0].index}.mixed")
    for r, ind, score in zip(sheet.indicator_rows, table.indicators, res.scores):
        out[f"ind.{r.index}.score"] = _blank(score)
        if helpers:  # template 2's hidden helper cells
            out[f"ind.{r.index}.mixed"] = int(sc.percent_mixed(ind.target, ind.unit, ind.actual))
            limits = sc.band_limits(ind.actual, ind.weight, scheme)
            out[f"ind.{r.index}.low"] = Blank if limits is None else limits[0]
            out[f"ind.{r.index}.high"] = Blank if limits is None else limits[1]
    for j, level in enumerate(scheme.levels, start=1):
        out[f"level.{j}.weight"] = res.level_weights[level.name]
        out[f"level.{j}.score"] = res.level_scores[level.name]
    out["total.weight"] = res.total_weight
    out["total.score"] = _blank(res.total)
    out["grade"] = _blank(res.grade)
    if not checks:
        return out, table, res

    # Live-check counters, row by row, as the layout placed them.
    flags: dict[int, int] = {}

    def add(row: int, hit: bool) -> None:
        flags[row] = flags.get(row, 0) + int(hit)

    total_row = sheet.funds_rows[0].row
    add(total_row, lc.py_over_budget(res.budget, res.executed))
    for fr, row in zip(subs, table.funds):
        add(fr.row, lc.py_over_budget(row.budget, row.executed))
    add(sheet.get("funds.reason").row, lc.py_execution_reason(res.rate, table.execution_reason, scheme))
    for r, ind, score in zip(sheet.indicator_rows, table.indicators, res.scores):
        problems = lc.py_indicator_problems(ind, score, scheme)
        out[f"ind.{r.index}.incomplete"] = int(problems["incomplete"])
        for hit in problems.values():
            add(r.row, hit)
    started = any(sc.is_number(i.weight) for i in table.indicators)
    for j, level in enumerate(scheme.levels, start=1):
        off = abs(res.level_weights[level.name] - res.expected_weights[level.name]) > lc.TOLERANCE
        add(sheet.get(f"level.{j}.weight").row, started and off)
    for row, count in flags.items():
        out[f"flag.{row + 1}"] = count
    out["problems"] = sum(flags.values())
    out["missing"] = _missing(sheet, values)
    return out, table, res


def _basic_cells(sheet: SheetLayout, values: Values, scheme: Scheme, dept: SheetLayout,
                 dept_cells: dict[str, object], dept_values: _Sheet, checks: bool = True) -> dict[str, object]:
    get = _Sheet(sheet, values)
    out: dict[str, object] = {}
    name = dept_values("name")
    out["department"] = _text(name)
    out["income.total"] = _blank(sc.sum_numbers(get(k) for k in ("income.budget", "income.nontax", "income.transfer",
                                                                   "income.other")))
    out["expense.total"] = _blank(sc.sum_numbers([get("expense.basic"), get("expense.project")]))
    out["sangong.total"] = _blank(sc.sum_numbers(get(k) for k in ("sangong.abroad", "sangong.vehicle",
                                                                    "sangong.reception")))
    if not checks:
        return out
    flags: dict[int, int] = {}

    def add(row: int, hit: bool) -> None:
        flags[row] = flags.get(row, 0) + int(hit)

    dept_exec = {"expense.basic": dept_values("funds.basic.executed"),
                 "expense.project": dept_cells.get("funds.project.executed", dept_values("funds.project.executed"))}
    def cross_sheet(key: str, hit: bool) -> None:  # template 2 counts these through a helper cell
        if sheet.has(f"check.{key}"):
            out[f"check.{key}"] = int(hit)
        add(sheet.get(key).row, hit)

    for key, other in dept_exec.items():
        cross_sheet(key, lc.py_figures(get(key), None if other == Blank else other))
    for group in scheme.question_groups:
        for q in group.questions:
            answer = get(f"q.{q.key}")
            for d in q.detail:
                key = f"q.{q.key}.{d.key}"
                add(sheet.get(key).row, lc.py_detail_missing(answer, q.detail_when, get(key)))
            if q.check == "overstaffing":
                add(sheet.get(f"q.{q.key}").row, lc.py_staffing(get("staff.quota"), get("staff.actual"), answer))
    grade = dept_cells.get("grade")
    cross_sheet("conclusion", lc.py_conclusion(get("conclusion"), None if grade == Blank else grade))
    for row, count in flags.items():
        out[f"flag.{row + 1}"] = count
    out["problems"] = sum(flags.values())
    out["missing"] = _missing(sheet, values)
    return out


def _missing(sheet: SheetLayout, values: Values) -> int:
    """Blank required inputs, by the requirements the layout recorded."""
    get = _Sheet(sheet, values)
    pairs = []
    for key, amount in sheet.requirements:
        needed = True if amount is None else (sc.is_number(get(amount)) and get(amount) > 0)
        pairs.append((get(key), needed))
    return lc.py_missing(pairs)


def evaluate_workbook(layout: WorkbookLayout, values: Values, scheme: Scheme, checks: bool = True,
                      tables: dict[str, tuple[sc.Table, sc.TableResult]] | None = None
                      ) -> dict[tuple[str, str], object]:
    """(sheet code, field key) → the value its formula shows; blanks are "".

    `checks=False` skips the live-check counters and the self-check summary (their cells
    come back blank): the validator runs the full rules instead. `tables`, when given,
    receives each F1/F2 sheet's scoring-engine input and result, so they are not redone.
    """
    results: dict[str, dict[str, object]] = {}
    tables = {} if tables is None else tables
    project_sheets = [s for s in layout.sheets if s.role == "project"]
    for p in project_sheets:
        results[p.code], table, res = _table_cells(p, values, scheme, checks=checks)
        tables[p.code] = (table, res)
    dept = layout.sheet("dept")
    project_funds = None
    if project_sheets:
        project_funds = {k: sc.sum_numbers(results[p.code][f"funds.total.{k}"] for p in project_sheets)
                         for k in ("initial", "budget", "executed")}
    results["dept"], table, res = _table_cells(dept, values, scheme, project_funds, checks=checks)
    tables["dept"] = (table, res)
    dept_values = _Sheet(dept, values)
    results["basic"] = _basic_cells(layout.sheet("basic"), values, scheme, dept, results["dept"], dept_values,
                                    checks)
    results["summary"] = _summary_cells(project_sheets, values, results)
    if checks:
        results["info"] = _info_cells(layout, results, dept_values)

    out: dict[tuple[str, str], object] = {}
    for sheet in layout.sheets:
        computed = results.get(sheet.code, {})
        for f in sheet.fields:
            if f.kind == Kind.FORMULA:
                out[(sheet.code, f.key)] = computed[f.key] if checks else computed.get(f.key, Blank)
    return out


def _summary_cells(project_sheets: list[SheetLayout], values: Values,
                   results: dict[str, dict[str, object]]) -> dict[str, object]:
    summary: dict[str, object] = {}
    for i, p in enumerate(project_sheets, start=1):
        pv, pr = _Sheet(p, values), results[p.code]
        summary[f"p{i}.implementer"] = _text(pv("implementer"))
        summary[f"p{i}.name"] = _text(pv("name"))
        for column, source in COPIED.items():
            summary[f"p{i}.{column}"] = pr[source]
        rate = sc.execution_rate(sc.number(pr["funds.total.budget"]), sc.number(pr["funds.total.executed"]))
        summary[f"p{i}.rate"] = _blank(rate)
        summary[f"p{i}.contact"] = " ".join(_text(pv(k)) for k in ("filler", "phone")).strip(" ")
    totals = {k: sc.sum_numbers(sc.number(summary[f"p{i}.{k}"]) for i in range(1, len(project_sheets) + 1))
              for k in ("initial", "budget", "executed")}
    for k, v in totals.items():
        summary[f"total.{k}"] = _blank(v)
    summary["total.rate"] = _blank(sc.execution_rate(totals["budget"], totals["executed"]))
    return summary


def _info_cells(layout: WorkbookLayout, results: dict[str, dict[str, object]], dept_values: _Sheet
                ) -> dict[str, object]:
    info: dict[str, object] = {"department": _text(dept_values("name"))}
    totals = {"problems": 0, "missing": 0}
    for f in layout.sheet("info").fields:
        kind, _, code = f.key.partition(".")
        if kind in totals and code != "total":
            info[f.key] = results[code][kind]
            totals[kind] += int(results[code][kind])
    info["problems.total"] = totals["problems"]
    info["missing.total"] = totals["missing"]
    if totals["problems"]:
        info["status"] = f"{STATUS_PROBLEMS[0]}{totals['problems']}{STATUS_PROBLEMS[1]}"
    elif totals["missing"]:
        info["status"] = f"{STATUS_MISSING[0]}{totals['missing']}{STATUS_MISSING[1]}"
    else:
        info["status"] = STATUS_OK
    return info
