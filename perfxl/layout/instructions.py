"""填报说明: who the workbook is for, how to fill it, and the live self-check summary."""

from __future__ import annotations

from .. import formulas as fx
from .. import livechecks as lc
from ..scheme.model import Scheme
from .model import Field, Kind, Label, SheetLayout, VType, a1, quote_sheet

LAST_COL = 4
WIDTHS = {0: 4, 1: 28, 2: 10, 3: 12, 4: 46}
STATUS_OK = "未发现问题，必填项已填写完整，可以打印、盖章并报送。"
STATUS_PROBLEMS = ("发现 ", " 处问题，请修改标红的单元格，并为标黄的单元格说明原因。")
STATUS_MISSING = ("尚有 ", " 项必填内容未填写。")


def instructions_text(scheme: Scheme) -> list[str]:
    ex = scheme.execution
    fallback = [f"未设{lv.name}时，其 {lv.weight:g} 分计入{lv.fallback}" for lv in scheme.levels
                if lv.optional and lv.fallback]
    levels = "、".join(f"{lv.name} {lv.weight:g} 分" for lv in scheme.levels)
    bands = "；".join(f"“{q.name}”得 {q.min:g}～{q.max:g} 倍分值" for q in scheme.qualitative)
    return [
        "本工作簿由财政部门生成，请勿增删工作表、行或列，勿修改工作表名称，勿另存为 .xls 或设置打开密码。",
        "黄底单元格由单位填写；灰底单元格为财政下发数据或公式自动计算，已锁定，不能修改。",
        f"金额单位均为万元，保留两位小数（例如 1192819.16 元应填 119.28）。{lc.PERCENT_RULE}",
        f"执行率得分 = {ex.weight:g} × 执行率（最高 {ex.weight:g} 分）；执行率低于 {ex.reason_below:.0%} "
        f"或高于 {ex.reason_above:.0%} 时须填写预算执行偏差原因。",
        "绩效指标每行依次填写：三级指标名称、指标性质、年度指标值、计量单位、实际完成值、分值。"
        "定量指标（≥ > ≤ < =）的得分由公式自动计算。",
        f"定性指标：指标性质选“定性”，实际完成值选择完成档次，并在“定性评分”填写该档次区间内的分数（{bands}）。",
        f"各一级指标下的分值之和应等于规定分值（{levels}）" + ("；" + "；".join(fallback) if fallback else "") + "。",
        "得分低于分值的指标，须在“偏差原因分析及改进措施”中说明原因；实际完成值远超指标值的，也请说明。",
        "标红的单元格须修改，标黄的须说明原因。下方“自查结果”显示每张表的问题数和未填的必填项，点击工作表名称可跳转；"
        "结论显示“未发现问题”后再打印、盖章，并报送本 xlsx 文件。",
    ]


def build_instructions(sheet: SheetLayout, scheme: Scheme, checked: list[SheetLayout],
                       info: list[tuple[str, str, object]]) -> None:
    """`info`: (key, label, value) rows; `checked`: sheets whose problem counts are summed."""
    s = sheet
    s.title = "填报说明"
    s.widths.update(WIDTHS)
    s.print_cols = LAST_COL + 1
    s.landscape = False
    s.labels.append(Label(0, 0, "{year}年度预算绩效自评表 填报说明", "title", last_col=LAST_COL))
    s.heights[0] = 32
    row = 2
    for key, label, value in info:
        formula = value if isinstance(value, str) and value.startswith("=") else None
        s.labels.append(Label(row, 1, label, "label_left"))
        s.add(Field(key, row, 2, Kind.FORMULA if formula else Kind.ISSUED, VType.TEXT, label, formula=formula,
                    value=None if formula else value, last_col=LAST_COL, name=key, align="left"))
        row += 1
    row += 1
    s.labels.append(Label(row, 0, "填报要求", "section", last_col=LAST_COL))
    row += 1
    for i, line in enumerate(instructions_text(scheme), start=1):
        s.labels.append(Label(row, 0, f"{i}.", "note_center"))
        s.labels.append(Label(row, 1, line, "note", last_col=LAST_COL))
        s.heights[row] = 30
        row += 1
    row += 1
    s.labels.append(Label(row, 0, "自查结果（随填写实时更新）", "section", last_col=LAST_COL))
    row += 1
    for col, text in enumerate(("", "工作表", "问题数", "未填必填项", "说明")):
        s.labels.append(Label(row, col, text, "header"))
    row += 1
    first = row
    for i, other in enumerate(checked, start=1):
        s.labels.append(Label(row, 0, str(i), "label"))
        s.labels.append(Label(row, 1, other.name, "link", link=f"{quote_sheet(other.name)}!A1"))
        s.add(Field(f"problems.{other.code}", row, 2, Kind.FORMULA, VType.INTEGER, f"{other.name} · 问题数",
                    formula="=" + other.ref("problems", external=True)))
        s.add(Field(f"missing.{other.code}", row, 3, Kind.FORMULA, VType.INTEGER, f"{other.name} · 未填必填项",
                    formula="=" + other.ref("missing", external=True)))
        s.labels.append(Label(row, 4, other.title, "label_left"))
        row += 1
    s.labels.append(Label(row, 0, "", "label"))
    s.labels.append(Label(row, 1, "合计", "label"))
    total = s.add(Field("problems.total", row, 2, Kind.FORMULA, VType.INTEGER, "问题数合计",
                        formula=f"=SUM({a1(first, 2)}:{a1(row - 1, 2)})", name="problems.total"))
    missing = s.add(Field("missing.total", row, 3, Kind.FORMULA, VType.INTEGER, "未填必填项合计",
                          formula=f"=SUM({a1(first, 3)}:{a1(row - 1, 3)})", name="missing.total"))
    s.labels.append(Label(row, 4, "", "label"))
    row += 1
    s.labels.append(Label(row, 0, "结论", "label", last_col=1))
    s.add(Field("status", row, 2, Kind.FORMULA, VType.TEXT, "自查结论",
                formula=(f'=IF({total.ref}>0,{fx.string(STATUS_PROBLEMS[0])}&{total.ref}&'
                         f'{fx.string(STATUS_PROBLEMS[1])},IF({missing.ref}>0,{fx.string(STATUS_MISSING[0])}&'
                         f'{missing.ref}&{fx.string(STATUS_MISSING[1])},{fx.string(STATUS_OK)}))'),
                last_col=LAST_COL, align="left"))
    row += 2
    s.labels.append(Label(row, 0, "标记说明（红色为必须修改的问题，黄色为请说明原因的提示）", "section", last_col=LAST_COL))
    row += 1
    for check in lc.catalog(scheme).values():
        s.labels.append(Label(row, 0, "●", "mark_" + check.severity))
        s.labels.append(Label(row, 1, check.message, "note", last_col=LAST_COL))
        row += 1
