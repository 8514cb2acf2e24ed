"""Build the example roster (roster.xlsx and roster_csv/部门.csv, 项目.csv) from one table.

Run `python examples/make_roster.py`: the three files are written next to this script, byte
for byte the same on every run, so the xlsx and the CSVs can never drift apart.

The departments, projects and figures come from the seed self-evaluations
(/work/shared/seeds): 000 怀来县, 001 隆回县, 002 承德高新区, 003 衡山县, 004 望城区. The seeds
cover the 2021 and 2022 rounds; here they are put together as one county's roster. Amounts
are in 万元. Where a seed gives no figure or no project, the invented part is marked
"INVENTED" below.

Codes: 部门编码 is six digits (101001…); 项目编码 is <部门编码>-<立项年度>-<序号>.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import unicodedata
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

HERE = Path(__file__).resolve().parent
CREATED = dt.datetime(2023, 1, 3, 9, 0, 0)

DEPARTMENT_HEADER = ["部门编码", "部门名称", "基本支出年初预算数", "基本支出全年预算数"]
PROJECT_HEADER = [
    "部门编码", "项目编码", "项目名称", "主管部门", "实施单位",
    "财政拨款年初预算数", "财政拨款全年预算数", "上年结转年初预算数", "上年结转全年预算数",
    "其他资金年初预算数", "其他资金全年预算数", "预期目标",
]
DEPARTMENT_AMOUNT_COLUMNS = {2, 3}
PROJECT_AMOUNT_COLUMNS = set(range(5, 11))

GOAL_WIDTH = 60
ROW_HEIGHT = 15

NONE = (0.0, 0.0)

HUAILAI = "怀来县行政审批局"
LONGHUI = "隆回县行政审批服务局"
CHENGDE_SUPERVISOR, CHENGDE_IMPLEMENTER = "高新区管理委员会", "高新区行政审批局"
HENGSHAN = "衡山县行政审批服务局"
WANGCHENG, WANGCHENG_CENTER = "长沙市望城区行政审批服务局", "长沙市望城区政务服务中心"

GOAL_CHENGDE_HARDWARE = (
    "1、根据承德市“互联网+政务服务”工作建设进程，完成采购方案的制定和采购任务。\n"
    "2、根据高新区审批局网上审批工作需要，完成购买所需设备方案的制定和采购任务。\n"
    "3、所购买的硬件设备及配套软件可满足高新区审批局网上审批、制作证照等工作需求。\n"
    "4、所购买的硬件设备及配套软件可满足政务服务大厅办事群众或企业网上申办审批业务的需求。\n"
    "5、所购买的硬件设备及配套软件可满足政务服务大厅办事群众或企业自助办理审批业务的需求。"
)
GOAL_CHENGDE_PLATFORM = (
    "1、根据承德市“办事一次成”改革工作部署，支付“满意承德”城市综合服务平台及相关业务系统项目的建设费用。\n"
    "2、根据高新区审批局网上审批工作和相关城市综合服务需要，完成软件建设费的支付。\n"
    "3、所支付的软件建设费可满足高新区审批局网上审批、相关城市综合服务等工作需求。\n"
    "4、所支付的软件建设费可满足政务服务大厅办事群众或企业网上申办审批业务和相关城市综合服务的需求。\n"
    "5、所支付的软件使用费可满足政务服务大厅办事群众或企业自助办理审批业务和相关城市综合服务的需求。"
)
GOAL_CHENGDE_ONSITE = (
    "1、根据承德市“办事一次成”改革工作部署，支付“满意承德”城市综合服务平台及相关业务系统项目工程师驻场服务费用。\n"
    "2、根据高新区审批局网上审批工作和相关城市综合服务工作需要，完成工程师驻场服务费用的支付。\n"
    "3、所支付的工程师驻场服务费可保证高新区审批局网上审批、相关城市综合服务等工作质量和技术需求。\n"
    "4、所支付的工程师驻场服务费可满足政务服务大厅办事群众或企业网上申办审批业务和相关城市综合服务的技术需求。\n"
    "5、所支付的工程师驻场服务费可满足政务服务大厅办事群众或企业自助办理审批业务和相关城市综合服务的技术需求。"
)
GOAL_WANGCHENG = "办事群体满意度达90%以上，行政审批中介服务、免费邮寄、免费刻章等减轻企业负担100%，提升办事群体办事效率。"

# (部门编码, 部门名称, (基本支出年初预算数, 全年预算数), projects)
# project: (立项年度, 项目名称, 主管部门, 实施单位, 财政拨款, 上年结转, 其他资金, 预期目标);
# each fund is (年初预算数, 全年预算数).
DEPARTMENTS = [
    # Seed 000 (2022): budget 1227.14 = 基本支出 1018.06 + 项目支出 209.08, all 当年财政拨款.
    # INVENTED: the seed does not name its projects; the four below split the 209.08 along the
    # work the report describes (政务服务中心, 12345 热线, 信用试点, 帮办代办).
    ("101001", "怀来县行政审批局", (1018.06, 1018.06), [
        ("2022", "政务服务中心运行维护经费", HUAILAI, "怀来县行政审批局项目审批服务中心",
         (80.58, 80.58), NONE, NONE, "保障县级市民中心正常运行，全面实行政务服务“好差评”，持续提高服务质效。"),
        ("2022", "12345政务服务热线运行经费", HUAILAI, HUAILAI,
         (68.50, 68.50), NONE, NONE, "依托12345政务服务热线及时回应群众关切，尽一切可能做到“接诉即办”。"),
        ("2022", "社会信用体系建设典型城市县级试点工作经费", HUAILAI, HUAILAI,
         (45.00, 45.00), NONE, NONE, "推动信用信息高效归集整合和充分共享共用，叫响“信用怀来”品牌。"),
        ("2022", "乡镇村政务服务帮办代办体系建设经费", HUAILAI, "怀来县企业服务中心",
         (15.00, 15.00), NONE, NONE, "推进乡镇、村（社区）政务服务帮办代办转型升级，打通服务群众“最后一米”。"),
    ]),
    # Seed 001 (2022): 基本支出 704.72, 项目支出 0.
    # INVENTED: one small project from the 揭榜竞优 work the seed reports, with 其他资金 and a
    # mid-year addition so those columns are exercised.
    ("101002", "隆回县行政审批服务局", (704.72, 704.72), [
        ("2022", "金石桥镇政务分中心建设（“揭榜竞优”）", LONGHUI, LONGHUI,
         (8.00, 8.00), NONE, (0.00, 4.00), "完成金石桥镇政务分中心建设，推动政务服务事项进一步下沉，改善特殊群体服务设施。"),
    ]),
    # Seed 002 (2021): the seven projects of the 汇总表; 政务中心运转费 uses the detail table's
    # 146.68, not the summary's mistyped 164.68. 主管部门/实施单位 as in the seed's detail tables;
    # 企服中心工作经费 leaves them blank, as the seed does.
    # INVENTED: the seed gives no 基本支出; 268.40 / 275.92 are made up.
    ("101003", "承德高新技术产业开发区行政审批局", (268.40, 275.92), [
        ("2021", "政务中心运转费", CHENGDE_SUPERVISOR, CHENGDE_IMPLEMENTER, (146.68, 146.68), NONE, NONE,
         "保证大厅正常运转（饮用水、水、电、暖、保洁、保安、物业、保险、绿植）等相关工作。"),
        ("2021", "委托业务费", CHENGDE_SUPERVISOR, CHENGDE_IMPLEMENTER, (130.60, 130.60), NONE, NONE, ""),
        ("2021", "政务服务大厅24小时自助办理系统", CHENGDE_SUPERVISOR, CHENGDE_IMPLEMENTER,
         (10.00, 10.00), NONE, NONE, ""),
        ("2021", "承德市网上硬件配件费", CHENGDE_SUPERVISOR, CHENGDE_IMPLEMENTER,
         (66.15, 66.15), NONE, NONE, GOAL_CHENGDE_HARDWARE),
        ("2021", "“满意承德”城市综合服务平台及相关业务系统", CHENGDE_SUPERVISOR, CHENGDE_IMPLEMENTER,
         (19.00, 19.00), NONE, NONE, GOAL_CHENGDE_PLATFORM),
        ("2021", "“满意承德”城市综合服务平台驻场服务项目", CHENGDE_SUPERVISOR, CHENGDE_IMPLEMENTER,
         (10.00, 10.00), NONE, NONE, GOAL_CHENGDE_ONSITE),
        ("2021", "企服中心工作经费", "", "", (9.17, 9.17), NONE, NONE, ""),
    ]),
    # Seed 003 (2022): 基本支出 164.2 年初 / 181.26 决算; 大综窗标准化改革 400 as in its table.
    # INVENTED: the name and split of the second project, built from the report's 年初项目支出 15
    # and its 项目支出决算 639.91 (= 400 + 239.91): 15 年初, raised mid-year, partly from 上年结转.
    ("101004", "衡山县行政审批服务局", (164.20, 181.26), [
        ("2022", "大综窗标准化改革", "衡山县人民政府", HENGSHAN, (400.00, 400.00), NONE, NONE, "按全年预算目标执行"),
        ("2022", "政务服务大厅运行保障经费", HENGSHAN, HENGSHAN, (15.00, 224.91), (0.00, 15.00), NONE,
         "保障政务服务大厅、便民服务中心（站点）标准化运行，集中开展行政审批和便民服务。"),
    ]),
    # Seed 004 (2021, 望城区): 基本支出 302.73; six projects, 年初 1878.70 in all.
    # INVENTED: the 中介服务费 was used to 1683.71, so its 全年预算数 is raised by 383.71 from
    # 上年结转; the 5G WIFI project's split into 财政拨款 20 + 其他资金 6.4.
    ("101005", "长沙市望城区行政审批服务局", (302.73, 302.73), [
        ("2021", "行政审批中介服务费专项资金", WANGCHENG, WANGCHENG, (1300.00, 1300.00), (0.00, 383.71), NONE,
         GOAL_WANGCHENG),
        ("2021", "行政审批日常事务专项", WANGCHENG, WANGCHENG, (200.00, 200.00), NONE, NONE, ""),
        ("2021", "窗口人员奖励及政务服务审批结果免费邮寄支出", WANGCHENG, WANGCHENG_CENTER,
         (297.30, 297.30), NONE, NONE, "政务服务审批结果免费邮寄，减轻企业和群众负担，办事群体满意度达90%以上。"),
        ("2021", "编外智慧政务网络工程专业技术人员费用支出", WANGCHENG, WANGCHENG_CENTER,
         (15.00, 15.00), NONE, NONE, ""),
        ("2021", "新设立企业免费刻章支出", WANGCHENG, WANGCHENG_CENTER,
         (40.00, 40.00), NONE, NONE, "新设立企业免费刻章，减轻企业负担100%。"),
        ("2021", "政务服务大厅5GWIFI流量及服务指引短信费用", WANGCHENG, WANGCHENG_CENTER,
         (20.00, 20.00), NONE, (6.40, 6.40), "政务服务大厅5G全覆盖，进厅温馨服务指引短信，增强企业和群众办事体验。"),
    ]),
]


def department_rows() -> list[list[object]]:
    return [[code, name, initial, budget] for code, name, (initial, budget), _ in DEPARTMENTS]


def project_rows() -> list[list[object]]:
    rows = []
    for dept_code, _, _, projects in DEPARTMENTS:
        for number, (year, name, supervisor, implementer, fiscal, carryover, other, goal) in enumerate(projects, 1):
            code = f"{dept_code}-{year}-{number:03d}"
            rows.append([dept_code, code, name, supervisor, implementer, *fiscal, *carryover, *other, goal])
    return rows


def display_width(text: str) -> int:
    """Width in Excel columns: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrapped_lines(text: str, width: int) -> int:
    """How many lines a wrapped cell of `width` columns needs, so rows are tall enough to read."""
    return sum(max(1, math.ceil(display_width(line) / width)) for line in text.split("\n")) if text else 1


def write_sheet(book: xlsxwriter.Workbook, name: str, header: list[str], rows: list[list[object]],
                amounts: set[int], formats: dict[str, object]) -> None:
    sheet = book.add_worksheet(name)
    sheet.freeze_panes(1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.set_row(0, 30)
    for col, label in enumerate(header):
        sheet.write_string(0, col, label, formats["header"])
        cells = [label] + [f"{row[col]:,.2f}" if col in amounts else str(row[col]) for row in rows]
        width = max(display_width(line) for cell in cells for line in cell.split("\n"))
        is_goal = label == "预期目标"
        cell_format = formats["amount"] if col in amounts else formats["wrap"] if is_goal else formats["text"]
        sheet.set_column(col, col, (GOAL_WIDTH if is_goal else min(width, 40)) + 2, cell_format)
    goal_col = header.index("预期目标") if "预期目标" in header else None
    for r, row in enumerate(rows, start=1):
        if goal_col is not None:
            sheet.set_row(r, ROW_HEIGHT * max(1, wrapped_lines(row[goal_col], GOAL_WIDTH)))
        for col, value in enumerate(row):
            if col in amounts:
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, value)
    last_cell = f"{xl_col_to_name(len(header) - 1)}{len(rows) + 1}"
    sheet.ignore_errors({"number_stored_as_text": f"A1:{last_cell}"})
    sheet.autofilter(0, 0, len(rows), len(header) - 1)


def write_xlsx(path: Path) -> None:
    book = xlsxwriter.Workbook(path)
    book.set_properties({"title": "预算绩效自评花名册（示例）", "author": "perfxl", "created": CREATED})
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center",
                                   "valign": "vcenter", "text_wrap": True}),
        "amount": book.add_format({"num_format": "#,##0.00", "valign": "top"}),
        "text": book.add_format({"num_format": "@", "valign": "top"}),
        "wrap": book.add_format({"num_format": "@", "valign": "top", "text_wrap": True}),
    }
    write_sheet(book, "部门", DEPARTMENT_HEADER, department_rows(), DEPARTMENT_AMOUNT_COLUMNS, formats)
    write_sheet(book, "项目", PROJECT_HEADER, project_rows(), PROJECT_AMOUNT_COLUMNS, formats)
    book.close()


def write_csv(path: Path, header: list[str], rows: list[list[object]], amounts: set[int]) -> None:
    """As Excel's "CSV UTF-8" saves it: BOM, CRLF, amounts as displayed (#,##0.00)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([f"{v:,.2f}" if c in amounts else v for c, v in enumerate(row)])


def build(out_dir: Path = HERE) -> list[Path]:
    """Write the three example files under out_dir; returns their paths."""
    csv_dir = out_dir / "roster_csv"
    csv_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "roster.xlsx", csv_dir / "部门.csv", csv_dir / "项目.csv"]
    write_xlsx(paths[0])
    write_csv(paths[1], DEPARTMENT_HEADER, department_rows(), DEPARTMENT_AMOUNT_COLUMNS)
    write_csv(paths[2], PROJECT_HEADER, project_rows(), PROJECT_AMOUNT_COLUMNS)
    return paths


def main() -> None:
    for path in build():
        print(path.relative_to(HERE.parent))
    projects = project_rows()
    total = sum(sum(row[6:11:2]) for row in projects)
    print(f"{len(DEPARTMENTS)} departments, {len(projects)} projects, 项目全年预算数合计 {total:,.2f} 万元")


if __name__ == "__main__":
    main()
