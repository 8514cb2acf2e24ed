"""`perfxl generate`: one locked self-evaluation workbook per roster department, or a blank one."""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import click

from ..errors import OutputError, PerfxlError
from ..i18n import Message, register, text
from ..limits import MAX_PROJECTS
from .common import LANG_OPTION, lang_of

register({
    "gen.need_roster": ("请用 --roster 指定花名册，或用 --blank --projects N 生成空白表。",
                        "Give a roster with --roster, or use --blank --projects N for a blank workbook."),
    "gen.need_out": ("请用 --out 指定输出位置。", "Give an output location with --out."),
    "gen.need_year": ("请用 --year 指定评价年度（或用 --round 指定评价轮次文件夹）。",
                      "Give the year with --year (or a round folder with --round)."),
    "gen.round_alone": ("--round 已记录花名册、年度和方案：不能再同时使用 --roster、--year、--scheme、--blank 或 --projects。",
                        "--round holds the roster, year and scheme: --roster, --year, --scheme, --blank and "
                        "--projects cannot be used with it."),
    "gen.blank_roster": ("--blank 与 --roster 不能同时使用。", "--blank and --roster cannot be used together."),
    "gen.projects_without_blank": ("--projects 只用于 --blank。", "--projects is only used with --blank."),
    "gen.blank_needs_projects": ("--blank 需要 --projects N（项目数，可为 0）。",
                                 "--blank needs --projects N (the number of projects, 0 allowed)."),
    "gen.blank_out_dir": ("--blank 时 -o 应为文件名（.xlsx），不是文件夹：{path}",
                          "With --blank, -o must be a file name (.xlsx), not a folder: {path}"),
    "gen.bad_date": ("--date 应为 YYYY-MM-DD：{value}", "--date must be YYYY-MM-DD: {value}"),
    "gen.file": ("  ✓ {name}（{projects} 个项目）", "  ✓ {name} ({projects} projects)"),
    "gen.summary": ("已生成 {files} 个工作簿（共 {projects} 个项目）→ {out}，方案 {scheme}，用时 {seconds:.1f} 秒",
                    "Wrote {files} workbooks ({projects} projects) → {out}, scheme {scheme}, in {seconds:.1f} s"),
    "gen.blank_done": ("已生成空白工作簿（{projects} 个项目）→ {path}", "Wrote a blank workbook ({projects} projects) → {path}"),
    "gen.reading": ("读取花名册：{sources}", "Reading roster: {sources}"),
    "gen.progress": ("生成中", "Generating"),
})

PROGRESS_BAR_FROM = 20  # departments; below this each file gets its own line


def _parse_date(value: str | None, lang: str) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(text("gen.bad_date", lang, value=value), param_hint="--date") from None


@click.command("generate", context_settings={"max_content_width": 100})
@click.option("--roster", "rosters", multiple=True, type=click.Path(), metavar="FILE",
              help="花名册：.xlsx（工作表“部门”“项目”），或两个 CSV（UTF-8/GBK），或含它们的文件夹。"
                   " / Roster: an .xlsx, two CSV files, or a folder holding them.")
@click.option("--round", "round_dir", type=click.Path(), metavar="DIR",
              help="评价轮次文件夹（perfxl round init）：用其花名册、年度和方案 / a round folder: its roster, year "
                   "and scheme are used.")
@click.option("--year", type=click.IntRange(2000, 2100), help="评价年度（用 --round 时不必给）/ the year evaluated.")
@click.option("-o", "--out", type=click.Path(), help="输出文件夹（--blank 时为文件名）/ output folder (a file with --blank).")
@click.option("--scheme", default=None, metavar="NAME|PATH",
              help="评分方案：自带方案的名称（见 perfxl schemes）或 TOML 文件路径 / a bundled scheme's name "
                   "(see perfxl schemes) or a TOML file path. 默认 national / default national.")
@click.option("--force", is_flag=True, help="覆盖已存在的文件 / overwrite existing files.")
@click.option("--blank", is_flag=True, help="生成空白表：项目名称和预算由单位填写 / a blank workbook with input names and budgets.")
@click.option("--projects", type=click.IntRange(0, MAX_PROJECTS), default=None, help="空白表的项目数 / projects in a blank workbook.")
@click.option("--date", "date_text", metavar="YYYY-MM-DD",
              help="生成日期（默认今天；相同输入和日期得到完全相同的文件）/ generation date (default today; "
                   "same inputs and date give byte-identical files).")
@click.option("--password", envvar="PERFXL_PASSWORD", default="", show_default=False,
              help="工作表及工作簿结构的保护密码（默认无密码；也可用环境变量 PERFXL_PASSWORD）"
                   "/ password of the sheet and workbook-structure protection.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="并行进程数（默认 CPU 核数）/ worker processes.")
@LANG_OPTION
def generate_command(rosters: tuple[str, ...], round_dir: str | None, year: int | None, out: str | None,
                     scheme: str | None, force: bool, blank: bool,
                     projects: int | None, date_text: str | None, password: str, jobs: int | None,
                     lang: str | None) -> None:
    """生成自评工作簿：每个部门一个文件，下发数据和公式已锁定。

    Generate self-evaluation workbooks: one per department, issued figures and formulas locked.

    \b
    示例 / Examples:
      perfxl generate --roster examples/roster.xlsx --year 2025 --out out/
      perfxl generate --roster 部门.csv --roster 项目.csv --year 2025 --out out/ --force
      perfxl generate --roster examples/roster.xlsx --year 2025 --out out/ --scheme province-example
      perfxl generate --roster examples/roster.xlsx --year 2025 --out out/ --scheme 我省方案.toml
      perfxl generate --blank --projects 3 --year 2025 -o 空白自评表.xlsx
      perfxl generate --round 2025自评 --out out/
    """
    lang = lang_of()
    from ..scheme import load_scheme

    generated = _parse_date(date_text, lang)
    if not out:
        raise click.UsageError(text("gen.need_out", lang))
    if round_dir:
        if rosters or blank or year is not None or scheme is not None or projects is not None:
            raise click.UsageError(text("gen.round_alone", lang))
        _generate_round(round_dir, Path(out), force, generated, password, jobs, lang)
        return
    if year is None:
        raise click.UsageError(text("gen.need_year", lang))
    scheme = scheme or "national"
    if blank:
        if rosters:
            raise click.UsageError(text("gen.blank_roster", lang))
        if projects is None:
            raise click.UsageError(text("gen.blank_needs_projects", lang))
        _generate_blank(projects, year, Path(out), load_scheme(scheme), force, generated, password, lang)
        return
    if projects is not None:
        raise click.UsageError(text("gen.projects_without_blank", lang))
    if not rosters:
        raise click.UsageError(text("gen.need_roster", lang))
    _generate_roster(rosters, year, Path(out), load_scheme(scheme), force, generated, password, jobs, lang)


def _generate_blank(projects: int, year: int, out: Path, scheme, force: bool, generated: date, password: str,
                    lang: str) -> None:
    from ..atomic import write_atomic
    from ..generate import blank_workbook

    if out.is_dir():
        raise PerfxlError(Message("gen.blank_out_dir", {"path": str(out)}))
    if out.suffix.lower() != ".xlsx":
        out = out.with_name(out.name + ".xlsx")
    if not force and (out.exists() or out.is_symlink()):  # refuse before the work, as for a roster
        raise OutputError(Message("output.exists", {"path": str(out)}))
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, blank_workbook(projects, year, scheme, generated, password), force=force)
    click.echo(text("gen.blank_done", lang, projects=projects, path=str(out)))


def _generate_roster(rosters: tuple[str, ...], year: int, out: Path, scheme, force: bool, generated: date,
                     password: str, jobs: int | None, lang: str) -> None:
    """The roster is staged in a temporary SQLite file and read back one department at a time,
    and only counts are kept of what was written: memory does not grow with the roster."""
    from ..roster import open_roster

    with open_roster(list(rosters)) as roster:
        _write_each(roster, year, out, scheme, force, generated, password, jobs, lang)


def _generate_round(round_dir: str, out: Path, force: bool, generated: date, password: str, jobs: int | None,
                    lang: str) -> None:
    """The round's roster, year and scheme, as recorded at `round init`: the same workbooks as
    `--roster … --year … --scheme …` gave that day."""
    from ..round.season import Round

    with Round.open(round_dir) as rnd:
        info = rnd.info
        _write_each(rnd.roster(), info.year, out, info.scheme, force, generated, password, jobs, lang)


def _write_each(roster, year: int, out: Path, scheme, force: bool, generated: date, password: str,  # noqa: ANN001
                jobs: int | None, lang: str) -> None:
    from ..generate import generate_each

    started = time.perf_counter()
    files = projects = 0
    total = len(roster)
    workbooks = generate_each(roster, year, out, scheme, force=force, generated=generated, password=password,
                              jobs=jobs)
    if total >= PROGRESS_BAR_FROM:
        with click.progressbar(length=total, label=text("gen.progress", lang), file=sys.stderr,
                               show_pos=True) as bar:
            for item in workbooks:
                files, projects = files + 1, projects + item.projects
                bar.update(1)
    else:
        for item in workbooks:
            files, projects = files + 1, projects + item.projects
            click.echo(text("gen.file", lang, name=item.path.name, projects=item.projects))
    click.echo(text("gen.summary", lang, files=files, projects=projects, out=str(out), scheme=scheme.name,
                    seconds=time.perf_counter() - started))
