"""The draft 自评情况报告: the template's text and figures, the markup's escaping, and the Word
document read back with python-docx (A4, Chinese fonts, headings, tables, highlighted blanks)."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn

from perfxl.errors import OutputError
from perfxl.round.consolidation import MISSING, Entry
from perfxl.round.report_docx import column_widths, parse, render_markup, report_bytes, write_report
from perfxl.round.stats import compute
from perfxl.scoring import round2

from .conftest import Round

HEADINGS = ["一、基本情况", "二、自评结果", "三、发现的主要问题", "四、整改措施和下一步工作", "五、未通过校验或未提交的部门"]


@pytest.fixture(scope="module")
def document(round_: Round, tmp_path_factory: pytest.TempPathFactory):
    path = write_report(round_.consolidation, tmp_path_factory.mktemp("round-report") / "自评情况报告.docx")
    return docx.Document(str(path))


def plain(markup: str) -> str:
    """The markup's text as a reader sees it: placeholder markers and escapes removed."""
    return re.sub(r"\\(.)", r"\1", markup.replace("\ue000", "【").replace("\ue001", "】"))


def table_texts(doc) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]


def test_the_text_states_the_rounds_figures(round_: Round) -> None:
    s = compute(round_.consolidation)
    text = plain(render_markup(round_.consolidation))
    assert text.startswith("# 2025年度部门预算绩效自评情况报告")
    assert "预算部门共 5 个" in text and "已提交并通过校验的部门 3 个（其中 1 个有警告）" in text
    assert "提交后未通过校验的 1 个，未提交的 1 个（报送截止日期为 2026年2月28日）" in text
    assert f"全年预算数 {round2(s.department_totals.budget):,.2f} 万元" in text
    assert f"纳入自评的项目 12 个，全年预算数 {round2(s.project_totals.budget):,.2f} 万元" in text
    assert f"预算执行率 {s.project_totals.rate * 100:.2f}%" in text
    assert "### （一）自评等级为中、差的项目" in text and "共 2 个项目，涉及 1 个部门" in text
    assert "### （二）预算执行率低于 90% 的项目" in text and "共 4 个项目，涉及 2 个部门" in text
    assert f"共 {len(s.unmet)} 个指标的得分低于分值" in text
    assert "| 衡山县行政审批服务局 | 政务服务大厅运行保障经费 | 50.00% | 项目前期手续办理滞后，资金支付进度慢于计划。 |" in text
    assert "| 101002 | 隆回县行政审批服务局 | 未提交 | 0 |  | 0 |" in text
    assert "| 101003 | 承德高新技术产业开发区行政审批局 | 未通过 | 2 | 2026年2月12日 09:30 |" in text
    assert "> 2026年3月2日" in text


def test_the_office_fills_in_the_marked_places(round_: Round) -> None:
    markup = render_markup(round_.consolidation)
    blanks = re.findall("\ue000(.*?)\ue001", markup)
    assert len(blanks) >= 8 and "单位名称（盖章）" in blanks
    # Only fill() makes a blank: a value carrying the marker characters is stripped of them.
    odd = _renamed(round_, "101001", "怀来县\ue000行政\ue001审批局")
    assert re.findall("\ue000(.*?)\ue001", render_markup(odd)) == blanks


def _renamed(round_: Round, code: str, name: str):
    c = round_.consolidation
    return replace(c, entries=tuple(replace(e, name=name) if e.code == code else e for e in c.entries))


def test_names_from_returned_files_cannot_make_markup(round_: Round) -> None:
    """A name with a heading mark, a bar and a line break stays one table cell of text."""
    hostile = "# 标题 | 多一列\n- 列表\n> 右对齐\\"
    markup = render_markup(_renamed(round_, "101005", hostile))
    blocks = parse(markup)
    assert [b.text for b in blocks if b.kind == "title"] == ["2025年度部门预算绩效自评情况报告"]
    assert not any("标题" in b.text for b in blocks if b.kind in ("title", "h1", "h2", "bullet", "right"))
    scores = next(b for b in blocks if b.kind == "table" and b.rows[0][0] == "部门编码" and len(b.rows[0]) == 5)
    row = next(r for r in scores.rows if r[0] == "101005")
    assert len(row) == 5 and plain(row[1]) == "# 标题 | 多一列 - 列表 > 右对齐\\"


def test_the_document_is_a4_with_chinese_fonts(document) -> None:
    section = document.sections[0]
    assert (round(section.page_width.mm, 1), round(section.page_height.mm, 1)) == (210, 297)  # stored in twips
    fonts = {}
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "List Bullet"):
        rfonts = document.styles[name].element.rPr.rFonts
        assert rfonts.get(qn("w:eastAsiaTheme")) is None, name  # a theme font would win over the named one
        fonts[name] = rfonts.get(qn("w:eastAsia"))
    assert fonts == {"Normal": "仿宋", "Title": "宋体", "Heading 1": "黑体", "Heading 2": "楷体", "List Bullet": "仿宋"}
    assert document.core_properties.title == "2025年度部门预算绩效自评情况报告"


def test_the_document_has_the_five_parts_in_order(document) -> None:
    paragraphs = document.paragraphs
    assert [p.text for p in paragraphs if p.style.name == "Title"] == ["2025年度部门预算绩效自评情况报告"]
    assert [p.text for p in paragraphs if p.style.name == "Heading 1"] == HEADINGS
    assert [p.text for p in paragraphs if p.style.name == "Heading 2"][:3] == [
        "（一）项目自评等级", "（二）项目预算执行率", "（三）部门整体支出自评得分"]
    bullets = [p.text for p in paragraphs if p.style.name == "List Bullet"]
    starts = ("对自评等级为中、差的 2 个项目，【请填写：", "对预算执行率低于 90% 的 4 个项目，【请填写：",
              "对未完成年度指标值的 ", "自评结果的应用：【请填写：")
    assert len(bullets) == len(starts) and all(b.startswith(x) for b, x in zip(bullets, starts)), bullets


def test_blanks_are_highlighted_runs(document) -> None:
    runs = [r for p in document.paragraphs for r in p.runs]
    blanks = [r for r in runs if r.text.startswith("【请填写：")]
    assert len(blanks) >= 8
    assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW and r.text.endswith("】") for r in blanks)
    assert not any(r.font.highlight_color for r in runs if "请填写" not in r.text)


def test_tables_hold_the_distribution_and_the_lists(round_: Round, document) -> None:
    s = compute(round_.consolidation)
    tables = table_texts(document)
    grades = next(t for t in tables if t[0][0] == "等级")
    assert grades[1:] == [[g.grade, str(g.projects), f"{g.projects / 12 * 100:.2f}%", str(g.departments),
                           f"{g.departments / 3 * 100:.2f}%"] for g in s.grades]
    low = next(t for t in tables if t[0] == ["部门名称", "项目名称", "得分", "等级"])
    assert [r[1] for r in low[1:]] == [p.project.name for p in s.low_grades]
    outstanding = next(t for t in tables if t[0][:3] == ["部门编码", "部门名称", "状态"])
    assert [r[:3] for r in outstanding[1:]] == [["101002", "隆回县行政审批服务局", "未提交"],
                                                ["101003", "承德高新技术产业开发区行政审批局", "未通过"]]
    header = document.tables[0].rows[0]._tr
    assert header.trPr.find(qn("w:tblHeader")) is not None  # repeats on every page


def test_english(round_: Round) -> None:
    doc = docx.Document(io.BytesIO(report_bytes(round_.consolidation, lang="en")))
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert heads[0] == "1. Overview" and len(heads) == 5
    assert any(r.text.startswith("[To fill in: ") for p in doc.paragraphs for r in p.runs)
    outstanding = next(t for t in doc.tables if t.rows[0].cells[2].text == "Status")
    assert [[c.text for c in row.cells][:3] for row in outstanding.rows][1:] == [
        ["101002", "隆回县行政审批服务局", "not submitted"], ["101003", "承德高新技术产业开发区行政审批局", "failed"]]


def test_a_round_where_nobody_passed(round_: Round) -> None:
    c = round_.consolidation
    nobody = replace(c, entries=tuple(Entry(e.code, e.name, MISSING, 0, 0, None, None) for e in c.entries),
                     deadline=None)
    text = plain(render_markup(nobody))
    assert "目前还没有部门通过校验，暂无汇总数字。" in text and "报送截止日期" not in text
    assert "以下 5 个部门的数据未计入本报告的汇总数字" in text
    assert docx.Document(io.BytesIO(report_bytes(nobody))).paragraphs[0].text == "2025年度部门预算绩效自评情况报告"


def test_same_round_same_bytes_and_no_silent_overwrite(round_: Round, tmp_path: Path) -> None:
    path = write_report(round_.consolidation, tmp_path / "r.docx")
    assert report_bytes(round_.consolidation) == path.read_bytes()
    with pytest.raises(OutputError):
        write_report(round_.consolidation, path)
    assert write_report(round_.consolidation, path, force=True) == path


# --- print layout ---------------------------------------------------------------------------------

def test_one_date_style_in_the_chinese_report(round_: Round) -> None:
    """2026年3月2日 everywhere, never an ISO date that breaks at its hyphen."""
    text = plain(render_markup(round_.consolidation))
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert "截至 2026年3月2日 09:15" in text and "报送截止日期为 2026年2月28日" in text
    english = plain(render_markup(round_.consolidation, lang="en"))
    assert "(deadline 28 February 2026)" in english and "| 2026-02-12 09:30 |" in english  # ISO in a table


def _row_flags(table, tag: str) -> list[bool]:
    return [row._tr.trPr is not None and row._tr.trPr.find(qn(tag)) is not None for row in table.rows]


def test_rows_never_split_and_headers_repeat(document) -> None:
    assert len(document.tables) >= 6
    for table in document.tables:
        assert all(_row_flags(table, "w:cantSplit"))
        assert _row_flags(table, "w:tblHeader") == [True] + [False] * (len(table.rows) - 1)


def _body(document) -> list:
    """The body's paragraphs and tables in order, as lxml elements."""
    return [el for el in document.element.body if el.tag in (qn("w:p"), qn("w:tbl"))]


def _keeps(paragraph_element) -> bool:
    ppr = paragraph_element.pPr
    return ppr is not None and ppr.find(qn("w:keepNext")) is not None


def test_a_table_stays_with_its_introduction(document) -> None:
    """The paragraph before a table keeps with it, and a short table keeps together."""
    body = _body(document)
    tables = [i for i, el in enumerate(body) if el.tag == qn("w:tbl")]
    for i in tables:
        assert body[i - 1].tag == qn("w:p") and _keeps(body[i - 1]), i
    for table in document.tables:
        rows = [all(_keeps(p._p) for cell in row.cells for p in cell.paragraphs) for row in table.rows]
        assert rows == [True] * (len(rows) - 1) + [False]
    intro = next(p for p in document.paragraphs if p.text.endswith("各等级的项目数如下："))
    assert intro.paragraph_format.keep_with_next


def test_a_long_table_keeps_only_its_first_rows(round_: Round) -> None:
    """A table longer than a page cannot stay whole: its header keeps with its first rows only."""
    many = tuple(replace(e, code=f"9{i:05d}", name=f"部门{i}") for i, e in enumerate(
        [e for e in round_.consolidation.entries if not e.counted] * 20))
    c = replace(round_.consolidation, entries=round_.consolidation.entries + many)
    doc = docx.Document(io.BytesIO(report_bytes(c)))
    outstanding = next(t for t in doc.tables if t.rows[0].cells[2].text == "状态")
    keeps = [all(_keeps(p._p) for cell in row.cells for p in cell.paragraphs) for row in outstanding.rows]
    assert len(keeps) > 40 and keeps[:3] == [True] * 3 and not any(keeps[3:])


def test_no_empty_paragraph_after_a_table(document) -> None:
    body = _body(document)
    for i, el in enumerate(body):
        if el.tag == qn("w:tbl"):
            following = body[i + 1]
            text = "".join(t.text or "" for t in following.iter(qn("w:t")))
            assert following.tag == qn("w:p") and text, i  # the next element is words, with space before them
            assert following.pPr.find(qn("w:spacing")).get(qn("w:before"))


def _widths(table) -> list[list[int]]:
    return [[int(cell._tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for cell in row.cells] for row in table.rows]


def test_columns_are_as_wide_as_their_content(document) -> None:
    scores = next(t for t in document.tables if [c.text for c in t.rows[0].cells][:2] == ["部门编码", "部门名称"]
                  and len(t.columns) == 5)
    grid = [int(col.get(qn("w:w"))) for col in scores._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert all(row == grid for row in _widths(scores))  # every cell carries its width, as Word reads it
    assert scores._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    code, name, score, grade, rate = grid
    assert name == max(grid) and name > 2 * code and grade < code
    text_width = (210 - 28 - 26) / 25.4 * 1440  # A4 less the margins, in twips
    assert sum(grid) == pytest.approx(text_width, abs=10)
    # The longest name fits on one line: 10.5 pt a character and the cell's margins.
    longest = max(len(row.cells[1].text) for row in scores.rows[1:])
    assert name / 20 >= longest * 10.5 + 11.5


def test_codes_left_numbers_right_grades_centred(document) -> None:
    scores = next(t for t in document.tables if [c.text for c in t.rows[0].cells][:2] == ["部门编码", "部门名称"]
                  and len(t.columns) == 5)
    aligned = [[cell.paragraphs[0].alignment for cell in row.cells] for row in scores.rows[1:]]
    assert all(row == [WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT,
                       WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT] for row in aligned), aligned


def test_alignment_rows(round_: Round) -> None:
    blocks = parse("| a | b | c | d |\n| :-- | --: | :-: | --- |\n| 1 | 2 | 3 | 4 |\n")
    assert [(b.rows, b.align) for b in blocks] == [((("a", "b", "c", "d"), ("1", "2", "3", "4")),
                                                    ("left", "right", "center", ""))]
    assert parse("| a |\n| 1 |\n")[0].align == ()  # none given: numbers right, text left
    # A value cannot pass for an alignment row: its "-" and ":" come escaped or as text.
    markup = render_markup(_renamed(round_, "101005", "---"))
    scores = next(b for b in parse(markup) if b.kind == "table" and b.rows[0][:2] == ("部门编码", "部门名称"))
    assert scores.align == ("left", "left", "right", "center", "right")
    assert ("101005", "\\-\\-\\-") == next(r for r in scores.rows if r[0] == "101005")[:2]


def test_column_widths_share_the_page_by_content() -> None:
    rows = [("部门编码", "部门名称", "得分"), ("101001", "承德高新技术产业开发区行政审批局", "99.32")]
    fits = column_widths(rows, 400)
    assert sum(fits) == pytest.approx(400) and fits[1] > fits[0] > fits[2] - 1
    assert len({round(w) for w in fits}) == 3  # not equal shares
    # Too little room: figures stay whole, the long texts wrap into even lines.
    rows = [("部门名称", "执行率", "原因"), ("承德高新技术产业开发区行政审批局", "86.67%", "部分采购项目延期至次年实施，资金未按计划支付。")]
    tight = column_widths(rows, 250)
    assert sum(tight) == pytest.approx(250)
    assert tight[1] >= 6 * 0.6 * 10.5 + 11.5  # "86.67%" on one line
    assert tight[0] >= 8 * 10.5 + 11.5  # 16 characters on two lines of 8, not 15 and 1
