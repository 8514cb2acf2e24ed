"""perfxl: the yearly budget-performance self-evaluation round (预算绩效自评) in Excel.

`perfxl generate` writes one locked self-evaluation workbook per department; the
scoring rules live in one engine (perfxl.scoring) that the workbook formulas mirror.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    """`perfxl.validate` and `perfxl.Round` without importing the validator (and lxml) on `import perfxl`."""
    if name == "validate":
        from .validator.engine import validate

        return validate
    if name == "Round":
        from .round.season import Round

        return Round
    raise AttributeError(name)
