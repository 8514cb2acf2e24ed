"""Numbers as the forms show them, so messages read in the user's terms ("11.00%", "7.28")."""

from __future__ import annotations

from ..layout.model import VType
from ..scoring import is_number


def amount(value: object) -> str:
    return f"{value:,.2f}".replace(",", "") if is_number(value) else show(value)


def rate(value: object) -> str:
    return f"{value * 100:.2f}%" if is_number(value) else show(value)


def score(value: object) -> str:
    if not is_number(value):
        return show(value)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


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
