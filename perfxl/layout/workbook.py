"""Assemble the whole workbook layout for one shape: scheme × projects × blank/issued."""

from __future__ import annotations

import hashlib
import json

from .. import formulas as fx
from ..scheme.model import Scheme
from ..scoring import OPERATORS
from .basic import build_basic
from .instructions import build_instructions
from .model import Kind, SheetLayout, WorkbookLayout
from .summary import build_summary
from .table import build_table

TEMPLATE_VERSION = "2"
# Versions whose layout this code can still build: workbooks stay in circulation for
# months, so a file issued by an earlier release validates by the layout it was made with.
# 2: % rows checked for mixed scales (V07), 定性 band limits and cross-sheet checks in helper cells.
LAYOUT_VERSIONS = ("1", "2")
MAX_SHAPES = 256  # workbook shapes kept in each per-shape cache (layouts, plans, record JSON)
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
                 goals_issued: tuple[bool, ...] | None = None, version: str = TEMPLATE_VERSION) -> WorkbookLayout:
    """The layout of a workbook with `projects` project sheets (cached: it is pure).

    `version`: one of LAYOUT_VERSIONS; the writer always uses the current one, the
    validator the one a returned file records.
    """
    goals = tuple(goals_issued) if goals_issued is not None else (False,) * projects
    if len(goals) != projects:
        raise ValueError("goals_issued needs one entry per project")
    if version not in LAYOUT_VERSIONS:
        raise ValueError(f"unknown template version {version!r}")
    key = (scheme.name, scheme.content_hash, projects, blank, goals, version)
    if key not in _cache:
        if len(_cache) >= MAX_SHAPES:  # 2^projects goal patterns: keep memory flat over a province
            del _cache[next(iter(_cache))]
        _cache[key] = _build(scheme, projects, blank, goals, int(version))
    return _cache[key]


def current(layout: WorkbookLayout, scheme: Scheme) -> WorkbookLayout:
    """The same workbook shape laid out by the current template version: every field of an
    earlier version keeps its key and cell, so a copy made for the department (an annotated
    copy) upgrades a file in circulation to the template of today."""
    if layout.version == TEMPLATE_VERSION:
        return layout
    goals = tuple(s.get("goal.target").kind == Kind.ISSUED for s in layout.sheets if s.role == "project")
    return build_layout(scheme, layout.projects, layout.blank, goals, TEMPLATE_VERSION)


_sheet_cache: dict[tuple, SheetLayout] = {}


def _project_sheet(scheme: Scheme, i: int, issued: bool, goal_issued: bool, version: int) -> SheetLayout:
    """A project sheet depends only on its index and whether its goal is issued: shared by every shape."""
    key = (scheme.name, scheme.content_hash, i, issued, goal_issued, version)
    if key not in _sheet_cache:
        sheet = SheetLayout(project_sheet_name(i), "project", f"p{i}")
        build_table(sheet, scheme, department=False, issued=issued, goal_issued=goal_issued, version=version)
        _sheet_cache[key] = sheet
    return _sheet_cache[key]


def _shared_sheets(scheme: Scheme, projects: int, issued: bool, project_sheets: list[SheetLayout], version: int
                   ) -> tuple[SheetLayout, SheetLayout, SheetLayout]:
    """F2, basic data and summary read only the project sheets' fixed cells: one per project count."""
    key = (scheme.name, scheme.content_hash, projects, issued, "shared", version)
    if key not in _sheet_cache:
        dept = SheetLayout(SHEET_NAMES["dept"], "department", "dept")
        build_table(dept, scheme, department=True, issued=issued, project_totals=project_sheets, version=version)
        basic = SheetLayout(SHEET_NAMES["basic"], "basic", "basic")
        build_basic(basic, scheme, dept, version)
        summary = SheetLayout(SHEET_NAMES["summary"], "summary", "summary")
        build_summary(summary, project_sheets)
        _sheet_cache[key] = (dept, basic, summary)  # type: ignore[assignment]
    return _sheet_cache[key]  # type: ignore[return-value]


def _build(scheme: Scheme, projects: int, blank: bool, goals: tuple[bool, ...], version: int) -> WorkbookLayout:
    issued = not blank
    project_sheets = [_project_sheet(scheme, i, issued, goals[i - 1] and issued, version)
                      for i in range(1, projects + 1)]
    dept, basic, summary = _shared_sheets(scheme, projects, issued, project_sheets, version)
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
                            [info, basic, dept, summary, *project_sheets], lists, version=str(version))
    layout.digest = layout_digest(layout)
    return layout


def layout_digest(layout: WorkbookLayout) -> str:
    """A short hash of everything the layout places: equal digests, identical forms."""
    # json.dumps of the list, built from each sheet's cached part (sheets are shared between shapes)
    text = "[" + ", ".join(_sheet_json(s) for s in layout.sheets) + "]"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_sheet_json_cache: dict[int, tuple[SheetLayout, str]] = {}


def _sheet_json(s: SheetLayout) -> str:
    hit = _sheet_json_cache.get(id(s))
    if hit is None or hit[0] is not s:
        hit = (s, json.dumps((s.name, s.code, [(f.key, f.row, f.col, f.kind.value, f.formula) for f in s.fields]),
                             ensure_ascii=False))
        _sheet_json_cache[id(s)] = hit
    return hit[1]
