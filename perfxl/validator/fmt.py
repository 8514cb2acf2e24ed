"""Numbers as the forms show them, so messages read in the user's terms ("11.00%", "7.28")."""

from __future__ import annotations

from ..layout.model import VType
from ..scoring import is_number, is_percent


def amount(value: object) -> str:
    return f"{value:,.2f}".replace(",", "") if is_number(value) else show(value)


def rate(value: object) -> str:
    return f"{value * 100:.2f}%" if is_number(value) else show(value)


def score(value: object) -> str:
    if not is_number(value):
        return show(value)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def measured(value: object, unit: object) -> str:
    """An indicator's target or actual: a fraction in a % row as the cell shows it (0.95 → 95%)."""
    if is_percent(value) or (unit == "%" and is_number(value) and abs(value) <= 10):
        return f"{value * 100:.10g}%"
    return show(value)


def typed(value: object) -> str:
    """A number as the department typed it: "98%" for one typed as a percentage, else as is."""
    return f"{value * 100:.10g}%" if is_percent(value) else show(value)


def wan(yuan: float) -> str:
    """元 as 万元 with enough digits to stay meaningful for small sums (11.8 元 → 0.00118)."""
    return f"{yuan / 10000:.2f}" if abs(yuan) >= 100 else f"{yuan / 10000:.3g}"


def show(value: object) -> str:
    """Any cell value: numbers without float noise, blanks as （空）."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return f"{value:.10g}" if abs(value) < 1e15 else f"{value:.6g}"
    return str(value)


def by_type(value: object, vtype: VType) -> str:
    if vtype == VType.AMOUNT:
        return amount(value)
    if vtype == VType.RATE:
        return rate(value)
    if vtype in (VType.SCORE, VType.WEIGHT):
        return score(value)
    return show(value)
