"""`perfxl round init`, `perfxl status` and `perfxl consolidate`: start a round, see where it
stands, and end it with the consolidated result."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from ..i18n import register, text
from .common import LANG_OPTION, echo_document, lang_of

register({
    "round.made": ("已建立 {year} 年度评价轮次：{dir}（{departments} 个部门，方案 {scheme}{deadline}）",
                   "Round {year} set up in {dir} ({departments} departments, scheme {scheme}{deadline})"),
    "round.made_deadline": ("，截止 {deadline}", ", deadline {deadline}"),
    "round.next": ("下一步：perfxl generate --round {dir} --out 下发/", "Next: perfxl generate --round {dir} --out out/"),
    "round.status_written": ("提交情况已写入 {path}", "Status written to {path}"),
    "round.consolidated": ("汇总工作簿已写入 {path}（{passed}/{total} 个部门已通过，计入汇总）",
                           "Consolidated workbook written to {path} ({passed} of {total} departments passed and "
                           "counted)"),
    "round.report_written": ("自评情况报告初稿已写入 {path}（标黄处请填写）", "Draft report written to {path} (fill in the "
                             "highlighted places)"),
})


@click.group("round")
def round_group() -> None:
    """评价轮次：一个文件夹记住本轮的花名册、年度、方案、截止日期和每次提交。

    A round: one folder that remembers the roster, year, scheme, deadline and every submission.
    """


@round_group.command("init")
@click.argument("folder", type=click.Path(), metavar="DIR")
@click.option("--roster", "rosters", multiple=True, required=True, type=click.Path(), metavar="FILE",
              help="花名册（与 generate 相同）/ the roster (as for generate).")
@click.option("--year", required=True, type=click.IntRange(2000, 2100), help="评价年度 / the year evaluated.")
@click.option("--scheme", default="national", show_default=True, metavar="NAME|PATH",
              help="评分方案 / scoring scheme (see perfxl schemes).")
@click.option("--deadline", metavar="YYYY-MM-DD", help="各部门提交的截止日期 / the departments' deadline.")
@LANG_OPTION
def init_command(folder: str, rosters: tuple[str, ...], year: int, scheme: str, deadline: str | None,
                 lang: str | None) -> None:
    """建立评价轮次文件夹，记录花名册、年度、方案和截止日期；之后的命令只需 --round DIR。

    Set up a round folder with the roster, year, scheme and deadline; later commands need only --round DIR.

    \b
    示例 / Example:
      perfxl round init 2025自评 --roster examples/roster.xlsx --year 2025 --deadline 2026-03-31
    """
    from ..round.season import Round

    lang = lang_of()
    with Round.init(folder, list(rosters), year, scheme, deadline) as rnd:
        info = rnd.info
        count = len(rnd.roster())
    when = text("round.made_deadline", lang, deadline=info.deadline.isoformat()) if info.deadline else ""
    click.echo(text("round.made", lang, year=year, dir=folder, departments=count, scheme=info.scheme_name,
                    deadline=when))
    click.echo(text("round.next", lang, dir=folder))


@click.command("status")
@click.option("--round", "round_dir", required=True, type=click.Path(), metavar="DIR",
              help="评价轮次文件夹 / the round folder.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx"]), default=None,
              help="格式（默认 text；-o 以 .json、.xlsx 结尾时按扩展名）/ format (default text, or from -o's extension).")
@click.option("-o", "--out", type=click.Path(), metavar="FILE", help="写入文件 / write to a file.")
@click.option("--force", is_flag=True, help="覆盖已存在的文件 / overwrite an existing file.")
@click.option("--today", metavar="YYYY-MM-DD", hidden=True, help="the date counted from (tests, reprints).")
@LANG_OPTION
def status_command(round_dir: str, fmt: str | None, out: str | None, force: bool, today: str | None,
                   lang: str | None) -> None:
    """每个部门的提交情况：未提交、未通过、已通过，提交次数、最近一次提交和距截止日期的天数。

    Every roster department's state: not submitted, failed, passed; submissions, the latest one, days to
    the deadline.

    \b
    示例 / Examples:
      perfxl status --round 2025自评
      perfxl status --round 2025自评 -o 提交情况.xlsx
      perfxl status --round 2025自评 --format json
    """
    from ..atomic import write_output
    from ..round.season import Round, parse_deadline
    from ..round.status_report import render_text, status_bytes, to_dict

    lang = lang_of()
    suffix = Path(out).suffix.lower() if out else ""
    fmt = fmt or {".json": "json", ".xlsx": "xlsx"}.get(suffix, "text")
    if fmt == "xlsx" and not out:
        raise click.UsageError("--format xlsx 需要 -o FILE.xlsx / --format xlsx needs -o FILE.xlsx")
    with Round.open(round_dir) as rnd:
        status = rnd.status(today=parse_deadline(today) if today else date.today())
    if fmt == "xlsx":
        body = status_bytes(status, lang)
    elif fmt == "json":
        body = (json.dumps(to_dict(status, lang), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    else:
        body = render_text(status, lang).encode("utf-8")
    if out is None:
        if fmt == "json":
            echo_document(body.decode("utf-8"), "json")
        else:
            click.echo(body.decode("utf-8"), nl=False)
        return
    path = Path(out)
    _refuse([path], round_dir, force)
    write_output(path, body, force)
    click.echo(text("round.status_written", lang, path=out), err=True)


def _refuse(targets: list[Path], round_dir: str, force: bool) -> None:
    """Before anything is written: never the round's own database (or its journal), never an
    existing file without --force."""
    from ..atomic import Inputs
    from ..errors import OutputError
    from ..i18n import Message
    from ..round.db import DB_NAME

    database = Inputs([Path(round_dir) / (DB_NAME + suffix) for suffix in ("", "-wal", "-shm")])
    clashes = [p for p in targets if p in database]
    if clashes:
        raise OutputError([Message("output.is_input", {"path": str(p)}) for p in clashes])
    taken = [p for p in targets if (p.exists() or p.is_symlink()) and not force]
    if taken:
        raise OutputError([Message("output.exists", {"path": str(p)}) for p in taken])


@click.command("consolidate")
@click.option("--round", "round_dir", required=True, type=click.Path(), metavar="DIR",
              help="评价轮次文件夹 / the round folder.")
@click.option("-o", "--out", required=True, type=click.Path(), metavar="RESULT.xlsx",
              help="汇总工作簿 / the consolidated workbook.")
@click.option("--report", type=click.Path(), metavar="REPORT.docx",
              help="同时生成自评情况报告初稿（Word）/ also write the draft report (Word).")
@click.option("--force", is_flag=True, help="覆盖已存在的文件 / overwrite existing files.")
@LANG_OPTION
def consolidate_command(round_dir: str, out: str, report: str | None, force: bool, lang: str | None) -> None:
    """汇总本轮结果：每个已通过部门最近一次提交的数据（不重新打开文件），含图表和整改清单；可同时生成报告初稿。

    Consolidate the round from each passed department's latest submission (the files are not reopened):
    details, totals, charts and the lists for 整改; optionally the draft report in Word.

    \b
    示例 / Example:
      perfxl consolidate --round 2025自评 -o 2025自评汇总.xlsx --report 2025自评情况报告.docx
    """
    from ..round.report_docx import write_report
    from ..round.season import Round
    from ..round.workbook import write_consolidation

    lang = lang_of()
    out_path = Path(out) if Path(out).suffix.lower() == ".xlsx" else Path(out + ".xlsx")
    report_path = None
    if report:
        report_path = Path(report) if Path(report).suffix.lower() == ".docx" else Path(report + ".docx")
    _refuse([p for p in (out_path, report_path) if p is not None], round_dir, force)
    with Round.open(round_dir) as rnd:
        consolidation = rnd.consolidation()
    passed = sum(1 for e in consolidation.entries if e.figures is not None)
    write_consolidation(consolidation, out_path, lang=lang, force=force)
    click.echo(text("round.consolidated", lang, path=str(out_path), passed=passed,
                    total=len(consolidation.entries)))
    if report_path is not None:
        write_report(consolidation, report_path, lang=lang, force=force)
        click.echo(text("round.report_written", lang, path=str(report_path)))
