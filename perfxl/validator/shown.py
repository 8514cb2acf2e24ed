"""What the department's sheet shows once recalculated, cell by cell.

Overwritten cells are judged against their own sheet as shown (integrity), and rules
that read a score consider a number typed over its formula too (indicators).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import scoring as sc
from ..layout.model import Kind
from ..layout.summary import COPIED

if TYPE_CHECKING:
    from .context import Context


class Shown:
    """What the department's sheet shows once recalculated: a number typed over a formula
    as typed, any other formula cell by its rule applied to the cells it reads (as shown).

    An overwritten cell is then judged against its own sheet, as a reviewer would: a total
    typed as 98 where the shown scores add up to 118.5 (seed 002), a rate of 1.16% where
    the shown figures give 7.28 ÷ 66.15 = 11.00%.
    """

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.memo: dict[tuple[str, str], object] = {}

    def __call__(self, code: str, key: str) -> object:
        ctx = self.ctx
        f = ctx.layout.sheet(code).get(key)
        if f.kind != Kind.FORMULA:
            return ctx.value(code, key)
        cell = ctx.cell(code, key)
        if cell.formula is None and cell.value is not None:
            return cell.value
        return self.rule(code, key)

    def rule(self, code: str, key: str) -> object:
        if (code, key) not in self.memo:
            value = self._rule(code, key)
            self.memo[(code, key)] = None if value == "" else value
        return self.memo[(code, key)]

    def _rule(self, code: str, key: str) -> object:
        ctx, get = self.ctx, self
        sheet = ctx.layout.sheet(code)
        parts = key.split(".")
        if sheet.role in ("project", "department"):
            subs = [fr.key for fr in sheet.funds_rows if fr.key != "total"]
            if key.startswith("funds.") and parts[2] == "rate":
                return sc.execution_rate(sc.number(get(code, f"funds.{parts[1]}.budget")),
                                         sc.number(get(code, f"funds.{parts[1]}.executed")))
            if key == "funds.total.score":
                return sc.execution_score(sc.number(get(code, "funds.total.rate")), ctx.scheme)
            if key.startswith("funds.project.") and sheet.role == "department" and ctx.project_sheets:
                return sc.sum_numbers(sc.number(get(p.code, f"funds.total.{parts[2]}")) for p in ctx.project_sheets)
            if key.startswith("funds.total."):
                return sc.sum_numbers(sc.number(get(code, f"funds.{s}.{parts[2]}")) for s in subs)
            if key.startswith("level.") and parts[2] == "score":
                level = ctx.scheme.levels[int(parts[1]) - 1].name
                return sc.level_score(sc.number(get(code, f"ind.{r.index}.score"))
                                      for r in sheet.indicator_rows if r.level == level)
            if key == "total.score":
                scored = any(sc.number(get(code, f"ind.{r.index}.score")) is not None for r in sheet.indicator_rows)
                levels = [sc.number(get(code, f"level.{j}.score")) for j in range(1, len(ctx.scheme.levels) + 1)]
                return sc.total_score(sc.number(get(code, "funds.total.score")), levels, scored)
            if key == "grade":
                return sc.grade(sc.number(get(code, "total.score")), ctx.scheme)
        if sheet.role == "summary":
            row, _, column = key.partition(".")
            if row.startswith("p") and row[1:].isdigit() and row not in ctx.unusable:
                if column in COPIED:
                    return get(row, COPIED[column])
                if column == "rate":
                    return sc.execution_rate(sc.number(get(row, "funds.total.budget")),
                                             sc.number(get(row, "funds.total.executed")))
            if row == "total" and column in ("initial", "budget", "executed"):
                return sc.sum_numbers(sc.number(get(code, f"p{i}.{column}"))
                                      for i in range(1, len(ctx.project_sheets) + 1))
            if key == "total.rate":
                return sc.execution_rate(sc.number(get(code, "total.budget")), sc.number(get(code, "total.executed")))
        return ctx.expected(code, key)
