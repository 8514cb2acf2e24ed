"""The scheme loader: the bundled schemes load, and every bad scheme is refused with a message
that names the file, the key path and the problem, in Chinese and in English."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfxl.errors import SchemeError
from perfxl.scheme import available_schemes, load_scheme, parse_scheme, resolve, schemes_dir
from perfxl.scheme.loader import scheme_from_json

NATIONAL_PATH = schemes_dir() / "national.toml"
NATIONAL = NATIONAL_PATH.read_text(encoding="utf-8")
SOURCE = "bad.toml"


def edit(*pairs: str, text: str = NATIONAL) -> str:
    """Replace each `old` by `new` in the national scheme; `old` must occur exactly once."""
    assert len(pairs) % 2 == 0
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def rejected(text: str | bytes) -> SchemeError:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(SchemeError) as info:
        parse_scheme(raw, source=SOURCE)
    return info.value


def rows(level) -> int:
    return sum(c.rows for c in level.categories)


# --- the bundled schemes -----------------------------------------------------------------

def test_bundled_schemes_are_listed():
    names = [p.stem for p in available_schemes()]
    assert "national" in names and "province-example" in names


def test_national_scheme_numbers():
    s = load_scheme("national")
    assert s.name == "national"
    assert s.source == "national.toml"
    assert [(lv.name, lv.weight) for lv in s.levels] == [("产出指标", 50), ("效益指标", 30), ("满意度指标", 10)]
    assert s.execution.weight == 10
    assert s.total_weight == 100
    assert s.execution.method == "linear"
    assert s.execution.full_rate == 1.0
    assert s.execution.reason_below == 0.9
    assert s.execution.steps == ()
    assert s.reverse_method == "linear"
    assert s.overshoot == 1.2
    assert [(g.name, g.min) for g in s.grades] == [("优", 90), ("良", 80), ("中", 60), ("差", 0)]
    assert [(q.min, q.max) for q in s.qualitative] == [(0.8, 1.0), (0.6, 0.8), (0.0, 0.6)]  # highest first
    assert sum(rows(lv) for lv in s.levels) == 29
    satisfaction = s.level("满意度指标")
    assert satisfaction.optional and satisfaction.fallback == "产出指标"
    assert [c.name for c in s.level("产出指标").categories if c.money_only] == ["成本指标"]
    assert s.money_units == ("万元", "元")
    assert "%" in s.units and "万元" in s.units
    assert s.unit_magnitude_factor == 100
    assert len(s.content_hash) == 16
    with pytest.raises(KeyError):
        s.level("没有这个一级")


def test_province_example_numbers():
    s = load_scheme("province-example")
    assert s.reverse_method == "ratio"
    assert s.overshoot == 1.3
    assert s.execution.method == "steps"
    assert [(st.min_rate, st.score) for st in s.execution.steps] == [
        (1.0, 10), (0.95, 9), (0.9, 8), (0.8, 6), (0.6, 3)]
    assert s.execution.reason_below == 0.85
    assert [lv.weight for lv in s.levels] == [40, 40, 10]
    assert s.total_weight == 100
    assert [(g.name, g.min) for g in s.grades] == [("优", 90), ("良", 75), ("中", 60), ("差", 0)]
    assert s.qualitative[0].min == 0.85
    assert sum(rows(lv) for lv in s.levels) == 29
    assert s.content_hash != load_scheme("national").content_hash


def test_load_scheme_default_is_national():
    assert load_scheme() == load_scheme("national")


# --- rejected schemes ---------------------------------------------------------------------

BAD = {
    "weights-not-100": (
        edit("weight = 50\n", "weight = 55\n"),
        "levels[].weight", "之和应为 100，实际为 105", "must add up to 100, found 105"),
    "bands-overlap": (
        edit('max = 0.8\n', 'max = 0.85\n'),
        "qualitative", "互不重叠", "without gaps or overlaps"),
    "bands-gap": (
        edit('max = 0.6\n', 'max = 0.5\n'),
        "qualitative", "首尾相接", "without gaps"),
    "bands-not-from-0": (
        edit('min = 0.0\n', 'min = 0.1\n'),
        "qualitative", "从 0 到 1", "cover 0 to 1"),
    "grades-not-descending": (
        edit("min = 80\n", "min = 95\n"),
        "grades", "从高到低", "descending min"),
    "grades-last-not-0": (
        edit('name = "差"\nmin = 0\n', 'name = "差"\nmin = 10\n'),
        "grades", "最后一档 min = 0", "the last with min = 0"),
    "grades-duplicate-name": (
        edit('name = "良"\n', 'name = "优"\n'),
        "grades", "互不重复", "without repeats"),
    "execution-method": (
        edit('method = "linear"\nfull_rate', 'method = "stepped"\nfull_rate'),
        "execution.method", "未知的方法 'stepped'，可选：linear, steps", "unknown method 'stepped'; allowed: linear, steps"),
    "reverse-method": (
        edit('reverse_method = "linear"', 'reverse_method = "log"'),
        "indicators.reverse_method", "未知的方法 'log'，可选：linear, ratio", "unknown method 'log'; allowed: linear, ratio"),
    "unknown-key": (
        edit("weight = 30\n", "wieght = 30\n"),
        "levels[1].wieght", "未知的键", "unknown key"),
    "unknown-top-key": (
        edit("[checks]\n", "[chekcs]\n"),
        "chekcs", "未知的键", "unknown key"),
    "missing-key": (
        edit('name = "national"\n', ""),
        "scheme.name", "缺少必填项", "required key is missing"),
    "missing-table": (
        edit("[execution]\nweight = 10\n", "[execution_]\nweight = 10\n"),
        "execution", "缺少必填项", "required key is missing"),
    "string-weight": (
        edit("[execution]\nweight = 10\n", '[execution]\nweight = "10"\n'),
        "execution.weight", "应为数字", "expected 数字 / number, found '10'"),
    "weight-out-of-range": (
        edit("[execution]\nweight = 10\n", "[execution]\nweight = -10\n"),
        "execution.weight", "应在 0 到 100 之间", "must be between 0 and 100"),
    "rows-not-int": (
        edit('rows = 5 }', 'rows = 5.5 }'),
        "levels[0].categories[0].rows", "整数", "integer"),
    "overshoot-below-1": (
        edit("overshoot = 1.2\n", "overshoot = 0.9\n"),
        "indicators.overshoot", "之间", "between"),
    "duplicate-level": (
        edit('name = "效益指标"', 'name = "产出指标"', "weight = 30\n", "weight = 30\n"),
        "levels[].name", "名称重复：产出指标", "duplicate name: 产出指标"),
    "duplicate-category": (
        edit('name = "社会效益指标"', 'name = "经济效益指标"'),
        "levels[].categories[].name", "名称重复：经济效益指标", "duplicate name: 经济效益指标"),
    "duplicate-qualitative": (
        edit('name = "部分达成年度指标并具有一定效果"', 'name = "达成年度指标"'),
        "qualitative[].name", "名称重复", "duplicate name"),
    "duplicate-unit": (
        edit('"%", "万元",', '"%", "%",'),
        "indicators.units", "名称重复：%", "duplicate name: %"),
    "fallback-missing-level": (
        edit('fallback = "产出指标"', 'fallback = "产出"'),
        "levels[2].fallback", "非可选的一级指标，实际为 '产出'", "non-optional level, found '产出'"),
    "fallback-optional-level": (
        edit("weight = 50\n", "weight = 50\noptional = true\n"),
        "levels[2].fallback", "非可选的一级指标", "non-optional level"),
    "fallback-itself": (
        edit('fallback = "产出指标"', 'fallback = "满意度指标"'),
        "levels[2].fallback", "非可选的一级指标", "non-optional level"),
    "fallback-on-required-level": (
        edit("weight = 30\n", 'weight = 30\nfallback = "产出指标"\n'),
        "levels[1].fallback", "非可选的一级指标", "non-optional level"),
    "steps-without-steps": (
        edit('method = "linear"\nfull_rate', 'method = "steps"\nfull_rate'),
        "execution.steps", '需要 steps 列表', "needs a steps list"),
    "steps-not-descending": (
        edit('method = "linear"\nfull_rate',
             'method = "steps"\nsteps = [{ min_rate = 0.8, score = 6 }, { min_rate = 1.0, score = 10 }]\nfull_rate'),
        "execution.steps", "从高到低", "descending min_rate"),
    "steps-over-weight": (
        edit('method = "linear"\nfull_rate',
             'method = "steps"\nsteps = [{ min_rate = 1.0, score = 12 }, { min_rate = 0.8, score = 6 }]\nfull_rate'),
        "execution.steps", "得分不超过权重", "scores within the weight"),
    "empty-categories": (
        edit('categories = [\n    { name = "服务对象满意度指标", name_en = "Beneficiary satisfaction", rows = 3 },\n]',
             "categories = []"),
        "levels[2].categories", "不能为空", "must not be empty"),
    "detail-type": (
        edit('type = "amount" }], detail_when = "是" },\n    { key = "surplus"',
             'type = "money" }], detail_when = "是" },\n    { key = "surplus"'),
        "basic_data.groups[4].questions[0].detail[0].type", "未知的方法 'money'", "unknown method 'money'"),
    "rate-bands-not-descending": (
        edit("rate_bands = [1.0, 0.9, 0.8, 0.6]", "rate_bands = [0.8, 0.9, 0.6]"),
        "consolidation.rate_bands", "从高到低排列", "from the highest down"),
    "rate-bands-repeated": (
        edit("rate_bands = [1.0, 0.9, 0.8, 0.6]", "rate_bands = [1.0, 0.9, 0.9]"),
        "consolidation.rate_bands", "互不重复", "without repeats"),
    "rate-band-text": (
        edit("rate_bands = [1.0, 0.9, 0.8, 0.6]", 'rate_bands = [1.0, "90%"]'),
        "consolidation.rate_bands[1]", "应为数字", "expected 数字 / number, found '90%'"),
    "rate-band-zero": (
        edit("rate_bands = [1.0, 0.9, 0.8, 0.6]", "rate_bands = [1.0, 0]"),
        "consolidation.rate_bands[1]", "应大于 0", "must be greater than 0"),
    "rate-band-too-high": (
        edit("rate_bands = [1.0, 0.9, 0.8, 0.6]", "rate_bands = [100, 0.9]"),
        "consolidation.rate_bands[0]", "应在 0 到 10 之间，实际为 100", "must be between 0 and 10, found 100"),
    "rate-bands-empty": (
        edit("rate_bands = [1.0, 0.9, 0.8, 0.6]", "rate_bands = []"),
        "consolidation.rate_bands", "不能为空", "must not be empty"),
    "rate-bands-not-a-list": (
        edit("rate_bands = [1.0, 0.9, 0.8, 0.6]", "rate_bands = 0.9"),
        "consolidation.rate_bands", "应为列表", "expected 列表 / list"),
    "rectify-unknown-grade": (
        edit('rectify_grades = ["中", "差"]', 'rectify_grades = ["中", "较差"]'),
        "consolidation.rectify_grades[1]", "不是本方案的等级：'较差'，本方案的等级：优, 良, 中, 差",
        "not a grade of this scheme: '较差'; its grades: 优, 良, 中, 差"),
    "consolidation-unknown-key": (
        edit("rate_bands = [", "rate_band = ["),
        "consolidation.rate_band", "未知的键", "unknown key"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scheme_message_names_file_path_and_problem(case):
    text, path, zh, en = BAD[case]
    err = rejected(text)
    for lang, fragment in (("zh", zh), ("en", en)):
        rendered = err.render(lang)
        assert SOURCE in rendered, rendered
        assert path in rendered, rendered
        assert fragment in rendered, rendered
    # the exception's own str() is the English rendering (what a traceback would show)
    assert path in str(err)


def test_the_edits_only_break_what_they_mean_to():
    """The unedited text loads, so each BAD case fails for its own reason."""
    assert parse_scheme(NATIONAL.encode(), source=SOURCE).name == "national"


def test_unknown_key_also_reports_the_missing_one():
    err = rejected(edit("weight = 30\n", "wieght = 30\n"))
    rendered = err.render("en")
    assert "levels[1].wieght: unknown key" in rendered
    assert "levels[1].weight: required key is missing" in rendered


def test_invalid_toml():
    err = rejected(edit("weight = 50\n", "weight = = 50\n"))
    for lang, phrase in (("zh", "不是有效的 TOML"), ("en", "not valid TOML")):
        rendered = err.render(lang)
        assert SOURCE in rendered and phrase in rendered
        assert "line 25" in rendered  # TOML syntax errors are located by line, there is no key path yet


def test_non_utf8_bytes():
    raw = NATIONAL.encode("utf-8").replace("全国通用".encode("utf-8"), "全国通用".encode("gbk"))
    err = rejected(raw)
    for lang, phrase in (("zh", "无法读取方案文件"), ("en", "Cannot read the scheme file")):
        rendered = err.render(lang)
        assert SOURCE in rendered and phrase in rendered and "utf-8" in rendered


def test_utf8_bom_is_accepted():
    assert parse_scheme(b"\xef\xbb\xbf" + NATIONAL.encode("utf-8")).name == "national"


def test_several_problems_are_all_reported():
    text = edit(
        "weight = 50\n", "weight = 55\n",
        'reverse_method = "linear"', 'reverse_method = "log"',
        'max = 0.6\n', 'max = 0.5\n',
        "min = 80\n", "min = 95\n",
        "weight = 30\n", "wieght = 30\n",
        'name = "服务对象满意度指标"', 'name = "数量指标"',
    )
    err = rejected(text)
    for lang, header in (("zh", "评分方案有误："), ("en", "The scheme is not valid:")):
        rendered = err.render(lang)
        assert rendered.splitlines()[0] == header
        for path in ("indicators.reverse_method", "qualitative", "grades", "levels[1].wieght",
                     "levels[1].weight", "levels[].categories[].name", "levels[].weight"):
            assert f"{SOURCE}{'：' if lang == 'zh' else ': '}{path}" in rendered, (path, rendered)
    assert len(err.messages) >= 7


def test_wrong_typed_weight_does_not_blame_the_fallback():
    err = rejected(edit("weight = 50\n", 'weight = "50"\n'))
    rendered = err.render("en")
    assert "levels[0].weight: expected 数字 / number, found '50'" in rendered
    assert "fallback" not in rendered, rendered


def test_fallback_problem_names_its_own_index_after_a_dropped_level():
    err = rejected(edit("weight = 30\n", 'weight = "30"\n', 'fallback = "产出指标"', 'fallback = "产出"'))
    rendered = err.render("en")
    assert "levels[1].weight: expected" in rendered
    assert "levels[2].fallback: fallback must name" in rendered, rendered


# --- resolve / load_scheme -----------------------------------------------------------------

@pytest.mark.parametrize("name", ["nationl", "./no-such-scheme.toml", "no/such/dir"])
def test_unknown_scheme_lists_the_available_ones(name):
    with pytest.raises(SchemeError) as info:
        load_scheme(name)
    zh, en = info.value.render("zh"), info.value.render("en")
    assert f"找不到评分方案“{name}”" in zh and "national, province-example" in zh
    assert f"Scheme '{name}' not found" in en and "Available: national, province-example" in en


def test_resolve_by_name_and_by_path():
    assert resolve("national") == NATIONAL_PATH
    assert resolve(str(NATIONAL_PATH)) == NATIONAL_PATH


def test_load_scheme_from_a_path(tmp_path: Path):
    target = tmp_path / "mine.toml"
    target.write_text(edit('name = "national"', 'name = "mine"'), encoding="utf-8")
    s = load_scheme(str(target))
    assert s.name == "mine" and s.source == "mine.toml"
    assert s.total_weight == 100


def test_load_scheme_from_a_bad_path_names_the_file(tmp_path: Path):
    target = tmp_path / "broken.toml"
    target.write_text(edit("weight = 50\n", "weight = 55\n"), encoding="utf-8")
    with pytest.raises(SchemeError) as info:
        load_scheme(str(target))
    assert "broken.toml: levels[].weight" in info.value.render("en")


def test_content_hash_ignores_comments_and_spacing():
    base = parse_scheme(NATIONAL).content_hash
    no_comments = "\n".join(line for line in NATIONAL.splitlines() if not line.lstrip().startswith("#"))
    spaced = no_comments.replace(" = ", "   =   ").replace("\n[", "\n\n\n[") + "\n# trailing comment\n"
    assert parse_scheme(spaced).content_hash == base
    assert parse_scheme(edit("weight = 50\n", "weight = 50   # 产出\n")).content_hash == base


@pytest.mark.parametrize("old, new", [
    ("overshoot = 1.2\n", "overshoot = 1.25\n"),
    ("min = 80\n", "min = 81\n"),
    ("reason_below = 0.90\n", "reason_below = 0.80\n"),
    ("unit_magnitude_factor = 100\n", "unit_magnitude_factor = 50\n"),
    ("rows = 5 }", "rows = 6 }"),
])
def test_content_hash_changes_with_a_number(old, new):
    assert parse_scheme(edit(old, new)).content_hash != parse_scheme(NATIONAL).content_hash


# --- what Excel can hold ------------------------------------------------------------------

def test_a_unit_list_past_excels_255_characters_is_refused_naming_the_key():
    """xlsxwriter drops a list validation whose literal exceeds 255 characters (Excel refuses it)."""
    many = ", ".join(f'"单位{i:03d}"' for i in range(60))
    err = rejected(edit('units = ["%", ', f'units = [{many}, "%", '))
    for lang in ("zh", "en"):
        rendered = err.render(lang)
        assert "indicators.units" in rendered and "255" in rendered, rendered


def test_long_qualitative_level_names_are_refused_only_where_they_reach_a_list():
    long_name = "达成年度指标" + "且" * 240
    err = rejected(edit('name = "达成年度指标"', f'name = "{long_name}"'))
    assert "qualitative[].name" in err.render("en")


@pytest.mark.parametrize("path", available_schemes(), ids=lambda p: p.stem)
def test_every_bundled_scheme_fits_excels_validation_limits(path):
    """Custom validation formulas and list literals of both table kinds, blank and issued."""
    from perfxl.layout import build_layout

    scheme = load_scheme(str(path))
    for blank in (False, True):
        layout = build_layout(scheme, 2, blank)
        lengths = [len(v.source) for s in layout.sheets for v in s.validations if v.kind == "custom"]
        lengths += [len(",".join(layout.lists[v.source])) for s in layout.sheets for v in s.validations
                    if v.kind == "list" and v.source in layout.lists]
        assert lengths and max(lengths) <= 255, max(lengths)


# --- [consolidation]: the office's consolidated result, no part of any workbook -----------------

CIRCULATION = Path(__file__).resolve().parents[1] / "circulation" / "v1" / "generated"


def without_consolidation(text: str) -> str:
    start = text.index("[consolidation]\n")
    end = text.index("\n[", start + 1)
    return text[:start] + text[end + 1:]


def test_consolidation_settings_of_the_bundled_schemes():
    national, province = load_scheme("national").consolidation, load_scheme("province-example").consolidation
    assert national.rate_bands == (1.0, 0.9, 0.8, 0.6) and national.rectify_grades == ("中", "差")
    assert province.rate_bands == (1.0, 0.95, 0.85, 0.6) and province.rectify_grades == ("中", "差")


def test_a_scheme_without_the_table_is_the_same_scheme():
    """The table at its default changes nothing: equal Scheme, hash and recorded JSON."""
    with_table, without = parse_scheme(NATIONAL), parse_scheme(without_consolidation(NATIONAL))
    assert "[consolidation]" not in without_consolidation(NATIONAL)
    assert without == with_table
    assert without.content_hash == with_table.content_hash
    assert without.data_json == with_table.data_json
    assert '"consolidation"' not in with_table.data_json


def test_the_default_rectify_grades_are_the_lower_half_of_the_grades():
    plain = without_consolidation(NATIONAL)
    assert parse_scheme(plain).consolidation.rectify_grades == ("中", "差")
    three = edit('[[grades]]\nname = "中"\nmin = 60\n\n', "", text=plain)  # 优 / 良 / 差
    assert parse_scheme(three).consolidation.rectify_grades == ("差",)


def test_rectify_grades_keep_the_schemes_order_and_may_be_empty():
    assert parse_scheme(edit('rectify_grades = ["中", "差"]', 'rectify_grades = ["差", "良"]')
                        ).consolidation.rectify_grades == ("良", "差")
    assert parse_scheme(edit('rectify_grades = ["中", "差"]', "rectify_grades = []")).consolidation.rectify_grades == ()


def test_other_bands_change_the_record_but_not_the_hash():
    """No workbook depends on the bands: a mid-round change gives no workbook another scheme hash,
    and the recorded JSON carries them, so a scheme read back from it is the same scheme."""
    base = parse_scheme(NATIONAL)
    other = parse_scheme(edit("rate_bands = [1.0, 0.9, 0.8, 0.6]", "rate_bands = [1, 0.95, 0.5]"))
    assert other.consolidation.rate_bands == (1.0, 0.95, 0.5)
    assert other.content_hash == base.content_hash
    assert other != base and '"consolidation"' in other.data_json
    assert scheme_from_json(other.data_json, source="<scheme>") == other


@pytest.mark.parametrize("name", ["national", "province-example"])
def test_the_recorded_json_reads_back_as_the_same_scheme(name):
    scheme = load_scheme(name)
    again = scheme_from_json(scheme.data_json, source=scheme.source)
    assert again == scheme and again.content_hash == scheme.content_hash and again.data_json == scheme.data_json


@pytest.mark.parametrize("name", ["national", "province-example"])
def test_workbooks_issued_before_the_table_keep_their_scheme(name):
    """A file issued by an earlier release records no [consolidation]: its scheme loads, hashes
    as recorded, and is today's scheme with the default settings (for national, today's scheme)."""
    from dataclasses import replace

    from perfxl.reader.record import read_record
    from perfxl.reader.xlsx import read_book
    from perfxl.scheme.loader import _Checker

    path = next(CIRCULATION.glob(f"{name}_2_*.xlsx"))
    record = read_record(read_book(str(path)))
    assert record is not None and '"consolidation"' not in record.scheme_json
    recorded = scheme_from_json(record.scheme_json, source=f"{name}.toml")
    today = load_scheme(name)
    assert recorded.content_hash == record.get("scheme_hash") == today.content_hash
    assert recorded == replace(today, consolidation=_Checker.default_consolidation(today.grades))
    if name == "national":
        assert recorded == today and recorded.data_json == today.data_json
