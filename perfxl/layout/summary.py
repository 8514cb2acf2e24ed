"""F4 项目支出绩效自评情况汇总表: one locked row per project sheet, and a 合计 row."""

from __future__ import annotations

from .. import formulas as fx
from .model import Field, Kind, Label, SheetLayout, VType, a1

LAST_COL = 9
WIDTHS = {0: 6, 1: 20, 2: 34, 3: 12, 4: 12, 5: 12, 6: 10, 7: 10, 8: 9, 9: 22}
# Summary columns that repeat a project sheet's cell: column key → the project field it shows.
COPIED = {"initial": "funds.total.initial", "budget": "funds.total.budget", "executed": "funds.total.executed",
          "score": "total.score", "grade": "grade"}
HEADERS = ("序号", "资金使用单位（科室）名称", "项目名称", "年初预算数", "全年预算数", "全年执行数", "执行率",
           "自评得分", "自评等级", "联系人及电话")


def build_summary(sheet: SheetLayout, projects: list[SheetLayout]) -> None:
    s = sheet
    s.title = "项目支出绩效自评情况汇总表"
    s.widths.update(WIDTHS)
    s.print_cols = LAST_COL + 1
    s.labels.append(Label(0, 0, "{year}年度{department}项目支出绩效自评情况汇总表", "title", last_col=LAST_COL))
    s.heights[0] = 30
    s.labels.append(Label(1, 0, "预算部门（盖章）：", "sign", last_col=2))
    s.labels.append(Label(1, 7, "单位：万元", "sign_right", last_col=LAST_COL))
    for col, text in enumerate(HEADERS):
        s.labels.append(Label(2, col, text, "header"))
    s.heights[2] = 30
    s.repeat_rows = (2, 2)

    def add(key: str, row: int, col: int, vtype: VType, label: str, formula: str, **kw) -> Field:
        return s.add(Field(key, row, col, Kind.FORMULA, vtype, label, formula=formula, **kw))

    row = 3
    for i, p in enumerate(projects, start=1):
        link = f"{p.ref('name', external=True).split('!')[0]}!A1"
        s.labels.append(Label(row, 0, str(i), "link", link=link))
        where = f"第{i}行（{p.name}）"
        add(f"p{i}.implementer", row, 1, VType.TEXT, f"{where} · 资金使用单位", fx.text_of(p.ref("implementer", external=True)),
            align="left")
        add(f"p{i}.name", row, 2, VType.TEXT, f"{where} · 项目名称", fx.text_of(p.ref("name", external=True)), align="left")
        for col, key, text in ((3, "initial", "年初预算数"), (4, "budget", "全年预算数"), (5, "executed", "全年执行数")):
            add(f"p{i}.{key}", row, col, VType.AMOUNT, f"{where} · {text}", "=" + p.ref(COPIED[key], external=True))
        add(f"p{i}.rate", row, 6, VType.RATE, f"{where} · 执行率", fx.execution_rate(a1(row, 4), a1(row, 5)))
        add(f"p{i}.score", row, 7, VType.SCORE, f"{where} · 自评得分", "=" + p.ref(COPIED["score"], external=True))
        add(f"p{i}.grade", row, 8, VType.CHOICE, f"{where} · 自评等级", "=" + p.ref(COPIED["grade"], external=True))
        filler, phone = p.ref("filler", external=True), p.ref("phone", external=True)
        add(f"p{i}.contact", row, 9, VType.TEXT, f"{where} · 联系人及电话", f'=TRIM({filler}&" "&{phone})',
            align="left")
        row += 1
    s.labels.append(Label(row, 0, "合计", "label", last_col=2))
    for col, key, text in ((3, "initial", "年初预算数"), (4, "budget", "全年预算数"), (5, "executed", "全年执行数")):
        refs = [a1(r, col) for r in range(3, row)] or ['""']
        add(f"total.{key}", row, col, VType.AMOUNT, f"合计 · {text}", fx.sum_numbers(refs), name=f"total.{key}")
    add("total.rate", row, 6, VType.RATE, "合计 · 执行率", fx.execution_rate(a1(row, 4), a1(row, 5)), name="total.rate")
    s.labels.append(Label(row, 7, "", "label", last_col=LAST_COL))
    s.ranges["rows"] = f"{a1(3, 0)}:{a1(max(row - 1, 3), LAST_COL)}"
