"""`perfxl validate --format html`: one self-contained page for the reviewer to read or print.

Everything that comes from a returned file (paths, department names, labels, values quoted
in messages) is untrusted, so the page is rendered with autoescaping on and the inline
script reads only data attributes, never text from a file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..display import shown_name, shown_path
from ..i18n import CATALOG, Message, register, text
from ..scheme.loader import schemes_dir
from ..validator.catalog import ERROR, RULES
from ..validator.model import FileResult, Finding, Report
from .resubmission import note_lines
from .text import clean as _clean  # control characters and bidi overrides: one definition for every report

TEMPLATE = "report.html.j2"

register({
    "html_report.title": ("预算绩效自评校验报告", "Budget-performance self-evaluation: validation report"),
    "html_report.year": ("{year} 年度", "Year {year}"),
    "html_report.summary": ("概况", "Summary"),
    "html_report.files": ("文件数", "Files"),
    "html_report.passed": ("通过", "Passed"),
    "html_report.failed": ("未通过", "Failed"),
    "html_report.errors": ("错误", "Errors"),
    "html_report.warnings": ("警告", "Warnings"),
    "html_report.strict": ("严格模式：有警告的文件也不通过。", "Strict mode: a file with warnings fails too."),
    "html_report.filters": ("筛选", "Filter"),
    "html_report.severity": ("级别", "Severity"),
    "html_report.error": ("错误", "error"),
    "html_report.follows": ("随之", "follows"),
    "html_report.warning": ("警告", "warning"),
    "html_report.code": ("规则", "Rule"),
    "html_report.all_codes": ("全部规则", "All rules"),
    "html_report.failed_only": ("只看未通过的文件", "Failed files only"),
    "html_report.batch": ("本批检查", "Batch checks"),
    "html_report.skipped": ("已跳过的文件", "Skipped files"),
    "html_report.file_list": ("逐个文件", "Files"),
    "html_report.department": ("部门", "Department"),
    "html_report.no_department": ("（无法读取部门信息）", "(department unknown)"),
    "html_report.status": ("结果", "Result"),
    "html_report.score": ("总分（校验程序计算）", "Total score (computed by the validator)"),
    "html_report.score_grade": ("{score}（{grade}）", "{score} ({grade})"),
    "html_report.colon": ("：", ": "),
    "html_report.counts": ("{errors} 个错误，{warnings} 个警告", "{errors} errors, {warnings} warnings"),
    "html_report.clean": ("未发现问题。", "No problems found."),
    "html_report.location": ("位置", "Location"),
    "html_report.label": ("项目", "Item"),
    "html_report.message": ("说明", "Message"),
    "html_report.expected": ("应为", "Expected"),
    "html_report.actual": ("表中为", "Found"),
    "html_report.path": ("文件", "File"),
    "html_report.reason": ("原因", "Reason"),
    "html_report.none_shown": ("当前筛选条件下没有可显示的问题。", "No finding matches the filter."),
    "html_report.footer": ("由 perfxl 生成。分数和等级由校验程序根据填报内容重新计算，不取表中公式的值。",
                           "Made by perfxl. Scores and grades are recomputed by the validator from the inputs, "
                           "never taken from the file's formulas."),
})

@dataclass(frozen=True)
class _Row:
    code: str
    title: str
    severity: str
    severity_text: str
    location: str
    label: str
    message: str
    expected: str
    actual: str
    consequence: bool = False  # listed under the finding before it (one mistake, one finding)


@dataclass(frozen=True)
class _File:
    path: str
    name: str
    department: str | None
    passed: bool
    errors: int
    warnings: int
    score: str | None
    rows: list[_Row]
    round_lines: list[str]


def template_dirs() -> list[Path]:
    """Where report templates are looked up, first match wins.

    Next to the schemes ($PERFXL_TEMPLATES, the installed perfxl/_templates, or the
    project's templates/), then the bundled ones, so a custom PERFXL_TEMPLATES that
    only holds schemes still gets the shipped report layout.
    """
    here = Path(__file__).resolve().parent.parent
    candidates = [schemes_dir().parent / "reports", here / "_templates" / "reports",
                  here.parent / "templates" / "reports"]
    seen: list[Path] = []
    for path in candidates:
        if path.is_dir() and path not in seen:
            seen.append(path)
    return seen


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader([str(p) for p in template_dirs()]), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _show(value: Any) -> str:
    """expected/actual as a reader wants them: blank for none, numbers without float noise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format(value, ".15g") if value == value else "NaN"
    return _clean(value)


def _rows(findings: list[Finding], lang: str) -> list[_Row]:
    """Each root finding, then its consequences (marked, shown indented)."""
    return [row for f in findings for row in [_row(f, lang)] + [_row(c, lang, True) for c in f.consequences]]


def _row(finding: Finding, lang: str, consequence: bool = False) -> _Row:
    where = ""
    if finding.sheet:
        where = finding.sheet + (f"!{finding.cell}" if finding.cell else "")
    elif finding.cell:
        where = finding.cell
    severity = "error" if finding.severity == ERROR else "warning"
    title = RULES[finding.code].title_in(lang) if finding.code in RULES else ""
    return _Row(finding.code, title, severity, text(f"html_report.{severity}", lang), _clean(where),
                _clean(finding.label or ""), _clean(finding.text(lang)), _show(finding.expected), _show(finding.actual),
                consequence)


def _file(result: FileResult, strict: bool, lang: str) -> _File:
    dept = None
    if result.department_name or result.department_code:
        dept = " ".join(_clean(p) for p in (result.department_code, result.department_name) if p)
    score = _show(result.total_score) if result.total_score is not None else None
    if score is not None and result.grade:
        score = text("html_report.score_grade", lang, score=score, grade=_clean(result.grade))
    return _File(_clean(shown_path(result.path)), _clean(shown_name(result.path)), dept,
                 result.passed(strict), result.errors, result.warnings, score,
                 _rows(result.findings, lang), [_clean(line) for line in note_lines(result.round_note, lang)])


def render_html(report: Report, lang: str = "zh") -> str:
    """The whole report as one HTML page: inline CSS and script, no external resource."""
    files = [_file(r, report.strict, lang) for r in report.files]
    batch = _rows(report.batch, lang)
    codes = Counter(row.code for f in files for row in f.rows)
    codes.update(row.code for row in batch)
    code_options = [(code, RULES[code].title_in(lang) if code in RULES else "", codes[code]) for code in sorted(codes)]
    skipped = [(_clean(shown_path(path)), Message(f"skip.{reason}").render(lang)) for path, reason in report.skipped]
    return _environment().get_template(TEMPLATE).render(
        lang="en" if lang == "en" else "zh-CN", t=_Labels(lang), report=report, files=files, batch=batch,
        skipped=skipped, code_options=code_options)


class _Labels:
    """`t.title` in the template renders html_report.title in the page's language."""

    def __init__(self, lang: str) -> None:
        self._lang = lang

    def __getattr__(self, name: str) -> str:
        key = f"html_report.{name}"
        if name.startswith("_") or key not in CATALOG:
            raise AttributeError(name)
        return text(key, self._lang)

    def counts(self, errors: int, warnings: int) -> str:
        return text("html_report.counts", self._lang, errors=errors, warnings=warnings)

    def year(self, year: int) -> str:
        return text("html_report.year", self._lang, year=year)
