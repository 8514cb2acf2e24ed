"""Summary and basic data against the tables (T04, T05, D02–D05); T01–T03 and D01 come
from overwritten formulas (integrity), since the template computes those cells itself."""

from __future__ import annotations

from .. import livechecks as lc
from .. import scoring as sc
from ..layout.model import Kind
from . import fmt
from .context import Context


def check_summary(ctx: Context) -> None:
    if "summary" not in ctx.sheets:
        return
    summary = ctx.layout.sheet("summary")
    for i, project in enumerate(ctx.project_sheets, start=1):
        key = f"p{i}.name"
        row = summary.get(key).row + 1
        if project.code in ctx.unusable and ctx.book.sheet(ctx.sheet_name(project.code)) is None:
            ctx.add("T04", sheet="summary", key=key, sheet_name=project.name, row=row, expected=project.name,
                    actual=None)
            continue
        cell = ctx.cell("summary", key)
        if cell.formula is None and cell.value is not None:
            names = {str(ctx.value(p.code, "name") or "").strip() for p in ctx.project_sheets}
            if str(cell.value).strip() not in names:
                ctx.add("T04", "name", sheet="summary", key=key, row=row, actual=cell.value,
                        expected=ctx.value(project.code, "name") or project.name)


def check_department(ctx: Context) -> None:
    if "basic" not in ctx.sheets:
        return
    scheme = ctx.scheme
    get = lambda key: ctx.value("basic", key)  # noqa: E731
    grade = ctx.expected("dept", "grade")
    if "dept" in ctx.sheets and lc.py_conclusion(get("conclusion"), grade):
        ctx.add("T05", sheet="basic", key="conclusion", expected=grade, actual=get("conclusion"))
    for group in scheme.question_groups:
        for q in group.questions:
            answer = get(f"q.{q.key}")
            if q.check == "overstaffing" and lc.py_staffing(get("staff.quota"), get("staff.actual"), answer):
                over = get("staff.actual") > get("staff.quota")
                ctx.add("D02", sheet="basic", key=f"q.{q.key}", expected="是" if over else "否", actual=answer,
                        quota=fmt.show(get("staff.quota")), staff=fmt.show(get("staff.actual")))
            for d in q.detail:
                key = f"q.{q.key}.{d.key}"
                if lc.py_detail_missing(answer, q.detail_when, get(key)):
                    field = ctx.layout.sheet("basic").get(key)
                    ctx.add("D03", sheet="basic", key=key, question=q.text,
                            answer=answer, label=field.label.rpartition(" · ")[2], expected=None, actual=None)
    income, expense = ctx.expected("basic", "income.total"), ctx.expected("basic", "expense.total")
    if sc.is_number(income) and sc.is_number(expense) and expense > income + sc.TOLERANCE:
        ctx.add("D04", sheet="basic", key="expense.total", expected=income, actual=expense,
                expense=fmt.amount(expense), income=fmt.amount(income))
    if "dept" not in ctx.sheets:
        return
    dept = ctx.layout.sheet("dept")
    for basic_key, dept_key in (("expense.basic", "funds.basic.executed"), ("expense.project", "funds.project.executed")):
        f = dept.get(dept_key)
        theirs = ctx.expected("dept", dept_key) if f.kind == Kind.FORMULA else ctx.value("dept", dept_key)
        if lc.py_figures(get(basic_key), theirs):
            ctx.add("D05", sheet="basic", key=basic_key, expected=theirs, actual=get(basic_key))
