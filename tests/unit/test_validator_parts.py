"""Small parts of the validator: number guessing (V02), display formats, rule selection."""

from __future__ import annotations

import pytest

from perfxl.i18n import CATALOG
from perfxl.validator import fmt
from perfxl.validator.catalog import ERROR, MESSAGES, RULES, WARNING, select
from perfxl.validator.values import looks_like


@pytest.mark.parametrize("text, number, shown, suffix", [
    ("98 分", 98.0, "98", "分"),
    ("1192819.16 元", 1192819.16, "1192819.16", "元"),
    ("97.5%", 0.975, "97.5%", ""),
    ("１２３．５", 123.5, "123.5", ""),        # full-width digits and point
    ("1,227.14", 1227.14, "1227.14", ""),
    (" 20万份 ", 20.0, "20", "万份"),
    ("-3", -3.0, "-3", ""),
])
def test_looks_like(text: str, number: float, shown: str, suffix: str) -> None:
    guess = looks_like(text)
    assert guess is not None
    assert guess[0] == pytest.approx(number) and guess[1] == shown and guess[2] == suffix


@pytest.mark.parametrize("text", ["良好", "", "约", "%"])
def test_looks_like_refuses_words(text: str) -> None:
    assert looks_like(text) is None


def test_formats_read_as_the_form_shows_them() -> None:
    assert fmt.rate(0.11) == "11.00%" and fmt.rate(7.279 / 66.15) == "11.00%"
    assert fmt.amount(7.279) == "7.28" and fmt.amount(1192819.16) == "1192819.16"
    assert fmt.score(10.0) == "10" and fmt.score(11.5) == "11.5" and fmt.score(-0.001) == "0"
    assert fmt.show(None) == "（空）" and fmt.show(2025.0) == "2025" and fmt.show("x") == "x"


def test_every_rule_has_a_slug_severity_and_both_languages() -> None:
    assert len(RULES) == 52  # F9 S5 V7 B6 I11 T5 D5 R4, as RULES.md lists them (R05 and A come with issue 12)
    for code, rule in RULES.items():
        assert rule.code == code and rule.severity in (ERROR, WARNING)
        assert rule.slug == rule.slug.lower() and " " not in rule.slug
        assert all(rule.title) and all(rule.description)
    assert {r.code for r in RULES.values() if r.severity == WARNING} == {"F04", "S04", "I07", "I09", "I11", "D04",
                                                                          "R04"}


def test_every_rule_has_a_message_and_every_message_a_rule() -> None:
    keys = {k for k in MESSAGES if k.startswith("rule.")}
    assert {k.split(".")[1] for k in keys} == set(RULES)
    for key in keys:
        assert key in CATALOG


def test_select_and_ignore_take_codes_and_prefixes() -> None:
    assert select(None, ("B",), ()) == {"B01", "B02", "B03", "B04", "B05", "B06"}
    assert select(None, ("I0", "T05"), ("I09",)) == {f"I0{i}" for i in range(1, 9)} | {"T05"}
    assert "I09" not in select(None, (), ("I09",)) and len(select(None, (), ("I09",))) == len(RULES) - 1
