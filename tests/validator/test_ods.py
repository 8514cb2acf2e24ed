""".ods is answered with F02 (另存为 .xlsx), not skipped, and its department counts as having answered.

LibreOffice saves in OpenDocument by default, so a department filling the workbook there
may well send an .ods. LibreOffice keeps the issued workbook's custom properties in
meta.xml, which tells the validator whose file it is.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import pytest

from perfxl.generate import department_workbook
from perfxl.roster import read_roster
from perfxl.scheme import load_scheme
from perfxl.validator.context import Options
from perfxl.validator.engine import check_file, collect, validate

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_ROSTER = ROOT / "tests" / "fixtures" / "roster"  # departments 101002 and 101004
YEAR = 2025
ODS = b"application/vnd.oasis.opendocument.spreadsheet"
META = """<?xml version="1.0" encoding="UTF-8"?>{doctype}
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<office:meta><dc:subject>{subject}</dc:subject>{props}</office:meta></office:document-meta>"""


def _odf(mimetype: bytes, props: dict[str, str] | None = None, subject: str = "隆回县行政审批服务局",
         doctype: str = "") -> bytes:
    """An OpenDocument zip as LibreOffice lays it out: mimetype first and stored, then meta.xml and content."""
    user = "".join(f'<meta:user-defined meta:name="{k}">{v}</meta:user-defined>' for k, v in (props or {}).items())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        zf.writestr("meta.xml", META.format(doctype=doctype, subject=subject, props=user),
                    compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", "<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", "<manifest/>", compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_ods_is_f02_with_its_department(tmp_path: Path) -> None:
    path = tmp_path / "自评表.ods"
    path.write_bytes(_odf(ODS, {"perfxl.department_code": "101002", "perfxl.year": "2025"}))
    result = check_file(str(path), Options(year=YEAR))
    assert [(f.code, f.message.key) for f in result.findings] == [("F02", "rule.F02.ods")]
    assert "另存为" in result.findings[0].text("zh") and ".xlsx" in result.findings[0].text("zh")
    assert "Save As" in result.findings[0].text("en")
    assert (result.department_code, result.department_name, result.year) == ("101002", "隆回县行政审批服务局", 2025)
    assert not result.readable


def test_ods_by_its_bytes_not_its_name(tmp_path: Path) -> None:
    """Renamed to .xlsx, or an .ots template: still an OpenDocument spreadsheet."""
    (tmp_path / "returned.xlsx").write_bytes(_odf(ODS))
    (tmp_path / "returned.ots").write_bytes(_odf(ODS + b"-template"))
    for name in ("returned.xlsx", "returned.ots"):
        result = check_file(str(tmp_path / name))
        assert [f.message.key for f in result.findings] == ["rule.F02.ods"], name
        assert result.department_code is None  # no perfxl properties: nobody is credited


@pytest.mark.parametrize("props, doctype", [
    ({"perfxl.department_code": "-"}, ""),                          # a blank template records no department
    ({"perfxl.department_code": "101002"}, '<!DOCTYPE x [<!ENTITY a "b">]>'),  # entities: meta.xml not read
])
def test_ods_identity_only_when_safe_and_real(tmp_path: Path, props: dict[str, str], doctype: str) -> None:
    path = tmp_path / "x.ods"
    path.write_bytes(_odf(ODS, props, doctype=doctype))
    result = check_file(str(path))
    assert [f.message.key for f in result.findings] == ["rule.F02.ods"]
    assert result.department_code is None and result.department_name is None


def test_other_opendocument_files_are_not_workbooks(tmp_path: Path) -> None:
    path = tmp_path / "说明.ods"
    path.write_bytes(_odf(b"application/vnd.oasis.opendocument.text"))
    assert [f.message.key for f in check_file(str(path)).findings] == ["rule.F01.not_workbook"]


def test_ods_in_a_folder_is_checked_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.ods").write_bytes(_odf(ODS))
    (tmp_path / "b.OTS").write_bytes(_odf(ODS + b"-template"))
    (tmp_path / "说明.txt").write_text("x", encoding="utf-8")
    files, skipped = collect([tmp_path])
    assert sorted(Path(f).name for f in files) == ["a.ods", "b.OTS"]
    assert [(Path(p).name, why) for p, why in skipped] == [("说明.txt", "not_workbook")]


@pytest.mark.libreoffice
def test_ods_saved_by_libreoffice_answers_the_roster(tmp_path: Path, lo_scratch: Path) -> None:
    """A real .ods (soffice --convert-to ods, in a scratch folder) is F02 and its department is not R04."""
    from tests.clients.libreoffice import make_profile, scratch_env, soffice_path

    roster = read_roster(FIXTURE_ROSTER)
    scratch = Path(tempfile.mkdtemp(dir=lo_scratch))
    source, converted = scratch / "in", scratch / "out"  # never convert into the input's own folder
    source.mkdir()
    xlsx = source / "2025_101002_隆回县行政审批服务局_绩效自评表.xlsx"
    xlsx.write_bytes(department_workbook(roster.department("101002"), YEAR, load_scheme("national"),
                                         date(2026, 1, 5)))
    done = subprocess.run([soffice_path() or "soffice", f"-env:UserInstallation={make_profile(scratch / 'profile')}",
                           "--headless", "--norestore", "--convert-to", "ods", "--outdir", str(converted), str(xlsx)],
                          env=scratch_env(scratch), capture_output=True, timeout=180)
    ods = converted / (xlsx.stem + ".ods")
    assert ods.is_file(), done.stderr[-500:]  # soffice exits 0 even when it wrote nothing
    with zipfile.ZipFile(ods) as zf:
        assert zf.read("mimetype") == ODS and "[Content_Types].xml" not in zf.namelist()
    batch = tmp_path / "回收"
    batch.mkdir()
    shutil.copy(ods, batch / ods.name)
    report = validate([batch], roster=roster, year=YEAR)
    assert not report.skipped
    [result] = report.files
    assert [f.message.key for f in result.findings] == ["rule.F02.ods"]
    assert result.department_code == "101002"
    assert [(f.code, f.message.params["code"]) for f in report.batch] == [("R04", "101004")]
    shutil.rmtree(scratch, ignore_errors=True)
