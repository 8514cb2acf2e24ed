"""`perfxl validate --format json`: the perfxl-report/2 document (docs/report-format.md).

The document is `Report.to_dict(lang)` as is; its shape is a public contract described by
docs/report-schema.json, so this module only serializes and never adds or renames keys.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..validator.model import Report


def render_json(report: Report, lang: str = "zh") -> str:
    """The report as UTF-8 JSON text (Chinese kept readable, not \\u-escaped), ending in a newline."""
    return json.dumps(_finite(report.to_dict(lang)), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    """NaN and infinity are not JSON: a score that is not a number is shown as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
