"""Cell formats of the printed form, created once per workbook and looked up by name."""

from __future__ import annotations

from typing import Any

from ..layout.model import Kind, VType

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
INPUT_FILL = "#FFF2CC"    # pale yellow: the department types here
LOCKED_FILL = "#F2F2F2"   # pale grey: issued or computed, locked

_BASE = {"font_name": BODY_FONT, "font_size": 10, "valign": "vcenter", "text_wrap": True}
_BOX = {"border": 1}

LABEL_STYLES: dict[str, dict[str, Any]] = {
    "title": {"font_name": TITLE_FONT, "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"},
    "subtitle": {**_BASE, "font_size": 11, "align": "center"},
    "section": {**_BASE, "font_size": 11, "bold": True, "align": "left"},
    "label": {**_BASE, **_BOX, "align": "center"},
    "label_left": {**_BASE, **_BOX, "align": "left"},
    "header": {**_BASE, **_BOX, "align": "center", "bold": True},
    "subtotal": {**_BASE, **_BOX, "align": "center", "bold": True, "bg_color": LOCKED_FILL},
    "note": {**_BASE, "font_size": 9, "align": "left"},
    "note_center": {**_BASE, "font_size": 9, "align": "center"},
    "sign": {**_BASE, "align": "left"},
    "sign_right": {**_BASE, "align": "right"},
    "link": {**_BASE, **_BOX, "align": "center", "font_color": "#0563C1", "underline": 1},
    "record": {"font_name": "Arial", "font_size": 9},
    "mark_error": {**_BASE, "align": "center", "font_color": "#9C0006", "bg_color": "#FFC7CE"},
    "mark_warning": {**_BASE, "align": "center", "font_color": "#7F6000", "bg_color": "#FFE699"},
}

NUM_FORMATS = {
    VType.AMOUNT: "#,##0.00",
    VType.RATE: "0.00%",
    VType.SCORE: "0.00",
    VType.WEIGHT: "0.##",
    VType.INTEGER: "0",
    VType.DATE: 'yyyy"年"m"月"d"日"',
}
ALIGN = {VType.TEXT: "left", VType.LONGTEXT: "left", VType.CHOICE: "center", VType.FLAG: "center"}

HIGHLIGHT_STYLES = {
    "error": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "warning": {"bg_color": "#FFE699", "font_color": "#7F6000"},
    "muted": {"bg_color": "#D9D9D9"},
}


class Styles:
    """Formats of one xlsxwriter workbook (formats cannot be shared between workbooks)."""

    def __init__(self, workbook: Any):
        self.wb = workbook
        self._labels: dict[str, Any] = {}
        self._fields: dict[tuple, Any] = {}
        self._highlights: dict[str, Any] = {}

    def label(self, name: str) -> Any:
        fmt = self._labels.get(name)
        if fmt is None:
            fmt = self._labels[name] = self.wb.add_format(LABEL_STYLES[name])
        return fmt

    def field(self, kind: Kind, vtype: VType, align: str | None, num_format: str | None = None) -> Any:
        """`num_format` overrides the type's own: a copy keeps a typed "95%" or date as the user saw it."""
        key = (kind, vtype, align, num_format)
        fmt = self._fields.get(key)
        if fmt is None:
            props: dict[str, Any] = {**_BASE, **_BOX}
            if vtype in NUM_FORMATS:
                props["num_format"] = NUM_FORMATS[vtype]
            if num_format is not None:
                props["num_format"] = num_format
            props["align"] = align or ALIGN.get(vtype, "right" if vtype in NUM_FORMATS else "center")
            if vtype == VType.LONGTEXT:
                props["valign"] = "top"
            if kind == Kind.INPUT:
                props["locked"] = False
                props["bg_color"] = INPUT_FILL
            else:
                props["bg_color"] = LOCKED_FILL
            if vtype == VType.FLAG:
                props = {"font_size": 8, "align": "center"}
            fmt = self._fields[key] = self.wb.add_format(props)
        return fmt

    def highlight(self, name: str) -> Any:
        fmt = self._highlights.get(name)
        if fmt is None:
            fmt = self._highlights[name] = self.wb.add_format(HIGHLIGHT_STYLES[name])
        return fmt
