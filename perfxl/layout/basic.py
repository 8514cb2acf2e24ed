"""F3 部门整体支出绩效自评基础数据表 (seed 001), with the scheme's yes/no questions."""

from __future__ import annotations

from .. import formulas as fx
from .. import livechecks as lc
from ..limits import MAX_AMOUNT
from ..scheme.model import Scheme
from .model import Field, Highlight, Kind, Label, SheetLayout, Validation, VType, a1

LAST_COL = 7
FLAG_COL = 9
# Template 2: a check that reads another sheet is computed in a hidden cell here (1 or 0)
# and the mark points at that cell, since Excel's classic conditional formats refuse 3-D
# references (files with them are "repaired" and lose every conditional format).
CHECK_COLS = (10, 11)
WIDTHS = {0: 14, 1: 16, 2: 12, 3: 16, 4: 12, 5: 14, 6: 12, 7: 12, 8: 2, FLAG_COL: 6, 10: 6, 11: 6}

NAMED = {"income.total", "expense.total", "sangong.total", "conclusion", "problems", "missing"}  # defined names
INCOME = (("income.budget", "本级财政预算安排"), ("income.nontax", "非税收入"),
          ("income.transfer", "中央省市安排资金"), ("income.other", "其他收入"))
SANGONG = (("sangong.abroad", "因公出国（境）费"), ("sangong.vehicle", "公务用车购置及运行费"),
           ("sangong.reception", "公务接待费"))


def build_basic(sheet: SheetLayout, scheme: Scheme, dept: SheetLayout, version: int = 2) -> None:
    """Lay out F3; `dept` is the F2 sheet whose name, grade and funds rows it checks against.
    `version` 1 places template 1's cells (only to validate files issued with it)."""
    s = sheet
    legacy = version < 2
    s.title = "部门整体支出绩效自评基础数据表"
    s.widths.update(WIDTHS)
    s.hidden_cols = (8, FLAG_COL) if legacy else (8, FLAG_COL, *CHECK_COLS)
    s.print_cols = LAST_COL + 1
    s.landscape = False
    conditions: list[tuple[int, str]] = []

    def label(row: int, col: int, text: str, style: str = "label", last_row: int | None = None,
              last_col: int | None = None) -> None:
        s.labels.append(Label(row, col, text, style, last_row, last_col))

    def field(key: str, row: int, col: int, kind: Kind, vtype: VType, text: str, **kw) -> Field:
        return s.add(Field(key, row, col, kind, vtype, text, name=key if key in NAMED else None, **kw))

    def cross_sheet(key: str, cond: str, slot: int = 0) -> None:
        """Mark `key` while `cond` (which reads the F2 sheet) holds, and count it."""
        target = s.get(key)
        if legacy:
            s.highlights.append(Highlight((target.ref,), cond, "error"))
            conditions.append((target.row, cond))
            return
        check = field(f"check.{key}", target.row, CHECK_COLS[slot], Kind.FORMULA, VType.FLAG,
                      f"{target.label} · 自查", formula=lc.flag([cond]))
        s.highlights.append(Highlight((target.ref,), f"{a1(check.row, check.col, absolute=True)}=1", "error"))
        conditions.append((target.row, f"{check.ref}=1"))

    label(0, 0, "{year}年度部门整体支出绩效自评基础数据表", "title", last_col=LAST_COL)
    s.heights[0] = 30
    label(1, 0, "单位名称（盖章）：", "sign", last_col=1)
    field("department", 1, 2, Kind.FORMULA, VType.TEXT, "单位名称",
          formula=fx.text_of(dept.ref("name", external=True)),
          last_col=LAST_COL, align="left")

    # 基本情况
    r = 2
    label(r, 0, "基本情况", last_row=r + 1)
    label(r, 1, "编制人数")
    field("staff.quota", r, 2, Kind.INPUT, VType.INTEGER, "编制人数", required=True)
    label(r, 3, "实有人数")
    field("staff.actual", r, 4, Kind.INPUT, VType.INTEGER, "实有人数", required=True)
    label(r, 5, "", last_col=LAST_COL)
    label(r + 1, 1, "部门职能概述")
    field("functions", r + 1, 2, Kind.INPUT, VType.LONGTEXT, "部门职能概述", required=True, last_col=LAST_COL,
          align="left")
    s.heights[r + 1] = 60
    s.validations.append(Validation((f"{a1(r, 2)}:{a1(r, 4)}",), "integer", minimum=0, maximum=1_000_000,
                                    prompt_title="人数", prompt="填写整数人数。",
                                    error_title="人数", error="人数应为不小于 0 的整数。"))

    # 年度收入 / 支出
    r = 4
    label(r, 0, "年度收入（万元）", last_row=r + 1)
    cells = [(r, 1), (r, 3), (r + 1, 1), (r + 1, 3)]
    for (key, text), (row, col) in zip(INCOME, cells):
        label(row, col, text)
        field(key, row, col + 1, Kind.INPUT, VType.AMOUNT, f"年度收入 · {text}", required=True)
    label(r, 5, "合计", last_row=r + 1)
    field("income.total", r, 6, Kind.FORMULA, VType.AMOUNT, "年度收入 · 合计",
          formula=fx.sum_numbers([s.ref(k) for k, _ in INCOME]), last_row=r + 1, last_col=LAST_COL)
    r = 6
    label(r, 0, "年度支出（万元）", last_row=r + 1)
    label(r, 1, "基本支出")
    field("expense.basic", r, 2, Kind.INPUT, VType.AMOUNT, "年度支出 · 基本支出", required=True)
    label(r, 3, "项目支出")
    field("expense.project", r, 4, Kind.INPUT, VType.AMOUNT, "年度支出 · 项目支出", required=True)
    label(r, 5, "合计")
    field("expense.total", r, 6, Kind.FORMULA, VType.AMOUNT, "年度支出 · 合计",
          formula=fx.sum_numbers([s.ref("expense.basic"), s.ref("expense.project")]), last_col=LAST_COL)
    label(r + 2, 0, "三公经费明细（万元）")
    for i, (key, text) in enumerate(SANGONG):
        label(r + 2, 1 + 2 * i, text)
        field(key, r + 2, 2 + 2 * i, Kind.INPUT, VType.AMOUNT, f"三公经费 · {text}", required=True)
    label(r + 1, 1, "其中三公经费支出")
    field("sangong.total", r + 1, 2, Kind.FORMULA, VType.AMOUNT, "三公经费支出 · 合计",
          formula=fx.sum_numbers([s.ref(k) for k, _ in SANGONG]))
    label(r + 1, 3, "", last_col=LAST_COL)
    amount_cells = [a1(f.row, f.col) for f in s.fields if f.vtype == VType.AMOUNT and f.kind == Kind.INPUT]
    s.validations.append(Validation(tuple(amount_cells), "decimal", minimum=0, maximum=MAX_AMOUNT,
                                    prompt_title="金额（万元）", prompt="以万元为单位，保留两位小数。",
                                    error_title="金额", error="请填写不小于 0 的数字，单位为万元（不要带“元”“万元”等文字）。"))
    for slot, (key, dept_key) in enumerate((("expense.basic", "funds.basic.executed"),
                                            ("expense.project", "funds.project.executed"))):
        cross_sheet(key, lc.figures(s.ref(key), dept.ref(dept_key, external=True)), slot)

    # 实施情况
    r = 9
    label(r, 0, "实施情况", "header", last_col=LAST_COL)
    r += 1
    answer_cells: list[str] = []
    for group in scheme.question_groups:
        first = r
        for q in group.questions:
            label(r, 1, q.text, "label_left", last_col=6)
            ans = field(f"q.{q.key}", r, LAST_COL, Kind.INPUT, VType.CHOICE, q.text, required=True,
                        choices="yes_no")
            answer_cells.append(ans.ref)
            r += 1
            for d in q.detail:
                label(r, 1, f"    {d.label}（回答“{q.detail_when}”时填写）", "label_left", last_col=6)
                vtype = {"amount": VType.AMOUNT, "date": VType.DATE, "choice": VType.CHOICE}.get(d.type, VType.TEXT)
                det = field(f"q.{q.key}.{d.key}", r, LAST_COL, Kind.INPUT, vtype, f"{q.text} · {d.label}",
                            choices=f"detail.{q.key}.{d.key}" if d.type == "choice" else None)
                cond = lc.detail_missing(ans.ref, q.detail_when, det.ref)
                s.highlights.append(Highlight((det.ref,), cond, "error"))
                conditions.append((r, cond))
                if d.type == "amount":
                    s.validations.append(Validation((det.ref,), "decimal", minimum=0, maximum=MAX_AMOUNT,
                                                    prompt_title=d.label, prompt="以万元为单位。",
                                                    error_title=d.label, error="请填写不小于 0 的数字（万元）。"))
                elif d.type == "choice":
                    s.validations.append(Validation((det.ref,), "list", source=f"detail.{q.key}.{d.key}",
                                                    prompt_title=d.label, prompt="从下拉列表选择。",
                                                    error_title=d.label, error="请从下拉列表中选择。"))
                r += 1
        label(first, 0, group.name, last_row=r - 1)
    s.validations.append(Validation(tuple(answer_cells), "list", source="yes_no", prompt_title="是/否",
                                    prompt="从下拉列表选择“是”或“否”。", error_title="是/否", error="只能填写“是”或“否”。"))
    for q in (q for g in scheme.question_groups for q in g.questions if q.check == "overstaffing"):
        answer = s.get(f"q.{q.key}")
        cond = lc.staffing(s.ref("staff.quota"), s.ref("staff.actual"), answer.ref)
        s.highlights.append(Highlight((answer.ref,), cond, "error"))
        conditions.append((answer.row, cond))

    # 绩效, 结论, 签字
    label(r, 0, "部门主要绩效")
    field("performance", r, 1, Kind.INPUT, VType.LONGTEXT, "部门主要绩效", required=True, last_col=LAST_COL,
          align="left")
    s.heights[r] = 90
    r += 1
    label(r, 0, "自评结论")
    conclusion = field("conclusion", r, 1, Kind.INPUT, VType.CHOICE, "自评结论", required=True, choices="grades")
    label(r, 2, "注：填“优、良、中、差”，应与部门整体支出绩效自评表的自评等级一致。", "note", last_col=LAST_COL)
    s.validations.append(Validation((conclusion.ref,), "list", source="grades", prompt_title="自评结论",
                                    prompt="与部门整体支出绩效自评表的自评等级一致。",
                                    error_title="自评结论", error="请从下拉列表选择：优、良、中、差。"))
    cross_sheet("conclusion", lc.conclusion(conclusion.ref, dept.ref("grade", external=True)))
    r += 1
    for key, text, required in (("issues", "问题与建议", True), ("supervisor_opinion", "主管部门意见", False)):
        label(r, 0, text)
        field(key, r, 1, Kind.INPUT, VType.LONGTEXT, text, required=required, last_col=LAST_COL, align="left")
        s.heights[r] = 54
        r += 1
    r += 1
    label(r, 0, "填报人：", "sign")
    field("filler", r, 1, Kind.INPUT, VType.TEXT, "填报人", required=True, align="left")
    label(r, 2, "联系电话：", "sign")
    field("phone", r, 3, Kind.INPUT, VType.TEXT, "联系电话", required=True, align="left")
    label(r, 4, "填报日期：", "sign")
    field("date", r, 5, Kind.INPUT, VType.DATE, "填报日期", required=True, last_col=6, align="left")

    by_row: dict[int, list[str]] = {}
    for row, cond in conditions:
        by_row.setdefault(row, []).append(cond)
    for row in sorted(by_row):
        field(f"flag.{row + 1}", row, FLAG_COL, Kind.FORMULA, VType.FLAG, f"第{row + 1}行 自查",
              formula=lc.flag(by_row[row]))
    field("problems", 0, FLAG_COL, Kind.FORMULA, VType.FLAG, "自查问题数",
          formula=f"=SUM({a1(2, FLAG_COL)}:{a1(r, FLAG_COL)})")
    s.requirements = [(f.key, None) for f in s.fields if f.kind == Kind.INPUT and f.required]
    field("missing", 1, FLAG_COL, Kind.FORMULA, VType.FLAG, "必填项未填数",
          formula=lc.missing([(s.ref(key), None) for key, _ in s.requirements]))
