"""`perfxl schemes`: the bundled scoring schemes and their key numbers."""

from __future__ import annotations

import click

from ..i18n import register, text
from .common import LANG_OPTION, lang_of

register({
    "schemes.line": ("{name}  {title}", "{name}  {title}"),
    "schemes.weights": ("    权重：执行率 {execution:g} · {levels}", "    weights: execution {execution:g} · {levels}"),
    "schemes.execution": ("    执行率：低于 {below:.0%} 或高于 {above:.0%} 须说明原因；得分方法 {method}",
                          "    execution: reason needed below {below:.0%} or above {above:.0%}; method {method}"),
    "schemes.indicators": ("    反向指标：{reverse}；超额阈值 {overshoot:g} 倍；定性档次 {bands}",
                           "    reverse indicators: {reverse}; overshoot at {overshoot:g}×; qualitative bands {bands}"),
    "schemes.grades": ("    等级：{grades}", "    grades: {grades}"),
    "schemes.rows": ("    指标行：{rows} 行（{categories} 个二级指标）；文件 {path}；内容哈希 {hash}",
                     "    indicator rows: {rows} ({categories} categories); file {path}; content hash {hash}"),
    "schemes.none": ("未找到评分方案（{dir}）", "No schemes found ({dir})"),
})


@click.command("schemes")
@LANG_OPTION
def schemes_command(lang: str | None) -> None:
    """列出评分方案及其主要参数。 / List the scoring schemes and their key numbers.

    \b
    示例 / Example:
      perfxl schemes --lang en
    """
    from ..scheme import available_schemes, load_scheme, schemes_dir

    lang = lang_of()
    paths = available_schemes()
    if not paths:
        click.echo(text("schemes.none", lang, dir=str(schemes_dir())))
        return
    for path in paths:
        s = load_scheme(str(path))
        en = lang == "en"
        click.echo(text("schemes.line", lang, name=s.name, title=s.title_en if en else s.title))
        levels = " · ".join(f"{lv.name_en if en else lv.name} {lv.weight:g}" for lv in s.levels)
        click.echo(text("schemes.weights", lang, execution=s.execution.weight, levels=levels))
        click.echo(text("schemes.execution", lang, below=s.execution.reason_below, above=s.execution.reason_above,
                        method=s.execution.method))
        bands = ", ".join(f"{q.min:g}–{q.max:g}" for q in s.qualitative)
        click.echo(text("schemes.indicators", lang, reverse=s.reverse_method, overshoot=s.overshoot, bands=bands))
        click.echo(text("schemes.grades", lang, grades=" ".join(f"{g.name}≥{g.min:g}" for g in s.grades)))
        rows = sum(c.rows for lv in s.levels for c in lv.categories)
        click.echo(text("schemes.rows", lang, rows=rows, categories=sum(len(lv.categories) for lv in s.levels),
                        path=path.name, hash=s.content_hash))
