"""Scheme → where every field, input and formula lives; shared by the writer and the validator."""

from .model import Field, Highlight, Kind, Label, SheetLayout, Validation, VType, WorkbookLayout, a1, a1_range
from .workbook import RECORD_SHEET, SHEET_NAMES, TEMPLATE_VERSION, build_layout, project_sheet_name

__all__ = [
    "Field", "Highlight", "Kind", "Label", "RECORD_SHEET", "SHEET_NAMES", "SheetLayout", "TEMPLATE_VERSION",
    "VType", "Validation", "WorkbookLayout", "a1", "a1_range", "build_layout", "project_sheet_name",
]
