"""Is this our workbook, of which version, year and scheme (F06–F08)? Builds the Context.

The layout is rebuilt from the scheme the workbook recorded and must hash to the
recorded layout digest, so every coordinate the rules use is the one the writer used.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import SchemeError
from ..layout.model import Kind, WorkbookLayout
from ..layout.workbook import TEMPLATE_VERSION, build_layout
from ..reader.record import Record, RecordError, read_record
from ..reader.xlsx import Book
from ..scheme.loader import load_scheme, scheme_from_json
from ..scheme.model import Scheme
from .context import Context, Options
from .model import FileResult, file_finding

ACCEPTED_VERSIONS = (TEMPLATE_VERSION,)


def open_template(path: str, book: Book, options: Options, result: FileResult) -> Context | None:
    """The Context to run the rules on, or None after adding the file-level finding that stops it."""
    def stop(code: str, variant: str = "", **params: object) -> None:
        result.findings.append(file_finding(code, variant, **params))

    try:
        record = read_record(book)
    except RecordError as exc:
        stop("F06", "damaged", reason=str(exc)[:200] or "format")
        return None
    if record is None:
        stop("F06")
        return None
    result.department_code = record.get("department_code") or None
    result.department_name = record.get("department_name") or None
    result.year = record.year
    result.template_version = record.get("template_version") or None
    if result.template_version not in ACCEPTED_VERSIONS:
        stop("F07", expected=", ".join(ACCEPTED_VERSIONS), actual=result.template_version or "?")
        return None
    if options.year is not None and record.year != options.year:
        found = record.year if record.year is not None else "?"
        result.findings.append(file_finding("F08", expected=options.year, actual=found))
    scheme = _scheme(record)
    if isinstance(scheme, str):
        stop("F07", "scheme", reason=scheme)
        return None
    layout = _layout(record, scheme)
    if layout is None:
        stop("F07", "layout")
        return None
    ctx = Context(path, book, record, scheme, layout, options)
    ctx.findings = result.findings
    return ctx


@lru_cache(maxsize=16)
def _recorded_scheme(text: str) -> Scheme:
    return scheme_from_json(text)


def _scheme(record: Record) -> Scheme | str:
    """The recorded scheme, checked against its recorded hash; a reason string when unusable."""
    try:
        if record.scheme_json:
            scheme = _recorded_scheme(record.scheme_json)
        else:
            scheme = load_scheme(record.get("scheme") or "national")
    except SchemeError as exc:
        return exc.render("en")[:200]
    if scheme.content_hash != record.get("scheme_hash"):
        return f"scheme hash {scheme.content_hash} != {record.get('scheme_hash')}"
    return scheme


def _layout(record: Record, scheme: Scheme) -> WorkbookLayout | None:
    try:
        projects = int(record.get("projects", "0"))
    except ValueError:
        return None
    if not 0 <= projects <= 500:
        return None
    blank = record.get("blank") == "1"
    forms = record.layout.get("forms", {}) if isinstance(record.layout, dict) else {}
    goals = []
    for sheet in record.layout.get("sheets", []) if isinstance(record.layout, dict) else []:
        if isinstance(sheet, dict) and sheet.get("role") == "project":
            fields = forms.get(sheet.get("form"), {}).get("fields", [])
            goals.append(any(isinstance(f, list) and f[:1] == ["goal.target"] and f[2:3] == [Kind.ISSUED.value]
                             for f in fields))
    if len(goals) != projects:
        return None
    layout = build_layout(scheme, projects, blank, tuple(goals))
    return layout if layout.digest == record.get("layout_hash") else None
