"""F1 项目支出绩效自评表 and F2 部门整体支出绩效自评表: one builder for both.

Columns (A–K print; M is a hidden live-check counter):
一级 | 二级 | 三级 | 指标性质 | 年度指标值 | 计量单位 | 实际完成值 | 分值 | 定性评分 | 得分 | 偏差原因.
The funds block reuses the same grid: 年初 D, 全年 E, 执行 F, 分值 G, 执行率 H:I, 得分 J:K.
定性评分 is the one column the official form lacks: 得分 stays a locked formula on every
row, and for a 定性 indicator it takes the score the department types there.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import formulas as fx
from .. import livechecks as lc
from ..limits import MAX_AMOUNT
from ..scheme.model import Scheme
from ..scoring import QUALITATIVE
from .model import Field, Highlight, Kind, Label, SheetLayout, Validation, VType, a1, a1_range

# Indicator table columns.
COL = {
    "level": 0, "category": 1, "name": 2, "op": 3, "target": 4, "unit": 5, "actual": 6,
    "weight": 7, "qual": 8, "score": 9, "reason": 10,
}
# Funds block columns.
FUNDS_COL = {"initial": 3, "budget": 4, "executed": 5, "weight": 6, "rate": 7, "score": 9}
LAST_COL = 10
FLAG_COL = 12        # hidden: problems on this row (the sheet's count sums them)
INCOMPLETE_COL = 13  # hidden: 1 when an indicator row is incomplete (its marks refer to it)
# Hidden helpers of template 2: 1 when a % row's two values are on different scales (V07),
# and the low and high end of the chosen 定性 level's band.
MIXED_COL, LOW_COL, HIGH_COL = 14, 15, 16
WIDTHS = {0: 9, 1: 10, 2: 26, 3: 8, 4: 11, 5: 8, 6: 14, 7: 7, 8: 8, 9: 8, 10: 24, 11: 2, FLAG_COL: 6,
          INCOMPLETE_COL: 6, MIXED_COL: 6, LOW_COL: 6, HIGH_COL: 6}
HELPERS = {"mixed": MIXED_COL, "low": LOW_COL, "high": HIGH_COL}

INDICATOR_INPUTS = ("name", "op", "target", "unit", "actual", "weight", "qual", "reason")
INDICATOR_VTYPES = {
    "name": VType.TEXT, "op": VType.CHOICE, "target": VType.NUMBER, "unit": VType.CHOICE,
    "actual": VType.NUMBER, "weight": VType.WEIGHT, "qual": VType.SCORE, "reason": VType.TEXT,
}
INDICATOR_LABELS = {
    "name": "三级指标", "op": "指标性质", "target": "年度指标值", "unit": "计量单位", "actual": "实际完成值",
    "weight": "分值", "qual": "定性评分", "score": "得分", "reason": "偏差原因分析及改进措施",
}


@dataclass(frozen=True)
class IndicatorRow:
    index: int      # 1-based, in form order
    row: int
    level: str
    category: str


@dataclass(frozen=True)
class FundsRow:
    key: str        # "total", "fiscal", "carryover", "other" / "basic", "project"
    label: str
    row: int


PROJECT_FUNDS = (("fiscal", "其中：当年财政拨款"), ("carryover", "上年结转资金"), ("other", "其他资金"))
DEPARTMENT_FUNDS = (("basic", "其中：基本支出"), ("project", "项目支出"))


def build_table(sheet: SheetLayout, scheme: Scheme, *, department: bool, issued: bool, goal_issued: bool = False,
                project_totals: list[SheetLayout] | None = None, version: int = 2) -> None:
    """Lay out a whole F1 (department=False) or F2 (department=True) sheet.

    `issued`: budget figures and names come from the roster (locked) instead of inputs.
    `goal_issued`: the roster gave this project's 预期目标, so it is locked too.
    `project_totals`: for F2, the project sheets whose totals feed the 项目支出 row.
    `version`: the template version whose cells to place (1 only to validate files issued with it).
    """
    b = _Builder(sheet, scheme, legacy=version < 2)
    b.header(department, issued)
    b.funds(department, issued, project_totals or [])
    b.goals(goal_issued)
    b.indicators()
    b.totals()
    b.signature()
    b.finish()


class _Builder:
    def __init__(self, sheet: SheetLayout, scheme: Scheme, legacy: bool = False):
        self.s = sheet
        self.scheme = scheme
        self.legacy = legacy
        self.row = 0
        self.conditions: list[tuple[int, str]] = []  # (row, condition) feeding the counter column
        sheet.widths.update(WIDTHS)
        sheet.hidden_cols = (11, FLAG_COL, INCOMPLETE_COL) + (() if legacy else tuple(HELPERS.values()))
        sheet.print_cols = LAST_COL + 1

    # --- helpers -------------------------------------------------------------------
    def label(self, row: int, col: int, text: str, style: str = "label", last_row: int | None = None,
              last_col: int | None = None) -> None:
        self.s.labels.append(Label(row, col, text, style, last_row, last_col))

    def field(self, key: str, row: int, col: int, kind: Kind, vtype: VType, label: str, **kw) -> Field:
        return self.s.add(Field(key, row, col, kind, vtype, label, **kw))

    def ref(self, key: str) -> str:
        return self.s.ref(key)

    # --- header --------------------------------------------------------------------
    def header(self, department: bool, issued: bool) -> None:
        title = "部门整体支出绩效自评表" if department else "项目支出绩效自评表"
        self.s.title = title
        self.label(0, 0, title, "title", last_col=LAST_COL)
        self.label(1, 0, "（{year}年度）", "subtitle", last_col=LAST_COL)
        self.s.heights[0] = 30
        kind = Kind.ISSUED if issued else Kind.INPUT
        if department:
            self.label(2, 0, "部门（单位）名称", last_col=1)
            self.field("name", 2, 2, kind, VType.TEXT, "部门（单位）名称", required=True, last_col=LAST_COL,
                       name="name", align="left")
            self.row = 3
        else:
            self.label(2, 0, "项目名称", last_col=1)
            self.field("name", 2, 2, kind, VType.TEXT, "项目名称", required=True, last_col=LAST_COL, name="name",
                       align="left")
            self.label(3, 0, "主管部门", last_col=1)
            self.field("supervisor", 3, 2, kind, VType.TEXT, "主管部门", required=True, last_col=5,
                       align="left")
            self.label(3, 6, "实施单位", last_col=7)
            self.field("implementer", 3, 8, kind, VType.TEXT, "实施单位", required=True, last_col=LAST_COL,
                       align="left")
            self.row = 4

    # --- funds ---------------------------------------------------------------------
    def funds(self, department: bool, issued: bool, projects: list[SheetLayout]) -> None:
        top = self.row
        subs = DEPARTMENT_FUNDS if department else PROJECT_FUNDS
        last = top + 1 + len(subs)
        self.label(top, 0, "部门资金（万元）" if department else "项目资金（万元）", "label", last_row=last)
        self.label(top, 1, "", "header", last_col=2)
        for key, col in FUNDS_COL.items():
            text = {"initial": "年初预算数", "budget": "全年预算数（A）", "executed": "全年执行数（B）",
                    "weight": "分值", "rate": "执行率（B/A）", "score": "得分"}[key]
            end = col + 1 if key in ("rate", "score") else None
            self.label(top, col, text, "header", last_col=end)
        total = top + 1
        self.s.funds_rows.append(FundsRow("total", "年度资金总额", total))
        for i, (key, text) in enumerate(subs):
            self.s.funds_rows.append(FundsRow(key, text, total + 1 + i))

        for fr in self.s.funds_rows:
            self.label(fr.row, 1, fr.label, "label_left" if fr.key != "total" else "label", last_col=2)
            if fr.key == "total":
                continue
            for col_key in ("initial", "budget", "executed"):
                col = FUNDS_COL[col_key]
                key = f"funds.{fr.key}.{col_key}"
                label = f"{fr.label.removeprefix('其中：')} · {self._funds_col_label(col_key)}"
                if fr.key == "project" and projects:
                    refs = [p.ref(f"funds.total.{col_key}", external=True) for p in projects]
                    self.field(key, fr.row, col, Kind.FORMULA, VType.AMOUNT, label, formula=fx.sum_numbers(refs))
                elif col_key == "executed":
                    # A department without projects spent nothing on projects: issued 0.
                    kind = Kind.ISSUED if fr.key == "project" else Kind.INPUT
                    self.field(key, fr.row, col, kind, VType.AMOUNT, label,
                               value=0.0 if kind == Kind.ISSUED else None)
                else:
                    kind = Kind.ISSUED if issued or fr.key == "project" else Kind.INPUT
                    value = 0.0 if fr.key == "project" and not issued else None
                    self.field(key, fr.row, col, kind, VType.AMOUNT, label, value=value)
            self.field(f"funds.{fr.key}.rate", fr.row, FUNDS_COL["rate"], Kind.FORMULA, VType.RATE,
                       f"{fr.label.removeprefix('其中：')} · 执行率",
                       formula=fx.execution_rate(self.ref(f"funds.{fr.key}.budget"),
                                                 self.ref(f"funds.{fr.key}.executed")),
                       last_col=FUNDS_COL["rate"] + 1)
            self.label(fr.row, FUNDS_COL["weight"], "—", "label")
            self.label(fr.row, FUNDS_COL["score"], "—", "label", last_col=FUNDS_COL["score"] + 1)

        subs_rows = [fr for fr in self.s.funds_rows if fr.key != "total"]
        for col_key in ("initial", "budget", "executed"):
            refs = [self.ref(f"funds.{fr.key}.{col_key}") for fr in subs_rows]
            self.field(f"funds.total.{col_key}", total, FUNDS_COL[col_key], Kind.FORMULA, VType.AMOUNT,
                       f"年度资金总额 · {self._funds_col_label(col_key)}", formula=fx.sum_numbers(refs),
                       name=f"funds.total.{col_key}")
        self.field("funds.total.weight", total, FUNDS_COL["weight"], Kind.ISSUED, VType.WEIGHT,
                   "年度资金总额 · 分值", value=self.scheme.execution.weight)
        self.field("funds.total.rate", total, FUNDS_COL["rate"], Kind.FORMULA, VType.RATE, "年度资金总额 · 执行率",
                   formula=fx.execution_rate(self.ref("funds.total.budget"), self.ref("funds.total.executed")),
                   last_col=FUNDS_COL["rate"] + 1, name="funds.total.rate")
        self.field("funds.total.score", total, FUNDS_COL["score"], Kind.FORMULA, VType.SCORE,
                   "年度资金总额 · 得分（执行率得分）",
                   formula=fx.execution_score(self.ref("funds.total.rate"), self.scheme),
                   last_col=FUNDS_COL["score"] + 1, name="funds.total.score")

        for fr in self.s.funds_rows:
            cond = lc.over_budget(self.ref(f"funds.{fr.key}.budget"), self.ref(f"funds.{fr.key}.executed"))
            self._highlight(a1(fr.row, FUNDS_COL["executed"]), cond, "error")
            self.conditions.append((fr.row, cond))

        amount_inputs = tuple(f.ref for f in self.s.fields if f.key.startswith("funds.") and f.kind == Kind.INPUT)
        if amount_inputs:
            self.s.validations.append(Validation(
                amount_inputs, "decimal", minimum=0, maximum=MAX_AMOUNT, prompt_title="金额（万元）",
                prompt="以万元为单位，保留两位小数（例如 1192819.16 元应填 119.28）。",
                error_title="金额", error="请填写不小于 0 的数字，单位为万元，不要带“元”“万元”等文字。"))
        self.s.heights[top] = 30

        reason_row = last + 1
        self.label(reason_row, 0, "预算执行偏差原因", last_col=2)
        ex = self.scheme.execution
        self.field("funds.reason", reason_row, 3, Kind.INPUT, VType.LONGTEXT, "预算执行偏差原因",
                   last_col=LAST_COL, align="left")
        self.s.heights[reason_row] = 36
        cond = lc.execution_reason(self.ref("funds.total.rate"), self.ref("funds.reason"), self.scheme)
        self._highlight(a1(reason_row, 3), cond, "error")
        self.conditions.append((reason_row, cond))
        self.s.validations.append(Validation(
            (a1(reason_row, 3),), "any", prompt_title="预算执行偏差原因",
            prompt=f"执行率低于{ex.reason_below:.0%}或高于{ex.reason_above:.0%}时必须说明原因。"))
        self.row = reason_row + 1

    @staticmethod
    def _funds_col_label(col_key: str) -> str:
        return {"initial": "年初预算数", "budget": "全年预算数", "executed": "全年执行数"}[col_key]

    # --- goals ---------------------------------------------------------------------
    def goals(self, goal_issued: bool) -> None:
        r = self.row
        self.label(r, 0, "年度总体目标", last_row=r + 1)
        self.label(r, 1, "预期目标", "header", last_col=5)
        self.label(r, 6, "实际完成情况", "header", last_col=LAST_COL)
        kind = Kind.ISSUED if goal_issued else Kind.INPUT
        self.field("goal.target", r + 1, 1, kind, VType.LONGTEXT, "年度总体目标 · 预期目标", required=True,
                   last_col=5, align="left")
        self.field("goal.actual", r + 1, 6, Kind.INPUT, VType.LONGTEXT, "年度总体目标 · 实际完成情况",
                   required=True, last_col=LAST_COL, align="left")
        self.s.heights[r + 1] = 60
        self.row = r + 2

    # --- indicators ----------------------------------------------------------------
    def indicators(self) -> None:
        head = self.row
        for key, col in COL.items():
            text = {"level": "一级指标", "category": "二级指标"}.get(key, INDICATOR_LABELS.get(key, key))
            self.label(head, col, text, "header")
        self.s.heights[head] = 30
        self.s.repeat_rows = (head, head)
        row = head + 1
        index = 0
        # One contiguous table (one validation and one highlight per column), then a
        # subtotal row per level below it.
        self.level_blocks: list[tuple[str, int, int, int]] = []  # (level, first, last, subtotal row)
        blocks = []
        for level in self.scheme.levels:
            first = row
            for cat in level.categories:
                self.label(row, COL["category"], cat.name, "label", last_row=row + cat.rows - 1)
                for _ in range(cat.rows):
                    index += 1
                    self._indicator_row(index, row, level.name, cat.name)
                    row += 1
            self.label(first, COL["level"], f"{level.name}\n（{level.weight:g}分）", "label", last_row=row - 1)
            blocks.append((level.name, first, row - 1))
        self.table_range = (head + 1, row - 1)
        for level, first, last in blocks:
            self.level_blocks.append((level, first, last, row))
            row += 1
        self._level_subtotals()
        self._indicator_rules()
        self.row = row

    def _indicator_row(self, index: int, row: int, level: str, category: str) -> None:
        self.s.indicator_rows.append(IndicatorRow(index, row, level, category))
        prefix = f"ind.{index}"
        where = f"{category}第{_row_number_in_category(self.s)}行"
        for key in INDICATOR_INPUTS:
            self.field(f"{prefix}.{key}", row, COL[key], Kind.INPUT, INDICATOR_VTYPES[key],
                       f"{where} · {INDICATOR_LABELS[key]}",
                       choices={"op": "operators", "unit": "units"}.get(key),
                       align="left" if key in ("name", "reason") else None)
        refs = {key: a1(row, col) for key, col in COL.items()}
        if not self.legacy:
            refs.update({key: a1(row, col) for key, col in HELPERS.items()})
            self.field(f"{prefix}.mixed", row, MIXED_COL, Kind.FORMULA, VType.FLAG, f"{where} · 百分比写法不一致",
                       formula=fx.percent_mixed(refs["target"], refs["unit"], refs["actual"]))
            for end in ("low", "high"):
                self.field(f"{prefix}.{end}", row, HELPERS[end], Kind.FORMULA, VType.SCORE,
                           f"{where} · 定性评分{'下限' if end == 'low' else '上限'}",
                           formula=fx.band_limit(refs["actual"], refs["weight"], self.scheme, end == "high"))
        self.field(f"{prefix}.score", row, COL["score"], Kind.FORMULA, VType.SCORE, f"{where} · 得分",
                   formula=fx.indicator_score(refs["op"], refs["target"], refs["actual"], refs["weight"],
                                              refs["qual"], self.scheme, None if self.legacy else refs["mixed"]))
        conditions = lc.indicator_conditions(refs, self.scheme, self.legacy)
        self.field(f"{prefix}.incomplete", row, INCOMPLETE_COL, Kind.FORMULA, VType.FLAG, f"{where} · 填写不完整",
                   formula=lc.flag([conditions.pop("incomplete")]))
        self.conditions.append((row, f"{a1(row, INCOMPLETE_COL)}=1"))
        for cond in conditions.values():
            self.conditions.append((row, cond))

    def _level_subtotals(self) -> None:
        weight_ranges = {lv: a1_range(first, COL["weight"], last, COL["weight"])
                         for lv, first, last, _ in self.level_blocks}
        all_weights = ",".join(weight_ranges.values())
        for j, (level, first, last, sub) in enumerate(self.level_blocks, start=1):
            self.label(sub, 0, f"{level}小计", "subtotal", last_col=6)
            self.field(f"level.{j}.weight", sub, COL["weight"], Kind.FORMULA, VType.WEIGHT, f"{level} · 分值小计",
                       formula=fx.subtotal(weight_ranges[level], rounded=False))
            self.label(sub, COL["qual"], "", "subtotal")
            self.field(f"level.{j}.score", sub, COL["score"], Kind.FORMULA, VType.SCORE, f"{level} · 得分小计",
                       formula=fx.subtotal(a1_range(first, COL["score"], last, COL["score"]), rounded=True))
            self.label(sub, COL["reason"], "", "subtotal")
            expected = fx.expected_level_weight(level, weight_ranges, self.scheme)
            cond = lc.level_weight(a1(sub, COL["weight"]), expected, all_weights)
            self._highlight(a1(sub, COL["weight"]), cond, "error")
            self.conditions.append((sub, cond))

    def _indicator_rules(self) -> None:
        scheme = self.scheme
        bands = "；".join(f"{q.name}：{q.min:g}～{q.max:g}倍分值" for q in scheme.qualitative)
        qual = fx.string(QUALITATIVE)
        first, last = self.table_range
        def rng(key: str) -> str:
            return a1_range(first, COL[key], last, COL[key])

        cols = COL if self.legacy else {**COL, **HELPERS}
        refs = {key: a1(first, col) for key, col in cols.items()}
        refs_abs_col = {key: f"${a1(first, col)}" for key, col in cols.items()}
        v = self.s.validations
        v.append(Validation((rng("op"),), "list", source="operators", prompt_title="指标性质",
                            prompt="定量指标选 ≥ > ≤ < =；文字描述的指标选“定性”。",
                            error_title="指标性质", error="请从下拉列表中选择：≥、>、≤、<、= 或 定性。"))
        v.append(Validation((rng("target"),), "custom",
                            source=f'OR({refs_abs_col["op"]}={qual},{refs_abs_col["op"]}="",'
                                   f'ISNUMBER({refs["target"]}))',
                            prompt_title="年度指标值", prompt=f"定量指标填数字；定性指标填目标的简短描述。{lc.PERCENT_RULE}",
                            error_title="年度指标值", error="定量指标的年度指标值应为数字，不要带单位或文字。"))
        v.append(Validation((rng("unit"),), "list", source="units", error_type="warning",
                            prompt_title="计量单位", prompt="从下拉列表选择，也可填写其他单位。定性指标可不填。",
                            error_title="计量单位", error="该单位不在常用列表中。确定使用吗？"))
        v.append(Validation((rng("actual"),), "list", source="qualitative", show_error=False,
                            prompt_title="实际完成值",
                            prompt=f"定量指标填数字；定性指标从下拉列表选择完成档次。{lc.PERCENT_RULE}"))
        v.append(Validation((rng("weight"),), "decimal", minimum=0, maximum=100,
                            prompt_title="分值", prompt="本一级指标各行分值之和应为规定分值（见左侧）。",
                            error_title="分值", error="分值应为 0～100 之间的数字。"))
        if self.legacy:
            band = fx.in_qualitative_band(refs["qual"], refs_abs_col["actual"], refs_abs_col["weight"], scheme)
            band_check = f'ISNUMBER({refs_abs_col["weight"]}),{band}'
        else:
            low, high = refs_abs_col["low"], refs_abs_col["high"]
            band_check = f'ISNUMBER({low}),{refs["qual"]}>={low},{refs["qual"]}<={high}'
        v.append(Validation((rng("qual"),), "custom",
                            source=f'AND({refs_abs_col["op"]}={qual},ISNUMBER({refs["qual"]}),{band_check})',
                            prompt_title="定性评分", prompt=f"仅定性指标填写，须在所选档次的区间内：{bands}。",
                            error_title="定性评分",
                            error="定性评分须在所选档次的区间内（先选指标性质“定性”、完成档次并填写分值）。"))
        conds = lc.indicator_conditions(refs_abs_col, scheme, self.legacy)
        if not self.legacy:
            self._highlight(rng("target"), conds["percent_mixed"], "error")
            self._highlight(rng("actual"), conds["percent_mixed"], "error")
        self._highlight(rng("reason"), conds["reason_missing"], "error")
        self._highlight(rng("reason"), conds["overshoot"], "warning")
        self._highlight(rng("qual"), conds["band"], "error")
        incomplete = f"${a1(first, INCOMPLETE_COL)}=1"
        for key, cond in lc.incomplete_cells(refs_abs_col, incomplete, scheme).items():
            self._highlight(rng(key), cond, "error")
        self._highlight(rng("qual"), f'AND({refs_abs_col["op"]}<>"",{refs_abs_col["op"]}<>{qual})', "muted")

    # --- totals and signature --------------------------------------------------------
    def totals(self) -> None:
        r = self.row
        self.label(r, 0, "总分", "label", last_col=6)
        exec_weight = self.ref("funds.total.weight")
        level_weights = [self.ref(f"level.{j}.weight") for j in range(1, len(self.level_blocks) + 1)]
        level_scores = [self.ref(f"level.{j}.score") for j in range(1, len(self.level_blocks) + 1)]
        score_ranges = [a1_range(first, COL["score"], last, COL["score"]) for _, first, last, _ in self.level_blocks]
        total_weight = self.field("total.weight", r, COL["weight"], Kind.FORMULA, VType.WEIGHT, "总分 · 分值合计",
                                  formula=fx.total_weight(exec_weight, level_weights))
        all_weights = ",".join(a1_range(first, COL["weight"], last, COL["weight"]) for _, first, last, _ in
                               self.level_blocks)
        # Marked only: the level subtotals above already count the problem.
        self._highlight(total_weight.ref, lc.level_weight(total_weight.ref, fx.num(self.scheme.total_weight),
                                                          all_weights), "error")
        self.label(r, COL["qual"], "", "label")
        self.field("total.score", r, COL["score"], Kind.FORMULA, VType.SCORE, "总分",
                   formula=fx.total_score(self.ref("funds.total.score"), score_ranges, level_scores),
                   name="total.score", last_col=LAST_COL)
        self.label(r + 1, 0, "自评等级", "label", last_col=6)
        self.field("grade", r + 1, COL["weight"], Kind.FORMULA, VType.CHOICE, "自评等级",
                   formula=fx.grade(self.ref("total.score"), self.scheme), name="grade", last_col=LAST_COL)
        bands = " · ".join(f"{g.name} ≥ {g.min:g}" if g.min > 0 else f"{g.name} < {prev:g}"
                           for g, prev in zip(self.scheme.grades, [0] + [g.min for g in self.scheme.grades]))
        self.label(r + 2, 0, f"注：总分 = 执行率得分 + 各指标得分；自评等级：{bands}。灰底单元格由公式计算，不能修改；"
                             f"黄底单元格由单位填写。", "note", last_col=LAST_COL)
        self.s.heights[r + 2] = 28
        self.s.keep_rows.append((self.level_blocks[0][3], r + 2))  # subtotals, 总分, 自评等级, 注 on one page
        self.row = r + 3

    def signature(self) -> None:
        r = self.row + 1
        self.label(r, 0, "填报人：", "sign", last_col=1)
        self.field("filler", r, 2, Kind.INPUT, VType.TEXT, "填报人", required=True, align="left")
        self.label(r, 3, "联系电话：", "sign", last_col=4)
        self.field("phone", r, 5, Kind.INPUT, VType.TEXT, "联系电话", required=True,
                   last_col=6, align="left")
        self.label(r, 7, "填报日期：", "sign", last_col=8)
        self.field("date", r, 9, Kind.INPUT, VType.DATE, "填报日期", required=True,
                   last_col=LAST_COL, align="left")
        self.label(r + 2, 6, "单位（盖章）：", "sign", last_col=8)
        self.s.heights[r + 2] = 40
        self.s.keep_rows.append((r, r + 2))
        self.row = r + 3

    def finish(self) -> None:
        """One hidden counter per row that has checks; the sheet's count sums them."""
        by_row: dict[int, list[str]] = {}
        for row, cond in self.conditions:
            by_row.setdefault(row, []).append(cond)
        keys = []
        for row in sorted(by_row):
            key = f"flag.{row + 1}"
            self.field(key, row, FLAG_COL, Kind.FORMULA, VType.FLAG, f"第{row + 1}行 自查", formula=lc.flag(by_row[row]))
            keys.append(a1(row, FLAG_COL))
        self.field("problems", 0, FLAG_COL, Kind.FORMULA, VType.FLAG, "自查问题数",
                   formula=f"=SUM({a1(2, FLAG_COL)}:{a1(self.row, FLAG_COL)})", name="problems")
        self.s.requirements = self._required()
        self.field("missing", 1, FLAG_COL, Kind.FORMULA, VType.FLAG, "必填项未填数",
                   formula=lc.missing([(self.ref(key), None if cond is None else self.ref(cond))
                                       for key, cond in self.s.requirements]), name="missing")
        first, last = self.table_range
        self.s.ranges["indicators"] = a1_range(first, 0, last, LAST_COL)

    def _required(self) -> list[tuple[str, str | None]]:
        """Required inputs; 全年执行数 only where its row has a budget."""
        out: list[tuple[str, str | None]] = []
        for f in self.s.fields:
            if f.kind != Kind.INPUT:
                continue
            if f.key.startswith("funds.") and f.key.endswith(".executed"):
                out.append((f.key, f.key.replace(".executed", ".budget")))
            elif f.required:
                out.append((f.key, None))
        return out

    def _highlight(self, rng: str, formula: str, style: str) -> None:
        self.s.highlights.append(Highlight((rng,), formula, style))


def _row_number_in_category(sheet: SheetLayout) -> int:
    rows = sheet.indicator_rows
    current = rows[-1]
    return sum(1 for r in rows if r.category == current.category)
