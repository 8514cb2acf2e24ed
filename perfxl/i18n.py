"""User-facing text in Chinese (default) and English, looked up by a stable key.

Errors and CLI output carry a key and parameters; the text is chosen only when shown,
so a library caller can render the same error in either language.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from .display import shown_path

LANGS = ("zh", "en")

# key: (zh, en)
CATALOG: dict[str, tuple[str, str]] = {
    # scheme loading
    "scheme.not_found": ("找不到评分方案“{name}”。可用方案：{available}",
                         "Scheme '{name}' not found. Available: {available}"),
    "scheme.unreadable": ("无法读取方案文件：{reason}", "Cannot read the scheme file: {reason}"),
    "scheme.toml": ("方案文件不是有效的 TOML：{reason}", "The scheme file is not valid TOML: {reason}"),
    "scheme.missing": ("缺少必填项", "required key is missing"),
    "scheme.unknown_key": ("未知的键（拼写错误？）", "unknown key (a typo?)"),
    "scheme.type": ("应为{expected}，实际为 {actual!r}", "expected {expected}, found {actual!r}"),
    "scheme.range": ("应在 {lo} 到 {hi} 之间，实际为 {actual}", "must be between {lo} and {hi}, found {actual}"),
    "scheme.positive": ("应大于 0，实际为 {actual}", "must be greater than 0, found {actual}"),
    "scheme.method": ("未知的方法 {actual!r}，可选：{allowed}", "unknown method {actual!r}; allowed: {allowed}"),
    "scheme.weights_total": ("执行率权重与各一级指标权重之和应为 100，实际为 {actual:g}",
                             "execution weight plus level weights must add up to 100, found {actual:g}"),
    "scheme.duplicate": ("名称重复：{actual}", "duplicate name: {actual}"),
    "scheme.fallback": ("fallback 应指向另一个非可选的一级指标，实际为 {actual!r}",
                        "fallback must name another, non-optional level, found {actual!r}"),
    "scheme.bands_gap": ("定性档次应从 0 到 1 首尾相接、互不重叠：{detail}",
                         "qualitative bands must cover 0 to 1 without gaps or overlaps: {detail}"),
    "scheme.grades_order": ("等级应按 min 从高到低排列、互不重复，最后一档 min = 0：{detail}",
                            "grades must be listed by descending min, without repeats, the last with min = 0: {detail}"),
    "scheme.steps_order": ("分档应按 min_rate 从高到低排列，得分不超过权重：{detail}",
                           "steps must be listed by descending min_rate, scores within the weight: {detail}"),
    "scheme.steps_missing": ("method = \"steps\" 需要 steps 列表", "method = \"steps\" needs a steps list"),
    "scheme.empty": ("不能为空", "must not be empty"),
    "scheme.rate_bands_order": ("执行率分档应从高到低排列、互不重复：{detail}",
                                "rate bands must be listed from the highest down, without repeats: {detail}"),
    "scheme.unknown_grade": ("不是本方案的等级：{actual!r}，本方案的等级：{allowed}",
                             "not a grade of this scheme: {actual!r}; its grades: {allowed}"),
    "scheme.validation_too_long": ("生成的下拉列表或验证公式长 {length} 个字符，超过 Excel 的 {limit} 个字符上限，请缩短",
                                   "makes a dropdown list or validation formula of {length} characters, over "
                                   "Excel's limit of {limit}: shorten it"),
    "scheme.problem": ("{source}：{path}：{detail}", "{source}: {path}: {detail}"),
    "scheme.header": ("评分方案有误：", "The scheme is not valid:"),
    "items.more": (" 等，共 {count} 个", " … ({count} in all)"),
}


@dataclass(frozen=True)
class Message:
    """A piece of user-facing text, not yet rendered into a language."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str = "zh") -> str:
        zh, en = CATALOG[self.key]
        template = en if lang == "en" else zh
        params = {k: _param(v, lang) for k, v in self.params.items()}
        return template.format(**params)


def _param(value: Any, lang: str) -> Any:
    """A parameter as shown: messages rendered, paths (and any text) displayable, lists joined."""
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, (str, os.PathLike)):
        return shown_path(value)  # a file name in undecodable bytes would crash every output
    return value


@dataclass(frozen=True)
class Items(Message):
    """A list of paths or texts in the language's list style, the first `limit` of them."""

    key: str = "items.more"
    items: tuple[Any, ...] = ()
    limit: int = 10

    def render(self, lang: str = "zh") -> str:
        shown = ("、" if lang == "zh" else ", ").join(str(_param(v, lang)) for v in self.items[: self.limit])
        if len(self.items) > self.limit:
            shown += Message(self.key, {"count": len(self.items)}).render(lang)
        return shown


def register(entries: dict[str, tuple[str, str]]) -> None:
    """Add a module's own messages; a key registered twice with other text is a bug."""
    for key, value in entries.items():
        if CATALOG.get(key, value) != value:
            raise ValueError(f"message key registered twice: {key}")
        CATALOG[key] = value


def text(key: str, lang: str = "zh", **params: Any) -> str:
    """Render a catalog entry directly."""
    return Message(key, params).render(lang)
