"""perfxl: the yearly budget-performance self-evaluation round (预算绩效自评) in Excel.

`perfxl generate` writes one locked self-evaluation workbook per department; the
scoring rules live in one engine (perfxl.scoring) that the workbook formulas mirror.

The library's entry points are importable from here, loaded on first use so that
`import perfxl` stays light (no lxml, openpyxl or xlsxwriter until needed):

>>> import perfxl                                                  # doctest: +SKIP
>>> roster = perfxl.read_roster("examples/roster.xlsx")
>>> perfxl.generate(roster, 2025, "out/", perfxl.load_scheme("national"))
>>> report = perfxl.validate(["returned/"], roster, 2025)
>>> with perfxl.Round.open("2025自评") as rnd: rnd.status()
"""

from importlib import import_module

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "validate": "perfxl.validator.engine",
    "check_file": "perfxl.validator.engine",
    "Report": "perfxl.validator.model",
    "FileResult": "perfxl.validator.model",
    "Finding": "perfxl.validator.model",
    "RULES": "perfxl.validator.catalog",
    "generate": "perfxl.generate",
    "department_workbook": "perfxl.generate",
    "blank_workbook": "perfxl.generate",
    "read_roster": "perfxl.roster",
    "open_roster": "perfxl.roster",
    "load_scheme": "perfxl.scheme",
    "Round": "perfxl.round.season",
    "PerfxlError": "perfxl.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    """Each public name from its module, imported on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'perfxl' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
