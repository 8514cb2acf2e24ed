"""Every rule fails its fixtures and the clean fixtures stay clean (tests/fixtures/expected.json).

The fixture workbooks are committed (rebuilt by `python tests/fixtures/build.py`): some
were saved by LibreOffice or openpyxl, but validating them needs neither.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from perfxl.roster import read_roster
from perfxl.roster.model import Roster
from perfxl.validator.catalog import RULES
from perfxl.validator.context import Options
from perfxl.validator.engine import check_file, validate
from perfxl.validator.model import Finding, Report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DOCUMENT = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
FILES: list[dict[str, Any]] = DOCUMENT["files"]
BATCHES: dict[str, dict[str, Any]] = {b["name"]: b for b in DOCUMENT["batches"]}


@functools.cache
def roster(name: str) -> Roster:
    return read_roster(FIXTURES / name)


def _roster(entry: dict[str, Any]) -> Roster | None:
    return roster(entry["roster"]) if entry["roster"] else None


@functools.cache
def batch_report(name: str) -> Report:
    """Files of one batch validated together, as `perfxl validate` does for a folder."""
    batch = BATCHES[name]
    members = [str(FIXTURES / e["file"]) for e in FILES if e["batch"] == name]
    return validate(members, roster=_roster(batch), year=batch["year"])


def findings_of(entry: dict[str, Any]) -> list[Finding]:
    if entry["batch"]:
        report = batch_report(entry["batch"])
        return next(r for r in report.files if Path(r.path) == FIXTURES / entry["file"]).all_findings()
    return check_file(str(FIXTURES / entry["file"]), Options(entry["year"], _roster(entry))).all_findings()


def shown(findings: list[Finding]) -> str:
    return "\n".join(f"  {f.code} {f.severity} {f.sheet}!{f.cell}: {f.text()}" for f in findings) or "  (none)"


def assert_matches(findings: list[Finding], expect: list[dict[str, Any]], allow: list[str]) -> None:
    """Every expected finding is there (code, severity, sheet, cell); nothing else but allowed codes."""
    got = {(f.code, f.severity, f.sheet, f.cell) for f in findings}
    missing = [e for e in expect if (e["code"], e["severity"], e["sheet"], e["cell"]) not in got]
    allowed = {e["code"] for e in expect} | set(allow)
    unexpected = [f for f in findings if f.code not in allowed]
    assert not missing and not unexpected, (
        f"missing {missing}\nunexpected:\n{shown(unexpected)}\nall findings:\n{shown(findings)}")


def _id(entry: dict[str, Any]) -> str:
    return entry["file"].removeprefix("should_")


@pytest.mark.parametrize("entry", [e for e in FILES if e["kind"] == "pass"], ids=_id)
def test_clean_fixture_has_no_finding(entry: dict[str, Any]) -> None:
    findings = findings_of(entry)
    assert findings == [], f"{entry['note']}:\n{shown(findings)}"


@pytest.mark.parametrize("entry", [e for e in FILES if e["kind"] == "fail"], ids=_id)
def test_failing_fixture_shows_its_findings(entry: dict[str, Any]) -> None:
    assert_matches(findings_of(entry), entry["expect"], entry["allow"])


@pytest.mark.parametrize("entry", [e for e in FILES if e.get("tree")], ids=_id)
def test_one_mistake_is_one_finding(entry: dict[str, Any]) -> None:
    """RULES.md "One mistake, one finding": the root carries exactly the consequences listed."""
    if entry["batch"]:
        report = batch_report(entry["batch"])
        roots = next(r for r in report.files if Path(r.path) == FIXTURES / entry["file"]).findings
    else:
        roots = check_file(str(FIXTURES / entry["file"]), Options(entry["year"], _roster(entry))).findings
    got = [[f.code, f.sheet, f.cell, [[c.code, c.sheet, c.cell] for c in f.consequences]] for f in roots]
    for want in entry["tree"]:
        assert want in got, f"{want}\nnot among\n{got}"


@pytest.mark.parametrize("name", sorted(BATCHES))
def test_batch_findings(name: str) -> None:
    batch = BATCHES[name]
    findings = batch_report(name).batch
    assert_matches(findings, batch["expect"], batch["allow"])
    if not batch["expect"]:
        assert findings == []


def test_every_rule_has_a_failing_fixture() -> None:
    """RULES.md: every code has at least one failing example, in the folder named after it."""
    shown_codes = {e["code"] for entry in FILES for e in entry["expect"]}
    shown_codes |= {e["code"] for b in BATCHES.values() for e in b["expect"]}
    assert sorted(set(RULES) - shown_codes) == []
    folders = {entry["file"].split("/")[1] for entry in FILES if entry["kind"] == "fail"}
    assert folders == set(RULES)
    for entry in FILES:
        if entry["kind"] == "fail" and entry["expect"]:
            assert entry["file"].split("/")[1] in {e["code"] for e in entry["expect"]}, entry["file"]


def test_every_fixture_file_is_listed() -> None:
    """No stray fixture: whatever lies in should_pass/ and should_fail/ is checked above."""
    on_disk = {p.relative_to(FIXTURES).as_posix() for folder in ("should_pass", "should_fail")
               for p in (FIXTURES / folder).rglob("*") if p.is_file()}
    assert on_disk == {e["file"] for e in FILES}


def test_expected_severities_follow_the_catalog() -> None:
    """expected.json's severities come from RULES.md; the validator's catalog must agree."""
    for entry in [*FILES, *BATCHES.values()]:
        for e in entry["expect"]:
            assert RULES[e["code"]].severity == e["severity"], (entry.get("file") or entry["name"], e)
