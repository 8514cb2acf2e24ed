"""The bundled sample batch (examples/returned, made by examples/make_returned.py) keeps
reading as the docs and `make demo` describe it: three clean files, three with mistakes."""

from __future__ import annotations

from pathlib import Path

from perfxl import validate
from perfxl.roster.reader import read_roster

ROOT = Path(__file__).resolve().parents[2]
RETURNED = ROOT / "examples" / "returned"


def test_sample_batch_reads_as_documented() -> None:
    report = validate([RETURNED], roster=read_roster([ROOT / "examples" / "roster.xlsx"]), year=2025)
    by_name = {Path(f.path).name: f for f in report.files}
    clean = [f for f in report.files if not f.findings]
    assert len(report.files) == 6 and len(clean) == 3
    assert all(f.total_score is not None and f.grade for f in clean)
    # One mistake, one finding: each root with the findings its mistake implies under it.
    tree = {name: sorted((x.code, tuple(c.code for c in x.consequences)) for x in f.findings)
            for name, f in by_name.items()}
    assert tree["2025_101003_承德高新技术产业开发区行政审批局_绩效自评表.xlsx"] == [
        ("B04", ()), ("F09", ()), ("S02", ("I05",)), ("S04", ()), ("V02", ()), ("V05", ("V02",))]
    assert tree["2025_101004_衡山县行政审批服务局_绩效自评表.xlsx"] == [
        ("I01", ("I02",)), ("S02", ("B05",)), ("S04", ()), ("T05", ()), ("V01", ())]
    # the typed-over score (S02 + I05) is not also told to "write a reason" (I04): the rule gives full marks
    assert "I04" not in {x.code for f in report.files for x in f.all_findings()}
    assert report.errors == 12 and report.warnings == 2
    assert [Path(p).name[:2] for p, _ in report.skipped] == ["~$"]
    assert report.batch == [] and not report.ok


def test_second_wave_reads_as_documented() -> None:
    """examples/resubmitted, the demo season's second wave: 承德 fixed all, 衡山 one error left."""
    report = validate([ROOT / "examples" / "resubmitted"], roster=read_roster([ROOT / "examples" / "roster.xlsx"]),
                      year=2025)
    found = {f.department_code: [x.code for x in f.findings] for f in report.files}
    assert found == {"101003": [], "101004": ["V01"]}
