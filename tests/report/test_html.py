"""The HTML report: one self-contained, escaped page with filters that degrade without JS."""

from __future__ import annotations

import re

import pytest

from perfxl.i18n import Message
from perfxl.report import html as html_report
from perfxl.report.html import render_html
from perfxl.validator.model import FileResult, Finding, Report

from .conftest import INJECTION, SCRIPT
from .html_page import parse


@pytest.fixture(scope="module")
def page(batch) -> str:
    return render_html(batch.report)


def test_hostile_department_name_is_escaped(page):
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    parsed = parse(page)
    assert len([t for t, _ in parsed.tags if t == "script"]) == 1  # only the page's own filter script
    assert "alert" not in "".join(parsed.scripts)


def test_hostile_text_in_every_field_is_escaped():
    """Path, label, sheet, message parameters and values: none can open a tag or leave an attribute."""
    evil = '"><img src=x onerror=alert(1)>'
    finding = Finding("V02", Message("rule.V02.unknown", {"actual": evil}), sheet=evil, cell="C5", label=evil,
                      expected=evil, actual=evil)
    result = FileResult(f"/in/{evil}.xlsx", [finding], department_code=evil, department_name=SCRIPT,
                        total_score=90.0, grade=evil, readable=True)
    page = render_html(Report([result], skipped=[(evil, "lock")]))
    parsed = parse(page)
    assert not [t for t, _ in parsed.tags if t == "img"]
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") >= 6


def test_self_contained(page):
    parsed = parse(page)
    for tag, attrs in parsed.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed")
        assert "src" not in attrs, tag
        assert not (attrs.get("href") or "").startswith(("http", "//")), tag
    assert "@import" not in page and "url(" not in page


def test_summary_batch_skipped_and_files(batch, page):
    report = batch.report
    cards = dict(re.findall(r'<div class="(\w+)"><dt>[^<]*</dt><dd>(\d+)</dd>', page))
    assert cards == {"files": "4", "passed": "1", "failed": "3", "errors": str(report.errors),
                     "warnings": str(report.warnings)}
    assert 'id="batch"' in page and "（101003）没有提交文件" in page
    assert 'id="skipped"' in page and "说明.txt" in page
    assert page.count('<section class="file group') == 4
    rows = re.findall(r'<tr class="(error|warning)" data-severity="\1" data-code="([A-Z]\d\d)">', page)
    assert len(rows) == sum(len(r.findings) for r in report.files) + len(report.batch)
    assert "项目1!F9" in page  # sheet!cell
    assert "未发现问题。" in page  # the clean file


def test_injection_text_is_shown_as_text(page):
    assert INJECTION.replace("'", "&#39;") in page


def test_filters_are_hidden_until_the_script_runs(page):
    parsed = parse(page)
    form = next(attrs for tag, attrs in parsed.tags if tag == "form")
    assert form.get("id") == "filters" and "hidden" in form
    assert 'form.hidden = false' in "".join(parsed.scripts)
    boxes = [a for t, a in parsed.tags if t == "input" and a.get("name") == "severity"]
    assert [b["value"] for b in boxes] == ["error", "warning"] and all("checked" in b for b in boxes)
    options = [a["value"] for t, a in parsed.tags if t == "option"]
    assert options[0] == "" and {"F01", "R03", "R04", "V01", "V02", "V05", "I01"} <= set(options[1:])
    assert options[1:] == sorted(options[1:])
    # Without JS nothing is hidden: no finding row carries the hidden attribute.
    assert not [a for t, a in parsed.tags if t == "tr" and "hidden" in a]


def test_print_styles(page):
    css = page[page.index("<style>"):page.index("</style>")]
    media = css[css.index("@media print"):]
    assert ".filters { display: none !important; }" in media
    assert "break-inside: avoid" in media and "table-header-group" in media


def test_english(batch):
    page = render_html(batch.report, "en")
    assert '<html lang="en">' in page
    for label in ("Summary", "Passed", "Failed", "Batch checks", "Skipped files", "Required input",
                  "No problems found."):
        assert label in page, label
    assert "概况" not in page and "未通过" not in page


def test_chinese_by_default(page):
    assert '<html lang="zh-CN">' in page
    for label in ("预算绩效自评校验报告", "概况", "文件数", "通过", "未通过", "错误", "警告", "本批检查", "已跳过的文件"):
        assert label in page, label


def test_template_found_when_custom_templates_hold_only_schemes(tmp_path, monkeypatch, batch):
    """PERFXL_TEMPLATES pointing at an office's own schemes still renders with the bundled layout."""
    (tmp_path / "schemes").mkdir()
    monkeypatch.setenv("PERFXL_TEMPLATES", str(tmp_path))
    assert html_report.template_dirs()[0] != tmp_path / "reports"
    assert "预算绩效自评校验报告" in render_html(batch.report)


def test_custom_report_template_wins(tmp_path, monkeypatch, batch):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "report.html.j2").write_text("<p>{{ report.files|length }} {{ t.title }}</p>\n",
                                                          encoding="utf-8")
    monkeypatch.setenv("PERFXL_TEMPLATES", str(tmp_path))
    assert render_html(batch.report) == "<p>4 预算绩效自评校验报告</p>\n"
