"""What every command shares: the language option and showing errors without tracebacks."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ..errors import PerfxlError


def _remember_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        ctx.ensure_object(dict)
        root = ctx.find_root()
        root.ensure_object(dict)
        root.obj["lang"] = value
    return value


LANG_OPTION = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default=None, expose_value=True, is_eager=True,
    callback=_remember_lang, help="界面语言（默认中文）/ message language (default zh; or set PERFXL_LANG).")


def lang_of(ctx: click.Context | None = None) -> str:
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is not None:
        root = ctx.find_root()
        if isinstance(root.obj, dict) and root.obj.get("lang"):
            return root.obj["lang"]
    env = os.environ.get("PERFXL_LANG", "")
    return env if env in ("zh", "en") else "zh"


class PerfxlGroup(click.Group):
    """A group that shows a PerfxlError as its message (no traceback) and exits with its code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PerfxlError as exc:
            from ..report.text import clean  # messages quote roster cells and file names: no escapes

            click.echo(clean(exc.render(lang_of(ctx) if _explicit_lang(ctx) else _lang_from_argv())), err=True)
            ctx.exit(exc.exit_code)


def _explicit_lang(ctx: click.Context) -> bool:
    root = ctx.find_root()
    return isinstance(root.obj, dict) and bool(root.obj.get("lang"))


def run_guarded(command: Any) -> None:
    """The console script: Ctrl-C exits 130 with a short note; other click errors exit 2."""
    try:
        code = command.main(standalone_mode=False, prog_name="perfxl")
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("已中断，未完成的文件未写入 / interrupted; no partial file was written", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if exc.exit_code == 1 else exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


def _lang_from_argv() -> str:
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1] if argv[i + 1] in ("zh", "en") else "zh"
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
            return value if value in ("zh", "en") else "zh"
    return lang_of()
