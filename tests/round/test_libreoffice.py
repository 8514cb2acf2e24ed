"""The round's outputs through LibreOffice, the client the office may well open them with: the
consolidated workbook saved again by LibreOffice keeps its three charts and the engine's
figures, and the Word report converts to a PDF that says what it should."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from perfxl.round.report_docx import write_report
from perfxl.round.stats import compute
from perfxl.round.workbook import write_consolidation

from .conftest import Round

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
TOLERANCE = 1e-9  # LibreOffice keeps 15 significant digits


def plotted(path: Path) -> list[list[tuple[str, str]]]:
    """Each chart's series as (categories, values) references, sheet names unquoted."""
    def ref(series: etree._Element, part: str) -> str:
        return series.find(f"{C}{part}//{C}f").text.replace("'", "")

    with zipfile.ZipFile(path) as zf:
        charts = [etree.fromstring(zf.read(n)) for n in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    return [[(ref(ser, "cat"), ref(ser, "val")) for ser in chart.iter(f"{C}ser")] for chart in charts]


@pytest.mark.libreoffice
def test_libreoffice_keeps_the_charts_and_the_figures(round_: Round, tmp_path: Path) -> None:
    from tests.clients.libreoffice import recalculate

    book = write_consolidation(round_.consolidation, tmp_path / "in" / "round.xlsx")
    saved = recalculate([book], tmp_path / "out", jobs=1)[book.resolve()]
    assert len(plotted(saved)) == 3
    assert sorted(plotted(saved)) == sorted(plotted(book))  # the same ranges of the overview

    s = compute(round_.consolidation)
    wb = openpyxl.load_workbook(saved, data_only=True)
    got = [[c.value for c in row] for row in wb["项目明细"].iter_rows(min_row=3)]
    assert len(got) == len(s.projects)
    for row, p in zip(got, s.projects):
        assert row[:4] == [p.entry.code, p.entry.name, p.project.code, p.project.name]
        for value, expected in zip(row[4:8], (p.project.budget, p.project.executed, p.project.rate, p.project.score)):
            assert value == pytest.approx(expected, rel=TOLERANCE, abs=0.005), (p.project.code, value, expected)
        assert row[8] == p.project.grade
    departments = {row[0]: row for row in ([c.value for c in r] for r in wb["部门汇总"].iter_rows(min_row=3))}
    for d in s.departments:
        row = departments[d.entry.code]
        if d.table is None:
            assert row[7] in (None, "") and row[10] in (None, "")
        else:
            assert row[10] == pytest.approx(d.table.score, rel=TOLERANCE)
            assert row[7] == pytest.approx(d.table.budget, abs=0.005)


def _pdftotext() -> str:
    found = shutil.which("pdftotext")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but pdftotext is not on PATH: install poppler-utils", pytrace=False)
        pytest.skip("pdftotext not found: install poppler-utils")
    return found


@pytest.mark.libreoffice
def test_the_report_converts_to_pdf(round_: Round, lo_scratch: Path) -> None:
    from tests.clients.libreoffice import make_profile, scratch_env, soffice_path

    pdftotext = _pdftotext()
    scratch = Path(tempfile.mkdtemp(dir=lo_scratch))
    source, converted = scratch / "in", scratch / "out"  # never convert into the input's own folder
    report = write_report(round_.consolidation, source / "自评情况报告.docx")
    done = subprocess.run([soffice_path() or "soffice", f"-env:UserInstallation={make_profile(scratch / 'profile')}",
                           "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(converted), str(report)],
                          env=scratch_env(scratch), capture_output=True, timeout=180)
    pdf = converted / "自评情况报告.pdf"
    # soffice exits 0 even when it wrote nothing; without Writer it cannot open a .docx at all.
    assert pdf.is_file(), f"no PDF (is libreoffice-writer-nogui installed?): {done.stdout[-300:]!r} {done.stderr[-300:]!r}"
    assert pdf.read_bytes().startswith(b"%PDF")
    words = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, timeout=60,
                           check=True).stdout.decode("utf-8")
    flat = re.sub(r"\s+", "", words)  # pdftotext breaks lines and spaces digits from CJK text
    assert "2025年度部门预算绩效自评情况报告" in flat
    assert "长沙市望城区行政审批服务局" in flat and "一、基本情况" in flat and "【请填写：" in flat
    shutil.rmtree(scratch, ignore_errors=True)
