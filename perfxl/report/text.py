"""The terminal report of `perfxl validate`: one block per file, then batch findings,
skipped files and a one-line total.

Everything that comes from a returned file (names, labels, values quoted in messages,
even file names) is untrusted: control characters and terminal escape sequences are
removed before anything is printed, so a hostile workbook cannot recolour, retitle or
rewrite the reviewer's terminal.
"""

from __future__ import annotations

import re

import click

from ..display import shown_path
from ..i18n import Message, register, text
from ..validator.catalog import ERROR
from .resubmission import note_lines
from ..validator.model import FileResult, Finding, Report

register({
    "text_report.passed": ("通过", "passed"),
    "text_report.failed": ("未通过", "failed"),
    "text_report.counts": ("{errors} 个错误，{warnings} 个警告",
                           "{errors} error{es}, {warnings} warning{ws}"),
    "text_report.error": ("错误", "error"),
    "text_report.follows": ("随之", "follows"),
    "text_report.warning": ("警告", "warning"),
    "text_report.dept": ("{name}（{code}）", "{name} ({code})"),
    "text_report.batch": ("本批检查：", "Batch checks:"),
    "text_report.skipped": ("已跳过 {count} 个文件：", "Skipped {count} file{s}:"),
    "text_report.total": ("共 {files} 个文件：{passed} 个通过，{failed} 个未通过",
                          "{files} file{s}: {passed} passed, {failed} failed"),
    "text_report.total_skipped": ("跳过 {count} 个", "{count} skipped"),
})

# ESC-introduced sequences (CSI, OSC/DCS/APC/PM/SOS strings, two-byte escapes) and their
# 8-bit C1 forms; then any lone control character left over.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"              # CSI … final byte
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])"       # OSC, DCS, SOS, PM, APC …
    r"[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"          # … up to BEL or ST
    r"|\x1b[ -/]*[0-~]?"                               # other escapes (ESC c, ESC ( B …)
)
# C0/C1 but \n; every bidi control (embeddings, overrides, isolates and the LRM/RLM/ALM marks).
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(value: object) -> str:
    """Text from a file made safe to print: no escape sequences, no control characters but newline."""
    return _CONTROLS.sub("", _ESCAPES.sub("", str(value)).replace("\t", " "))


def _one_line(value: object) -> str:
    return " ".join(clean(value).split("\n"))


def _plural(n: int) -> str:
    return "" if n == 1 else "s"


def _counts(errors: int, warnings: int, lang: str, color: bool) -> str:
    e = click.style(str(errors), fg="red", bold=True) if color and errors else str(errors)
    w = click.style(str(warnings), fg="yellow", bold=True) if color and warnings else str(warnings)
    return text("text_report.counts", lang, errors=e, warnings=w, es=_plural(errors), ws=_plural(warnings))


def _header(result: FileResult, strict: bool, lang: str, color: bool) -> str:
    ok = result.passed(strict)
    mark, verdict = ("✓", text("text_report.passed", lang)) if ok else ("✗", text("text_report.failed", lang))
    if color:
        mark = click.style(mark, fg="green" if ok else "red", bold=True)
        verdict = click.style(verdict, fg="green" if ok else "red", bold=True)
    parts = [f"{mark} {_one_line(shown_path(result.path))}"]
    name, code = result.department_name, result.department_code
    if name and code:
        parts.append(text("text_report.dept", lang, name=_one_line(name), code=_one_line(code)))
    elif name or code:
        parts.append(_one_line(name or code))
    colon = ": " if lang == "en" else "："
    parts.append(f"{verdict}{colon}{_counts(result.errors, result.warnings, lang, color)}")
    return "  ".join(parts)


def _finding(f: Finding, lang: str, color: bool, consequence: bool = False) -> str:
    """One finding's line; a consequence (RULES.md "one mistake, one finding") indented under its root."""
    key = "text_report.follows" if consequence else "text_report.error" if f.severity == ERROR else "text_report.warning"
    severity = text(key, lang)
    head = f"{f.code} {severity.ljust(7 if lang == 'en' else 2)}"
    if color:
        head = click.style(head, fg="red" if f.severity == ERROR else "yellow")
    where = ""
    if f.sheet:
        where = _one_line(f.sheet) + (f"!{_one_line(f.cell)}" if f.cell else "")
    elif f.cell:
        where = _one_line(f.cell)
    pieces = [head] + [p for p in (where, _one_line(f.label) if f.label else "") if p]
    indent = "      └ " if consequence else "  "
    message = clean(f.text(lang)).replace("\n", "\n" + " " * (len(indent) + 4))  # continuation lines stay inside
    return indent + " ".join(pieces) + " — " + message


def _findings(findings: list[Finding], lang: str, color: bool) -> list[str]:
    return [line for f in findings for line in
            [_finding(f, lang, color)] + [_finding(c, lang, color, True) for c in f.consequences]]


def render_text(report: Report, lang: str = "zh", color: bool = False) -> str:
    """The report as terminal text; `color` adds ANSI styles (only for a terminal)."""
    lines: list[str] = []
    for result in report.files:
        lines.append(_header(result, report.strict, lang, color))
        lines.extend(_findings(result.findings, lang, color))
        lines.extend("  · " + _one_line(line) for line in note_lines(result.round_note, lang))
    if report.batch:
        lines += ["", text("text_report.batch", lang)]
        lines.extend(_findings(report.batch, lang, color))
    if report.skipped:
        lines += ["", text("text_report.skipped", lang, count=len(report.skipped), s=_plural(len(report.skipped)))]
        lines.extend(f"  {_one_line(shown_path(path))} — {Message(f'skip.{reason}').render(lang)}"
                     for path, reason in report.skipped)
    lines += ["", summary_line(report, lang, color)]
    return "\n".join(lines)


def summary_line(report: Report, lang: str = "zh", color: bool = False) -> str:
    """`共 120 个文件：97 个通过，23 个未通过 · 41 个错误，12 个警告` (plus skipped files, if any)."""
    passed, failed = str(report.passed), str(report.failed)
    if color:
        passed = click.style(passed, fg="green", bold=True) if report.passed else passed
        failed = click.style(failed, fg="red", bold=True) if report.failed else failed
    parts = [text("text_report.total", lang, files=len(report.files), s=_plural(len(report.files)),
                  passed=passed, failed=failed),
             _counts(report.errors, report.warnings, lang, color)]
    if report.skipped:
        parts.append(text("text_report.total_skipped", lang, count=len(report.skipped)))
    return " · ".join(parts)
