"""The roster reader: examples load, encodings and layouts are tolerated, every problem is located."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfxl.errors import RosterError
from perfxl.roster import Project, Roster, read_roster
from perfxl.roster import reader
from perfxl.roster.model import DEPARTMENT_COLUMNS, PROJECT_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

DEPT_HEADER = list(DEPARTMENT_COLUMNS.values())
PROJ_HEADER = list(PROJECT_COLUMNS.values())
DEPT_ROWS = [
    ["101001", "怀来县行政审批局", "1,018.06", "1018.06"],
    ["101002", "隆回县行政审批服务局", "704.72", " 704.72 "],
]
PROJ_ROWS = [
    ["101001", "101001-2022-001", "政务服务中心运行维护经费", "怀来县行政审批局", "怀来县行政审批局",
     "80.58", "80.58", "", "", "0", "0", "保障正常运行"],
    ["101002", "101002-2022-001", "金石桥镇政务分中心建设", "", "", "8", "8", "0", "0", "", "4", ""],
]


def rows_of(header: list[str], rows: list[list[object]]) -> list[list[object]]:
    return [list(header)] + [list(r) for r in rows]


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def roster_xlsx(tmp_path: Path, dept: list[list[object]] | None = None, proj: list[list[object]] | None = None,
                name: str = "roster.xlsx") -> Path:
    return write_xlsx(tmp_path / name, {
        "部门": dept if dept is not None else rows_of(DEPT_HEADER, DEPT_ROWS),
        "项目": proj if proj is not None else rows_of(PROJ_HEADER, PROJ_ROWS),
    })


def roster_csvs(tmp_path: Path, dept: list[list[object]] | None = None, proj: list[list[object]] | None = None,
                encoding: str = "utf-8-sig") -> list[Path]:
    return [
        write_csv(tmp_path / "部门.csv", dept if dept is not None else rows_of(DEPT_HEADER, DEPT_ROWS), encoding),
        write_csv(tmp_path / "项目.csv", proj if proj is not None else rows_of(PROJ_HEADER, PROJ_ROWS), encoding),
    ]


def error_of(paths) -> RosterError:
    with pytest.raises(RosterError) as info:
        read_roster(paths)
    return info.value


def assert_reported(err: RosterError, zh_parts: list[str], en_parts: list[str]) -> None:
    """One message of the error holds all zh parts, and the same message in English all en parts."""
    for message in err.messages:
        zh, en = message.render("zh"), message.render("en")
        if all(p in zh for p in zh_parts) and all(p in en for p in en_parts):
            return
    raise AssertionError(f"not reported: {zh_parts} / {en_parts}\n{err.render('zh')}\n{err.render('en')}")


# --- the examples ------------------------------------------------------------------------------


def test_example_xlsx_and_csv_give_the_same_roster():
    from_xlsx = read_roster([EXAMPLES / "roster.xlsx"])
    from_csv = read_roster([EXAMPLES / "roster_csv" / "部门.csv", EXAMPLES / "roster_csv" / "项目.csv"])
    assert from_xlsx.departments == from_csv.departments
    assert len(from_xlsx.departments) >= 5
    assert all(1 <= len(d.projects) <= 8 for d in from_xlsx.departments)
    chengde = from_xlsx.department("101003")
    assert chengde is not None and len(chengde.projects) == 7
    assert chengde.projects[0].name == "政务中心运转费" and chengde.projects[0].fiscal_budget == 146.68


def test_example_uses_every_funding_column_and_budget_adjustments():
    projects = [p for d in read_roster([EXAMPLES / "roster.xlsx"]).departments for p in d.projects]
    assert any(p.carryover_budget for p in projects) and any(p.other_budget for p in projects)
    assert any(p.fiscal_initial != p.fiscal_budget for p in projects)
    assert any(p.goal and "\n" in p.goal for p in projects)


def test_make_roster_reproduces_the_committed_files(tmp_path):
    spec = importlib.util.spec_from_file_location("make_roster", EXAMPLES / "make_roster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for built in module.build(tmp_path):
        committed = EXAMPLES / built.relative_to(tmp_path)
        assert built.read_bytes() == committed.read_bytes(), f"{committed} is out of date: run make_roster.py"


def test_import_does_not_load_openpyxl():
    code = "import sys, perfxl.roster; assert 'openpyxl' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# --- accepted inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_parse_the_same(tmp_path, encoding):
    reference = read_roster(roster_xlsx(tmp_path))
    paths = roster_csvs(tmp_path, encoding=encoding)
    roster = read_roster(paths)
    assert roster.departments == reference.departments
    assert roster.departments[0].projects[0].supervisor == "怀来县行政审批局"


def test_parsed_values(tmp_path):
    roster = read_roster(roster_csvs(tmp_path))
    assert isinstance(roster, Roster)
    dept = roster.departments[0]
    assert (dept.code, dept.name, dept.basic_initial, dept.basic_budget) == ("101001", "怀来县行政审批局", 1018.06, 1018.06)
    project = roster.departments[1].projects[0]
    assert isinstance(project, Project)
    assert project.funds == ((8.0, 8.0), (0.0, 0.0), (0.0, 4.0))
    assert (project.supervisor, project.implementer, project.goal) == ("", "", "")
    assert roster.sources == tuple(str(p) for p in roster_csvs(tmp_path))


def test_csv_files_in_either_order_and_a_folder(tmp_path):
    dept, proj = roster_csvs(tmp_path)
    assert read_roster([proj, dept]).departments == read_roster([dept, proj]).departments
    assert read_roster([tmp_path]).departments == read_roster([dept, proj]).departments
    assert read_roster(str(tmp_path)).departments == read_roster([dept, proj]).departments


def test_folder_with_a_workbook(tmp_path):
    roster_xlsx(tmp_path)
    (tmp_path / "~$roster.xlsx").write_bytes(b"lock file of an open workbook")
    assert [d.code for d in read_roster([tmp_path]).departments] == ["101001", "101002"]


def test_header_whitespace_bom_extra_columns_and_order(tmp_path):
    dept_header = ["\ufeff 部门名称 ", "备注", "部门编码\n", "基本支出全年预算数", " 基本支出年初预算数"]
    dept = [dept_header, ["怀来县行政审批局", "随便", "101001", "2", "1"]]
    proj_header = list(reversed(PROJ_HEADER[:-1])) + ["说明"]
    proj = [proj_header, list(reversed(PROJ_ROWS[0][:-1])) + ["x"]]
    roster = read_roster(roster_xlsx(tmp_path, dept, proj))
    dept = roster.departments[0]
    assert (dept.code, dept.name, dept.basic_initial, dept.basic_budget) == ("101001", "怀来县行政审批局", 1.0, 2.0)
    assert dept.projects[0].name == "政务服务中心运行维护经费" and dept.projects[0].goal == ""


def test_xlsx_numeric_codes_and_numbers(tmp_path):
    dept = [DEPT_HEADER, [101001.0, "部门甲", 12.5, 13], ["001234", " 部门乙 ", None, 0]]
    proj = [PROJ_HEADER, [101001, 20220001.0, "项目", None, None, 1, 2.25, None, None, None, None, None],
            ["001234", "  001234-001 ", "项目乙", "主管", "实施", 0, 0, 0, 0, 3, 3, "目标"]]
    roster = read_roster(roster_xlsx(tmp_path, dept, proj))
    first, second = roster.departments
    assert (first.code, first.basic_initial, first.basic_budget) == ("101001", 12.5, 13.0)
    assert first.projects[0].code == "20220001" and first.projects[0].funds[0] == (1.0, 2.25)
    assert (second.code, second.name, second.basic_initial) == ("001234", "部门乙", 0.0)
    assert second.projects[0].code == "001234-001"


def test_blank_rows_are_skipped_and_departments_may_have_no_project(tmp_path):
    dept = rows_of(DEPT_HEADER, DEPT_ROWS) + [[None] * 4, ["101003", "衡山县行政审批服务局", 164.2, 181.26]]
    proj = rows_of(PROJ_HEADER, PROJ_ROWS[:1]) + [[None] * 12, [" "] * 12]
    roster = read_roster(roster_xlsx(tmp_path, dept, proj))
    assert [len(d.projects) for d in roster.departments] == [1, 0, 0]


def test_order_is_kept(tmp_path):
    dept = [DEPT_HEADER, ["3", "丙", 1, 1], ["1", "甲", 1, 1], ["2", "乙", 1, 1]]
    proj = [PROJ_HEADER] + [[d, f"{d}-{n}", f"项目{n}", "", "", 1, 1, 0, 0, 0, 0, ""] for d, n in
                            [("1", 9), ("3", 2), ("1", 3), ("1", 1)]]
    roster = read_roster(roster_xlsx(tmp_path, dept, proj))
    assert [d.code for d in roster.departments] == ["3", "1", "2"]
    assert [p.code for p in roster.department("1").projects] == ["1-9", "1-3", "1-1"]


# --- problems in the data ----------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["十万", "12元", "１２", "nan", "inf", "1.2.3", "1,22", "12 万", "1_000", "+5"])
def test_bad_amount_in_xlsx_is_located(tmp_path, bad):
    proj = rows_of(PROJ_HEADER, PROJ_ROWS)
    proj[2][5] = bad
    err = error_of([roster_xlsx(tmp_path, proj=proj)])
    assert_reported(err, ["roster.xlsx", "项目", "第3行", "F列", "财政拨款年初预算数", bad],
                    ["roster.xlsx", "项目", "row 3", "column F", "(财政拨款年初预算数)", bad])


def test_full_width_digits_get_a_hint(tmp_path):
    proj = rows_of(PROJ_HEADER, PROJ_ROWS)
    proj[1][6] = "１２．５"
    err = error_of([roster_xlsx(tmp_path, proj=proj)])
    assert_reported(err, ["第2行", "G列", "全角"], ["row 2", "column G", "full-width"])


@pytest.mark.parametrize("bad", [-5, "-5", "#DIV/0!", True, dt.datetime(2022, 1, 1)])
def test_negative_and_non_numeric_cells(tmp_path, bad):
    dept = rows_of(DEPT_HEADER, DEPT_ROWS)
    dept[2][3] = bad
    err = error_of([roster_xlsx(tmp_path, dept=dept)])
    assert_reported(err, ["部门", "第3行", "D列", "基本支出全年预算数"], ["部门", "row 3", "column D", "(基本支出全年预算数)"])


def test_bad_amount_in_csv_names_file_row_and_column(tmp_path):
    proj = rows_of(PROJ_HEADER, PROJ_ROWS)
    proj[2][10] = "4万"
    err = error_of(roster_csvs(tmp_path, proj=proj, encoding="gbk"))
    assert_reported(err, ["项目.csv", "第3行", "K列", "其他资金全年预算数", "4万"],
                    ["项目.csv", "row 3", "column K", "(其他资金全年预算数)", "4万"])
    assert "›" in err.render("zh") and "部门.csv ›" not in err.render("zh")


def test_csv_rows_count_records_as_excel_shows_them(tmp_path):
    proj = rows_of(PROJ_HEADER, PROJ_ROWS)
    proj[1][11] = "第一行\n第二行\n第三行"
    proj[2][5] = "x"
    err = error_of(roster_csvs(tmp_path, proj=proj))
    assert_reported(err, ["第3行", "F列"], ["row 3", "column F"])


def test_missing_column(tmp_path):
    proj = [row[:6] + row[7:] for row in rows_of(PROJ_HEADER, PROJ_ROWS)]
    err = error_of([roster_xlsx(tmp_path, proj=proj)])
    assert_reported(err, ["roster.xlsx", "项目", "缺少", "财政拨款全年预算数"],
                    ["roster.xlsx", "项目", "no '财政拨款全年预算数' column"])


def test_missing_column_in_csv(tmp_path):
    dept = [row[:2] + row[3:] for row in rows_of(DEPT_HEADER, DEPT_ROWS)]
    err = error_of(roster_csvs(tmp_path, dept=dept))
    assert_reported(err, ["部门.csv", "基本支出年初预算数"], ["部门.csv", "'基本支出年初预算数'"])


def test_optional_goal_column_may_be_missing(tmp_path):
    proj = [row[:-1] for row in rows_of(PROJ_HEADER, PROJ_ROWS)]
    roster = read_roster(roster_csvs(tmp_path, proj=proj))
    assert roster.departments[0].projects[0].goal == ""


def test_header_not_in_row_one(tmp_path):
    dept = [["2022年部门预算表"]] + rows_of(DEPT_HEADER, DEPT_ROWS)
    err = error_of([roster_xlsx(tmp_path, dept=dept)])
    assert_reported(err, ["部门", "第1行不是花名册表头"], ["部门", "row 1 is not a roster header"])
    assert len(err.messages) == 1


def test_repeated_column(tmp_path):
    dept = [row + [row[1]] for row in rows_of(DEPT_HEADER, DEPT_ROWS)]
    err = error_of([roster_xlsx(tmp_path, dept=dept)])
    assert_reported(err, ["部门名称", "B、E"], ["部门名称", "B、E"])


def test_duplicate_department_code(tmp_path):
    dept = rows_of(DEPT_HEADER, DEPT_ROWS) + [["101001", "重复的部门", 1, 1]]
    err = error_of([roster_xlsx(tmp_path, dept=dept)])
    assert_reported(err, ["部门", "第4行", "A列", "部门编码", "101001", "第2行"],
                    ["部门", "row 4", "column A", "(部门编码)", "101001", "row 2"])


def test_duplicate_project_code(tmp_path):
    proj = rows_of(PROJ_HEADER, PROJ_ROWS)
    proj[2][1] = proj[1][1]
    err = error_of(roster_csvs(tmp_path, proj=proj))
    assert_reported(err, ["项目.csv", "第3行", "B列", "项目编码", "101001-2022-001", "第2行"],
                    ["项目.csv", "row 3", "column B", "(项目编码)", "101001-2022-001", "row 2"])


def test_project_of_unknown_department(tmp_path):
    proj = rows_of(PROJ_HEADER, PROJ_ROWS)
    proj[2][0] = "109999"
    err = error_of([roster_xlsx(tmp_path, proj=proj)])
    assert_reported(err, ["项目", "第3行", "A列", "部门编码", "109999", "roster.xlsx › 部门"],
                    ["项目", "row 3", "column A", "(部门编码)", "109999", "roster.xlsx › 部门"])


@pytest.mark.parametrize("col", [1, 2])
def test_blank_required_project_text(tmp_path, col):
    proj = rows_of(PROJ_HEADER, PROJ_ROWS)
    proj[1][col] = "  "
    err = error_of([roster_xlsx(tmp_path, proj=proj)])
    letter, header = "ABC"[col], PROJ_HEADER[col]
    assert_reported(err, ["第2行", f"{letter}列", header, "必须填写"], ["row 2", f"column {letter}", header, "blank"])


def test_blank_department_name(tmp_path):
    dept = rows_of(DEPT_HEADER, DEPT_ROWS)
    dept[1][1] = None
    err = error_of([roster_xlsx(tmp_path, dept=dept)])
    assert_reported(err, ["部门", "第2行", "B列", "部门名称"], ["部门", "row 2", "column B", "(部门名称)"])


def test_date_in_a_code_cell(tmp_path):
    dept = rows_of(DEPT_HEADER, DEPT_ROWS)
    dept[1][0] = dt.datetime(2022, 1, 1)
    err = error_of([roster_xlsx(tmp_path, dept=dept)])
    assert_reported(err, ["第2行", "A列", "2022-01-01", "文本"], ["row 2", "column A", "2022-01-01", "Text"])


def test_all_problems_are_reported_at_once(tmp_path):
    dept = rows_of(DEPT_HEADER, DEPT_ROWS) + [["101001", "", "abc", 1]]
    proj = rows_of(PROJ_HEADER, PROJ_ROWS)
    proj[1][5] = "十万"
    proj[2][0] = "404"
    proj.append(list(PROJ_ROWS[0]))
    err = error_of([roster_xlsx(tmp_path, dept, proj)])
    zh = err.render("zh")
    assert zh.startswith("花名册有误，未生成任何文件：")
    assert err.render("en").startswith("The roster has problems; nothing was written:")
    assert len(err.messages) == 6
    for part in ["部门 › 第4行 A列", "部门 › 第4行 B列", "部门 › 第4行 C列", "项目 › 第2行 F列", "项目 › 第3行 A列",
                 "项目 › 第4行 B列"]:
        assert part in zh


def test_problems_are_capped(tmp_path):
    proj = [PROJ_HEADER] + [["101001", f"p{n}", "项目", "", "", "x", "y", 0, 0, 0, 0, ""] for n in range(150)]
    err = error_of([roster_xlsx(tmp_path, proj=proj)])
    assert len(err.messages) == reader.MAX_PROBLEMS + 1
    assert_reported(err, ["只列出前 200 条", "100 条"], ["first 200", "100 more"])


# --- broken files and wrong inputs -------------------------------------------------------------


def test_empty_xlsx(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"")
    assert_reported(error_of([path]), ["roster.xlsx", "空"], ["roster.xlsx", "empty"])


def test_random_bytes_named_xlsx(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(bytes(range(256)) * 4)
    assert_reported(error_of([path]), ["roster.xlsx", "不是 Excel 工作簿"], ["not an Excel workbook"])


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "roster.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert_reported(error_of([path]), ["roster.xlsx", "损坏"], ["roster.xlsx", "damaged"])


def test_truncated_workbook(tmp_path):
    path = roster_xlsx(tmp_path)
    path.write_bytes(path.read_bytes()[:1500])
    assert_reported(error_of([path]), ["roster.xlsx", "损坏"], ["damaged"])


@pytest.mark.parametrize("name", ["roster.xls", "roster.xlsx"])
def test_ole_file_is_old_xls_or_encrypted(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert_reported(error_of([path]), [name, ".xls", "密码", "另存为"], [name, "password", "save it as"])


def test_missing_project_sheet(tmp_path):
    path = write_xlsx(tmp_path / "roster.xlsx", {"部门": rows_of(DEPT_HEADER, DEPT_ROWS), "Sheet2": [["x"]]})
    assert_reported(error_of([path]), ["roster.xlsx", "找不到“项目”工作表", "Sheet2"], ["no sheet named '项目'"])


def test_sheet_names_with_spaces_are_found(tmp_path):
    path = write_xlsx(tmp_path / "roster.xlsx", {" 部门": rows_of(DEPT_HEADER, DEPT_ROWS),
                                                 "项目 ": rows_of(PROJ_HEADER, PROJ_ROWS)})
    assert len(read_roster([path]).departments) == 2


@pytest.mark.parametrize("which", ["部门", "项目"])
def test_header_only_sheet(tmp_path, which):
    sheets = {"部门": rows_of(DEPT_HEADER, DEPT_ROWS), "项目": rows_of(PROJ_HEADER, PROJ_ROWS)}
    sheets[which] = sheets[which][:1]
    err = error_of([write_xlsx(tmp_path / "roster.xlsx", sheets)])
    assert_reported(err, [f"roster.xlsx › {which}", "只有表头"], ["only a header row"])


def test_header_only_csv(tmp_path):
    err = error_of(roster_csvs(tmp_path, proj=[PROJ_HEADER]))
    assert_reported(err, ["项目.csv", "只有表头"], ["项目.csv", "only a header row"])


def test_empty_csv(tmp_path):
    dept, proj = roster_csvs(tmp_path)
    proj.write_bytes(b"")
    assert_reported(error_of([dept, proj]), ["项目.csv", "空"], ["empty"])


def test_undecodable_csv(tmp_path):
    dept, proj = roster_csvs(tmp_path)
    proj.write_bytes("部门编码,项目编码\r\n".encode("utf-16"))
    assert_reported(error_of([dept, proj]), ["项目.csv", "编码", "CSV UTF-8"], ["encoding"])


def test_workbook_named_csv(tmp_path):
    dept, proj = roster_csvs(tmp_path)
    proj.write_bytes(roster_xlsx(tmp_path).read_bytes())
    assert_reported(error_of([dept, proj]), ["项目.csv", "Excel 工作簿"], ["Excel workbook"])


def test_two_csvs_that_cannot_be_told_apart(tmp_path):
    dept, _ = roster_csvs(tmp_path)
    other = write_csv(tmp_path / "other.csv", rows_of(DEPT_HEADER, DEPT_ROWS))
    assert_reported(error_of([dept, other]), ["项目编码"], ["项目编码"])


def test_unreadable_file(tmp_path, monkeypatch):
    path = roster_xlsx(tmp_path)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(reader, "open_regular", denied)  # how the reader opens every file
    assert_reported(error_of([path]), ["roster.xlsx", "无法读取", "Permission denied"], ["cannot be read"])


@pytest.mark.parametrize("make", [
    lambda tmp: [],
    lambda tmp: [tmp / "nope.xlsx"],
    lambda tmp: [write_csv(tmp / "one.csv", [["部门编码"]])],
    lambda tmp: [roster_xlsx(tmp), roster_xlsx(tmp, name="b.xlsx")],
    lambda tmp: [tmp, tmp],
])
def test_wrong_inputs(tmp_path, make):
    error_of(make(tmp_path))


def test_folder_without_roster(tmp_path):
    (tmp_path / "说明.txt").write_text("nothing here", encoding="utf-8")
    assert_reported(error_of([tmp_path]), ["没有花名册"], ["holds no roster"])


def test_folder_with_only_xls(tmp_path):
    (tmp_path / "roster.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    assert_reported(error_of([tmp_path]), ["roster.xls", "另存为 .xlsx"], ["save them as .xlsx"])


def test_folder_with_two_workbooks(tmp_path):
    roster_xlsx(tmp_path)
    roster_xlsx(tmp_path, name="b.xlsx")
    assert_reported(error_of([tmp_path]), ["roster.xlsx", "b.xlsx"], ["several possible rosters"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".xlsx", ".csv"]))
def test_arbitrary_bytes_never_escape_as_another_exception(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    paths = [path] if suffix == ".xlsx" else [path, write_csv(tmp_path / "部门.csv", rows_of(DEPT_HEADER, DEPT_ROWS))]
    try:
        read_roster(paths)
    except RosterError:
        pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_damaged_workbook_never_escapes_as_another_exception(tmp_path, data):
    original = (EXAMPLES / "roster.xlsx").read_bytes()
    position = data.draw(st.integers(0, len(original) - 1))
    garbage = data.draw(st.binary(min_size=1, max_size=64))
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(original[:position] + garbage + original[position + len(garbage):])
    try:
        read_roster([path])
    except RosterError:
        pass
