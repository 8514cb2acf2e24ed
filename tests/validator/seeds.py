"""Seeds 002 and 003 re-typed into our template, as their departments would have filled it.

The seeds (/work/shared/seeds/002_*, 003_*) are real published self-evaluations full of
the mistakes RULES.md catalogues. Each table below holds one seed table's figures: the
inputs go in through `blank_workbook(inputs=...)` (national scheme, where names and
budgets are inputs), and every figure the seed shows in a cell that is a FORMULA in our
template is typed over that formula afterwards, as a department that unprotected the
sheet would have done. A formula cell of a table is typed over only where our formula
would show something else (a department has no reason to retype what the form already
shows); each such cell says why in a comment. Seed 002's 汇总表 is the exception: it was
typed by hand as a whole, so its rows are typed over ours as the seed shows them.

How the seeds' free-form tables map onto our form:
- The seeds have no 指标性质 column. Where a seed target is plainly "at least" (95%,
  21 万份, 100%) the department picks ≥ from our dropdown; a text target (文字描述…,
  按时完成, 影响情况) makes the row 定性, whose score goes into 定性评分. Seed 002 企服's
  bare "50"/"700" next to its own "≥80%" rows keep no operator (RULES I08).
- Percentages are stored as Excel stores a typed "95%": 0.95 with unit %.
- Texts truncated in the seeds' PDF extraction (企服's "文字描", "全部及", "服务企", …)
  are kept as the seed shows them: inventing the rest would not be the seed.
- 一级/二级 are fixed labels in our form, so a seed row goes to the first free row of
  the 二级 category it sits under.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl

from perfxl.generate import blank_workbook
from perfxl.layout.model import WorkbookLayout
from perfxl.layout.workbook import build_layout
from perfxl.scheme import Scheme, load_scheme

SCHEME = "national"


@dataclass(frozen=True)
class Ind:
    """One indicator row as the seed shows it; `score` is the seed's 得分 typed over our formula."""

    category: str
    name: str
    op: str | None
    target: object
    unit: str | None
    actual: object
    weight: float | None
    qual: float | None = None     # 定性评分 (our form's input for a 定性 score)
    score: object = None          # typed over the 得分 formula; None: the formula stays
    reason: str | None = None


@dataclass(frozen=True)
class Table:
    """One F1 project table (or the F2 department table: sheet "dept")."""

    sheet: str
    name: str | None
    supervisor: str | None = None
    implementer: str | None = None
    funds: dict[str, tuple[object, object, object]] = field(default_factory=dict)  # sub-row → (年初, 全年, 执行)
    reason: str | None = None
    goal_target: str | None = None
    goal_actual: str | None = None
    indicators: tuple[Ind, ...] = ()
    typed: dict[str, object] = field(default_factory=dict)  # formula cells typed over: key → value
    filler: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Seed:
    name: str
    year: int
    generated: date
    projects: int
    tables: tuple[Table, ...]
    summary: dict[int, dict[str, object]] = field(default_factory=dict)  # row i → summary column → typed value
    basic: dict[str, object] = field(default_factory=dict)               # 基础数据表 inputs
    typed_basic: dict[str, object] = field(default_factory=dict)


# --- seed 002: 承德高新区行政审批局, 2021 ----------------------------------------------------
# The 汇总表 lists seven projects; the report carries five tables. Our workbook has seven
# project sheets in the summary's order; 项目2 (委托业务费) and 项目3 (24小时自助办理系统)
# stay untouched, as the department filed no table for them, and the 汇总表 — typed by
# hand in the seed — is typed over our formulas row by row (T04: rows whose project has
# no table). The seed's summary names abbreviate the tables' names, so every typed name
# row is also an orphan by name: that is the seed, not noise.

_HALL_REASON = "加强政务大厅管理、提高人员素质、业务学习、提高群众满意度"
_CHENGDE = ("高新区管理委员会", "高新区行政审批局")

HALL = Table(  # 附1 政务大厅项目支出绩效自评表 → 项目1
    sheet="p1", name="审批局政务中心大厅运转费",
    # 全年执行数 "1192819.16 元": text in 元 in a 万元 cell (V02, V05). Our total row is a
    # formula, so the department types it on the 当年财政拨款 row.
    funds={"fiscal": (146.68, 146.68, "1192819.16 元")},
    goal_target="保证大厅正常运转（饮用水、水、电、暖、保洁、保安、物业、保险、绿植）等相关工作。",
    goal_actual="100%",
    indicators=(
        Ind("数量指标", "政务大厅为群众、企业线上线下免费邮寄", "≥", 21, "万份", 21, 12.5),
        Ind("质量指标", "日常工作保障情况", "≥", 0.95, "%", 1.0, 12.5),
        Ind("时效指标", "采购时效完成率", "≥", 0.95, "%", 1.0, 12.5),
        # A cost indicator counted in 万份 of free copies (I11).
        Ind("成本指标", "政务大厅为群众免费复印", "≥", 20, "万份", 21, 12.5),
        Ind("经济效益指标", "降低维修维护成本", "≥", 0.95, "%", 1.0, 12.5),
        # 98% done against ≥ 95% earns full marks; the seed scored 11 of 12.5 (I05).
        Ind("社会效益指标", "满足企业和办事群众的需求", "≥", 0.95, "%", 0.98, 12.5, score=11, reason=_HALL_REASON),
        Ind("生态效益指标", "确保大厅正常运转", "≥", 0.98, "%", 1.0, 12.5),
        Ind("可持续影响指标", "办公基础设施、设备正常运行", "≥", 0.95, "%", 1.0, 12.5),
        Ind("服务对象满意度指标", "服务对象满意度指标", "≥", 0.95, "%", 0.98, 12.5, score=11, reason=_HALL_REASON),
    ),
    typed={
        # The rate and score the seed shows; our formulas show blanks, the 执行数 being text.
        "funds.total.rate": 0.813,
        "funds.total.score": 9,
        # "98 分" where its own rows sum to 118.5 (T01).
        "total.score": "98 分",
    },
    filler="钟华", phone="2555513",
)

_HARDWARE_GOAL = (
    "1、根据承德市“互联网+政务服务”工作建设进程，完成采购方案的制定和采购任务。"
    "2、根据高新区审批局网上审批工作需要，完成购买所需设备方案的制定和采购任务。"
    "3、所购买的硬件设备及配套软件可满足高新区审批局网上审批、制作证照等工作需求。"
    "4、所购买的硬件设备及配套软件可满足政务服务大厅办事群众或企业网上申办审批业务的需求。"
    "5、所购买的硬件设备及配套软件可满足政务服务大厅办事群众或企业自助办理审批业务的需求。"
)
_PLATFORM_GOAL = (
    "1、根据承德市“办事一次成”改革工作部署，支付“满意承德”城市综合服务平台及相关业务系统项目的建设费用。"
    "2、根据高新区审批局网上审批工作和相关城市综合服务需要，完成软件建设费的支付。"
    "3、所支付的软件建设费可满足高新区审批局网上审批、相关城市综合服务等工作需求。"
    "4、所支付的软件建设费可满足政务服务大厅办事群众或企业网上申办审批业务和相关城市综合服务的需求。"
    "5、所支付的软件使用费可满足政务服务大厅办事群众或企业自助办理审批业务和相关城市综合服务的需求。"
)
_ONSITE_GOAL = (
    "1、根据承德市“办事一次成”改革工作部署，支付“满意承德”城市综合服务平台及相关业务系统项目工程师驻场服务费用。"
    "2、根据高新区审批局网上审批工作和相关城市综合服务工作需要，完成“满意承德”城市综合服务平台及相关业务系统项目"
    "工程师驻场服务费用的支付。"
    "3、所支付的工程师驻场服务费可保证高新区审批局网上审批、相关城市综合服务等工作质量和技术需求。"
    "4、所支付的工程师驻场服务费可满足政务服务大厅办事群众或企业网上申办审批业务和相关城市综合服务的技术需求。"
    "5、所支付的工程师驻场服务费可满足政务服务大厅办事群众或企业自助办理审批业务和相关城市综合服务的技术需求。"
)


def _system_rows(service: str, satisfaction: str, economic: tuple[object, object], economic_weight: float | None
                 ) -> tuple[Ind, ...]:
    """The three 平台/驻场/硬件 tables share one indicator set, each row worth 100 (I01, I02)."""
    quality = (
        f"满足高新区审批局网上办理审批事项的条件，提高审批事项的办理速度。{service}",
        f"满足高新区审批局审批事项的网上受理、预审办理条件。{service}",
        f"满足高新区审批局审批事项的自助受理、预审办理条件。{service}",
    )
    return (
        *(Ind("质量指标", name, "≥", 1.0, "%", 1.0, 100, reason="无") for name in quality),
        Ind("经济效益指标", "加快高新区审批工作的办理速度，压缩审批时限", "≥", economic[0], "%", economic[1],
            economic_weight, reason="无"),
        Ind("社会效益指标", "满足企业和群众办事需求，打造便捷服务体系，为高新区居民和企业提供良好的办事环境",
            "≥", 1.0, "%", 1.0, 100, reason="无"),
        Ind("服务对象满意度指标", satisfaction, "≥", 0.95, "%", 0.95, 100, reason="无"),
    )


HARDWARE = Table(  # 2021年承德市网上配件硬件设备购买费 → 项目4
    sheet="p4", name="2021年承德市网上配件硬件设备购买及设备购置", supervisor=_CHENGDE[0], implementer=_CHENGDE[1],
    # Sub-rows 0 (年初 blank), as the seed shows them; its totals can only be typed (B01).
    # The stray "0.5302" beside the seed's 项目资金 label has no cell to go to: left out.
    funds={"fiscal": (None, 0, 0), "other": (None, 0, 0)},
    goal_target=_HARDWARE_GOAL, goal_actual="全部完成",
    # 数量指标 stays empty, as in the seed; 经济效益 "减少50%" is a 50% reduction achieved.
    indicators=_system_rows("", "企业和群众满意度", (0.5, 0.5), 100),
    typed={
        "funds.total.initial": 66.15, "funds.total.budget": 66.15, "funds.total.executed": 7.279,
        # 7.279 / 66.15 is 11.00%: our formula would show that, the seed states 1.16% scored 10 (B05).
        "funds.total.rate": 0.0116, "funds.total.score": 10,
        "total.score": 100,  # the rows say 610
    },
    filler="黄巍", phone="2206151",
)

PLATFORM = Table(  # 2021年“满意承德”城市综合服务平台及相关业务系统 → 项目5
    sheet="p5", name="2021年“满意承德”城市综合服务平台及相关业务系统项目", supervisor=_CHENGDE[0],
    implementer=_CHENGDE[1],
    funds={"fiscal": (19, 19, 0)},  # the seed's total row; nothing spent, no reason (B04)
    goal_target=_PLATFORM_GOAL, goal_actual="全部完成",
    # The seed's 经济效益 row has no 分值 and no 得分 (V06).
    indicators=_system_rows("提供手机“满意承德”城市综合服务平台及相关业务服务。", "群众满意度", (1.0, 1.0), None),
    typed={
        "funds.total.score": 10,  # 0% executed, scored 10 (B05)
        "total.score": 100,       # the rows say 510
    },
    filler="黄巍", phone="2206152",
)

ONSITE = Table(  # 2021年“满意承德”城市综合服务平台驻场服务项目 → 项目6
    sheet="p6", name="2021年“满意承德”城市综合服务平台驻场服务项目", supervisor=_CHENGDE[0], implementer=_CHENGDE[1],
    funds={"fiscal": (None, 0, 0), "other": (None, 0, 0)},  # sub-rows 0 against a typed total 10 (B01)
    goal_target=_ONSITE_GOAL, goal_actual="全部完成",
    indicators=_system_rows("提供“满意承德”城市综合服务平台及相关业务工程师驻场技术服务。", "群众满意度", (0.5, 0.5), 100),
    typed={
        # 执行数 0 is what the sub-rows sum to, and 0 ÷ the typed 10 is the seed's 0%:
        # only 年初/全年 and the score of 10 must be typed.
        "funds.total.initial": 10, "funds.total.budget": 10,
        "funds.total.score": 10,
        "total.score": 100,  # the rows say 610
    },
    filler="黄巍", phone="2206153",
)

_TEXT = "文字描"  # the seed's 定性 targets, cut off in its extraction
SERVICE_CENTER = Table(  # 企业服务中心项目支出绩效自评表 → 项目7
    sheet="p7", name="企业服务中心工作经费",
    # 主管部门, 实施单位 and both goals are blank in the seed.
    funds={"fiscal": (9.17, 9.17, 6.9669)},  # 75.97%, no reason (B04); our formula shows 7.60 for its 7.597
    indicators=(
        # Bare counts with no operator and no unit (I08); our score formula stays blank for
        # them, so the seed's 10s are typed over it.
        Ind("数量指标", "制作印刷政府服务代表", None, 50, None, 50, 10, score=10),
        Ind("数量指标", "制作印刷惠企政策宣传口袋书数量", None, 700, None, 700, 10, score=10),
        Ind("数量指标", "制作印刷调研、宣传用明白纸数量", None, 700, None, 700, 10, score=10),
        # "视情况更新" → "全年无更新", 10 of 10 with no level (I06).
        Ind("数量指标", "制作印刷政府工作服务站站牌、服务代表名牌、服务代表桌牌、胸牌", "定性", "文字描述：视情况更新",
            None, "全年无更新", 10, qual=10),
        Ind("质量指标", "政府工作服务站服务代", "≥", 0.8, "%", 1.0, 10),
        Ind("质量指标", "企业反映问题办结率", "≥", 0.8, "%", 1.0, 10),
        Ind("时效指标", "企业反映问题处理时间", "定性", _TEXT, None, "全部及", 10, qual=10),
        Ind("成本指标", "和社会平均成本的比较", "定性", _TEXT, None, "未超出", 10, qual=10),
        Ind("社会效益指标", "提升高新区政府服务企", "定性", _TEXT, None, "服务企", 10, qual=10),
        Ind("可持续影响指标", "创造良好营商环境", "定性", _TEXT, None, "推动营", 10, qual=10),
        Ind("服务对象满意度指标", "服务对象满意率", "≥", 0.8, "%", 1.0, 10),
    ),
    typed={"total.score": 100},  # 产出 80 + 效益 20 + 满意度 10 + 执行 7.597: the seed says 100
    filler="肖扬", phone="2555073",
)

# The seed's 汇总表, typed over our formula rows: 资金使用单位, 项目名称, 资金 (= 年初预算数,
# FORMS.md), 自评得分, 自评等级, 联系人及电话. Row 1's 164.68 is the detail table's 146.68
# mistyped (T03); "90" graded 良 in rows 3–6 and 优 in row 2.
SUMMARY_002 = {
    1: ("政务中心运转费", 164.68, 95, "优", "钟华 2555513"),
    2: ("委托业务费", 130.6, 90, "优", "王浩宇 2555244"),
    3: ("政务服务大厅24小时自助办理系统", 10, 90, "良", "黄巍 2206150"),
    4: ("承德市网上硬件配件费", 66.15, 90, "良", "黄巍 2206151"),
    5: ("“满意承德”城市综合服务平台及相关业务系统", 19, 90, "良", "黄巍 2206152"),
    6: ("“满意承德”城市综合服务平台驻场服务项目", 10, 90, "良", "黄巍 2206153"),
    7: ("企服中心工作经费", 9.17, 94, "优", "肖扬 2555073"),
}

SEED_002 = Seed(
    name="002", year=2021, generated=date(2022, 1, 5), projects=7,
    tables=(HALL, HARDWARE, PLATFORM, ONSITE, SERVICE_CENTER),
    summary={i: {"implementer": "行政审批局", "name": name, "initial": initial, "score": score, "grade": grade,
                 "contact": contact}
             for i, (name, initial, score, grade, contact) in SUMMARY_002.items()},
)


# --- seed 003: 衡山县行政审批服务局, 2022 ---------------------------------------------------
# One project table (附件2, 大综窗标准化改革) and the report's department figures. The seed
# has no 部门整体 table: only the figures its report states are typed into ours.

REFORM = Table(
    sheet="p1", name="大综窗标准化改革", supervisor="衡山县人民政府", implementer="衡山县行政审批服务局",
    # The seed shows 97.5% and the score 9 on the 财政拨款 row: our sub-rows have a rate
    # (formula, 97.50% as in the seed) but no score cell, so the 9 goes to the total's score.
    funds={"fiscal": (400, 400, 390), "carryover": (0, 0, 0), "other": (0, 0, 0)},
    goal_target="按全年预算目标执行", goal_actual="按期完成",
    indicators=(
        # "支出安排金额 | 万元 | 100%": the seed's 年度指标值 column holds the unit; our target
        # must be a number, so 万元 goes to 计量单位 and the row reads ≥ 100%, done 100%.
        # Every row done 100% yet points lost (I05), no reason given (I04).
        Ind("数量指标", "支出安排金额", "≥", 1.0, "万元", 1.0, 10, score=9),
        Ind("质量指标", "支出安排金额", "≥", 1.0, "万元", 1.0, 15),
        # Text targets make these rows 定性; "100%" is no level of ours (V04, I06).
        Ind("时效指标", "完成时效", "定性", "按时完成", None, 1.0, 15, qual=14),
        Ind("成本指标", "支出安排金额", "≥", 1.0, "万元", 1.0, 20, score=19),
        Ind("经济效益指标", "经济效益", "定性", "影响情况", None, 1.0, 7, qual=5),
        Ind("社会效益指标", "社会效益", "定性", "影响情况", None, 1.0, 8, qual=8),
        Ind("生态效益指标", "环境效益", "定性", "环境改善", None, 1.0, 8, qual=8),
        Ind("可持续影响指标", "可持续性", "定性", "持续影响", None, 1.0, 8, qual=8),
        Ind("服务对象满意度指标", "满意度情况", "定性", "满意", None, 1.0, 10, qual=10),
    ),
    typed={
        "funds.total.score": 9,  # 97.5% scores 9.75 (B05)
        "total.score": 96,       # its rows sum to 105 (T01)
    },
)

# 部门整体: 年初 基本支出 164.2, 项目支出 15; 决算 基本支出 181.26, 项目支出 639.91. The seed gives
# no 全年预算数 for 基本支出 (left blank: B03). Our 项目支出 row is the sum of the project
# sheets (400 / 390), so the report's 15 and 639.91 can only be typed over it (D05).
DEPARTMENT_003 = Table(
    sheet="dept", name="衡山县行政审批服务局",
    funds={"basic": (164.2, None, 181.26)},
    typed={"funds.project.initial": 15, "funds.project.executed": 639.91},
)

SEED_003 = Seed(
    name="003", year=2022, generated=date(2023, 1, 5), projects=1,
    tables=(REFORM, DEPARTMENT_003),
    # 决算: 总收入 821.02 (all 一般公共财政拨款), 总支出 821.17 = 181.26 + 639.91 (D04, D05);
    # 编制 14, 在职 14; 三公 0; 预算追加 641.82 (决算收入较预算增加). The report answers none
    # of the other yes/no questions: they stay blank.
    basic={
        "staff.quota": 14, "staff.actual": 14,
        "functions": "组织拟订全县行政审批、政务公开、政务服务、电子政务相关政策；指导、协调、推进全县行政审批制度改革工作。",
        "income.budget": 821.02, "income.nontax": 0, "income.transfer": 0, "income.other": 0,
        "expense.basic": 181.26, "expense.project": 639.91,
        "sangong.abroad": 0, "sangong.vehicle": 0, "sangong.reception": 0,
        "q.overstaffed": "否", "q.budget_added": "是", "q.budget_added.amount": 641.82,
        "performance": "编制公布本级行政许可清单，电子证照汇聚25类，“12345”工单按时办结率显著提升。",
        "issues": "公用经费定额管理尚需完善；预算精细化管理推行难；预算收入减少。",
    },
)

SEEDS = {"002": SEED_002, "003": SEED_003}


# --- building ------------------------------------------------------------------------------

SUMMARY_COLUMNS = ("implementer", "name", "initial", "score", "grade", "contact")


@dataclass
class Built:
    """A seed's workbook on disk, with where each seed row landed."""

    seed: Seed
    path: Path
    layout: WorkbookLayout
    rows: dict[tuple[str, str, str], int]  # (sheet code, category, name) → indicator index

    def sheet_name(self, code: str) -> str:
        return self.layout.sheet(code).name

    def cell(self, code: str, key: str) -> str:
        return self.layout.sheet(code).get(key).ref

    def ind(self, code: str, category: str, name: str, part: str) -> str:
        """The cell of one seed indicator's column (name may be a unique prefix)."""
        hits = [i for (c, cat, n), i in self.rows.items() if c == code and cat == category and n.startswith(name)]
        if len(hits) != 1:
            raise KeyError(f"{code} {category} {name}: {len(hits)} rows")
        return self.cell(code, f"ind.{hits[0]}.{part}")


def inputs_and_typing(seed: Seed, layout: WorkbookLayout
                      ) -> tuple[dict[tuple[str, str], object], dict[tuple[str, str], object], dict]:
    """(inputs for blank_workbook, formula cells to type over, seed row → indicator index)."""
    inputs: dict[tuple[str, str], object] = {}
    typed: dict[tuple[str, str], object] = {}
    rows: dict[tuple[str, str, str], int] = {}
    for t in seed.tables:
        sheet = layout.sheet(t.sheet)
        put = {"name": t.name, "supervisor": t.supervisor, "implementer": t.implementer, "funds.reason": t.reason,
               "goal.target": t.goal_target, "goal.actual": t.goal_actual, "filler": t.filler, "phone": t.phone}
        for sub, figures in t.funds.items():
            for col, value in zip(("initial", "budget", "executed"), figures):
                put[f"funds.{sub}.{col}"] = value
        free: dict[str, list[int]] = {}
        for r in sheet.indicator_rows:
            free.setdefault(r.category, []).append(r.index)
        for ind in t.indicators:
            index = free[ind.category].pop(0)  # IndexError: more seed rows than the form has
            rows[(t.sheet, ind.category, ind.name)] = index
            for part in ("name", "op", "target", "unit", "actual", "weight", "qual", "reason"):
                put[f"ind.{index}.{part}"] = getattr(ind, part)
            if ind.score is not None:
                typed[(t.sheet, f"ind.{index}.score")] = ind.score
        for key, value in put.items():
            if value is not None:
                sheet.get(key)  # KeyError on a key the form does not have
                inputs[(t.sheet, key)] = value
        for key, value in t.typed.items():
            typed[(t.sheet, key)] = value
    for i, row in seed.summary.items():
        for column, value in row.items():
            typed[("summary", f"p{i}.{column}")] = value
    for key, value in seed.basic.items():
        inputs[("basic", key)] = value
    for key, value in seed.typed_basic.items():
        typed[("basic", key)] = value
    return inputs, typed, rows


def type_over(data: bytes, layout: WorkbookLayout, typed: dict[tuple[str, str], object]) -> bytes:
    """Unprotect each sheet with a cell to retype, and type the values over its formulas."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for (code, key), value in typed.items():
        sheet = layout.sheet(code)
        f = sheet.get(key)
        if f.formula is None:
            raise ValueError(f"{code} {key} is not a formula cell: give it as an input")
        ws = wb[sheet.name]
        ws.protection.sheet = False
        ws[f.ref].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build(seed: Seed, out_dir: Path, scheme: Scheme | None = None) -> Built:
    scheme = scheme or load_scheme(SCHEME)
    layout = build_layout(scheme, seed.projects, blank=True)
    inputs, typed, rows = inputs_and_typing(seed, layout)
    data = blank_workbook(seed.projects, seed.year, scheme, seed.generated, inputs=inputs)
    path = Path(out_dir) / f"seed_{seed.name}.xlsx"
    path.write_bytes(type_over(data, layout, typed))
    return Built(seed, path, layout, rows)
