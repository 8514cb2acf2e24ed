"""Layout → xlsx bytes, as a short pipeline of named steps (after GSA FAC's render.py):
sheets → labels → fields → validations → live checks → protection → print setup →
names → record → properties.
"""

from __future__ import annotations

import io
import math
import re
from datetime import date, datetime
from typing import Any, Mapping, Protocol

import xlsxwriter

from ..evaluate import evaluate_workbook
from ..layout import paging
from ..layout.model import Field, Kind, SheetLayout, Validation, WorkbookLayout
from ..layout.workbook import RECORD_SHEET, TEMPLATE_VERSION
from ..scheme.model import Scheme
from ..scoring import Percent
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
class ProtectedWorkbook(xlsxwriter.Workbook):
    """A workbook whose structure is locked: no renaming, inserting, deleting, moving or
    unhiding sheets in Excel, WPS or LibreOffice.

    xlsxwriter (3.3) writes no `workbookProtection`; CT_Workbook places it right after
    `workbookPr`. A renamed 项目 sheet breaks nothing here (the validator finds it by its
    names), but the lock keeps the very hidden record sheet hidden and the tabs as issued.
    """

    structure_password: str = ""

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        attributes: list[tuple[str, object]] = []
        if self.structure_password:
            attributes.append(("workbookPassword", password_hash(self.structure_password)))
        attributes.append(("lockStructure", 1))
        self._xml_empty_tag("workbookProtection", attributes)


def password_hash(password: str) -> str:
    """The legacy 16-bit hash Excel checks (ECMA-376 Part 4 §14.7.1), as xlsxwriter writes it for sheets."""
    digest = 0
    for char in password[::-1]:
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(char)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    digest ^= len(password)
    digest ^= 0xCE4B
    return f"{digest:X}"


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
    wb = ProtectedWorkbook(buffer, WORKBOOK_OPTIONS)
    wb.structure_password = password
    styles = Styles(wb)
    cached = evaluate_workbook(layout, values, scheme) if cache else {}
    if hook is not None:
        hook.begin(wb, styles, cached)
    context = {"year": meta.year, "department": meta.department_name}
    for sheet in layout.sheets:
        ws = wb.add_worksheet(sheet.name, worksheet_class=FastWorksheet)
        heights = paging.row_heights(sheet, _shown_texts(sheet, values, cached))
        _setup(ws, sheet, heights)
        _labels(ws, sheet, styles, context)
        _fields(ws, sheet, styles, values, cached)
        _validations(ws, sheet, layout)
        _highlights(ws, sheet, styles)
        ws.protect(password, PROTECT_OPTIONS)
        _print_setup(ws, sheet, heights)
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


def _shown_texts(sheet: SheetLayout, values: Values, cached: Values) -> dict[str, object]:
    """What the text fields of a sheet show: their rows are sized for it (issued names, copies)."""
    return {f.key: cached.get((sheet.code, f.key)) if f.kind == Kind.FORMULA else values.get((sheet.code, f.key), f.value)
            for f in sheet.fields if f.vtype in paging.TEXT_TYPES}


def _setup(ws: Any, sheet: SheetLayout, heights: dict[int, float]) -> None:
    for col, width in sheet.widths.items():
        ws.set_column(col, col, width, None, {"hidden": col in sheet.hidden_cols})
    for row, height in heights.items():
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


# The cached value of a formula whose result is not a finite number: what Excel shows for it.
NOT_FINITE = "#NUM!"
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
            elif isinstance(value, float) and not math.isfinite(value):
                value = NOT_FINITE  # a sum past the float range; <v>inf</v> is not an xsd:double
            ws.write_formula(f.row, f.col, f.formula, fmt, value)
        else:
            value = values.get((sheet.code, f.key), f.value)
            if isinstance(value, Percent):  # typed as "98%": the cell keeps a percent format, as in Excel
                fmt = styles.field(f.kind, f.vtype, f.align, "0%" if round(value * 100, 9).is_integer() else "0.00%")
            _write_value(ws, f, value, fmt)


def _write_value(ws: Any, f: Field, value: object, fmt: Any) -> None:
    if value is None or value == "":
        ws.write_blank(f.row, f.col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(f.row, f.col, value, fmt)
    elif isinstance(value, (int, float)) and math.isfinite(value):
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


def _print_setup(ws: Any, sheet: SheetLayout, heights: dict[int, float]) -> None:
    ws.set_paper(9)  # A4
    if sheet.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=paging.MARGIN_LEFT, right=paging.MARGIN_RIGHT, top=paging.MARGIN_TOP,
                   bottom=paging.MARGIN_BOTTOM)
    breaks = paging.page_breaks(sheet, heights)
    if breaks:
        ws.set_h_pagebreaks(breaks)
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
