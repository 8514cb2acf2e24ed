"""Is this our workbook, of which version, year and scheme (F06–F08)? Builds the Context.

The layout is rebuilt from the scheme the workbook recorded and must hash to the
recorded layout digest, so every coordinate the rules use is the one the writer used.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import SchemeError
from ..layout.model import Kind, WorkbookLayout
from ..layout.workbook import LAYOUT_VERSIONS, build_layout
from ..limits import MAX_PROJECTS
from ..reader.record import Record, RecordError, read_record, remember
from ..reader.xlsx import Book
from ..scheme.loader import available_schemes, load_scheme, scheme_from_json
from ..scheme.model import Scheme
from .context import Context, Options
from .model import FileResult, file_finding

ACCEPTED_VERSIONS = LAYOUT_VERSIONS  # every version this code can lay out: issued files stay valid


def open_template(path: str, book: Book, options: Options, result: FileResult) -> Context | None:
    """The Context to run the rules on, or None after adding the file-level finding that stops it."""
    def stop(code: str, variant: str = "", **params: object) -> None:
        result.findings.append(file_finding(code, variant, **params))

    try:
        record = read_record(book)
    except (RecordError, RecursionError) as exc:  # RecursionError: JSON nested past the parser's limit
        stop("F06", "damaged", reason=str(exc)[:200] or "format")
        return None
    if record is None:
        stop("F06")
        return None
    if not _issued_ok(record.issued):
        stop("F06", "damaged", reason="issued values")
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
    layout = _layout(record, scheme, result.template_version)
    if layout is None:
        stop("F07", "layout")
        return None
    remember(record)
    ctx = Context(path, book, record, scheme, layout, options)
    ctx.findings = result.findings
    return ctx


SCHEME_CACHED = 256 * 1024  # characters; a scheme is about 4,000


def _recorded_scheme(text: str) -> Scheme:
    """A recorded scheme; one of ordinary size is parsed once per process."""
    return _cached_scheme(text) if len(text) <= SCHEME_CACHED else scheme_from_json(text)


@lru_cache(maxsize=16)
def _cached_scheme(text: str) -> Scheme:
    return scheme_from_json(text)


def _issued_ok(issued: object) -> bool:
    """The record's issued values as the writer stores them: sheet code → {field key → value}.
    The record is not hashed, so a file can carry any JSON there."""
    return isinstance(issued, dict) and all(isinstance(v, dict) for v in issued.values())


def _scheme(record: Record) -> Scheme | str:
    """The recorded scheme, checked against its recorded hash; a reason string when unusable."""
    try:
        if record.scheme_json:
            scheme = _recorded_scheme(record.scheme_json)
        else:
            # Only a bundled scheme, by name: load_scheme also takes a path, and a returned
            # file must not make the validator open a file of its choosing (/etc/passwd …).
            name = record.get("scheme") or "national"
            path = next((p for p in available_schemes() if p.stem == name), None)
            if path is None:
                return f"unknown scheme {name[:60]!r}"
            scheme = load_scheme(str(path))
    except SchemeError as exc:
        return exc.render("en")[:200]
    except RecursionError:  # scheme JSON nested past the parser's limit
        return "scheme JSON nested too deep"
    if scheme.content_hash != record.get("scheme_hash"):
        return f"scheme hash {scheme.content_hash} != {record.get('scheme_hash')}"
    return scheme


def _layout(record: Record, scheme: Scheme, version: str) -> WorkbookLayout | None:
    try:
        projects = int(record.get("projects", "0"))
    except ValueError:
        return None
    if not 0 <= projects <= MAX_PROJECTS:
        return None
    blank = record.get("blank") == "1"
    # The recorded layout JSON is not hashed (the layout rebuilt from it is): take nothing on trust.
    recorded = record.layout if isinstance(record.layout, dict) else {}
    forms, sheets = recorded.get("forms"), recorded.get("sheets")
    forms = forms if isinstance(forms, dict) else {}
    goals = []
    for sheet in sheets if isinstance(sheets, list) else []:
        if isinstance(sheet, dict) and sheet.get("role") == "project":
            form = forms.get(sheet.get("form")) if isinstance(sheet.get("form"), str) else None
            fields = form.get("fields") if isinstance(form, dict) else None
            goals.append(any(isinstance(f, list) and f[:1] == ["goal.target"] and f[2:3] == [Kind.ISSUED.value]
                             for f in (fields if isinstance(fields, list) else [])))
    if len(goals) != projects:
        return None
    layout = build_layout(scheme, projects, blank, tuple(goals), version)
    return layout if layout.digest == record.get("layout_hash") else None
