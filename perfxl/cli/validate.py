"""`perfxl validate`: check returned workbooks and report every problem by rule, sheet and cell.

Exit codes are the contract scripts rely on: 0 every file passes (warnings allowed), 1 a
file failed (or had a warning, with --strict), 2 a usage or system problem. The validator
and report writers import lxml, openpyxl and xlsxwriter, so they are imported only when
the command runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..atomic import Inputs, PartialWrite, write_atomic
from ..errors import OutputError, PerfxlError
from ..i18n import Message, register, text
from ..validator.guards import Limits
from .common import LANG_OPTION, echo_document, lang_of

if TYPE_CHECKING:
    from ..validator.model import Report

register({
    "validate.missing": ("找不到文件或文件夹：{paths}", "No such file or folder: {paths}"),
    "validate.unknown_codes": ("未知的规则代码：{codes}。规则代码见 perfxl rules（可写完整代码如 I01，或前缀如 B）。",
                               "Unknown rule code: {codes}. See perfxl rules (a full code such as I01, "
                               "or a prefix such as B)."),
    "validate.no_files": ("没有找到要校验的工作簿。", "No workbook to check was found."),
    "validate.os_error": ("无法读取 {path}：{reason}", "Cannot read {path}: {reason}"),
    "validate.out_is_dir": ("{option} 应为文件名，不是文件夹：{path}", "{option} must be a file name, not a folder: {path}"),
    "validate.inside_input": ("{option} 的位置 {path} 在被校验的文件夹 {folder} 里：下次校验时会把它当作回收的文件。"
                              "请换一个位置。",
                              "{option} {path} is inside the folder being checked, {folder}: the next run would "
                              "check it as a returned file. Choose another place."),
    "validate.is_input": ("{option} {path} 是本次要读取的文件（回收的文件或花名册）：输出从不覆盖它，加 --force 也不会。"
                          "请换一个文件名。",
                          "{option} {path} is a file this run reads (a returned file or the roster): no output "
                          "replaces it, not even with --force. Choose another name."),
    "validate.copies_in": ("批注副本（{dir}）", "the annotated copies ({dir})"),
    "validate.progress": ("校验中", "Checking"),
    "validate.round_roster": ("--round 与 --roster 不能同时使用：轮次已记录花名册。",
                              "--round and --roster cannot be used together: the round holds its roster."),
    "validate.wrote": ("报告已写入 {path}", "Report written to {path}"),
    "validate.annotated": ("已生成 {count} 份批注副本 → {dir}", "Wrote {count} annotated copies → {dir}"),
    "validate.summary": ("汇总表已写入 {path}", "Summary written to {path}"),
})

PROGRESS_BAR_FROM = 10  # files; a smaller batch is over before a bar would help
PARALLEL_FROM = 8       # files; below this, starting worker processes costs more than it saves
_DEFAULTS = Limits()


def _split_codes(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """`B,I01` (and repeated options) → ("B", "I01"); a code or prefix no rule has is a usage error."""
    from ..validator.catalog import RULES

    codes = [part.strip().upper() for value in values for part in value.split(",") if part.strip()]
    unknown = [c for c in codes if not any(code.startswith(c) for code in RULES)]
    if unknown:
        raise click.BadParameter(text("validate.unknown_codes", lang_of(ctx), codes=", ".join(unknown)))
    return tuple(dict.fromkeys(codes))


@click.command("validate", context_settings={"max_content_width": 100})
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="PATH...")
@click.option("--roster", "rosters", multiple=True, type=click.Path(), metavar="FILE",
              help="财政部门的花名册（与 generate 相同：一个 .xlsx、两个 CSV 或文件夹），用于核对下发数据和未提交的部门"
                   " / the office's roster (as for generate), to check issued figures and who has not returned.")
@click.option("--year", type=click.IntRange(2000, 2100), help="本轮评价年度，文件年度不符时报错 / the round's year.")
@click.option("--round", "round_dir", type=click.Path(), metavar="DIR",
              help="评价轮次文件夹（perfxl round init）：用其花名册和年度，并记录每次提交 / a round folder: its roster "
                   "and year are used and every submission is recorded.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default=None,
              help="报告格式（默认 text；-o 以 .json、.html 结尾时按扩展名）/ report format (default text, or from "
                   "the -o file's extension).")
@click.option("-o", "--out", type=click.Path(), metavar="FILE",
              help="把报告写入文件（默认输出到屏幕）/ write the report to a file (default: standard output).")
@click.option("--annotate", type=click.Path(), metavar="DIR",
              help="为每个文件生成标出问题的批注副本，放入此文件夹 / write an annotated copy of each file into DIR.")
@click.option("--summary", type=click.Path(), metavar="FILE.xlsx",
              help="生成本批的汇总工作簿（每个部门、项目的得分和问题数）/ write the batch's tracking summary workbook.")
@click.option("--select", multiple=True, callback=_split_codes, metavar="CODES",
              help="只检查这些规则：代码或前缀，逗号分隔，如 B,I01 / only these rules: codes or prefixes, comma-separated.")
@click.option("--ignore", multiple=True, callback=_split_codes, metavar="CODES",
              help="不检查这些规则，如 I09 / skip these rules, e.g. I09.")
@click.option("--strict", is_flag=True, help="有警告也算未通过 / a warning also fails the file.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help=f"并行进程数（默认 CPU 核数；少于 {PARALLEL_FROM} 个文件时不并行）/ worker processes.")
@click.option("--force", is_flag=True, help="覆盖已存在的报告、副本和汇总表 / overwrite existing outputs.")
@click.option("--max-file-mb", type=click.FloatRange(0, min_open=True), default=_DEFAULTS.file_mb, show_default=True,
              help="单个文件大小上限（MB），超过即拒绝（F05）/ largest file accepted.")
@click.option("--max-members", type=click.IntRange(1), default=_DEFAULTS.members, show_default=True,
              help="压缩包内部件数上限 / most parts in the zip.")
@click.option("--max-part-mb", type=click.FloatRange(0, min_open=True), default=_DEFAULTS.part_mb, show_default=True,
              help="单个部件解压后大小上限（MB）/ largest uncompressed part.")
@click.option("--max-total-mb", type=click.FloatRange(0, min_open=True), default=_DEFAULTS.total_mb,
              show_default=True, help="解压后总大小上限（MB）/ largest uncompressed total.")
@click.option("--max-ratio", type=click.FloatRange(1), default=_DEFAULTS.ratio, show_default=True,
              help="压缩比上限 / highest compression ratio.")
@click.option("--timeout", "timeout", type=click.FloatRange(0, min_open=True), default=_DEFAULTS.seconds,
              show_default=True, metavar="SECONDS",
              help="单个文件的校验时限（秒），超时即跳过（F05）/ time allowed per file, in seconds.")
@click.option("--max-memory-mb", type=click.IntRange(1), default=_DEFAULTS.memory_mb, show_default=True,
              help="校验单个文件可用的内存（MB，校验进程启动占用之外），超过即跳过（F05）"
                   " / memory a worker may add to check one file.")
@LANG_OPTION
@click.pass_context
def validate_command(ctx: click.Context, paths: tuple[str, ...], rosters: tuple[str, ...], year: int | None,
                     round_dir: str | None,
                     fmt: str | None, out: str | None, annotate: str | None, summary: str | None,
                     select: tuple[str, ...], ignore: tuple[str, ...], strict: bool, jobs: int | None, force: bool,
                     max_file_mb: float, max_members: int, max_part_mb: float, max_total_mb: float,
                     max_ratio: float, timeout: float, max_memory_mb: int, lang: str | None) -> None:
    """校验回收的自评工作簿：逐个文件列出问题（规则代码、工作表、单元格、说明）。

    Validate returned self-evaluation workbooks: every problem with its rule code, sheet, cell and message.

    \b
    PATH 为文件或文件夹（含子文件夹），可混用；文件夹里的临时锁文件（~$…）和非工作簿文件会被跳过。
    回收的文件不会被修改。规则代码和说明见 perfxl rules。
    退出码：0 全部通过（允许警告）；1 有文件未通过；2 用法或系统问题。

    PATH: files or folders (searched recursively) in any mix; lock files and non-workbooks in a folder are
    skipped. The files are never modified. Exit code 0: every file passes (warnings allowed); 1: a file
    failed; 2: a usage or system problem.

    \b
    示例 / Examples:
      perfxl validate 回收/ --roster examples/roster.xlsx --year 2025
      perfxl validate 回收/ --year 2025 --format html -o 校验报告.html
      perfxl validate 回收/ --year 2025 --annotate 退回/ --summary 汇总.xlsx
      perfxl validate a.xlsx b.xlsx --select B,I01 --ignore I09 --strict
      perfxl validate 回收/ --format json --lang en > report.json
    """
    lang = lang_of()
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise PerfxlError(Message("validate.missing", {"paths": ("、" if lang == "zh" else ", ").join(missing)}))
    fmt = fmt or _format_of(out)
    out_path = Path(out) if out else None
    summary_path = _xlsx(Path(summary)) if summary else None
    read_too = rosters + _round_files(round_dir)  # the round's database is read (and written) only by the round
    _check_outputs(paths, read_too, out_path, summary_path, Path(annotate) if annotate else None, force)

    from ..roster import read_roster
    from ..validator.engine import collect, validate

    rnd = _open_round(round_dir, rosters, year, lang) if round_dir else None
    if rnd is not None:
        ctx.call_on_close(rnd.close)
        year = rnd.info.year
        roster = rnd.roster().roster()

        def check(**options):  # noqa: ANN202 - the same check, then recorded in the round
            return rnd.validate(paths, **options)
    else:
        roster = read_roster(list(rosters)) if rosters else None

        def check(**options):  # noqa: ANN202
            return validate(paths, roster, year, **options)
    limits = Limits(file_mb=max_file_mb, members=max_members, part_mb=max_part_mb, total_mb=max_total_mb,
                    ratio=max_ratio, seconds=timeout, memory_mb=max_memory_mb)
    try:
        count = len(collect(paths)[0])
        workers = jobs if jobs is not None else (os.cpu_count() or 1) if count >= PARALLEL_FROM else 1
        stderr = sys.stderr
        if count >= PROGRESS_BAR_FROM and stderr.isatty():
            with click.progressbar(length=count, label=text("validate.progress", lang), file=stderr,
                                   show_pos=True) as bar:
                report = check(select=select, ignore=ignore, strict=strict, jobs=workers, limits=limits,
                               progress=lambda done, total: bar.update(1))
        else:
            report = check(select=select, ignore=ignore, strict=strict, jobs=workers, limits=limits)
    except OSError as exc:
        raise PerfxlError(Message("validate.os_error", {"path": exc.filename or "", "reason": exc.strerror or exc})) \
            from exc

    done: list[Path] = []  # the output files written so far, each whole
    stage = "report"
    try:
        _emit(report, fmt, out_path, force, lang)
        done += [out_path] if out_path is not None else []
        stage = "annotate"
        if annotate and report.files:
            from ..report.annotate import AnnotateError, annotate_all
            from ..report.text import clean

            try:  # each copy made under the same limits as the check, in as many workers
                written = annotate_all(report, Path(annotate), lang, force, limits=limits, jobs=workers)
            except AnnotateError as exc:  # a copy that cannot be made is a note, not the batch's failure
                click.echo(clean(exc.render(lang)), err=True)
                written = exc.written
            done += written
            click.echo(text("validate.annotated", lang, count=len(written), dir=annotate), err=True)
        stage = "summary"
        if summary_path is not None and report.files:
            from ..report.summary import write_summary

            done.append(write_summary(report, summary_path, lang, roster=roster, force=force))
            click.echo(text("validate.summary", lang, path=str(done[-1])), err=True)
    except OutputError as exc:
        raise _stopped(exc, done, stage, out_path, annotate if report.files else None,
                       summary_path if report.files else None) from exc
    if not report.files:
        click.echo(text("validate.no_files", lang), err=True)
        ctx.exit(2)
    ctx.exit(0 if report.ok else 1)


def _round_files(round_dir: str | None) -> tuple[str, ...]:
    if not round_dir:
        return ()
    from ..round.db import DB_NAME

    return tuple(os.path.join(round_dir, DB_NAME + suffix) for suffix in ("", "-wal", "-shm"))


def _open_round(round_dir: str, rosters: tuple[str, ...], year: int | None, lang: str):  # noqa: ANN202 - Round
    from ..round.season import Round

    if rosters:
        raise click.UsageError(text("validate.round_roster", lang))
    rnd = Round.open(round_dir)
    known = rnd.info.year
    if year is not None and year != known:
        rnd.close()
        raise click.UsageError(text("round.year_mismatch", lang, round=known, given=year))
    return rnd


def _stopped(exc: OutputError, done: list[Path], stage: str, out: Path | None, annotate: str | None,
             summary: Path | None) -> OutputError:
    """An output that failed (a full disk) stops the rest: say which outputs are whole and which are missing."""
    if not isinstance(exc, PartialWrite) and not any(m.key == "output.unwritable" for m in exc.messages):
        return exc  # refused before writing (a taken name), or copies that could not be made: as it is
    cause, written, missing = (exc.cause, exc.written, list(exc.not_written)) if isinstance(exc, PartialWrite) \
        else (exc, [], [])
    later = ["report", "annotate", "summary"][["report", "annotate", "summary"].index(stage):]
    if "report" in later and out is not None:
        missing.append(out)
    if "annotate" in later and annotate and not isinstance(exc, PartialWrite):
        missing.append(Message("validate.copies_in", {"dir": annotate}))
    if summary is not None and ("summary" in later):
        missing.append(summary)
    return PartialWrite(cause, done + written, missing)


def _format_of(out: str | None) -> str:
    suffix = Path(out).suffix.lower() if out else ""
    return {".json": "json", ".html": "html", ".htm": "html"}.get(suffix, "text")


def _xlsx(path: Path) -> Path:
    return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")


def _check_outputs(paths: tuple[str, ...], rosters: tuple[str, ...], out: Path | None, summary: Path | None,
                   annotate: Path | None, force: bool) -> None:
    """Refuse before a long batch runs, not after: a taken name, a folder for a file, a file where input is.

    An output that is one of the files read (returned files, skipped ones, the roster) is refused
    even with --force: force replaces earlier outputs, never what was sent in.
    """
    from ..validator.engine import WORKBOOK_SUFFIXES

    problems: list[Message] = []
    inputs = _inputs(paths, rosters)
    for option, path in (("-o", out), ("--summary", summary)):
        if path is None:
            continue
        if path.is_dir():
            problems.append(Message("validate.out_is_dir", {"option": option, "path": str(path)}))
        elif path in inputs:
            problems.append(Message("validate.is_input", {"option": option, "path": str(path)}))
        elif path.exists() and not force:
            problems.append(Message("output.exists", {"path": str(path)}))
    # os.path.realpath, not Path.resolve(): a symbolic link that loops makes resolve() raise RuntimeError
    folders = [Path(os.path.realpath(p)) for p in paths if Path(p).is_dir()]
    # A workbook-named report inside a checked folder would be checked as a returned file next time.
    workbook_out = out if out is not None and out.suffix.lower() in WORKBOOK_SUFFIXES else None
    for option, path in (("-o", workbook_out), ("--summary", summary), ("--annotate", annotate)):
        if path is None or (option != "--annotate" and path in inputs):  # said above
            continue
        target = Path(os.path.realpath(path))
        for folder in folders:
            if target == folder or folder in target.parents:
                problems.append(Message("validate.inside_input", {"option": option, "path": str(path),
                                                                 "folder": str(folder)}))
    if problems:
        raise OutputError(problems)


def _inputs(paths: tuple[str, ...], rosters: tuple[str, ...]) -> Inputs:
    """Every file this run reads or lists: the batch's files (also those skipped) and the roster's."""
    from ..validator.engine import collect

    files, skipped = collect(paths)
    inputs = Inputs([*paths, *files, *(path for path, _ in skipped)])
    for roster in rosters:
        inputs.add(roster)
        if os.path.isdir(roster):
            try:
                inputs_in_folder = [entry.path for entry in os.scandir(roster) if entry.is_file()]
            except OSError:
                continue  # read_roster says why it cannot be read
            for path in inputs_in_folder:
                inputs.add(path)
    return inputs


def _emit(report: Report, fmt: str, out: Path | None, force: bool, lang: str) -> None:
    """The report on standard output (coloured on a terminal), or written atomically to `out`."""
    if fmt == "json":
        from ..report.json_report import render_json

        body = render_json(report, lang)
    elif fmt == "html":
        from ..report.html import render_html

        body = render_html(report, lang)
    else:
        from ..report.text import render_text

        stdout = sys.stdout
        color = out is None and stdout.isatty() and "NO_COLOR" not in os.environ
        body = render_text(report, lang, color=color)
    if not body.endswith("\n"):
        body += "\n"
    if out is None:
        if fmt == "text":
            click.echo(body, nl=False)
        else:
            echo_document(body, fmt)
        return
    from ..report.text import summary_line

    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, body.encode("utf-8"), force=force)
    click.echo(text("validate.wrote", lang, path=str(out)), err=True)
    click.echo(summary_line(report, lang), err=True)
