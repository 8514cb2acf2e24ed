"""The `perfxl` command. Each subcommand lives in its own module and imports heavy
libraries only when it runs, so `perfxl --help` stays instant."""

from __future__ import annotations

import sys

import click

from .common import LANG_OPTION, PerfxlGroup, run_guarded
from .generate import generate_command
from .round import consolidate_command, round_group, status_command
from .rules import rules_command
from .schemes import schemes_command
from .validate import validate_command


@click.group(cls=PerfxlGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="perfxl", prog_name="perfxl")
@LANG_OPTION
@click.pass_context
def cli(ctx: click.Context, lang: str | None) -> None:
    """预算绩效自评工作簿：按花名册生成带锁定公式和实时自查的自评表，并校验回收的文件。

    Budget-performance self-evaluation workbooks with locked formulas and live checks, one per department,
    and validation of the returned files.

    \b
    示例 / Examples:
      perfxl generate --roster examples/roster.xlsx --year 2025 --out out/
      perfxl generate --blank --projects 3 --year 2025 -o 空白自评表.xlsx
      perfxl validate 回收/ --roster examples/roster.xlsx --year 2025
      perfxl rules
      perfxl schemes
    """
    ctx.ensure_object(dict)
    if lang:
        ctx.obj["lang"] = lang


cli.add_command(generate_command)
cli.add_command(validate_command)
cli.add_command(schemes_command)
cli.add_command(rules_command)
cli.add_command(round_group)
cli.add_command(status_command)
cli.add_command(consolidate_command)


def main() -> None:
    run_guarded(cli)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
