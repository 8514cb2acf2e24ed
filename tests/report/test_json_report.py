"""The JSON report: exactly Report.to_dict, valid against docs/report-schema.json, strict."""

from __future__ import annotations

import copy
import json
import re

import pytest
from jsonschema import Draft202012Validator

from perfxl.i18n import Message
from perfxl.report.json_report import render_json
from perfxl.validator.catalog import RULES
from perfxl.validator.model import FileResult, Finding, ProjectScore, Report

from .conftest import ROOT, SCRIPT

SCHEMA_PATH = ROOT / "docs" / "report-schema.json"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(validator: Draft202012Validator, document: object) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_batch_report_is_valid_json_of_to_dict(batch, validator, lang):
    body = render_json(batch.report, lang)
    assert body.endswith("}\n")
    document = json.loads(body)
    assert document == json.loads(json.dumps(batch.report.to_dict(lang)))
    assert errors(validator, document) == []
    assert document["summary"] == {"files": 4, "passed": 1, "failed": 3,
                                   "errors": batch.report.errors, "warnings": 1}


def test_chinese_is_written_as_is_and_indented(batch):
    body = render_json(batch.report)
    assert "必填项“填报人”为空" in body
    assert "\\u" not in body
    assert body.startswith('{\n  "schema": "perfxl-report/2",\n')
    assert SCRIPT in body  # JSON needs no HTML escaping; consumers escape for their medium


def test_every_kind_of_entry_is_exercised(batch):
    """The batch covers what the schema describes: null department, batch, skipped, cells, files."""
    document = batch.report.to_dict()
    assert any(f["department"] is None for f in document["files"])
    assert any(f["department"] == {"code": "", "name": SCRIPT} for f in document["files"])
    assert [b["code"] for b in document["batch"]] == ["R04"]
    assert document["skipped"][0]["path"].endswith("说明.txt")
    assert any(p["score"] is not None for f in document["files"] for p in f["projects"])
    findings = [x for f in document["files"] for x in f["findings"]]
    findings += [c for x in findings for c in x["consequences"]]
    assert {"F01", "R03", "V01", "V02", "V05", "I01", "I02"} <= {x["code"] for x in findings}
    assert any(x["consequences"] for x in findings)  # one mistake, one finding: nested
    assert any(isinstance(x["expected"], float) for x in findings)


def test_non_finite_numbers_become_null(validator):
    result = FileResult("a.xlsx", department_code="1", department_name="x", year=2025, template_version="1",
                        total_score=float("nan"), grade=None, readable=True,
                        projects=[ProjectScore("项目1", "p", "n", float("inf"), None, None, None)])
    body = render_json(Report([result]))
    assert "NaN" not in body and "Infinity" not in body
    document = json.loads(body)
    assert document["files"][0]["total_score"] is None
    assert document["files"][0]["projects"][0]["budget"] is None
    assert errors(validator, document) == []


def test_schema_is_strict(batch, validator):
    good = json.loads(render_json(batch.report))
    finding = next(x for f in good["files"] for x in f["findings"] if x["cell"])

    def broken(change) -> dict:
        document = copy.deepcopy(good)
        change(document)
        return document

    cases = {
        "schema version": lambda d: d.update(schema="perfxl-report/3"),
        "extra key": lambda d: d.update(generated="today"),
        "summary key missing": lambda d: d["summary"].pop("warnings"),
        "file key missing": lambda d: d["files"][0].pop("valid"),
        "extra file key": lambda d: d["files"][0].update(score=1),
        "bad code": lambda d: d["files"][1]["findings"][0].update(code="X01"),
        "bad severity": lambda d: d["files"][1]["findings"][0].update(severity="fatal"),
        "bad cell": lambda d: d["files"][1]["findings"][-1].update(cell="not a cell"),
        "department without name": lambda d: d["files"][0].update(department={"code": "1"}),
        "negative count": lambda d: d["summary"].update(errors=-1),
        "object as value": lambda d: d["batch"][0].update(actual={"a": 1}),
    }
    assert finding["cell"]
    for name, change in cases.items():
        assert errors(validator, broken(change)), name


def test_catalog_fits_the_schema(validator):
    """Every rule code and slug the validator can emit passes the schema's patterns."""
    schema = validator.schema["$defs"]["finding"]["properties"]
    code = re.compile(schema["code"]["pattern"])
    slug = re.compile(schema["slug"]["pattern"])
    for rule in RULES.values():
        assert code.fullmatch(rule.code) and slug.fullmatch(rule.slug), rule.code
        finding = Finding(rule.code, Message("summary.total"))
        assert errors(validator, {"schema": "perfxl-report/2", "batch": [finding.to_dict()], "files": [],
                                  "skipped": [], "summary": {"files": 0, "passed": 0, "failed": 0, "errors": 0,
                                                             "warnings": 0}}) == []


def test_documented_example_is_valid(validator):
    """The example in docs/report-format.md stays a valid, self-consistent document."""
    text = (ROOT / "docs" / "report-format.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", text, re.S)
    assert len(blocks) == 1
    document = json.loads(blocks[0])
    assert errors(validator, document) == []
    files = document["files"]
    summary = document["summary"]
    assert summary["files"] == len(files)
    assert summary["passed"] == sum(f["valid"] for f in files)
    everything = [x for f in files for x in f["findings"]] + document["batch"]
    assert summary["errors"] == sum(x["severity"] == "error" for x in everything)
    assert summary["warnings"] == sum(x["severity"] == "warning" for x in everything)
    for x in everything:
        assert RULES[x["code"]].slug == x["slug"] and RULES[x["code"]].severity == x["severity"]

