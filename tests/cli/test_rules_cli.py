"""`perfxl rules` lists the validator's catalog, and docs/rules.md is exactly its markdown output."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from perfxl.cli import cli
from perfxl.cli.rules import GROUPS
from perfxl.validator.catalog import RULES

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_json_lists_every_rule() -> None:
    result = run("rules", "--format", "json", "--lang", "en")
    assert result.exit_code == 0
    rules = json.loads(result.stdout)
    assert [r["code"] for r in rules] == list(RULES)
    f01 = rules[0]
    assert f01 == {"code": "F01", "slug": "unreadable-file", "severity": "error", "group": "F",
                   "group_title": "the file", "title": "Unreadable file",
                   "description": "Not a zip/xlsx file, or truncated or damaged."}
    assert json.loads(run("rules", "--format", "json").stdout)[0]["title"] == "文件无法读取"


def test_text_lists_every_rule_in_chinese_by_default() -> None:
    result = run("rules")
    assert result.exit_code == 0
    for code, rule in RULES.items():
        assert f"  {code}  " in result.output and rule.title[0] in result.output
    assert "I09  警告  duplicate-indicator" in result.output
    assert f"共 {len(RULES)} 条规则" in result.output
    assert "Duplicate indicator" in run("rules", "--lang", "en").output


def test_every_rule_belongs_to_a_group() -> None:
    assert {r.group for r in RULES.values()} <= set(GROUPS)


def test_docs_rules_md_is_generated() -> None:
    expected = run("rules", "--format", "markdown").output
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == expected, "docs/rules.md is stale; run: python -m perfxl rules --format markdown > docs/rules.md"
    for code, rule in RULES.items():
        assert f"| {code} | `{rule.slug}` |" in committed and rule.title[1] in committed


def test_help_has_examples() -> None:
    result = run("rules", "--help")
    assert result.exit_code == 0 and "示例" in result.output and "Example" in result.output
