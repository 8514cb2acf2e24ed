"""Fuzzing the validator with mutated returns, and a locality property of its findings.

1. The fuzz (test_fuzz): seeded mutations of valid returned workbooks (tests/hostile/mutate.py)
   — at the XML level (huge numbers, NaN, inf, empty cells, strings where numbers belong,
   formula-injection text, duplicate and out-of-order cells, bad references, wrong `t`
   attributes, shared-string indexes out of range, broken shared formulas, deleted rows,
   cached values that lie, defined names, relationships, the template record) and at the
   byte level (of the zip, or of one decompressed part before re-zipping). Every case must
   give a FileResult, no "internal" or "crash" F01, findings that render in Chinese and
   English, a JSON and a terminal report that encode as UTF-8, an untouched input file,
   and all that within CASE_SECONDS. PERFXL_FUZZ_CASES / PERFXL_FUZZ_SEED run more cases
   or other seeds; a failing case prints its seed: `python -m tests.hostile.mutate SEED`.

2. The property (test_one_changed_input_is_reported_where_it_matters): one input cell of a
   clean return changed to another value (a number, negative, zero, huge, tiny, text, blank,
   or another plausible entry) gives no finding, or findings only at cells in allowed(X):

   - X itself;
   - D(X): the cells computed from X, the transitive dependents of X through the formulas
     the layout records (cell references parsed from each formula field, across sheets,
     ranges expanded);
   - the cells named by a live check X feeds: each formula field that is a live-check
     counter (`flag.*`, `check.*`, `ind.N.incomplete`, `ind.N.mixed`, `missing`) is a sum of terms, one term per
     check; for every term that reads X or a cell of D(X) (directly or through a range),
     the cells the term names one by one (a range, as in COUNT(H12:H40), only asks whether
     any cell is filled, so its cells are not added). The workbook's own live checks say
     which cells a rule compares X with, e.g.
       执行数 → 执行率 → the 预算执行偏差原因 cell (B04),
       an indicator's 实际完成值 → 得分 → its 偏差原因 cell (I04), its other cells (V06, I07, I08),
       全年预算数 → the row's 执行数 (V01 when it becomes required, B02, B03 at the 预算数, V05),
       编制人数 → “是否存在超编超配人员” (D02), a question → its amount or date (D03),
       a project's 执行数 → F2 项目支出 → 基础数据表 项目支出 (D05),
       anything that moves F2's 自评等级 → 基础数据表 自评结论 (T05);
   - where the validator's rule is deliberately wider than the live check, named here:
     (a) any cell of an indicator row → the table's 一级指标 分值 subtotals (I01, I10: the
         rule counts a level as used when any cell of a row is filled, and an unused optional
         level hands its weight to its fallback; the live check counts weights only);
     (b) an indicator name → the other name cells of the table holding the same name (I09
         names each repeat);
     (c) a 收入 figure → 基础数据表 支出合计 (D04 compares 支出合计 with 收入合计 and names
         支出合计 whichever side moved).
   A finding with no sheet or cell (a file-level finding) is never allowed. Two clean returns
   are changed: a realistic one, and a blank template typed in full whose 项目2 leaves the
   optional 满意度指标 empty (so (a) is exercised). PERFXL_PROPERTY_CASES runs more.

Bugs the fuzz found are kept as fixed cases (test_what_the_fuzz_found), since a seed names
a case only for one version of mutate.py's mutation table.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import re
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import pytest
from lxml.etree import SubElement

from perfxl.generate import blank_workbook, department_workbook
from perfxl.layout import build_layout
from perfxl.layout.model import Kind, WorkbookLayout, a1
from perfxl.reader.xlsx import parse_ref
from perfxl.report.html import render_html
from perfxl.report.json_report import render_json
from perfxl.report.text import render_text
from perfxl.roster import read_roster
from perfxl.samples import random_inputs, realistic_inputs
from perfxl.scheme import load_scheme
from perfxl.validator.catalog import RULES
from perfxl.validator.context import Options
from perfxl.validator.engine import check_file
from perfxl.validator.model import FileResult, Finding, Report
from perfxl.writer import department_values
from perfxl.writer.record import pack, unpack

from .mutate import FIXTURES, GENERATED, YEAR, M, Base, Doc, make_base, make_case, set_inline, set_number, set_value

CASES = int(os.environ.get("PERFXL_FUZZ_CASES", "1200"))
SEED = int(os.environ.get("PERFXL_FUZZ_SEED", "0"))
CHUNK = 50
CASE_SECONDS = 2.0      # a normal file takes 10–25 ms
HARD_SECONDS = 20.0     # past this a case is stopped (a hang), not waited for
BAD_KEYS = ("rule.F01.internal", "rule.F01.crash")


# --- running one file ----------------------------------------------------------------------------

class Hang(BaseException):
    """Raised by the alarm inside check_file; a BaseException, so its `except Exception` cannot keep it."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    if not hasattr(signal, "setitimer"):
        yield
        return

    def ring(signum, frame):  # noqa: ARG001
        raise Hang(f"no answer after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def problems_of(data: bytes, path: Path, options: Options | None = None,
                html: bool = False) -> tuple[FileResult | None, list[str]]:
    """Validate `data` written at `path`; everything wrong with how the validator answered
    (`html`: the HTML report too, which costs ~15 ms)."""
    path.write_bytes(data)
    before = hashlib.sha256(data).hexdigest()
    out: list[str] = []
    start = time.perf_counter()
    try:
        with deadline(HARD_SECONDS):
            result = check_file(str(path), options or Options(year=YEAR))
    except Hang as exc:
        return None, [f"hang: {exc}"]
    except BaseException as exc:  # noqa: BLE001 — check_file must never raise
        return None, [f"check_file raised {type(exc).__name__}: {exc}"]
    seconds = time.perf_counter() - start
    if seconds > CASE_SECONDS:
        out.append(f"took {seconds:.2f} s (limit {CASE_SECONDS:g} s)")
    if not isinstance(result, FileResult):
        return None, out + [f"check_file returned {type(result).__name__}"]
    for f in result.findings:
        if f.message.key in BAD_KEYS:
            out.append(f"{f.message.key}: {f.message.params.get('reason')}")
        if f.code not in RULES:
            out.append(f"unknown rule code {f.code!r}")
        try:
            for lang in ("zh", "en"):
                shown = f.text(lang)
                assert isinstance(shown, str) and shown.strip(), f"empty {lang} text"
                json.dumps(f.to_dict(lang), ensure_ascii=False)
        except Exception as exc:  # noqa: BLE001
            out.append(f"finding {f.code} {f.message.key} does not render: {type(exc).__name__}: {exc}")
    report = Report([result], year=YEAR)
    for lang in ("zh", "en"):
        try:
            document = render_json(report, lang)
            json.loads(document)
            document.encode("utf-8")
        except Exception as exc:  # noqa: BLE001
            out.append(f"JSON report ({lang}): {type(exc).__name__}: {str(exc)[:160]}")
        try:
            render_text(report, lang).encode("utf-8")
        except Exception as exc:  # noqa: BLE001
            out.append(f"text report ({lang}): {type(exc).__name__}: {str(exc)[:160]}")
        if html:
            try:
                render_html(report, lang).encode("utf-8")
            except Exception as exc:  # noqa: BLE001
                out.append(f"HTML report ({lang}): {type(exc).__name__}: {str(exc)[:160]}")
    if hashlib.sha256(path.read_bytes()).hexdigest() != before:
        out.append("the input file was changed")
    return result, out


# --- 1. the fuzz ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def roster():
    return read_roster(FIXTURES / "roster")


def fuzz_options(seed: int) -> Options:
    """A third of the cases with the roster (R01–R03 read the mutated issued values), a third
    without a year."""
    return (Options(year=YEAR), Options(year=YEAR, roster=roster()), Options())[seed % 3]


@pytest.mark.parametrize("chunk", range(math.ceil(CASES / CHUNK)))
def test_fuzz(chunk: int, tmp_path: Path) -> None:
    failures = []
    first = SEED + chunk * CHUNK
    for seed in range(first, min(first + CHUNK, SEED + CASES)):
        case = make_case(seed)
        _, problems = problems_of(case.data, tmp_path / "case.xlsx", fuzz_options(seed), html=seed % 10 == 0)
        if problems:
            failures.append(f"{case}\n      " + "\n      ".join(problems))
    assert not failures, (f"{len(failures)} of {CHUNK} cases failed (rebuild one with "
                          f"`python -m tests.hostile.mutate SEED -o case.xlsx`):\n  " + "\n  ".join(failures))


def test_the_bases_are_clean(tmp_path: Path) -> None:
    """The fuzz starts from valid workbooks: findings in a case come from its mutation."""
    from .mutate import bases

    for base in bases():
        result, problems = problems_of(base.zip_bytes, tmp_path / f"{base.name}.xlsx")
        assert not problems, (base.name, problems)
        # The blank template has nothing typed yet: only what is missing is reported.
        expected = {"V01", "B06", "I10"} if base.name == "blank" else set()
        assert {f.code for f in result.findings} <= expected, \
            (base.name, [(f.code, f.sheet, f.cell) for f in result.findings])


# --- what the fuzz found, kept as fixed cases ----------------------------------------------------

def _dept_cell(doc: Doc, row: int, col: int):
    return doc.cell(doc.base.sheet_parts["部门整体支出绩效自评表"], row, col)


def _sst_cell(doc: Doc, child: str | None, text: str | None) -> None:
    c = _dept_cell(doc, 11, 2)  # ind.1.name
    c.clear()
    c.set("r", "C12")
    c.set("t", "s")
    if child:
        SubElement(c, M + child).text = text


def _record(doc: Doc, key: str, text: str | None = None, *, value: str | None = None) -> None:
    part = doc.base.sheet_parts["_perfxl"]
    row = doc.base.record[key][0]
    if text is not None:
        set_inline(doc.cell(part, row, 0), text)
    if value is not None:
        set_number(doc.cell(part, row, 1), value)


def _repacked(doc: Doc, key: str, text: str) -> None:
    set_inline(doc.cell(doc.base.sheet_parts["_perfxl"], doc.base.record[key][0], 1), pack(text))


def _two_huge_amounts(doc: Doc) -> None:
    for row, col in ((11, 7), (12, 7)):  # two weights of one level: their sum overflows
        set_number(_dept_cell(doc, row, col), "1.7976931348623157e308")


def _layout_forms(doc: Doc) -> None:
    chunks = sorted((k for k in doc.base.record if k.startswith("layout.")), key=lambda k: int(k.split(".")[1]))
    data = json.loads(unpack("".join(str(doc.base.record[k][1]) for k in chunks)))
    data["forms"] = {k: ["goal.target", "B12", "issued"] for k in data["forms"]}
    _repacked(doc, "layout.1", json.dumps(data))  # small now: one chunk holds it
    for k in chunks[1:]:
        set_inline(doc.cell(doc.base.sheet_parts["_perfxl"], doc.base.record[k][0], 1), "")


KNOWN = {
    # the reader (perfxl/reader/xlsx.py): a shared-string cell without a usable index
    "t=s with an empty <v/>": lambda doc: _sst_cell(doc, "v", None),
    "t=s with a formula and no <v>": lambda doc: _sst_cell(doc, "f", "1+1"),
    "t=s index '²' (isdigit, but not int)": lambda doc: _sst_cell(doc, "v", "²"),
    # a lone surrogate (_xD800_) quoted in a message made the JSON and text reports unencodable
    "_xD800_ typed into a number cell": lambda doc: set_inline(_dept_cell(doc, 11, 7), "_xD800_"),
    # math.fsum raised OverflowError (scoring.fsum now gives inf)
    "two weights of 1.8e308": _two_huge_amounts,
    # the record: year 'inf' (reader/record.py: int(float('inf')) raises OverflowError)
    "record year inf": lambda doc: _record(doc, "year", value="inf"),
    # the record is not hashed: issued values of another shape, JSON nested past the parser's
    # limit, a hostile recorded layout (template.py now refuses them as F06 / F07)
    "record issued values a list": lambda doc: _repacked(doc, "issued.1", "[]"),
    "record issued values 200,000 deep": lambda doc: _repacked(doc, "issued.1", "[" * 200_000 + "]" * 200_000),
    "record scheme 200,000 deep": lambda doc: _repacked(doc, "scheme_data.1", "[" * 200_000 + "]" * 200_000),
    "record layout forms of lists": _layout_forms,
    # without a recorded scheme, the record's scheme name was handed to load_scheme, which
    # takes a path: a file could make the validator open /etc/passwd (now: bundled names only)
    "record scheme a path": lambda doc: (_record(doc, "scheme_data.1", "renamed"),
                                         set_inline(doc.cell(doc.base.sheet_parts["_perfxl"],
                                                             doc.base.record["scheme"][0], 1),
                                                    str(Path("templates/schemes/national.toml").resolve()))),
}


@pytest.mark.parametrize("name", list(KNOWN))
def test_what_the_fuzz_found(name: str, tmp_path: Path) -> None:
    from .mutate import bases

    doc = Doc(bases()[0])
    KNOWN[name](doc)
    result, problems = problems_of(doc.package(), tmp_path / "known.xlsx")
    assert not problems, problems
    if name == "record scheme a path":
        assert [(f.code, f.message.key) for f in result.findings] == [("F07", "rule.F07.scheme")]
        assert "unknown scheme" in result.findings[0].text("en")


# --- 2. the property -----------------------------------------------------------------------------

Cell = tuple[str, int, int]   # sheet name, row, col (0-based)

_STRING = re.compile(r'"(?:[^"]|"")*"')
_REF = re.compile(r"(?<![A-Za-z0-9_.'])(?:'((?:[^']|'')+)'!)?\$?([A-Z]{1,3})\$?(\d{1,7})"
                  r"(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?(?![A-Za-z0-9_(!])")
CHECKS = re.compile(r"^(flag\..+|check\..+|ind\.\d+\.(incomplete|mixed)|missing)$")


def references(formula: str, sheet: str, ranges: bool = True) -> set[Cell]:
    """Every cell a formula reads: A1, $A$1, ranges (unless `ranges` is False), 'Sheet'!A1 across sheets."""
    out: set[Cell] = set()
    for m in _REF.finditer(_STRING.sub('""', formula)):
        if m.group(4) and not ranges:
            continue
        name = m.group(1).replace("''", "'") if m.group(1) else sheet
        r0, c0 = parse_ref(m.group(2) + m.group(3))
        r1, c1 = parse_ref(m.group(4) + m.group(5)) if m.group(4) else (r0, c0)
        for r in range(min(r0, r1), max(r0, r1) + 1):
            for c in range(min(c0, c1), max(c0, c1) + 1):
                out.add((name, r, c))
    return out


def terms(formula: str) -> list[str]:
    """A formula split at its top-level '+': one live check per term."""
    body = _STRING.sub(lambda m: "\0" * len(m.group(0)), formula.lstrip("="))
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "+" and depth == 0:
            parts.append(formula.lstrip("=")[start:i])
            start = i + 1
    parts.append(formula.lstrip("=")[start:])
    return parts


@dataclass
class Graph:
    layout: WorkbookLayout
    dependents: dict[Cell, set[Cell]]                     # cell → formula cells that read it
    checks: dict[Cell, list[tuple[set[Cell], set[Cell]]]]  # live-check cell → per term: cells named, cells read
    keys: dict[Cell, tuple[str, str]]                     # cell → (sheet code, field key)
    cells: dict[tuple[str, str], Cell]                    # (sheet code, field key) → cell

    def closure(self, start: Cell) -> set[Cell]:
        seen: set[Cell] = set()
        todo = [start]
        while todo:
            for d in self.dependents.get(todo.pop(), ()):
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        return seen


_graphs: dict[str, Graph] = {}


def graph(layout: WorkbookLayout) -> Graph:
    if layout.digest not in _graphs:
        _graphs[layout.digest] = _graph(layout)
    return _graphs[layout.digest]


def _graph(layout: WorkbookLayout) -> Graph:
    dependents: dict[Cell, set[Cell]] = {}
    checks: dict[Cell, list[tuple[set[Cell], set[Cell]]]] = {}
    keys: dict[Cell, tuple[str, str]] = {}
    cells: dict[tuple[str, str], Cell] = {}
    for sheet in layout.sheets:
        for f in sheet.fields:
            here = (sheet.name, f.row, f.col)
            keys[here] = (sheet.code, f.key)
            cells[(sheet.code, f.key)] = here
            if f.kind != Kind.FORMULA or not f.formula:
                continue
            for ref in references(f.formula, sheet.name):
                dependents.setdefault(ref, set()).add(here)
            if CHECKS.match(f.key):
                checks[here] = [(references(t, sheet.name, ranges=False), references(t, sheet.name))
                                for t in terms(f.formula)]
    return Graph(layout, dependents, checks, keys, cells)


def allowed(g: Graph, code: str, key: str, value: object, values: dict[tuple[str, str], object]) -> set[Cell]:
    """allowed(X) as the module docstring defines it."""
    x = g.cells[(code, key)]
    computed = g.closure(x)
    fed = computed | {x}
    out = set(fed)
    for check in computed & g.checks.keys():
        for named, read in g.checks[check]:
            if read & fed:
                out |= named
    sheet = g.layout.sheet(code)
    if key.startswith("ind."):  # (a) a row's cells → the level subtotals of 分值
        out |= {g.cells[(code, f.key)] for f in sheet.fields if re.fullmatch(r"level\.\d+\.weight", f.key)}
        if key.endswith(".name") and isinstance(value, str):  # (b) the other rows of that name
            out |= {g.cells[(code, f.key)] for f in sheet.fields if re.fullmatch(r"ind\.\d+\.name", f.key)
                    and str(values.get((code, f.key), "")).strip() == value.strip()}
    if code == "basic" and g.cells[("basic", "income.total")] in fed:  # (c)
        out.add(g.cells[("basic", "expense.total")])
    return out


@dataclass
class Clean:
    base: Base
    values: dict[tuple[str, str], object]   # what the clean file holds: inputs and issued values
    alternatives: dict[tuple[str, str], object]


def _clean(name: str, data: bytes, layout: WorkbookLayout, values: dict, seed: int) -> Clean:
    alternatives = random_inputs(layout, load_scheme("national"), seed)
    return Clean(make_base(name, data), values, alternatives)


@lru_cache(maxsize=1)
def clean_returns() -> tuple[Clean, ...]:
    scheme = load_scheme("national")
    dept = read_roster(FIXTURES / "roster").department("101004")
    layout = build_layout(scheme, len(dept.projects), goals_issued=tuple(bool(p.goal) for p in dept.projects))
    issued = department_values(layout, dept, YEAR, scheme, GENERATED)
    inputs = realistic_inputs(layout, scheme, 7, budgets=issued)
    filled = _clean("realistic", department_workbook(dept, YEAR, scheme, GENERATED, inputs=inputs), layout,
                    {**issued, **inputs}, 101)

    blank = build_layout(scheme, 2, blank=True)
    typed = realistic_inputs(blank, scheme, 11)
    typed[("dept", "name")] = "某某县行政审批局"
    for i in (1, 2):
        typed.update({(f"p{i}", "name"): f"项目{i}名称", (f"p{i}", "supervisor"): "某某县行政审批局",
                      (f"p{i}", "implementer"): "某某县政务服务中心"})
    typed = {k: v for k, v in typed.items() if (k[0], k[1]) in _input_keys(blank)}
    _drop_optional_level(blank, scheme, typed, "p2")
    blank_filled = _clean("blank typed", blank_workbook(2, YEAR, scheme, GENERATED, inputs=typed), blank, typed, 202)
    return filled, blank_filled


def _drop_optional_level(layout: WorkbookLayout, scheme, values: dict, code: str) -> None:
    """Leave a table's optional 一级指标 (满意度) empty, its weight handed to its fallback level,
    as the scheme allows: a single typed cell can then make that level used (I10, I01)."""
    level = next(lv for lv in scheme.levels if lv.optional and lv.fallback)
    sheet = layout.sheet(code)
    moved = 0.0
    for r in sheet.indicator_rows:
        if r.level == level.name:
            moved += values.get((code, f"ind.{r.index}.weight"), 0.0) or 0.0
            for k in [k for k in values if k[0] == code and k[1].startswith(f"ind.{r.index}.")]:
                del values[k]
    into = next(r for r in sheet.indicator_rows
                if r.level == level.fallback and isinstance(values.get((code, f"ind.{r.index}.weight")), float))
    values[(code, f"ind.{into.index}.weight")] = round(values[(code, f"ind.{into.index}.weight")] + moved, 2)


def _input_keys(layout: WorkbookLayout) -> set[tuple[str, str]]:
    return {(s.code, f.key) for s in layout.sheets for f in s.fields if f.kind == Kind.INPUT}


TEXT_VALUES = ("abc", "十二", "12.5万元", "95%", "1,227.14", "是", "否", "优", "良", "定性", "≥", "=1+1", "+1+1",
               "@SUM(1)", "达成年度指标", "个", "%", "万元", "群众满意度")


def new_value(rng: random.Random, clean: Clean, code: str, key: str) -> object:
    roll = rng.random()
    old = clean.values.get((code, key))
    if roll < 0.15:
        return None
    if roll < 0.30:
        return round(rng.uniform(0, 1000), 2)
    if roll < 0.38:
        return -round(rng.uniform(0.01, 500), 2)
    if roll < 0.43:
        return 0.0
    if roll < 0.50:
        return rng.choice((1e15, 1e308, 1e-9, 123456789.123))
    if roll < 0.55 and isinstance(old, (int, float)) and not isinstance(old, bool):
        return round(old * rng.choice((0.5, 0.9, 1.01, 1.5, 3)), 2)
    if roll < 0.75:
        return rng.choice(TEXT_VALUES)
    alt = clean.alternatives.get((code, key))
    if isinstance(alt, date):
        alt = None
    return alt if alt is not None else rng.choice(TEXT_VALUES)


PROPERTY_CASES = int(os.environ.get("PERFXL_PROPERTY_CASES", "400"))
PROPERTY_CHUNK = 50


def _where(f: Finding) -> str:
    return f"{f.code} {f.sheet}!{f.cell} ({f.message.key})"


@pytest.mark.parametrize("chunk", range(math.ceil(PROPERTY_CASES / PROPERTY_CHUNK)))
def test_one_changed_input_is_reported_where_it_matters(chunk: int, tmp_path: Path) -> None:
    failures = []
    first = SEED + chunk * PROPERTY_CHUNK
    for seed in range(first, min(first + PROPERTY_CHUNK, SEED + PROPERTY_CASES)):
        rng = random.Random(f"property {seed}")
        clean = rng.choice(clean_returns())
        g = graph(clean.base.layout)
        sheet = rng.choice([s for s in clean.base.layout.sheets if any(f.kind == Kind.INPUT for f in s.fields)])
        field = rng.choice([f for f in sheet.fields if f.kind == Kind.INPUT])
        value = new_value(rng, clean, sheet.code, field.key)
        doc = Doc(clean.base)
        set_value(doc, doc.cell(clean.base.sheet_parts[sheet.name], field.row, field.col), value)
        result, problems = problems_of(doc.package(), tmp_path / "changed.xlsx")
        label = f"seed={seed} {clean.base.name}: {sheet.name}!{field.ref} ({sheet.code} {field.key}) " \
                f"{clean.values.get((sheet.code, field.key))!r} → {value!r}"
        if problems:
            failures.append(f"{label}: {problems}")
            continue
        ok = allowed(g, sheet.code, field.key, value, clean.values)
        outside = []
        for f in result.all_findings():  # consequences too: each must lie where the mistake reaches
            if f.sheet is None or f.cell is None:
                outside.append(_where(f))
                continue
            try:
                row, col = parse_ref(f.cell)
            except ValueError:
                outside.append(_where(f))
                continue
            if (f.sheet, row, col) not in ok:
                outside.append(_where(f))
        if outside:
            failures.append(f"{label}: findings elsewhere: {', '.join(outside)}")
    assert not failures, f"{len(failures)} cases:\n  " + "\n  ".join(failures)


def test_the_clean_returns_are_clean(tmp_path: Path) -> None:
    for clean in clean_returns():
        result, problems = problems_of(clean.base.zip_bytes, tmp_path / "clean.xlsx")
        assert not problems and not result.findings, (clean.base.name, problems,
                                                      [_where(f) for f in result.findings])


def test_allowed_set_is_narrow() -> None:
    """allowed(X) for a few cells, spelled out: the property is only as strong as this set is small."""
    clean = clean_returns()[0]
    g = graph(clean.base.layout)

    def extra(code: str, key: str) -> set[str]:
        x = g.cells[(code, key)]
        return {f"{sheet}!{a1(r, c)}" for sheet, r, c in allowed(g, code, key, 1.0, clean.values) - g.closure(x) - {x}}

    assert extra("basic", "staff.quota") == {"基础数据表!E3", "基础数据表!H11"}
    assert extra("basic", "income.budget") == {"基础数据表!G7"}
    assert extra("basic", "q.budget_added") == {"基础数据表!H21"}
    assert extra("p1", "funds.fiscal.executed") == {
        "项目1!E6", "项目1!E7", "项目1!D10",                 # 预算数 of the row and total; 偏差原因
        "部门整体支出绩效自评表!E5", "部门整体支出绩效自评表!E7", "部门整体支出绩效自评表!D8",
        "基础数据表!E7", "基础数据表!B47"}                  # 项目支出 restated; 自评结论


def test_allowed_set_parsing() -> None:
    """The reference parser behind allowed(X): ranges, absolute refs, other sheets, strings skipped."""
    assert references("=SUM(H14:H16)", "s") == {("s", 13, 7), ("s", 14, 7), ("s", 15, 7)}
    assert references("=IF('项目1'!F6=\"A1\",$B$2,'a''b'!C3)", "s") == {("项目1", 5, 5), ("s", 1, 1), ("a'b", 2, 2)}
    assert references("=ROUND(SUM(J12:J12),2)+LOG10(1)", "s") == {("s", 11, 9)}
    assert terms('=IF(A1="+",1,0)+IF(AND(B1,C1),1,0)') == ['IF(A1="+",1,0)', "IF(AND(B1,C1),1,0)"]
