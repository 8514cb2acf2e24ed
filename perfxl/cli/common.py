"""What every command shares: the language option, showing errors without tracebacks, and
console streams that never fail on a character the console cannot show."""

from __future__ import annotations

import codecs
import io
import os
import re
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


# What a console without these characters shows instead (GBK has √ and ×, ASCII neither).
_FALLBACKS = {"✓": ("√", "v"), "✗": ("×", "x"), "—": ("-",), "→": ("->",), "└": ("`-",), "·": ("-",),
              "…": ("...",), "“": ('"',), "”": ('"',), "：": (":",), "，": (",",), "（": ("(",), "）": (")",),
              "、": (",",), "；": (";",), "。": (".",)}
ERRORS = "perfxl.replace"


def _replace(exc: UnicodeError) -> tuple[str, int]:
    """An encode error handler: a look-alike the console's encoding has, else "?"."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start:exc.end]:
        for candidate in (*_FALLBACKS.get(ch, ()), "?"):
            try:
                candidate.encode(exc.encoding)
            except (UnicodeEncodeError, LookupError):
                continue
            out.append(candidate)
            break
    return "".join(out), exc.end


codecs.register_error(ERRORS, _replace)


def setup_streams() -> None:
    """Standard output and error replace what their encoding cannot show instead of raising.

    Redirected on Chinese Windows they are GBK, which has no ✓; a strict stream would end
    a run half way (generate after its first workbook, validate with a traceback).
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            try:
                stream.reconfigure(errors=ERRORS)
            except (ValueError, io.UnsupportedOperation):  # closed or detached: nothing to print to
                pass


def _utf8(stream: Any) -> bool:
    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name.startswith("utf-8")
    except LookupError:
        return False


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def echo_document(body: str, fmt: str) -> None:
    """A JSON or HTML document on standard output. Where that is not UTF-8, every non-ASCII
    character is escaped (JSON \\u, HTML &#…;), so the document stays valid and whole
    instead of GBK bytes under a UTF-8 declaration or "?" for each Chinese character."""
    stdout = sys.stdout
    if not _utf8(stdout):
        if fmt == "json":  # outside strings a JSON text is ASCII, so this is ensure_ascii
            body = _NON_ASCII.sub(lambda m: _json_escape(m.group()), body)
        else:  # the page's script and style are ASCII, so character references are safe
            body = body.encode("ascii", "xmlcharrefreplace").decode("ascii")
    click.echo(body, nl=False)


def _json_escape(ch: str) -> str:
    units = ch.encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{int.from_bytes(units[i:i + 2], 'big'):04x}" for i in range(0, len(units), 2))


def run_guarded(command: Any) -> None:
    """The console script: Ctrl-C exits 130 with a short note; other click errors exit 2."""
    setup_streams()
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
