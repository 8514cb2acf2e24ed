"""Structure of a generated workbook, read back with openpyxl (an independent reader)."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from perfxl.generate import blank_workbook, department_workbook
from perfxl.layout import RECORD_SHEET, SHEET_NAMES, TEMPLATE_VERSION, build_layout
from perfxl.layout.model import Kind
from perfxl.roster import read_roster
from perfxl.scheme import load_scheme
from perfxl.writer.fastsheet import CLASSIC_FUNCTIONS
from perfxl.writer.record import unpack

ROOT = Path(__file__).resolve().parents[2]
GENERATED = date(2026, 1, 5)


@pytest.fixture(scope="module")
def roster():
    return read_roster([ROOT / "examples" / "roster.xlsx"])


@pytest.fixture(scope="module")
def dept(roster):
    return max(roster.departments, key=lambda d: len(d.projects))


@pytest.fixture(scope="module")
def scheme():
    return load_scheme("national")


@pytest.fixture(scope="module")
def layout(scheme, dept):
    return build_layout(scheme, len(dept.projects), goals_issued=tuple(bool(p.goal) for p in dept.projects))


@pytest.fixture(scope="module")
def book(dept, scheme):
    data = department_workbook(dept, 2025, scheme, GENERATED)
    return openpyxl.load_workbook(io.BytesIO(data))


def _record(wb) -> dict[str, str]:
    ws = wb[RECORD_SHEET]
    return {row[0]: row[1] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]}


def test_required_sheets_in_order(book, dept) -> None:
    expected = [SHEET_NAMES["info"], SHEET_NAMES["basic"], SHEET_NAMES["dept"], SHEET_NAMES["summary"]]
    expected += [f"项目{i}" for i in range(1, len(dept.projects) + 1)] + [RECORD_SHEET]
    assert book.sheetnames == expected
    assert book[RECORD_SHEET].sheet_state == "veryHidden"
    assert all(book[name].sheet_state == "visible" for name in expected[:-1])


def test_every_sheet_protected_but_formatting_allowed(book) -> None:
    for ws in book.worksheets:
        assert ws.protection.sheet, ws.title
        # In OOXML a true attribute forbids; formatting and resizing stay allowed.
        assert not ws.protection.formatCells and not ws.protection.formatColumns and not ws.protection.formatRows


def test_formulas_locked_inputs_unlocked_issued_locked(book, layout, dept) -> None:
    for sheet in layout.sheets:
        ws = book[sheet.name]
        for f in sheet.fields:
            cell = ws.cell(row=f.row + 1, column=f.col + 1)
            if f.kind == Kind.FORMULA:
                assert cell.data_type == "f" and cell.value == f.formula, (sheet.name, f.key)
                assert cell.protection.locked, (sheet.name, f.key)
            elif f.kind == Kind.INPUT:
                assert not cell.protection.locked, (sheet.name, f.key)
            else:
                assert cell.protection.locked, (sheet.name, f.key)
    p1 = book["项目1"]
    first = dept.projects[0]
    budget = layout.sheet("p1").get("funds.fiscal.budget")
    assert p1.cell(row=budget.row + 1, column=budget.col + 1).value == pytest.approx(first.fiscal_budget)


def test_only_inputs_are_unlocked(book, layout) -> None:
    """Inside the printed form, a cell is unlocked exactly when it is an input field."""
    for sheet in layout.sheets:
        ws = book[sheet.name]
        inputs = {(f.row + 1, f.col + 1) for f in sheet.fields if f.kind == Kind.INPUT}
        for row in ws.iter_rows(min_row=1, max_row=sheet.last_row + 1, max_col=sheet.print_cols):
            for cell in row:
                if cell.coordinate in ws.merged_cells and (cell.row, cell.column) not in inputs:
                    continue  # covered cells of a merged range take the first cell's protection
                unlocked = not cell.protection.locked
                assert unlocked == ((cell.row, cell.column) in inputs), (sheet.name, cell.coordinate)


def test_dropdowns_and_numeric_validation(book, scheme) -> None:
    ws = book["项目1"]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    sources = {dv.formula1 for dv in lists}
    assert '"≥,>,≤,<,=,定性"' in sources
    assert any("万元" in s and "平方米" in s for s in sources)
    assert any(q.name in s for s in sources for q in scheme.qualitative[:1])
    unit = next(dv for dv in lists if "万元" in dv.formula1)
    assert unit.errorStyle == "warning"  # other units allowed
    assert any(dv.type == "decimal" for dv in ws.data_validations.dataValidation)
    custom = [dv for dv in ws.data_validations.dataValidation if dv.type == "custom"]
    # 定性 band: against the row's hidden limit cells, so the formula stays short for any scheme
    assert any("定性" in dv.formula1 and ">=$P" in dv.formula1 and "<=$Q" in dv.formula1 for dv in custom)
    assert all(dv.prompt for dv in lists)
    basic = book[SHEET_NAMES["basic"]]
    assert any(dv.formula1 == '"是,否"' for dv in basic.data_validations.dataValidation)
    assert any(dv.formula1 == '"优,良,中,差"' for dv in basic.data_validations.dataValidation)


def test_live_checks_present(book, layout) -> None:
    """Each live check marks its cells: reason missing, band, overshoot, incomplete cells, funds, levels."""
    ws = book["项目1"]
    by_range = {str(rng.sqref): [r.formula[0] for r in rng.rules] for rng in ws.conditional_formatting}
    p1 = layout.sheet("p1")
    first, last = p1.indicator_rows[0].row + 1, p1.indicator_rows[-1].row + 1
    reason = by_range[f"K{first}:K{last}"]
    assert any("TRIM($K" in f and "$J" in f for f in reason)          # 得分 < 分值 without a reason
    assert any("1.2*$E" in f for f in reason)                         # overshoot, warning
    assert any(f"$P{first}" in f for f in by_range[f"I{first}:I{last}"])  # 定性 band, by its limit cells
    for col in "EG":  # 年度指标值 and 实际完成值 written on different % scales (V07)
        assert any(f"$O{first}=1" in f for f in by_range[f"{col}{first}:{col}{last}"]), col
    assert any(f"$N{first}=1" in f for f in by_range[f"C{first}:C{last}"])  # incomplete row
    executed = p1.get("funds.fiscal.executed").ref
    assert any(">" in f for f in by_range[executed])                   # over budget
    reason_cell = p1.get("funds.reason").ref
    assert any("0.9" in f for f in by_range[reason_cell])              # execution below 90%


def test_defined_names_resolve(book, layout) -> None:
    names = dict(book.defined_names.items())
    assert len(names) > 50
    for name, defined in names.items():
        assert name.startswith("perfxl."), name
        destinations = list(defined.destinations)
        assert len(destinations) == 1, name
        sheet_name, ref = destinations[0]
        assert sheet_name in book.sheetnames, name
        book[sheet_name][ref.replace("$", "")]  # resolves
    p1 = layout.sheet("p1")
    f = p1.get("funds.total.executed")
    assert dict(names["perfxl.p1.funds.total.executed"].destinations)["项目1"] == f"${chr(65 + f.col)}${f.row + 1}"


def test_template_record_is_readable(book, layout, dept, scheme) -> None:
    record = _record(book)
    assert record["format"].startswith("perfxl-template-record/")
    assert record["template_version"] == TEMPLATE_VERSION
    assert record["year"] == "2025"
    assert record["department_code"] == dept.code
    assert record["scheme"] == "national" and record["scheme_hash"] == scheme.content_hash
    assert json.loads(record["project_codes"]) == [p.code for p in dept.projects]
    packed = "".join(v for k, v in sorted(record.items()) if k.startswith("layout."))
    data = json.loads(unpack(packed))
    assert data["layout_hash"] == record["layout_hash"] == layout.digest
    by_code = {s["code"]: s for s in data["sheets"]}
    for sheet in layout.sheets:
        form = data["forms"][by_code[sheet.code]["form"]]
        recorded = {key: (cell, kind, formula) for key, cell, kind, _, formula, _ in form["fields"]}
        for f in sheet.fields:
            assert recorded[f.key] == (f.ref, f.kind.value, f.formula)
    issued = json.loads(unpack("".join(v for k, v in sorted(record.items()) if k.startswith("issued."))))
    assert issued["p1"]["funds.fiscal.budget"] == dept.projects[0].fiscal_budget
    assert issued["dept"]["name"] == dept.name
    props = {p.name: p.value for p in book.custom_doc_props.props}
    assert props["perfxl.template_version"] == TEMPLATE_VERSION and props["perfxl.year"] == "2025"


def test_print_ready(book) -> None:
    ws = book["项目1"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    # One page wide (1 is the OOXML default, so the attribute may be omitted), any height.
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows
    assert ws["A1"].font.name == "黑体"
    assert any("单位（盖章）" in str(c.value) for row in ws.iter_rows() for c in row if c.value)


def test_formulas_use_only_classic_functions(layout) -> None:
    """The fast worksheet skips _xlfn. prefixing: that is safe only for these functions."""
    used = set()
    for sheet in layout.sheets:
        texts = [f.formula for f in sheet.fields if f.formula]
        texts += [h.formula for h in sheet.highlights] + [v.source or "" for v in sheet.validations]
        for text in texts:
            text = re.sub(r'"[^"]*"', '""', text)
            used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", text))
    assert used <= CLASSIC_FUNCTIONS, used - CLASSIC_FUNCTIONS


def test_blank_workbook_has_inputs_for_names_and_budgets(scheme) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(blank_workbook(2, 2025, scheme, GENERATED)))
    layout = build_layout(scheme, 2, blank=True)
    p1 = layout.sheet("p1")
    for key in ("name", "supervisor", "funds.fiscal.budget", "funds.other.initial"):
        f = p1.get(key)
        assert f.kind == Kind.INPUT
        assert not wb["项目1"].cell(row=f.row + 1, column=f.col + 1).protection.locked
    assert _record(wb)["blank"] == "1"


def test_no_projects_department(roster, scheme) -> None:
    dept = roster.departments[0]
    from dataclasses import replace

    empty = replace(dept, projects=())
    wb = openpyxl.load_workbook(io.BytesIO(department_workbook(empty, 2025, scheme, GENERATED)))
    assert not any(name.startswith("项目") and name[2:].isdigit() for name in wb.sheetnames)


def test_reproducible_bytes(dept, scheme) -> None:
    a = department_workbook(dept, 2025, scheme, GENERATED)
    b = department_workbook(dept, 2025, scheme, GENERATED)
    c = department_workbook(dept, 2025, scheme, date(2026, 1, 6))
    assert a == b
    assert a != c
    import zipfile

    stamps = {i.date_time for i in zipfile.ZipFile(io.BytesIO(a)).infolist()}
    assert stamps == {(1980, 1, 1, 0, 0, 0)}


def test_self_check_status_distinguishes_problems_missing_and_done(layout, scheme, dept) -> None:
    from perfxl.evaluate import evaluate_workbook
    from perfxl.samples import random_inputs, realistic_inputs
    from perfxl.writer import department_values

    issued = department_values(layout, dept, 2025, scheme, GENERATED)
    fresh = evaluate_workbook(layout, issued, scheme)
    assert fresh[("info", "problems.total")] == 0
    assert fresh[("info", "missing.total")] > 50
    assert fresh[("info", "status")].startswith("尚有")  # an empty workbook is not "done"
    clean = evaluate_workbook(layout, {**issued, **realistic_inputs(layout, scheme, 3, budgets=issued)}, scheme)
    assert clean[("info", "missing.total")] == 0 and clean[("info", "status")].startswith("未发现问题")
    broken = evaluate_workbook(layout, {**issued, **random_inputs(layout, scheme, 3)}, scheme)
    assert broken[("info", "status")].startswith("发现")


def test_funds_amounts_are_validated(book, layout) -> None:
    ws = book["项目1"]
    executed = layout.sheet("p1").get("funds.fiscal.executed").ref
    amount = [dv for dv in ws.data_validations.dataValidation if executed in str(dv.sqref)]
    assert amount and amount[0].type == "decimal" and "万元" in amount[0].prompt


def test_blank_supervisor_defaults_to_the_department(roster, scheme) -> None:
    from dataclasses import replace

    from perfxl.writer import department_values

    dept = roster.departments[0]
    project = replace(dept.projects[0], supervisor="", implementer="")
    dept = replace(dept, projects=(project,))
    layout = build_layout(scheme, 1, goals_issued=(bool(project.goal),))
    values = department_values(layout, dept, 2025, scheme, GENERATED)
    assert values[("p1", "supervisor")] == dept.name == values[("p1", "implementer")]


def test_scheme_texts_with_braces_and_names_with_placeholders_are_safe(roster) -> None:
    from dataclasses import replace

    from perfxl.scheme import parse_scheme

    text = (ROOT / "templates" / "schemes" / "national.toml").read_text(encoding="utf-8")
    scheme = parse_scheme(text.replace("是否制定资金管理办法", "是否制定{资金}管理办法"), "braces.toml")
    dept = replace(roster.departments[0], name="测试{year}局")
    wb = openpyxl.load_workbook(io.BytesIO(department_workbook(dept, 2025, scheme, GENERATED)))
    texts = [c.value for row in wb[SHEET_NAMES["basic"]].iter_rows() for c in row if isinstance(c.value, str)]
    assert "是否制定{资金}管理办法" in texts
    assert "2025年度测试{year}局项目支出绩效自评情况汇总表" in [c.value for row in wb[SHEET_NAMES["summary"]].iter_rows()
                                                    for c in row]


def test_layouts_sharing_sheets_match_fresh_builds() -> None:
    """Project sheets and F2/F3/F4 are cached across shapes; a goal flag must never move a cell."""
    import itertools

    from perfxl.layout import workbook as wb

    scheme = load_scheme("national")
    patterns = list(itertools.product([False, True], repeat=3))
    fresh = {}
    for goals in patterns:
        wb._cache.clear()
        wb._sheet_cache.clear()
        layout = wb.build_layout(scheme, 3, goals_issued=goals)
        fresh[goals] = (layout.digest, [(s.name, [(f.key, f.row, f.col, f.kind, f.formula) for f in s.fields])
                                        for s in layout.sheets])
    wb._cache.clear()
    wb._sheet_cache.clear()
    for goals in reversed(patterns):
        layout = wb.build_layout(scheme, 3, goals_issued=goals)
        assert (layout.digest, [(s.name, [(f.key, f.row, f.col, f.kind, f.formula) for f in s.fields])
                                for s in layout.sheets]) == fresh[goals]
    assert len({d for d, _ in fresh.values()}) == len(patterns)


@pytest.mark.parametrize("scheme_name", ["national", "province-example"])
def test_excel_safe_conditional_formats_and_validations(roster, scheme_name) -> None:
    """Excel's classic conditional-format block refuses 3-D references (the file is "repaired"
    and loses every conditional format), and validation formulas and list literals are cut
    off at 255 characters: checked on the generated files of every bundled scheme."""
    scheme = load_scheme(scheme_name)
    for data in (department_workbook(max(roster.departments, key=lambda d: len(d.projects)), 2025, scheme,
                                     GENERATED),
                 blank_workbook(2, 2025, scheme, GENERATED)):
        wb = openpyxl.load_workbook(io.BytesIO(data))
        checked = 0
        for ws in wb.worksheets:
            for rng in ws.conditional_formatting:
                for rule in rng.rules:
                    for formula in rule.formula:
                        assert "!" not in re.sub(r'"[^"]*"', '""', formula), (ws.title, str(rng.sqref), formula)
                        checked += 1
            for dv in ws.data_validations.dataValidation:
                if dv.type in ("custom", "list"):
                    assert len(dv.formula1) <= 255, (ws.title, dv.sqref, len(dv.formula1))
        assert checked > 50


def test_cross_sheet_checks_of_basic_data_point_at_their_own_sheet(layout) -> None:
    """基础数据表's checks against 部门整体支出绩效自评表 are computed in hidden cells of the sheet."""
    basic = layout.sheet("basic")
    checks = [f for f in basic.fields if f.key.startswith("check.")]
    assert {f.key for f in checks} == {"check.expense.basic", "check.expense.project", "check.conclusion"}
    for f in checks:
        assert SHEET_NAMES["dept"] in f.formula and f.col in basic.hidden_cols
        target = basic.get(f.key.removeprefix("check."))
        marks = [h for h in basic.highlights if h.ranges == (target.ref,)]
        assert marks and all("!" not in h.formula for h in marks)
        assert any(f"${f.ref[0]}${f.row + 1}=1" in h.formula for h in marks)


@pytest.mark.parametrize("scheme_name", ["national", "province-example"])
@pytest.mark.parametrize("password", ["", "本局自定"])
def test_workbook_structure_is_locked(roster, dept, scheme_name: str, password: str) -> None:
    """No renaming, adding, deleting, moving or unhiding sheets in Excel/WPS, with the sheets' password."""
    import zipfile

    scheme = load_scheme(scheme_name)
    files = {"department": department_workbook(dept, 2025, scheme, GENERATED, password),
             "blank": blank_workbook(2, 2025, scheme, GENERATED, password)}
    for kind, data in files.items():
        wb = openpyxl.load_workbook(io.BytesIO(data))
        assert wb.security is not None and wb.security.lockStructure, (scheme_name, kind)
        sheet_hash = wb[wb.sheetnames[0]].protection.password
        assert wb.security.workbookPassword == sheet_hash, (scheme_name, kind)
        assert bool(sheet_hash) == bool(password)
        # CT_Workbook's order: workbookProtection right after workbookPr, before bookViews.
        xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode()
        tags = re.findall(r"<(fileVersion|fileSharing|workbookPr|workbookProtection|bookViews)\b", xml)
        assert tags == ["fileVersion", "workbookPr", "workbookProtection", "bookViews"], tags


def test_one_percent_rule_for_both_cells_said_the_same_way(layout, scheme) -> None:
    """The prompts of 年度指标值 and 实际完成值 and 填报说明 give one rule (RULES.md V07);
    nothing invites typing "95%" in one cell and a plain number in the other."""
    from perfxl.layout.instructions import instructions_text
    from perfxl.livechecks import PERCENT_RULE

    p1 = layout.sheet("p1")
    prompts = {v.prompt_title: v.prompt for v in p1.validations}
    assert PERCENT_RULE in prompts["年度指标值"] and PERCENT_RULE in prompts["实际完成值"]
    assert any(PERCENT_RULE in line for line in instructions_text(scheme))
    everything = [*prompts.values(), *instructions_text(scheme)]
    assert not any("可直接输入" in text for text in everything)
    assert all(len(p) <= 255 for p in prompts.values())
