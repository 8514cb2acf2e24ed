"""Layout → xlsxwriter: the self-evaluation workbook, rendered as a pipeline of small steps."""

from .issue import blank_meta, department_meta, department_values, info_values
from .record import Meta
from .render import render

__all__ = ["Meta", "blank_meta", "department_meta", "department_values", "info_values", "render"]
