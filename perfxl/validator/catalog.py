"""The rule catalog of RULES.md: code, slug, severity, title, description — a public contract.

Codes are stable forever; a retired code is never reused. Messages are templates keyed
`rule.<code>` or `rule.<code>.<variant>`, rendered in the reader's language only when shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import register
from ..livechecks import PERCENT_RULE

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    severity: str
    title: tuple[str, str]        # (zh, en)
    description: tuple[str, str]  # (zh, en)

    @property
    def group(self) -> str:
        return self.code[0]

    def title_in(self, lang: str) -> str:
        return self.title[1] if lang == "en" else self.title[0]

    def description_in(self, lang: str) -> str:
        return self.description[1] if lang == "en" else self.description[0]


def _r(code: str, slug: str, sev: str, title_zh: str, title_en: str, desc_zh: str, desc_en: str) -> Rule:
    return Rule(code, slug, ERROR if sev == "E" else WARNING, (title_zh, title_en), (desc_zh, desc_en))


RULES: dict[str, Rule] = {r.code: r for r in (
    _r("F01", "unreadable-file", "E", "文件无法读取", "Unreadable file",
       "不是 xlsx 文件，或文件已截断、损坏。", "Not a zip/xlsx file, or truncated or damaged."),
    _r("F02", "legacy-format", "E", "旧版文件格式", "Legacy format",
       ".xls（BIFF）、.et 或 .ods（OpenDocument）文件：请另存为 .xlsx 格式。",
       "An .xls (BIFF), .et or .ods (OpenDocument) file: save it as .xlsx."),
    _r("F03", "encrypted-file", "E", "文件已加密", "Encrypted file",
       "文件设置了打开密码：请去除密码后重新提交。", "The file is password-protected: remove the password."),
    _r("F04", "macro-enabled", "W", "含宏文件", "Macro-enabled file",
       ".xlsm 或含 VBA 部件：宏被忽略，其余内容照常校验。", "An .xlsm or a VBA part: macros are ignored, the rest is checked."),
    _r("F05", "unsafe-file", "E", "不安全的文件", "Unsafe file",
       "超过大小、部件数或压缩比限制，或含 XML 实体声明：解析前即拒绝。",
       "Over the size, member-count or compression-ratio limits, or XML entity tricks: refused before parsing."),
    _r("F06", "not-a-template", "E", "不是自评模板", "Not a perfxl template",
       "没有 perfxl 模板记录：不是由 perfxl generate 生成的工作簿。",
       "No perfxl template record: not made by `perfxl generate`."),
    _r("F07", "template-version", "E", "模板版本不符", "Template version",
       "本校验程序不接受的模板版本，或早于本轮的版本。",
       "A template version this validator does not accept, or older than the round's."),
    _r("F08", "wrong-year", "E", "年度不符", "Wrong year",
       "工作簿的年度不是本轮评价的年度（--year）。", "The workbook's year is not the round's year (--year)."),
    _r("F09", "duplicate-submission", "E", "重复提交", "Duplicate submission",
       "同一批文件中同一部门有两个文件（两个文件均报告）。",
       "Two files in one batch for the same department (reported on both)."),
    _r("S01", "missing-sheet", "E", "缺少工作表", "Missing sheet",
       "必需的工作表缺失或被改名。", "A required sheet is missing or renamed."),
    _r("S02", "formula-overwritten", "E", "公式被改写", "Formula overwritten",
       "锁定的公式单元格被填入常数或其他公式；报告原公式。",
       "A locked formula cell holds a constant or another formula; the original formula is reported."),
    _r("S03", "issued-value-changed", "E", "下发数据被修改", "Issued value changed",
       "下发（锁定）的数值与模板记录不一致。", "An issued (locked) value differs from what the template recorded."),
    _r("S04", "protection-removed", "W", "工作表保护被撤销", "Protection removed",
       "工作表保护已关闭。", "Sheet protection is off."),
    _r("S05", "layout-changed", "E", "表格结构被改动", "Layout changed",
       "表内插入或删除了行、列，单元格位置已移动。", "Rows or columns were inserted or deleted, so cells moved."),
    _r("V01", "required-missing", "E", "必填项为空", "Required input missing",
       "必填的单元格为空（全年执行数、填报人、联系电话等）。",
       "A required input is blank (全年执行数, 填报人, 联系电话 …)."),
    _r("V02", "not-a-number", "E", "数值栏填了文字", "Not a number",
       "数值单元格中是文字（如“98 分”“1192819.16 元”、文本形式的百分数、全角数字、千分位逗号）。",
       "Text in a number cell (\"98 分\", \"1192819.16 元\", a percentage typed as text, full-width digits, \"1,227.14\")."),
    _r("V03", "negative-amount", "E", "金额或数量为负", "Negative amount",
       "金额、人数或分值为负数。", "A negative amount, count or weight."),
    _r("V04", "invalid-choice", "E", "选项无效", "Invalid choice",
       "下拉单元格中的值不在选项列表内（粘贴会绕过 Excel 的数据验证）。",
       "A dropdown cell holds a value outside its list (pasting bypasses Excel's validation)."),
    _r("V05", "unit-magnitude", "E", "金额单位疑似有误", "Unit magnitude",
       "万元栏中的金额像是以元填写：执行数达到预算数的 100 倍以上，或带“元”字。",
       "An amount that looks like 元 in a 万元 cell: executed ≥ 100 × budget, or a 元 suffix."),
    _r("V06", "incomplete-indicator", "E", "指标行填写不完整", "Incomplete indicator",
       "指标行只填了一部分（有名称而无指标性质、指标值、单位或分值；或有分值而无名称）。",
       "An indicator row partly filled (a name but no operator, target, unit or weight; or a weight with no name)."),
    _r("V07", "percent-mixed", "E", "百分比写法不一致", "Percent written two ways",
       "计量单位为 % 的指标行，年度指标值与实际完成值写法不一致（一个带 %、一个不带，如 95 与“98%”即 0.98）；"
       "两者一致前不判断得分。",
       "In a row whose unit is %, 年度指标值 and 实际完成值 are written on different scales (95 against \"98%\", "
       "stored as 0.98, or the reverse); the score is not judged until they agree."),
    _r("B01", "funds-total-mismatch", "E", "资金总额与明细不符", "Funds total mismatch",
       "年度资金总额不等于各明细行之和。", "年度资金总额 differs from the sum of its sub-rows."),
    _r("B02", "execution-over-budget", "E", "执行数超预算", "Execution over budget",
       "全年执行数大于全年预算数。", "全年执行数 is greater than 全年预算数."),
    _r("B03", "budget-undefined", "E", "预算数缺失", "Budget undefined",
       "全年预算数为 0 或空白，但有执行数。", "全年预算数 is 0 or blank while money was spent."),
    _r("B04", "execution-reason-missing", "E", "未说明执行偏差原因", "Execution reason missing",
       "执行率低于方案规定的阈值（默认 90%），未填写预算执行偏差原因。",
       "The execution rate is below the scheme's threshold (default 90%) and no reason is given."),
    _r("B05", "execution-score-wrong", "E", "执行率或其得分有误", "Execution score wrong",
       "执行率或执行率得分与规则不符。", "The execution rate or its score differs from the rule."),
    _r("B06", "goal-missing", "E", "年度目标未填", "Goal missing",
       "预期目标或实际完成情况为空。", "预期目标 or 实际完成情况 is blank."),
    _r("I01", "level-weight-mismatch", "E", "一级指标分值不符", "Level weight mismatch",
       "一级指标下各指标分值之和不等于该一级指标的规定分值。",
       "The weights under a 一级 indicator do not add up to its weight."),
    _r("I02", "total-weight-mismatch", "E", "总分值不为 100", "Total weight mismatch",
       "执行率分值与全部指标分值之和不等于 100。", "The execution weight plus all indicator weights is not 100."),
    _r("I03", "score-over-weight", "E", "得分超过分值", "Score over weight",
       "得分大于分值。", "得分 is greater than 分值."),
    _r("I04", "deviation-reason-missing", "E", "未填写偏差原因", "Deviation reason missing",
       "得分低于分值，未填写偏差原因分析及改进措施。", "得分 is below 分值 and no 偏差原因分析及改进措施 is given."),
    _r("I05", "score-not-per-rule", "E", "得分不符合评分规则", "Score not per rule",
       "定量指标的得分与评分规则不符。", "A quantitative 得分 differs from the scoring rule."),
    _r("I06", "qualitative-band", "E", "定性评分超出档次", "Qualitative band",
       "定性指标的得分不在所选档次的分值区间内。", "A 定性 score outside the band of its level."),
    _r("I07", "overshoot-reason-missing", "W", "大幅超额完成未说明", "Overshoot reason missing",
       "实际完成值达到年度指标值的 1.2 倍（方案规定）以上且未说明原因：指标值可能设置偏低。",
       "Actual ≥ 1.2 × target (scheme) and no reason: the target was likely set too low."),
    _r("I08", "operator-or-unit-missing", "E", "缺少指标性质或单位", "Operator or unit missing",
       "定量指标值没有指标性质（≥、≤ 等）或计量单位。", "A quantitative target with no operator or no unit."),
    _r("I09", "duplicate-indicator", "W", "指标重复", "Duplicate indicator",
       "同一张表中三级指标名称重复。", "The same 三级 name twice in one table."),
    _r("I10", "empty-level", "E", "一级指标下无指标", "Empty level",
       "有分值的一级指标下没有填写任何指标。", "A 一级 indicator with a weight but no indicator under it."),
    _r("I11", "cost-unit-not-money", "W", "成本指标单位不是金额", "Cost unit not money",
       "成本指标的计量单位不是金额单位。", "A 成本指标 whose unit is not an amount."),
    _r("T01", "total-score-wrong", "E", "总分有误", "Total score wrong",
       "总分不等于执行率得分与各指标得分之和。", "总分 differs from the execution score plus Σ 得分."),
    _r("T02", "grade-mismatch", "E", "自评等级与总分不符", "Grade mismatch",
       "自评等级与等级区间不符。", "自评等级 does not match the grade bands."),
    _r("T03", "summary-mismatch", "E", "汇总表与项目表不符", "Summary mismatch",
       "汇总表某行与对应项目表不一致（金额、执行率、得分、等级）。",
       "A summary row differs from its project sheet (amount, execution, score, grade)."),
    _r("T04", "summary-orphan", "E", "汇总表与项目表不对应", "Summary orphan",
       "汇总表的行没有对应的项目表，或项目表在汇总表中没有行。",
       "A summary row without a project sheet, or a project sheet without a row."),
    _r("T05", "conclusion-mismatch", "E", "自评结论与等级不符", "Conclusion mismatch",
       "基础数据表的自评结论与部门整体自评等级不一致。",
       "The basic data's 自评结论 differs from the department-wide grade."),
    _r("D01", "sum-mismatch", "E", "合计与分项不符", "Sum mismatch",
       "合计数不等于各分项之和（收入、支出、三公经费）。", "A 合计 differs from its parts (income, expense, 三公)."),
    _r("D02", "staffing-answer", "E", "超编回答与人数不符", "Staffing answer",
       "实有人数大于编制人数却回答“否”，或相反。", "实有人数 > 编制人数 but 超编 answered 否, or the reverse."),
    _r("D03", "answer-needs-detail", "E", "回答“是”缺少明细", "Answer needs detail",
       "追加预算、有结余、预决算公开回答“是”却未填写金额或时间。",
       "追加预算/有结余/公开 answered 是 with no amount or date."),
    _r("D04", "spending-over-income", "W", "支出大于收入", "Spending over income",
       "支出合计大于收入合计。", "支出合计 is greater than 收入合计."),
    _r("D05", "department-figures-mismatch", "E", "部门数据前后不一致", "Department figures mismatch",
       "基础数据表的基本支出、项目支出与部门整体支出绩效自评表不一致，或项目支出不等于各项目之和。",
       "Basic data 基本支出/项目支出 differ from the department-wide table, or 项目支出 ≠ Σ project budgets."),
    _r("R01", "roster-figure-changed", "E", "与下发清单不符", "Roster figure changed",
       "下发数据与财政部门清单不一致。", "An issued figure differs from the roster."),
    _r("R02", "roster-project-mismatch", "E", "项目与清单不符", "Roster project mismatch",
       "清单中的项目在文件中缺失，或文件中有清单没有的项目。",
       "A roster project is missing from the file, or the file has one the roster lacks."),
    _r("R03", "unknown-department", "E", "部门不在清单中", "Unknown department",
       "文件的部门不在财政部门清单中。", "The file's department is not in the roster."),
    _r("R04", "not-returned", "W", "未提交", "Not returned",
       "清单中的部门在本批文件中没有提交文件。", "A roster department has no file in the batch."),
)}


def rule(code: str) -> Rule:
    return RULES[code]


def select(codes: list[str] | None, select_: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> set[str]:
    """Rule codes left after --select / --ignore; entries are codes or prefixes ("I", "B0")."""
    chosen = set(RULES) if codes is None else set(codes)
    if select_:
        chosen = {c for c in chosen if any(c.startswith(p) for p in select_)}
    return {c for c in chosen if not any(c.startswith(p) for p in ignore)}


MESSAGES: dict[str, tuple[str, str]] = {
    "rule.F01": ("文件无法作为 xlsx 打开（{reason}），请重新保存后提交。",
                 "The file cannot be opened as xlsx ({reason}); save it again and resubmit."),
    "rule.F01.empty": ("文件为空（0 字节）。", "The file is empty (0 bytes)."),
    "rule.F02": ("这是旧版 {kind} 文件，请用 Excel 或 WPS“另存为 .xlsx 格式”后重新提交。",
                 "This is a legacy {kind} file; use Save As .xlsx in Excel or WPS and resubmit."),
    "rule.F03": ("文件设置了打开密码，无法校验：请去除密码后重新提交。",
                 "The file is password-protected and cannot be checked: remove the password and resubmit."),
    "rule.F04": ("文件含宏（{part}）：宏已忽略，其余内容照常校验。请另存为不含宏的 .xlsx。",
                 "The file contains macros ({part}): they are ignored, the rest is checked. Save as a plain .xlsx."),
    "rule.F05": ("文件超出安全限制（{what}：{actual}，上限 {limit}），未予解析。",
                 "The file is over a safety limit ({what}: {actual}, limit {limit}) and was not parsed."),
    "rule.F05.entity": ("文件的 {part} 含 XML 实体声明（DOCTYPE/ENTITY），未予解析。",
                        "{part} declares XML entities (DOCTYPE/ENTITY); the file was not parsed."),
    "rule.F06": ("没有 perfxl 模板记录：这不是财政部门下发的自评模板（或内容被复制到了新工作簿）。请在下发的模板中填写。",
                 "No perfxl template record: this is not the issued self-evaluation template "
                 "(or its content was copied into a new workbook). Fill in the issued template."),
    "rule.F06.damaged": ("模板记录已损坏或被修改（{reason}）。请在下发的模板中重新填写。",
                         "The template record is damaged or edited ({reason}). Fill in the issued template again."),
    "rule.F07": ("模板版本为 {actual}，本程序接受的版本为 {expected}。请使用本轮下发的模板。",
                 "Template version {actual}; this validator accepts {expected}. Use this round's template."),
    "rule.F07.scheme": ("模板记录的评分方案无法使用（{reason}）。请使用本轮下发的模板。",
                        "The template's recorded scheme cannot be used ({reason}). Use this round's template."),
    "rule.F07.layout": ("模板结构与其评分方案不符（由其他版本的 perfxl 生成）。请使用本轮下发的模板。",
                        "The template's layout does not match its scheme (made by another perfxl version). "
                        "Use this round's template."),
    "rule.F08": ("工作簿年度为 {actual}，本轮评价年度为 {expected}。",
                 "The workbook is for {actual}; this round is {expected}."),
    "rule.F09": ("部门“{department}”（{code}）在本批中有多个文件：{others}。",
                 "Department {department} ({code}) has more than one file in this batch: {others}."),
    "rule.S01": ("缺少工作表“{sheet_name}”（被删除或改名）。", "Sheet '{sheet_name}' is missing (deleted or renamed)."),
    "rule.S01.renamed": ("工作表“{sheet_name}”被改名为“{new_name}”：请改回“{sheet_name}”后重新提交（表内内容已照常校验）。",
                         "Sheet '{sheet_name}' was renamed to '{new_name}': rename it back to '{sheet_name}' and "
                         "resubmit (its contents were checked as usual)."),
    "rule.S02.constant": ("此处应为公式 {expected}，表中被改为数值 {actual}。",
                          "This cell should hold the formula {expected}; it holds the value {actual}."),
    "rule.S02.formula": ("此处应为公式 {expected}，表中为 {actual}。",
                         "This cell should hold the formula {expected}; it holds {actual}."),
    "rule.S02.blank": ("此处应为公式 {expected}，表中被清空。", "This cell should hold the formula {expected}; it is empty."),
    "rule.S03": ("下发的数值为 {expected}，表中被改为 {actual}。", "Issued as {expected}; the file has {actual}."),
    "rule.S04": ("工作表“{sheet_name}”的保护已被撤销。", "Protection of sheet '{sheet_name}' has been removed."),
    "rule.S05": ("工作表“{sheet_name}”{what}，单元格位置已移动（{detail}）；本表未逐格校验。请在下发的模板中重新填写，不要插入或删除行列。",
                 "Sheet '{sheet_name}' {what}, so its cells moved ({detail}); its cells were not checked. "
                 "Fill in the issued template without inserting or deleting rows or columns."),
    "rule.S05.rows": ("插入或删除了行", "had rows inserted or deleted"),
    "rule.V01": ("必填项“{label}”为空。", "Required input '{label}' is blank."),
    "rule.V02": ("应为数字，表中为文字“{actual}”，看起来是 {guess}。请只填数字。",
                 "Should be a number; the cell holds the text \"{actual}\", which looks like {guess}. Type the number only."),
    "rule.V02.unknown": ("应为数字，表中为文字“{actual}”。", "Should be a number; the cell holds the text \"{actual}\"."),
    "rule.V03": ("不能为负数，表中为 {actual}。", "Must not be negative; the cell holds {actual}."),
    "rule.V04": ("“{actual}”不在选项中，应为：{expected}。", "\"{actual}\" is not one of the choices: {expected}."),
    "rule.V05.suffix": ("金额单位为万元，表中为“{actual}”（以元填写？约合 {guess} 万元）。",
                        "Amounts are in 万元; the cell holds \"{actual}\" (in 元? about {guess} 万元)."),
    "rule.V05.ratio": ("全年执行数 {actual} 是全年预算数 {budget} 的 {ratio} 倍，疑似以元填写（单位为万元，约合 {guess} 万元）。",
                       "全年执行数 {actual} is {ratio} × 全年预算数 {budget}: typed in 元? (unit 万元; about {guess} 万元)"),
    "rule.V06": ("指标行填写不完整：缺少{missing}。", "Incomplete indicator row: {missing} missing."),
    "rule.V07": ("计量单位为 %，年度指标值写作 {target}，实际完成值写作 {actual}：一个带 %、一个不带，相差 100 倍，得分无法判断。"
                 + PERCENT_RULE + "（已显示为百分数的单元格再输入数字仍按百分数保存：可把另一格也改为带 % 的写法，"
                 "或先清除该单元格的格式。）",
                 "The unit is %, 年度指标值 is written {target} and 实际完成值 {actual}: one with %, one without, a "
                 "hundredfold apart, so the score cannot be judged. Write both the same way: plain numbers (95 and 98) "
                 "or both with % (95% and 98%). (A cell already shown as a percentage keeps taking numbers as "
                 "percentages: write the other cell with % too, or clear the cell's format first.)"),
    "rule.B01": ("应为各明细行之和 {expected}，表中为 {actual}。", "Should be the sum of its sub-rows, {expected}; the file has {actual}."),
    "rule.B02": ("全年执行数 {executed} 超过全年预算数 {budget}。", "全年执行数 {executed} exceeds 全年预算数 {budget}."),
    "rule.B03": ("全年预算数为 0，但全年执行数为 {executed}。", "全年预算数 is 0 while 全年执行数 is {executed}."),
    "rule.B03.blank": ("全年预算数为空，但全年执行数为 {executed}。", "全年预算数 is blank while 全年执行数 is {executed}."),
    "rule.B04": ("执行率 {rate} 低于 {threshold}，应填写预算执行偏差原因。",
                 "The execution rate {rate} is below {threshold}: a reason must be given."),
    "rule.B04.above": ("执行率 {rate} 高于 {threshold}，应填写预算执行偏差原因。",
                       "The execution rate {rate} is above {threshold}: a reason must be given."),
    "rule.B05.rate": ("执行率应为 {expected}（{executed} ÷ {budget}），表中为 {actual}。",
                      "The execution rate should be {expected} ({executed} ÷ {budget}); the file has {actual}."),
    "rule.B05.score": ("执行率 {rate} 的得分应为 {expected}，表中为 {actual}。",
                       "An execution rate of {rate} scores {expected}; the file has {actual}."),
    "rule.B06": ("“{label}”为空。", "'{label}' is blank."),
    "rule.I01": ("“{level}”下各指标分值之和为 {actual}，应为 {expected}。",
                 "The weights under {level} add up to {actual}; they should be {expected}."),
    "rule.I02": ("执行率分值与全部指标分值之和为 {actual}，应为 {expected}。",
                 "The execution weight plus all indicator weights is {actual}; it should be {expected}."),
    "rule.I03": ("得分 {actual} 超过分值 {expected}。", "得分 {actual} is greater than 分值 {expected}."),
    "rule.I04": ("得分 {score} 低于分值 {weight}，应填写偏差原因分析及改进措施。",
                 "得分 {score} is below 分值 {weight}: 偏差原因分析及改进措施 must be given."),
    "rule.I05": ("按评分规则（{op} {target}，实际 {actual_value}，分值 {weight}）得分应为 {expected}，表中为 {actual}。",
                 "By the scoring rule ({op} {target}, actual {actual_value}, weight {weight}) the score is {expected}; "
                 "the file has {actual}."),
    "rule.I06": ("定性档次“{level}”、分值 {weight} 的得分应在 {low}–{high} 之间，表中为 {actual}。",
                 "Level '{level}' with weight {weight} scores between {low} and {high}; the file has {actual}."),
    "rule.I06.level": ("定性指标应选择档次（{expected}），表中为“{actual}”。",
                       "A 定性 indicator needs a level ({expected}); the file has \"{actual}\"."),
    "rule.I07": ("实际完成值 {actual} 达到年度指标值 {target} 的 {ratio} 倍（≥ {limit} 倍），请说明原因：指标值可能设置偏低。",
                 "Actual {actual} is {ratio} × the target {target} (≥ {limit}×): explain why; the target may be too low."),
    "rule.I08.op": ("定量指标值 {target} 缺少指标性质（≥、≤ 等）。", "The quantitative target {target} has no operator (≥, ≤ …)."),
    "rule.I08.unit": ("定量指标值 {target} 缺少计量单位。", "The quantitative target {target} has no unit."),
    "rule.I09": ("三级指标“{name}”在本表中出现 {count} 次（{cells}）。",
                 "Indicator '{name}' appears {count} times in this table ({cells})."),
    "rule.I10": ("一级指标“{level}”（分值 {weight}）下没有填写任何指标。",
                 "一级 indicator {level} (weight {weight}) has no indicator under it."),
    "rule.I11": ("成本指标的计量单位应为金额单位（{expected}），表中为“{actual}”。",
                 "A 成本指标 should be measured in money ({expected}); the unit is \"{actual}\"."),
    "rule.T01": ("总分应为 {expected}（执行率得分与各指标得分之和），表中为 {actual}。",
                 "The total should be {expected} (execution score plus indicator scores); the file has {actual}."),
    "rule.T01.level": ("“{level}”小计应为 {expected}，表中为 {actual}。",
                       "The subtotal of {level} should be {expected}; the file has {actual}."),
    "rule.T02": ("总分 {score} 对应等级“{expected}”，表中为“{actual}”。",
                 "A total of {score} grades '{expected}'; the file has '{actual}'."),
    "rule.T03": ("汇总表“{project}”的{column}应为 {expected}（见项目表），表中为 {actual}。",
                 "Summary row '{project}': {column} should be {expected} (from its project sheet); the file has {actual}."),
    "rule.T04": ("汇总表第 {row} 行对应的项目表“{sheet_name}”不存在。",
                 "Summary row {row} refers to sheet '{sheet_name}', which is missing."),
    "rule.T04.name": ("汇总表第 {row} 行的项目“{actual}”没有对应的项目表（应为“{expected}”）。",
                      "Summary row {row} names '{actual}', which has no project sheet (expected '{expected}')."),
    "rule.T05": ("自评结论为“{actual}”，部门整体自评等级为“{expected}”。",
                 "自评结论 is '{actual}' but the department-wide grade is '{expected}'."),
    "rule.D01": ("合计应为 {expected}（各分项之和），表中为 {actual}。",
                 "The total should be {expected} (the sum of its parts); the file has {actual}."),
    "rule.D02": ("编制人数 {quota}、实有人数 {staff}，“{label}”应回答“{expected}”，表中为“{actual}”。",
                 "Quota {quota}, staff {staff}: '{label}' should be answered '{expected}'; the file has '{actual}'."),
    "rule.D03": ("“{question}”回答“{answer}”，应填写“{label}”。",
                 "'{question}' is answered '{answer}': '{label}' must be filled in."),
    "rule.D04": ("支出合计 {expense} 大于收入合计 {income}。", "Total spending {expense} exceeds total income {income}."),
    "rule.D05": ("“{label}”为 {actual}，部门整体支出绩效自评表为 {expected}。",
                 "'{label}' is {actual}; the department-wide table has {expected}."),
    "rule.D05.projects": ("项目支出应为各项目表之和 {expected}，表中为 {actual}。",
                          "项目支出 should be the sum of the project sheets, {expected}; the file has {actual}."),
    "rule.R01": ("清单下发的数值为 {expected}，文件中为 {actual}。", "The roster issued {expected}; the file has {actual}."),
    "rule.R02.missing": ("清单中的项目“{name}”（{code}）不在文件中。", "Roster project {name} ({code}) is not in the file."),
    "rule.R02.extra": ("文件中的项目“{name}”（{code}）不在清单中。", "Project {name} ({code}) in the file is not in the roster."),
    "rule.R03": ("部门“{name}”（{code}）不在清单中。", "Department {name} ({code}) is not in the roster."),
    "summary.total": ("合计", "Total"),
    "guard.size": ("文件大小", "file size"),
    "guard.members": ("压缩包内部件数", "parts in the zip"),
    "guard.part": ("单个部件解压后大小", "uncompressed size of one part"),
    "guard.total": ("解压后总大小", "total uncompressed size"),
    "guard.ratio": ("压缩比", "compression ratio"),
    "guard.kind.zip": ("一个普通的 zip 压缩包", "a plain zip archive"),
    "guard.kind.empty_zip": ("一个空的 zip 压缩包", "an empty zip archive"),
    "guard.kind.word": ("一个 Word 文档", "a Word document"),
    "guard.kind.powerpoint": ("一个 PowerPoint 演示文稿", "a PowerPoint presentation"),
    "guard.special.fifo": ("一个命名管道（FIFO）", "a named pipe (FIFO)"),
    "guard.special.socket": ("一个套接字", "a socket"),
    "guard.special.device": ("一个设备文件", "a device file"),
    "guard.special.directory": ("一个文件夹", "a folder"),
    "guard.special.loop": ("一个循环指向自身的符号链接", "a symbolic link that loops"),
    "guard.special.dangling": ("一个指向不存在文件的符号链接", "a symbolic link to a file that does not exist"),
    "guard.special.other": ("一个特殊文件", "a special file"),
    "rule.F01.special": ("这不是普通文件，而是{what}，无法作为工作簿打开。请提交工作簿文件本身。",
                         "This is not a regular file but {what}; it cannot be opened as a workbook. Submit the "
                         "workbook file itself."),
    "rule.F01.compression": ("文件的部件 {part} 使用了 Excel 和 WPS 从不使用的压缩方法（{method}），未予解压。"
                             "请用 Excel 或 WPS 打开后“另存为 .xlsx 格式”再提交。",
                             "Part {part} of the file uses a compression method Excel and WPS never write "
                             "({method}); it was not unpacked. Open the file in Excel or WPS, save it as .xlsx "
                             "and resubmit."),
    "rule.F05.declared": ("文件的部件 {part} 解压后超过 zip 目录声明的大小（{declared} 字节，可能是压缩炸弹），未予解析。",
                          "Part {part} of the file unpacks to more than the {declared} bytes its zip directory "
                          "declares (possibly a compression bomb); the file was not parsed."),
    "rule.F01.not_zip": ("文件内容不是 xlsx 格式（可能已损坏，或只是改了扩展名）。请用 Excel 或 WPS 打开后“另存为 .xlsx 格式”再提交。",
                         "The file's content is not xlsx (it may be damaged, or only renamed). Open it in Excel or WPS, "
                         "save it as .xlsx and resubmit."),
    "rule.F01.not_workbook": ("这不是 Excel 工作簿，而是{what}。请提交下发的自评表（.xlsx）。",
                              "This is not an Excel workbook but {what}. Submit the issued self-evaluation workbook (.xlsx)."),
    "rule.F01.strict": ("文件以“Strict Open XML 电子表格”格式保存，无法校验。请在 Excel 中“另存为 Excel 工作簿（*.xlsx）”后重新提交。",
                        "The file was saved as a Strict Open XML spreadsheet and cannot be checked. Save it as an "
                        "Excel Workbook (*.xlsx) and resubmit."),
    "rule.F02.ods": ("这是 OpenDocument 电子表格（.ods，LibreOffice 的默认保存格式），无法校验。请在 LibreOffice 中"
                     "“另存为”，文件类型选“Excel 2007-365 (.xlsx)”，然后重新提交。",
                     "This is an OpenDocument spreadsheet (.ods, LibreOffice's default format) and cannot be checked. "
                     "In LibreOffice use Save As, choose the type Excel 2007-365 (.xlsx), and resubmit."),
    "rule.F02.xlsb": ("这是 Excel 二进制工作簿（.xlsb），无法校验。请用 Excel“另存为 .xlsx 格式”后重新提交。",
                      "This is an Excel binary workbook (.xlsb) and cannot be checked. Save it as .xlsx in Excel "
                      "and resubmit."),
    "rule.F03.zip": ("文件的部件 {part} 设置了密码，无法校验：请去除密码后重新提交。",
                     "Part {part} of the file is password-protected and cannot be checked: remove the password "
                     "and resubmit."),
    "rule.F04.external": ("文件含外部链接或数据连接（{part}）：链接已忽略、不会更新，其余内容照常校验。请删除外部链接后再提交。",
                          "The file links to other files or data sources ({part}): the links are ignored and never "
                          "updated, the rest is checked. Remove the links before resubmitting."),
    "rule.F04.activex": ("文件含 ActiveX 控件（{part}）：控件已忽略，其余内容照常校验。",
                         "The file contains ActiveX controls ({part}): they are ignored, the rest is checked."),
    "rule.F04.embedded": ("文件含嵌入的对象或文件（{part}）：嵌入内容已忽略，其余内容照常校验。",
                          "The file contains embedded objects or files ({part}): they are ignored, the rest is checked."),
    "rule.F04.template": ("文件是 Excel 模板格式（.xltx）：内容照常校验。请另存为“Excel 工作簿（*.xlsx）”后提交。",
                          "The file is an Excel template (.xltx): its content is checked. Save it as an Excel "
                          "Workbook (*.xlsx) to submit."),
    "rule.F01.internal": ("校验此文件时程序出错（{reason}）。请把文件转给 perfxl 维护人员。",
                          "The validator failed on this file ({reason}). Please send the file to perfxl's maintainers."),
    "rule.F01.crash": ("校验此文件的进程意外终止（{reason}），已跳过此文件。请把文件转给 perfxl 维护人员。",
                       "The process checking this file ended unexpectedly ({reason}); the file was skipped. "
                       "Please send the file to perfxl's maintainers."),
    "rule.F05.timeout": ("校验超时：超过 {limit} 秒仍未完成，文件可能过大或已损坏；已跳过此文件。",
                         "Checking timed out: not finished after {limit} seconds; the file may be too large or "
                         "damaged, and was skipped."),
    "rule.F05.memory": ("文件过大：校验所需内存超过 {limit} MB，已跳过此文件。",
                        "File too large: checking it needs more than {limit} MB of memory; the file was skipped."),
    "rule.R04": ("清单中的部门“{name}”（{code}）没有提交文件。", "Roster department {name} ({code}) returned no file."),
}
register(MESSAGES)
