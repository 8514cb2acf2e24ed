"""TOML scheme file → checked, frozen `Scheme`; every problem names the file and the key."""

from __future__ import annotations

import hashlib
import json
import math
import os
import tomllib
from pathlib import Path
from typing import Any

from ..errors import SchemeError
from ..i18n import Message
from .model import (
    DEFAULT_RATE_BANDS,
    Category,
    ConsolidationSettings,
    Detail,
    Execution,
    Grade,
    Level,
    QualitativeLevel,
    Question,
    QuestionGroup,
    Scheme,
    Step,
    lower_grades,
)

EXECUTION_METHODS = ("linear", "steps")
REVERSE_METHODS = ("linear", "ratio")
DETAIL_TYPES = ("amount", "date", "text", "choice")
QUESTION_CHECKS = ("overstaffing",)
TOLERANCE = 1e-9
RATE_BAND_MAX = 10  # as execution.reason_above: an edge past 1000% bands nothing real
# Tables that govern no workbook (only the office's consolidated result): never hashed, and
# recorded only when they differ from the default, so adding them moves no issued workbook.
UNHASHED = ("consolidation",)


def schemes_dir() -> Path:
    """Where the bundled schemes live: $PERFXL_TEMPLATES/schemes, else the project's templates/."""
    env = os.environ.get("PERFXL_TEMPLATES")
    if env:
        return Path(env) / "schemes"
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_templates", here.parent / "templates"):
        if (candidate / "schemes").is_dir():
            return candidate / "schemes"
    return here.parent / "templates" / "schemes"


def available_schemes() -> list[Path]:
    return sorted(schemes_dir().glob("*.toml"))


def resolve(name_or_path: str) -> Path:
    """A scheme name (file stem under templates/schemes) or a path to a TOML file."""
    candidate = Path(name_or_path)
    if candidate.is_file():
        return candidate
    if os.sep not in name_or_path and "/" not in name_or_path:
        bundled = schemes_dir() / (name_or_path if candidate.suffix == ".toml" else f"{name_or_path}.toml")
        if bundled.is_file():
            return bundled
    for path in available_schemes():  # a scheme's own `name` works too, whatever its file is called
        try:
            if tomllib.loads(path.read_text(encoding="utf-8-sig")).get("scheme", {}).get("name") == name_or_path:
                return path
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
    names = ", ".join(p.stem for p in available_schemes()) or "-"
    raise SchemeError(Message("scheme.not_found", {"name": name_or_path, "available": names}))


_cache: dict[tuple[str, float, int], Scheme] = {}


def load_scheme(name_or_path: str = "national") -> Scheme:
    """Load and check a scheme; raises SchemeError listing every problem found."""
    path = resolve(name_or_path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime, stat.st_size)
    if key not in _cache:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SchemeError(Message("scheme.unreadable", {"reason": str(exc)})) from exc
        _cache[key] = parse_scheme(raw, source=path.name)
    return _cache[key]


def parse_scheme(raw: bytes | str, source: str = "<scheme>") -> Scheme:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SchemeError(Message("scheme.unreadable", {"reason": f"{source}: {exc}"})) from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(Message("scheme.toml", {"reason": f"{source}: {exc}"})) from exc
    checker = _Checker(source)
    scheme = checker.scheme(data)
    if scheme is not None:
        checker.validation_lengths(scheme)
    if checker.problems:
        raise SchemeError(checker.problems)
    assert scheme is not None
    return scheme


VALIDATION_LIMIT = 255  # Excel's limit on a validation formula and on a list literal (joined by ",")


def scheme_from_json(text: str, source: str = "<record>") -> Scheme:
    """A scheme as a workbook recorded it (Scheme.data_json), checked like a TOML file."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SchemeError(Message("scheme.toml", {"reason": f"{source}: {exc}"})) from exc
    checker = _Checker(source)
    scheme = checker.scheme(data) if isinstance(data, dict) else None
    if checker.problems or scheme is None:
        raise SchemeError(checker.problems or Message("scheme.toml", {"reason": source}))
    return scheme


def content_hash(data: dict[str, Any]) -> str:
    """Hash of the parsed content, so comments and spacing do not change it; the tables that
    govern no workbook (UNHASHED) are left out, so changing them gives no workbook another scheme."""
    hashed = {k: v for k, v in data.items() if k not in UNHASHED}
    canonical = json.dumps(_floats(hashed), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _floats(data: Any) -> Any:
    """Numbers as floats, so `weight = 10` and `weight = 10.0` hash alike."""
    if isinstance(data, dict):
        return {k: _floats(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_floats(v) for v in data]
    if isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    return data


class _Checker:
    """Walks the TOML tree, collecting problems as (path, message) instead of stopping."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Message] = []

    def problem(self, path: str, key: str, **params: Any) -> None:
        self.problems.append(
            Message("scheme.problem", {"source": self.source, "path": path, "detail": Message(key, params)})
        )

    # --- primitive readers -------------------------------------------------------------
    def table(self, data: Any, path: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.problem(path, "scheme.type", expected="table", actual=data)
            return {}
        for key in data:
            if key not in allowed:
                self.problem(f"{path}.{key}" if path else key, "scheme.unknown_key")
        return data

    def get(self, data: dict, path: str, key: str, kind: str, default: Any = ..., lo: float | None = None,
            hi: float | None = None) -> Any:
        full = f"{path}.{key}" if path else key
        if key not in data:
            if default is ...:
                self.problem(full, "scheme.missing")
                return None
            return default
        value = data[key]
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                self.problem(full, "scheme.type", expected="数字 / number", actual=value)
                return None
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                self.problem(full, "scheme.range", lo=lo, hi=hi, actual=value)
                return None
            return float(value)
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                self.problem(full, "scheme.type", expected="整数 / integer", actual=value)
                return None
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                self.problem(full, "scheme.range", lo=lo, hi=hi, actual=value)
                return None
            return value
        if kind == "str":
            if not isinstance(value, str) or not value.strip():
                self.problem(full, "scheme.type", expected="非空文本 / non-empty text", actual=value)
                return None
            return value.strip()
        if kind == "bool":
            if not isinstance(value, bool):
                self.problem(full, "scheme.type", expected="true/false", actual=value)
                return None
            return value
        if kind == "list":
            if not isinstance(value, list):
                self.problem(full, "scheme.type", expected="列表 / list", actual=value)
                return None
            return value
        raise AssertionError(kind)

    def strings(self, data: dict, path: str, key: str, default: Any = ...) -> tuple[str, ...]:
        items = self.get(data, path, key, "list", default)
        if items is None:
            return ()
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{path}.{key}[{i}]", "scheme.type", expected="非空文本 / non-empty text", actual=item)
            else:
                out.append(item.strip())
        if len(set(out)) != len(out):
            dupes = sorted({x for x in out if out.count(x) > 1})
            self.problem(f"{path}.{key}", "scheme.duplicate", actual=", ".join(dupes))
        return tuple(out)

    def validation_lengths(self, scheme: Scheme) -> None:
        """Every dropdown list and custom validation the scheme's workbooks get fits Excel's
        255 characters (longer ones are dropped by xlsxwriter or refused by Excel), named by
        the scheme key that makes it. Only for schemes being loaded to generate: a scheme
        recorded in an issued workbook is never refused."""
        from ..layout.workbook import build_layout  # the layout is built from a loaded scheme

        keys = {"units": "indicators.units", "qualitative": "qualitative[].name", "grades": "grades[].name"}
        for i, group in enumerate(scheme.question_groups):
            for j, q in enumerate(group.questions):
                for k, d in enumerate(q.detail):
                    keys[f"detail.{q.key}.{d.key}"] = f"basic_data.groups[{i}].questions[{j}].detail[{k}].choices"
        seen: set[str] = set()
        for blank in (False, True):
            layout = build_layout(scheme, 1, blank)
            for sheet in layout.sheets:
                for v in sheet.validations:
                    if v.kind == "list" and v.source in layout.lists:
                        length, key = len(",".join(layout.lists[v.source])), keys.get(v.source, v.source)
                    elif v.kind == "custom" and v.source:
                        length, key = len(v.source), f"{sheet.name} {v.prompt_title}"
                    else:
                        continue
                    if length > VALIDATION_LIMIT and key not in seen:
                        seen.add(key)
                        self.problem(key, "scheme.validation_too_long", length=length, limit=VALIDATION_LIMIT)

    # --- sections ----------------------------------------------------------------------
    def scheme(self, data: dict[str, Any]) -> Scheme | None:
        top = self.table(data, "", {"scheme", "execution", "levels", "indicators", "qualitative", "grades",
                                    "checks", "basic_data", "consolidation"})
        meta = self.table(top.get("scheme", {}), "scheme", {"name", "title", "title_en"})
        name = self.get(meta, "scheme", "name", "str")
        title = self.get(meta, "scheme", "title", "str")
        title_en = self.get(meta, "scheme", "title_en", "str", default=title)
        execution = self.execution(top.get("execution"))
        levels = self.levels(top.get("levels"))
        indicators = self.table(top.get("indicators", {}), "indicators",
                                {"reverse_method", "overshoot", "units", "money_units"})
        reverse = self.get(indicators, "indicators", "reverse_method", "str", default="linear")
        if reverse is not None and reverse not in REVERSE_METHODS:
            self.problem("indicators.reverse_method", "scheme.method", actual=reverse, allowed=", ".join(REVERSE_METHODS))
        overshoot = self.get(indicators, "indicators", "overshoot", "number", default=1.2, lo=1.0)
        units = self.strings(indicators, "indicators", "units")
        money_units = self.strings(indicators, "indicators", "money_units", default=["万元", "元"])
        qualitative = self.qualitative(top.get("qualitative"))
        grades = self.grades(top.get("grades"))
        checks = self.table(top.get("checks", {}), "checks", {"unit_magnitude_factor"})
        factor = self.get(checks, "checks", "unit_magnitude_factor", "number", default=100.0, lo=2.0)
        groups = self.question_groups(top.get("basic_data"))
        consolidation = self.consolidation(top.get("consolidation"), grades)

        if execution is not None and levels:
            total = execution.weight + sum(level.weight for level in levels)
            if abs(total - 100) > TOLERANCE:
                self.problem("levels[].weight", "scheme.weights_total", actual=total)
        if self.problems:
            return None
        recorded = data
        if consolidation == self.default_consolidation(grades):
            # The record of a workbook made with the default is what it was before the table existed.
            recorded = {k: v for k, v in data.items() if k != "consolidation"}
        return Scheme(
            name=name, title=title, title_en=title_en, execution=execution, levels=levels,
            reverse_method=reverse, overshoot=overshoot, units=units, money_units=money_units,
            qualitative=qualitative, grades=grades, unit_magnitude_factor=factor,
            question_groups=groups, consolidation=consolidation, source=self.source,
            content_hash=content_hash(data),
            data_json=json.dumps(recorded, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str),
        )

    def execution(self, data: Any) -> Execution | None:
        if data is None:
            self.problem("execution", "scheme.missing")
            return None
        t = self.table(data, "execution", {"weight", "method", "full_rate", "reason_below", "reason_above", "steps"})
        weight = self.get(t, "execution", "weight", "number", lo=0, hi=100)
        method = self.get(t, "execution", "method", "str", default="linear")
        if method is not None and method not in EXECUTION_METHODS:
            self.problem("execution.method", "scheme.method", actual=method, allowed=", ".join(EXECUTION_METHODS))
        full_rate = self.get(t, "execution", "full_rate", "number", default=1.0, lo=0.01, hi=1)
        below = self.get(t, "execution", "reason_below", "number", default=0.9, lo=0, hi=1)
        above = self.get(t, "execution", "reason_above", "number", default=1.0, lo=1, hi=10)
        steps: list[Step] = []
        raw_steps = self.get(t, "execution", "steps", "list", default=[])
        for i, raw in enumerate(raw_steps or []):
            path = f"execution.steps[{i}]"
            st = self.table(raw, path, {"min_rate", "score"})
            rate = self.get(st, path, "min_rate", "number", lo=0)
            score = self.get(st, path, "score", "number", lo=0)
            if rate is not None and score is not None:
                steps.append(Step(rate, score))
        if method == "steps":
            if not raw_steps:
                self.problem("execution.steps", "scheme.steps_missing")
            ok = all(a.min_rate > b.min_rate and a.score >= b.score for a, b in zip(steps, steps[1:]))
            ok = ok and all(weight is None or s.score <= weight for s in steps)
            if not ok:
                detail = ", ".join(f"{s.min_rate:g}→{s.score:g}" for s in steps)
                self.problem("execution.steps", "scheme.steps_order", detail=detail)
        if None in (weight, method, full_rate, below, above):
            return None
        return Execution(weight, method, full_rate, below, above, tuple(steps))

    def levels(self, data: Any) -> tuple[Level, ...]:
        items = data if isinstance(data, list) else None
        if not items:
            self.problem("levels", "scheme.missing" if data is None else "scheme.empty")
            return ()
        levels: list[Level] = []
        for i, raw in enumerate(items):
            path = f"levels[{i}]"
            t = self.table(raw, path, {"name", "name_en", "weight", "categories", "optional", "fallback"})
            name = self.get(t, path, "name", "str")
            name_en = self.get(t, path, "name_en", "str", default=name)
            weight = self.get(t, path, "weight", "number", lo=0, hi=100)
            optional = self.get(t, path, "optional", "bool", default=False)
            fallback = self.get(t, path, "fallback", "str", default=None)
            cats_raw = self.get(t, path, "categories", "list")
            categories: list[Category] = []
            if cats_raw is not None and not cats_raw:
                self.problem(f"{path}.categories", "scheme.empty")
            for j, craw in enumerate(cats_raw or []):
                cpath = f"{path}.categories[{j}]"
                c = self.table(craw, cpath, {"name", "name_en", "rows", "money_only"})
                cname = self.get(c, cpath, "name", "str")
                rows = self.get(c, cpath, "rows", "int", lo=1, hi=50)
                if cname is not None and rows is not None:
                    categories.append(Category(cname, self.get(c, cpath, "name_en", "str", default=cname), rows,
                                               bool(self.get(c, cpath, "money_only", "bool", default=False))))
            if name is not None and weight is not None:
                levels.append(Level(name, name_en, weight, tuple(categories), bool(optional), fallback))
        names = [lv.name for lv in levels]
        cat_names = [c.name for lv in levels for c in lv.categories]
        for label, values in (("levels[].name", names), ("levels[].categories[].name", cat_names)):
            dupes = sorted({x for x in values if values.count(x) > 1})
            if dupes:
                self.problem(label, "scheme.duplicate", actual=", ".join(dupes))
        # Check fallbacks against the file's own entries, so a level dropped for another
        # problem neither shifts the index reported nor is blamed here.
        raw = [item if isinstance(item, dict) else {} for item in items]
        optional_by_name = {r.get("name"): bool(r.get("optional", False)) for r in raw if isinstance(r.get("name"), str)}
        for i, r in enumerate(raw):
            fallback = r.get("fallback")
            if not isinstance(fallback, str):
                continue
            if (fallback not in optional_by_name or fallback == r.get("name") or optional_by_name[fallback]
                    or not r.get("optional", False)):
                self.problem(f"levels[{i}].fallback", "scheme.fallback", actual=fallback)
        return tuple(levels)

    def qualitative(self, data: Any) -> tuple[QualitativeLevel, ...]:
        if not isinstance(data, list) or not data:
            self.problem("qualitative", "scheme.missing" if data is None else "scheme.empty")
            return ()
        out: list[QualitativeLevel] = []
        for i, raw in enumerate(data):
            path = f"qualitative[{i}]"
            t = self.table(raw, path, {"name", "name_en", "min", "max"})
            name = self.get(t, path, "name", "str")
            lo = self.get(t, path, "min", "number", lo=0, hi=1)
            hi = self.get(t, path, "max", "number", lo=0, hi=1)
            if None not in (name, lo, hi):
                out.append(QualitativeLevel(name, self.get(t, path, "name_en", "str", default=name), lo, hi))
        if len(out) == len(data):
            ordered = sorted(out, key=lambda q: q.min)
            detail = ", ".join(f"{q.name} [{q.min:g}, {q.max:g})" for q in out)
            ok = ordered[0].min == 0 and ordered[-1].max == 1
            ok = ok and all(q.min < q.max for q in ordered)
            ok = ok and all(abs(a.max - b.min) < TOLERANCE for a, b in zip(ordered, ordered[1:]))
            if not ok:
                self.problem("qualitative", "scheme.bands_gap", detail=detail)
            names = [q.name for q in out]
            if len(set(names)) != len(names):
                self.problem("qualitative[].name", "scheme.duplicate", actual=", ".join(names))
        # Highest band first: the order users see in the dropdown.
        return tuple(sorted(out, key=lambda q: -q.min))

    def grades(self, data: Any) -> tuple[Grade, ...]:
        if not isinstance(data, list) or not data:
            self.problem("grades", "scheme.missing" if data is None else "scheme.empty")
            return ()
        out: list[Grade] = []
        for i, raw in enumerate(data):
            path = f"grades[{i}]"
            t = self.table(raw, path, {"name", "min"})
            name = self.get(t, path, "name", "str")
            lo = self.get(t, path, "min", "number", lo=0, hi=100)
            if name is not None and lo is not None:
                out.append(Grade(name, lo))
        if len(out) == len(data):
            ok = all(a.min > b.min for a, b in zip(out, out[1:])) and out[-1].min == 0
            names = [g.name for g in out]
            ok = ok and len(set(names)) == len(names)
            if not ok:
                self.problem("grades", "scheme.grades_order", detail=", ".join(f"{g.name}≥{g.min:g}" for g in out))
        return tuple(out)

    @staticmethod
    def default_consolidation(grades: tuple[Grade, ...]) -> ConsolidationSettings:
        return ConsolidationSettings(DEFAULT_RATE_BANDS, lower_grades(grades))

    def consolidation(self, data: Any, grades: tuple[Grade, ...]) -> ConsolidationSettings:
        """[consolidation]: execution-rate band edges (highest first) and the grades listed for 整改."""
        default = self.default_consolidation(grades)
        if data is None:
            return default
        t = self.table(data, "consolidation", {"rate_bands", "rectify_grades"})
        bands = default.rate_bands
        raw = self.get(t, "consolidation", "rate_bands", "list", default=None)
        if raw is not None:
            if not raw:
                self.problem("consolidation.rate_bands", "scheme.empty")
            edges: list[float] = []
            for i, value in enumerate(raw):
                key = f"rate_bands[{i}]"
                edge = self.get({key: value}, "consolidation", key, "number", lo=0, hi=RATE_BAND_MAX)
                if edge is not None and edge <= 0:
                    self.problem(f"consolidation.{key}", "scheme.positive", actual=value)
                elif edge is not None:
                    edges.append(edge)
            if raw and len(edges) == len(raw):
                if all(a > b for a, b in zip(edges, edges[1:])):
                    bands = tuple(edges)
                else:
                    self.problem("consolidation.rate_bands", "scheme.rate_bands_order",
                                 detail=", ".join(f"{e:g}" for e in edges))
        rectify = default.rectify_grades
        if "rectify_grades" in t:
            names = self.strings(t, "consolidation", "rectify_grades")
            known = [g.name for g in grades]
            for i, name in enumerate(names):
                if known and name not in known:  # grades refused: their own problem is reported
                    self.problem(f"consolidation.rectify_grades[{i}]", "scheme.unknown_grade", actual=name,
                                 allowed=", ".join(known))
            rectify = tuple(name for name in known if name in names)  # in the scheme's order
        return ConsolidationSettings(bands, rectify)

    def question_groups(self, data: Any) -> tuple[QuestionGroup, ...]:
        if data is None:
            return ()
        t = self.table(data, "basic_data", {"groups"})
        groups_raw = self.get(t, "basic_data", "groups", "list", default=[])
        groups: list[QuestionGroup] = []
        keys: list[str] = []
        for i, raw in enumerate(groups_raw or []):
            path = f"basic_data.groups[{i}]"
            g = self.table(raw, path, {"name", "questions"})
            gname = self.get(g, path, "name", "str")
            questions: list[Question] = []
            for j, qraw in enumerate(self.get(g, path, "questions", "list") or []):
                qpath = f"{path}.questions[{j}]"
                q = self.table(qraw, qpath, {"key", "text", "detail", "detail_when", "check"})
                key = self.get(q, qpath, "key", "str")
                text = self.get(q, qpath, "text", "str")
                when = self.get(q, qpath, "detail_when", "str", default="是")
                check = self.get(q, qpath, "check", "str", default=None)
                if check is not None and check not in QUESTION_CHECKS:
                    self.problem(f"{qpath}.check", "scheme.method", actual=check, allowed=", ".join(QUESTION_CHECKS))
                details: list[Detail] = []
                for k, draw in enumerate(self.get(q, qpath, "detail", "list", default=[]) or []):
                    dpath = f"{qpath}.detail[{k}]"
                    d = self.table(draw, dpath, {"key", "label", "type", "choices"})
                    dkey = self.get(d, dpath, "key", "str")
                    label = self.get(d, dpath, "label", "str")
                    dtype = self.get(d, dpath, "type", "str", default="text")
                    if dtype is not None and dtype not in DETAIL_TYPES:
                        self.problem(f"{dpath}.type", "scheme.method", actual=dtype, allowed=", ".join(DETAIL_TYPES))
                        dtype = None
                    choices = self.strings(d, dpath, "choices", default=[])
                    if None not in (dkey, label, dtype):
                        details.append(Detail(dkey, label, dtype, choices))
                if key is not None and text is not None:
                    keys.append(key)
                    questions.append(Question(key, text, tuple(details), when or "是", check))
            if gname is not None:
                groups.append(QuestionGroup(gname, tuple(questions)))
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            self.problem("basic_data.groups[].questions[].key", "scheme.duplicate", actual=", ".join(dupes))
        return tuple(groups)
