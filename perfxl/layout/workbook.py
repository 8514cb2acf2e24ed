"""Assemble the whole workbook layout for one shape: scheme × projects × blank/issued."""

from __future__ import annotations

import hashlib
import json

from .. import formulas as fx
from ..scheme.model import Scheme
from ..scoring import OPERATORS
from .basic import build_basic
from .instructions import build_instructions
from .model import SheetLayout, WorkbookLayout
from .summary import build_summary
from .table import build_table

TEMPLATE_VERSION = "1"
RECORD_SHEET = "_perfxl"
SHEET_NAMES = {
    "info": "填报说明",
    "basic": "基础数据表",
    "dept": "部门整体支出绩效自评表",
    "summary": "项目支出绩效自评情况汇总表",
}
YES_NO = ("是", "否")

# (key, label, value) of the 填报说明 header; values are filled per workbook (see writer).
INFO_ROWS = (
    ("year", "年度"),
    ("department", "部门（单位）"),
    ("template_version", "模板版本"),
    ("scheme", "评分方案"),
    ("generated", "生成日期"),
)


def project_sheet_name(index: int) -> str:
    return f"项目{index}"


_cache: dict[tuple, WorkbookLayout] = {}


def build_layout(scheme: Scheme, projects: int, blank: bool = False,
                 goals_issued: tuple[bool, ...] | None = None) -> WorkbookLayout:
    """The layout of a workbook with `projects` project sheets (cached: it is pure)."""
    goals = tuple(goals_issued) if goals_issued is not None else (False,) * projects
    if len(goals) != projects:
        raise ValueError("goals_issued needs one entry per project")
    key = (scheme.name, scheme.content_hash, projects, blank, goals)
    if key not in _cache:
        _cache[key] = _build(scheme, projects, blank, goals)
    return _cache[key]


def _build(scheme: Scheme, projects: int, blank: bool, goals: tuple[bool, ...]) -> WorkbookLayout:
    issued = not blank
    project_sheets = []
    for i in range(1, projects + 1):
        sheet = SheetLayout(project_sheet_name(i), "project", f"p{i}")
        build_table(sheet, scheme, department=False, issued=issued, goal_issued=goals[i - 1] and issued)
        project_sheets.append(sheet)
    dept = SheetLayout(SHEET_NAMES["dept"], "department", "dept")
    build_table(dept, scheme, department=True, issued=issued, project_totals=project_sheets)
    basic = SheetLayout(SHEET_NAMES["basic"], "basic", "basic")
    build_basic(basic, scheme, dept)
    summary = SheetLayout(SHEET_NAMES["summary"], "summary", "summary")
    build_summary(summary, project_sheets)
    info = SheetLayout(SHEET_NAMES["info"], "instructions", "info")
    dept_name = dept.ref("name", external=True)
    info_values = {"department": fx.text_of(dept_name)}
    build_instructions(info, scheme, [basic, dept, *project_sheets],
                       [(k, label, info_values.get(k)) for k, label in INFO_ROWS])
    lists = {
        "operators": OPERATORS,
        "units": scheme.units,
        "qualitative": tuple(q.name for q in scheme.qualitative),
        "yes_no": YES_NO,
        "grades": tuple(g.name for g in scheme.grades),
    }
    for group in scheme.question_groups:
        for q in group.questions:
            for d in q.detail:
                if d.type == "choice":
                    lists[f"detail.{q.key}.{d.key}"] = d.choices
    layout = WorkbookLayout(scheme.name, scheme.content_hash, projects, blank,
                            [info, basic, dept, summary, *project_sheets], lists)
    layout.digest = layout_digest(layout)
    return layout


def layout_digest(layout: WorkbookLayout) -> str:
    """A short hash of everything the layout places: equal digests, identical forms."""
    data = [(s.name, s.code, [(f.key, f.row, f.col, f.kind.value, f.formula) for f in s.fields]) for s in layout.sheets]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:16]
