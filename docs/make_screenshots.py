"""Make the screenshots in docs/images/ from real generated workbooks and a real round.

Run from the repository root: `make screenshots` (or `python docs/make_screenshots.py`).

What it does:
1. generates the workbook of one example department (101003, 7 projects) from
   examples/roster.xlsx, for 2025, dated 2026-01-05;
2. fills it the way a careful department would (perfxl.samples.realistic_inputs, with
   hand-written indicators on 项目1 so the picture reads like a real form), and makes a
   second copy with a few deliberate mistakes so the red and yellow marks show;
3. runs a round in a temporary folder (perfxl.round.Round, as `perfxl round init`,
   `validate --round` and so on do): examples/roster.xlsx, 2025, deadline 2026-03-31;
   examples/returned/ then examples/resubmitted/ (4 departments pass, 101004 fails), each
   wave at a fixed time; then the tracking workbook as `perfxl status -o` writes it (with a
   fixed "today"), the consolidated workbook and the draft Word report as `perfxl
   consolidate -o --report` writes them (with a fixed generation time);
4. prints the workbooks and the report to PDF with LibreOffice (a scratch profile and HOME,
   as in tests/clients/libreoffice.py), finds each page by its title and renders it to PNG
   with pdftoppm, cropped to the printed content. The consolidated workbook's 总览 is printed
   on three A4 pages (tables, the two distribution charts, the scores and their chart), so
   for its picture LibreOffice exports each sheet whole on one page (the PDF filter's
   SinglePageSheets option): the sheet with its three native charts as Calc lays it out.
   That page has no margins; pdftocairo puts it on a slightly larger page before pdftoppm.

LibreOffice recalculates every formula on load here (the profile from
tests/clients/libreoffice.py), so the numbers in the pictures come from a real spreadsheet
engine, not from perfxl. Everything temporary lives in a temporary folder; only the PNGs
are written, into docs/images/ (or --out).

Needs: soffice (LibreOffice Calc and Writer: libreoffice-calc-nogui, libreoffice-writer-nogui),
pdftoppm, pdftotext and pdftocairo (poppler-utils), a CJK font.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.clients.libreoffice

from perfxl.evaluate import evaluate_workbook  # noqa: E402
from perfxl.generate import department_workbook  # noqa: E402
from perfxl.layout import build_layout  # noqa: E402
from perfxl.roster import read_roster  # noqa: E402
from perfxl.round.report_docx import write_report  # noqa: E402
from perfxl.round.season import Round  # noqa: E402
from perfxl.round.status_report import write_status  # noqa: E402
from perfxl.round.workbook import write_consolidation  # noqa: E402
from perfxl.samples import realistic_inputs  # noqa: E402
from perfxl.scheme import load_scheme  # noqa: E402
from perfxl.scoring import Percent  # noqa: E402
from perfxl.writer import department_values  # noqa: E402
from tests.clients.libreoffice import LibreOfficeError, make_profile, scratch_env, soffice_path  # noqa: E402

ROSTER = ROOT / "examples" / "roster.xlsx"
DEPARTMENT = "101003"
YEAR = 2025
GENERATED = date(2026, 1, 5)
SEED = 2025
DPI = 80
MAX_BYTES = 250_000
TIMEOUT = 240

# The round of the finance-office guide, on a fixed calendar so the pictures are reproducible.
ROUND_DEADLINE = date(2026, 3, 31)
CST = timezone(timedelta(hours=8))
WAVES = (  # (folder under examples/, when the office ran validate --round on it)
    ("returned", datetime(2026, 3, 16, 10, 20, tzinfo=CST)),
    ("resubmitted", datetime(2026, 3, 26, 15, 40, tzinfo=CST)),
)
FAILING = {"101004"}  # what the two waves leave: every other roster department passes
STATUS_TODAY = date(2026, 3, 27)                            # perfxl status --today
CONSOLIDATED_AT = datetime(2026, 4, 1, 9, 30, tzinfo=CST)   # Round.consolidation(now=...)
# LibreOffice's PDF export of a whole sheet on one page (print ranges and page breaks ignored).
WHOLE_SHEET = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
MARGIN_PT = 12  # white border pdftocairo puts around such a page, which has none

# 项目1 (政务中心运转费, 146.68 万元) filled by hand: ind.N is the N-th pre-made row of the
# national scheme (数量 1–5, 质量 6–9, 时效 10–12, 成本 13–15, 经济 16–18, 社会 19–21,
# 生态 22–23, 可持续 24–26, 满意度 27–29). Weights: 产出 50, 效益 30, 满意度 10.
PROJECT1 = {
    1: dict(name="政务服务事项进驻数量", op="≥", target=300, unit="项", actual=312, weight=10),
    2: dict(name="窗口服务天数", op="≥", target=250, unit="天", actual=250, weight=5),
    6: dict(name="按时办结率", op="≥", target=98, unit="%", actual=99.2, weight=10),
    7: dict(name="大厅设备正常运行率", op="≥", target=95, unit="%", actual=97, weight=5),
    8: dict(name="窗口服务规范化水平", op="定性", target="有效提升", actual="达成年度指标", qual=4.5, weight=5,
            reason="个别窗口办事指南尚未完成标准化修订，下年度完成。"),
    10: dict(name="运转经费支付及时率", op="=", target=100, unit="%", actual=100, weight=5),
    13: dict(name="大厅运转成本", op="≤", target=146.68, unit="万元", actual=143.75, weight=10),
    19: dict(name="群众办事平均跑动次数", op="≤", target=1, unit="次", actual=1, weight=10),
    20: dict(name="一窗受理事项覆盖率", op="≥", target=90, unit="%", actual=88, weight=10,
             reason="部分部门事项尚未进驻综合窗口；下年度推动剩余事项进驻。"),
    24: dict(name="政务服务事项网上可办率", op="≥", target=90, unit="%", actual=93.5, weight=10),
    27: dict(name="服务对象满意度", op="≥", target=95, unit="%", actual=98.6, weight=10),
}

# The copy with mistakes, on 项目1 (the seeds' own: RULES.md B04, I01, I04, I06, I07; and V07).
MISTAKES = {
    "ind.7.actual": Percent(0.97),          # 97% typed against a target of 95: both red, no score (V07)
    "funds.fiscal.executed": 110.0,          # 75.0% executed ...
    "funds.reason": None,                   # ... and no 预算执行偏差原因 (B04)
    "ind.6.actual": 96,                     # 按时办结率 below target, points lost ...
    "ind.6.reason": None,                   # ... and no reason (I04)
    "ind.2.weight": 10,                     # 产出 weights add up to 55, not 50 (I01)
    "ind.8.actual": "部分达成年度指标并具有一定效果",  # 定性 score 4.5 outside 3–4 (I06)
    "ind.1.actual": 380,                    # 380 ≥ 1.2 × 300 with no reason: yellow (I07)
}


@dataclass(frozen=True)
class Shot:
    png: str
    workbook: str       # "clean", "problems" (101003's workbook); "status", "report", "overview" (the round)
    title: str          # how the page's first line of text ends
    contains: str = ""  # and a text the page must hold (e.g. the project's name)
    crop: bool = True   # cut the blank paper under the printed content
    next_page: int = 0  # render the page this many pages after the one found
    margin: int = 0     # a white border of this many points around the page (a whole-sheet page has none)
    zoom: float = 1.0   # render at this multiple of --dpi (a wide sheet fit to a page prints small)


SHOTS = (
    Shot("project-sheet.png", "clean", "项目支出绩效自评表", contains="政务中心运转费"),
    Shot("project-sheet-2.png", "clean", "项目支出绩效自评表", contains="政务中心运转费", next_page=1),
    Shot("project-sheet-problems.png", "problems", "项目支出绩效自评表", contains="政务中心运转费"),
    Shot("project-sheet-problems-2.png", "problems", "项目支出绩效自评表", contains="政务中心运转费", next_page=1),
    Shot("project-sheet-problems-3.png", "problems", "项目支出绩效自评表", contains="政务中心运转费", next_page=2),
    Shot("instructions.png", "problems", "填报说明"),
    Shot("summary.png", "clean", "项目支出绩效自评情况汇总表"),
    Shot("basic-data.png", "clean", "部门整体支出绩效自评基础数据表"),
    # The round: 总览 whole, with its charts; the tracking workbook (its page header first); the report's page 1.
    Shot("consolidated-overview.png", "overview", "预算绩效自评汇总", contains="各部门整体自评得分", crop=False,
         margin=MARGIN_PT),
    Shot("status-sheet.png", "status", f"提交情况（{STATUS_TODAY.isoformat()}）", contains="部门编码", zoom=1.4),
    Shot("report-docx.png", "report", "自评情况报告", crop=False),
)


def build_workbooks(folder: Path) -> dict[str, Path]:
    """The clean and the faulty copy of department 101003's workbook, as .xlsx files."""
    roster = read_roster([ROSTER])
    dept = roster.department(DEPARTMENT)
    if dept is None:
        raise SystemExit(f"department {DEPARTMENT} is not in {ROSTER}")
    scheme = load_scheme("national")
    layout = build_layout(scheme, len(dept.projects), goals_issued=tuple(bool(p.goal) for p in dept.projects))
    issued = department_values(layout, dept, YEAR, scheme, GENERATED)
    clean = realistic_inputs(layout, scheme, SEED, budgets=issued)

    clean = {k: v for k, v in clean.items() if not (k[0] == "p1" and k[1].startswith("ind."))}
    for index, cells in PROJECT1.items():
        for key, value in cells.items():
            clean[("p1", f"ind.{index}.{key}")] = value
    # The department table and the basic data repeat project figures: recompute them.
    computed = evaluate_workbook(layout, {**issued, **clean}, scheme)
    clean[("basic", "expense.project")] = computed[("dept", "funds.project.executed")]
    clean[("basic", "conclusion")] = computed[("dept", "grade")]

    problems = dict(clean)
    for key, value in MISTAKES.items():
        if value is None:
            problems.pop(("p1", key), None)
        else:
            problems[("p1", key)] = value
    problems[("basic", "expense.project")] = evaluate_workbook(
        layout, {**issued, **problems}, scheme)[("dept", "funds.project.executed")]

    paths = {}
    for name, inputs in (("clean", clean), ("problems", problems)):
        counts = evaluate_workbook(layout, {**issued, **inputs}, scheme)
        found = counts[("info", "problems.total")]
        print(f"  {name}: 项目1 总分 {counts[('p1', 'total.score')]}，自查问题 {found} 处")
        if name == "clean" and found:
            raise SystemExit("the clean workbook has live-check problems: fix PROJECT1")
        path = folder / f"{name}.xlsx"
        path.write_bytes(department_workbook(dept, YEAR, scheme, GENERATED, inputs=inputs))
        paths[name] = path
    return paths


def passed(state: str) -> bool:
    return state in ("passed", "passed_warnings")


def build_round(folder: Path) -> dict[str, Path]:
    """The guide's season: round init, validate --round in two waves, status -o, consolidate -o --report."""
    examples = ROOT / "examples"
    rnd = Round.init(folder / "2025自评", roster=ROSTER, year=YEAR, deadline=ROUND_DEADLINE)
    with rnd:
        for wave, when in WAVES:
            rnd.validate([examples / wave], at=when)  # each submission's 最近提交时间, fixed
        status = rnd.status(today=STATUS_TODAY)
        states = {d.code: d.state for d in status.departments}
        print(f"  {', '.join(f'{code} {state}' for code, state in states.items())}")
        if {code for code, state in states.items() if not passed(state)} != FAILING:
            raise SystemExit(f"the round should leave only {sorted(FAILING)} not passed: check examples/")
        consolidation = rnd.consolidation(now=CONSOLIDATED_AT)
    paths = {"status": folder / "提交情况.xlsx", "overview": folder / "汇总.xlsx", "report": folder / "报告.docx"}
    write_status(status, paths["status"])
    write_consolidation(consolidation, paths["overview"])
    write_report(consolidation, paths["report"])
    return paths


def to_pdf(workbooks: list[Path], outdir: Path, scratch: Path, convert_to: str = "pdf") -> dict[Path, Path]:
    """Print every workbook (or document) to PDF with one headless LibreOffice (scratch profile and HOME)."""
    soffice = soffice_path()
    if soffice is None:
        raise LibreOfficeError("LibreOffice (soffice) not found: install libreoffice-calc-nogui")
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [soffice, f"-env:UserInstallation={make_profile(scratch / 'profile')}", "--headless", "--invisible",
           "--norestore", "--nolockcheck", "--convert-to", convert_to, "--outdir", str(outdir),
           *(str(p) for p in workbooks)]
    done = subprocess.run(cmd, env=scratch_env(scratch), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=TIMEOUT)
    pdfs = {p: outdir / f"{p.stem}.pdf" for p in workbooks}
    missing = [str(p) for p, pdf in pdfs.items() if not pdf.is_file()]
    if missing:
        hint = " (a .docx needs libreoffice-writer-nogui)" if any(m.endswith(".docx") for m in missing) else ""
        raise LibreOfficeError(f"soffice made no PDF for {missing}{hint}:\n{done.stdout}{done.stderr}")
    return pdfs


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise LibreOfficeError(f"{name} not found: install poppler-utils")
    return path


def page_count(pdf: Path) -> int:
    info = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.M)
    if not match:
        raise LibreOfficeError(f"pdfinfo gave no page count for {pdf}")
    return int(match.group(1))


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run([_tool("pdftotext"), "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def find_page(pdf: Path, shot: Shot) -> int:
    for page in range(1, page_count(pdf) + 1):
        text = page_text(pdf, page)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines and lines[0].endswith(shot.title) and shot.contains in text:
            return page
    raise LibreOfficeError(f"no page titled {shot.title!r} (with {shot.contains!r}) in {pdf.name}")


def content_bottom(pdf: Path, page: int) -> tuple[float, float, float]:
    """(page width, page height, lowest text line above the footer), in PDF points."""
    html = subprocess.run([_tool("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    if not size:
        raise LibreOfficeError(f"pdftotext gave no page size for page {page} of {pdf.name}")
    width, height = float(size.group(1)), float(size.group(2))
    footer_top = height - 50  # the footer "第 N 页，共 M 页" sits in the bottom margin
    bottoms = [float(y) for y in re.findall(r'<word [^>]*yMax="([\d.]+)"', html) if float(y) < footer_top]
    return width, height, max(bottoms, default=height)


def with_margin(pdf: Path, page: int, margin: int, out: Path) -> Path:
    """That page alone, centred on a page `margin` points larger on every side (pdftocairo)."""
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', subprocess.run(
        [_tool("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True, text=True, check=True).stdout)
    if not size:
        raise LibreOfficeError(f"pdftotext gave no page size for page {page} of {pdf.name}")
    width, height = (round(float(x)) + 2 * margin for x in size.groups())
    subprocess.run([_tool("pdftocairo"), "-pdf", "-f", str(page), "-l", str(page), "-noshrink",
                    "-paperw", str(width), "-paperh", str(height), str(pdf), str(out)],
                   capture_output=True, text=True, check=True, timeout=TIMEOUT)
    return out


def render(pdf: Path, page: int, png: Path, dpi: int, crop: bool) -> None:
    width, height, bottom = content_bottom(pdf, page)
    args = [_tool("pdftoppm"), "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
    if crop:
        scale = dpi / 72
        args += ["-x", "0", "-y", "0", "-W", str(round(width * scale)),
                 "-H", str(round(min(height, bottom + 56) * scale))]  # 56: a tall box below its text
    prefix = png.with_suffix("")
    subprocess.run([*args, str(pdf), str(prefix)], capture_output=True, text=True, check=True, timeout=TIMEOUT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images", help="folder for the PNGs")
    parser.add_argument("--dpi", type=int, default=DPI, help=f"resolution (default {DPI})")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="perfxl-shots-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "xlsx").mkdir()
        print(f"生成并填写 {DEPARTMENT} 的工作簿：")
        books = build_workbooks(tmp / "xlsx")
        print(f"建立 {YEAR} 年度评价轮次，分两批校验 examples/{WAVES[0][0]}/、examples/{WAVES[1][0]}/：")
        (tmp / "round").mkdir()
        season_files = build_round(tmp / "round")
        print("LibreOffice 打印为 PDF …")
        pdfs = to_pdf(list(books.values()), tmp / "pdf", tmp / "scratch")
        books["status"], books["report"] = season_files["status"], season_files["report"]
        pdfs.update(to_pdf([books["status"], books["report"]], tmp / "pdf-round", tmp / "scratch"))
        books["overview"] = season_files["overview"]
        pdfs.update(to_pdf([books["overview"]], tmp / "pdf-whole", tmp / "scratch", convert_to=WHOLE_SHEET))
        too_big = []
        for shot in SHOTS:
            pdf = pdfs[books[shot.workbook]]
            page = find_page(pdf, shot) + shot.next_page
            png = out / shot.png
            dpi = round(args.dpi * shot.zoom)
            if shot.margin:
                render(with_margin(pdf, page, shot.margin, tmp / f"{png.stem}.pdf"), 1, png, dpi, shot.crop)
            else:
                render(pdf, page, png, dpi, shot.crop)
            size = png.stat().st_size
            too_big += [png.name] if size > MAX_BYTES else []
            print(f"  {png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}  "
                  f"（{pdf.name} 第 {page} 页，{size / 1024:.0f} KB）")
    print(f"完成，用时 {time.perf_counter() - started:.0f} 秒")
    if too_big:
        print(f"超过 {MAX_BYTES // 1000} KB：{', '.join(too_big)}；请降低 --dpi", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
