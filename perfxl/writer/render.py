"""Layout → xlsx bytes, as a short pipeline of named steps (after GSA FAC's render.py):
sheets → labels → fields → validations → live checks → protection → print setup →
names → record → properties.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any, Mapping, Protocol

import xlsxwriter

from ..evaluate import evaluate_workbook
from ..layout.model import Field, Kind, SheetLayout, Validation, WorkbookLayout
from ..layout.workbook import RECORD_SHEET, TEMPLATE_VERSION
from ..scheme.model import Scheme
from .fastsheet import FastWorksheet
from .record import KEY_COL, VALUE_COL, Meta, defined_names, record_rows
from .styles import Styles

Values = Mapping[tuple[str, str], object]

PROTECT_OPTIONS = {
    "format_cells": True,
    "format_columns": True,
    "format_rows": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


class RenderHook(Protocol):
    """Extra steps around the pipeline, for a copy that is more than the form (report.annotate):
    `begin` before the first sheet (a sheet added there comes first) with the formulas'
    cached values, `sheet` after each form sheet is complete, `end` before the record sheet."""

    def begin(self, wb: Any, styles: Styles, cached: Values) -> None: ...

    def sheet(self, ws: Any, sheet: SheetLayout, styles: Styles) -> None: ...

    def end(self, wb: Any, styles: Styles) -> None: ...


def render(layout: WorkbookLayout, scheme: Scheme, meta: Meta, values: Values, password: str = "",
           cache: bool = True, hook: RenderHook | None = None) -> bytes:
    """The xlsx file of one workbook: `values` holds issued figures (and, for fixtures, inputs).

    `cache=False` leaves formulas without computed values (xlsxwriter's 0), so a test can
    tell a real recalculation from the engine's own numbers.
    """
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    styles = Styles(wb)
    cached = evaluate_workbook(layout, values, scheme) if cache else {}
    if hook is not None:
        hook.begin(wb, styles, cached)
    context = {"year": meta.year, "department": meta.department_name}
    for sheet in layout.sheets:
        ws = wb.add_worksheet(sheet.name, worksheet_class=FastWorksheet)
        _setup(ws, sheet, styles)
        _labels(ws, sheet, styles, context)
        _fields(ws, sheet, styles, values, cached)
        _validations(ws, sheet, layout)
        _highlights(ws, sheet, styles)
        ws.protect(password, PROTECT_OPTIONS)
        _print_setup(ws, sheet)
        if hook is not None:
            hook.sheet(ws, sheet, styles)
    if hook is not None:
        hook.end(wb, styles)
    for name, ref in defined_names(layout):
        wb.define_name(name, ref)
    _record(wb, layout, scheme, meta, values, styles)
    _properties(wb, layout, meta)
    wb.close()
    return buffer.getvalue()


def _setup(ws: Any, sheet: SheetLayout, styles: Styles) -> None:
    for col, width in sheet.widths.items():
        ws.set_column(col, col, width, None, {"hidden": col in sheet.hidden_cols})
    for row, height in sheet.heights.items():
        ws.set_row(row, height)
    ws.hide_gridlines(2)


def _labels(ws: Any, sheet: SheetLayout, styles: Styles, context: dict[str, object]) -> None:
    for lb in sheet.labels:
        text = lb.text
        for key, value in context.items():  # only the known placeholders: scheme texts may hold braces
            text = text.replace("{" + key + "}", str(value))
        fmt = styles.label(lb.style)
        last_row = lb.last_row if lb.last_row is not None else lb.row
        last_col = lb.last_col if lb.last_col is not None else lb.col
        if (last_row, last_col) != (lb.row, lb.col):
            ws.merge_range(lb.row, lb.col, last_row, last_col, "", fmt)
        if lb.link:
            ws.write_url(lb.row, lb.col, f"internal:{lb.link}", fmt, text)
        elif text:
            ws.write_string(lb.row, lb.col, text, fmt)
        else:
            ws.write_blank(lb.row, lb.col, None, fmt)


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _fields(ws: Any, sheet: SheetLayout, styles: Styles, values: Values, cached: Values) -> None:
    for f in sheet.fields:
        fmt = styles.field(f.kind, f.vtype, f.align)
        if f.merged:
            ws.merge_range(f.row, f.col, f.last_row if f.last_row is not None else f.row,
                           f.last_col if f.last_col is not None else f.col, "", fmt)
        if f.kind == Kind.FORMULA:
            value = cached.get((sheet.code, f.key), "" if cached else None)
            if isinstance(value, str):
                value = _XML_ILLEGAL.sub("", value)  # xlsxwriter writes cached strings unescaped
            ws.write_formula(f.row, f.col, f.formula, fmt, value)
        else:
            value = values.get((sheet.code, f.key), f.value)
            _write_value(ws, f, value, fmt)


def _write_value(ws: Any, f: Field, value: object, fmt: Any) -> None:
    if value is None or value == "":
        ws.write_blank(f.row, f.col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(f.row, f.col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(f.row, f.col, value, fmt)
    elif isinstance(value, (date, datetime)):
        ws.write_datetime(f.row, f.col, value, fmt)
    else:
        ws.write_string(f.row, f.col, str(value), fmt)


def _validations(ws: Any, sheet: SheetLayout, layout: WorkbookLayout) -> None:
    for v in sheet.validations:
        options = _validation_options(v, layout)
        for rng in v.ranges:
            ws.data_validation(rng, dict(options))


def _validation_options(v: Validation, layout: WorkbookLayout) -> dict[str, Any]:
    opts: dict[str, Any] = {"validate": v.kind, "ignore_blank": True}
    if v.kind == "list":
        opts["source"] = list(layout.lists[v.source]) if v.source in layout.lists else v.source
    elif v.kind == "custom":
        opts["value"] = v.source
    elif v.kind in ("decimal", "integer"):
        opts.update(criteria="between", minimum=v.minimum, maximum=v.maximum)
    if v.prompt:
        opts.update(input_title=v.prompt_title[:32], input_message=v.prompt[:255])
    if v.kind != "any":
        opts.update(error_type=v.error_type, show_error=v.show_error)
        if v.error:
            opts.update(error_title=v.error_title[:32], error_message=v.error[:255])
    return opts


def _highlights(ws: Any, sheet: SheetLayout, styles: Styles) -> None:
    for h in sheet.highlights:
        for rng in h.ranges:
            ws.conditional_format(rng, {"type": "formula", "criteria": "=" + h.formula,
                                        "format": styles.highlight(h.style)})


def _print_setup(ws: Any, sheet: SheetLayout) -> None:
    ws.set_paper(9)  # A4
    if sheet.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.print_area(0, 0, sheet.last_row, max(sheet.print_cols - 1, 0))
    if sheet.repeat_rows:
        ws.repeat_rows(*sheet.repeat_rows)


def _record(wb: Any, layout: WorkbookLayout, scheme: Scheme, meta: Meta, values: Values, styles: Styles) -> None:
    ws = wb.add_worksheet(RECORD_SHEET, worksheet_class=FastWorksheet)
    fmt = styles.label("record")
    ws.write_string(0, 0, "perfxl template record — do not edit", fmt)
    for row, (key, value) in enumerate(record_rows(layout, scheme, meta, values), start=1):
        ws.write_string(row, KEY_COL, key, fmt)
        ws.write_string(row, VALUE_COL, value, fmt)
    ws.protect("", PROTECT_OPTIONS)
    ws.very_hidden()


def _properties(wb: Any, layout: WorkbookLayout, meta: Meta) -> None:
    created = datetime(meta.generated.year, meta.generated.month, meta.generated.day)
    wb.set_properties({
        "title": f"{meta.year}年度预算绩效自评表",
        "subject": meta.department_name or "预算绩效自评",
        "author": "perfxl",
        "company": "",
        "comments": f"perfxl template {TEMPLATE_VERSION}; scheme {meta.scheme_name} ({meta.scheme_hash})",
        "created": created,
    })
    for name, value in (("perfxl.template_version", TEMPLATE_VERSION), ("perfxl.year", str(meta.year)),
                        ("perfxl.department_code", meta.department_code), ("perfxl.scheme", meta.scheme_name),
                        ("perfxl.scheme_hash", meta.scheme_hash),
                        ("perfxl.layout_hash", layout.digest)):
        wb.set_custom_property(name, value or "-")
