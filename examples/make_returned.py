"""Build examples/returned/: a folder of returned workbooks to try `perfxl validate` on.

Run `python examples/make_returned.py`: the files are written into examples/returned/,
byte for byte the same on every run (fixed seeds and dates, fixed zip timestamps), from
the departments of examples/roster.xlsx, for the 2025 round. Then:

    perfxl validate examples/returned/ --year 2025 [--roster examples/roster.xlsx]

What the folder holds:
- 怀来县, 隆回县, 望城区: filled with care (perfxl.samples.realistic_inputs): no finding.
- 承德高新区: the mistakes of seed 002 — an amount typed in 元 as text ("91700 元"), a
  project that spent nothing with no reason given, an indicator's 得分 typed over its
  formula (the sheet unprotected for it), "98 分" typed as the 实际完成值 of a satisfaction
  indicator.
- 承德高新区 again, "（修改）": the same department's second send, with two of those fixed:
  both files are now duplicates of one department (F09), and the rest still stands.
- 衡山县: the mistakes of seed 003 — 产出 weights adding up to 60 (110 in all), the
  execution score typed over its formula (97.50% given 9), a 自评结论 that is not the
  table's grade, a project sheet with no 填报人.
- ~$…xlsx: the lock file Excel leaves beside an open workbook; the validator skips it.

And examples/resubmitted/, the second wave of a round (`make demo` runs the season):
- 承德高新区, "（第二次修改）": every mistake fixed; it passes and supersedes both first sends.
- 衡山县, "（修改）": weights, the typed-over score and the 自评结论 fixed, but project 2 still
  has no 填报人: it fails again, one error left.

Only what a department types differs from a clean return: each mistake is an edit of
the clean inputs, or a value typed over a formula after unprotecting the sheet (openpyxl),
and the basic data is then retaken from the department table, as a department copies it.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import openpyxl

from perfxl.evaluate import evaluate_workbook
from perfxl.generate import department_workbook
from perfxl.layout.model import WorkbookLayout
from perfxl.layout.workbook import build_layout
from perfxl.naming import workbook_name
from perfxl.roster.model import Department
from perfxl.roster.reader import read_roster
from perfxl.samples import REASONS, realistic_inputs
from perfxl.scheme import Scheme, load_scheme
from perfxl.scoring import QUANTITATIVE, is_number
from perfxl.writer.issue import department_values

HERE = Path(__file__).resolve().parent
OUT = HERE / "returned"
RESUBMITTED = HERE / "resubmitted"
YEAR = 2025
GENERATED = date(2026, 1, 5)            # when the finance office generated the workbooks
SAVED = "2026-02-10T09:30:00Z"          # docProps modified time of the files saved by openpyxl
ZIP_TIME = (2026, 2, 10, 9, 30, 0)
LOCK_OWNER = "zhonghua"

Inputs = dict[tuple[str, str], object]


@dataclass
class Fill:
    """One department's return under construction: its inputs and the formula cells typed over."""

    dept: Department
    layout: WorkbookLayout
    scheme: Scheme
    issued: Inputs
    inputs: Inputs
    typed: Inputs = field(default_factory=dict)
    keep_conclusion: bool = False  # a mistake set the 自评结论 on purpose

    def rows(self, code: str, level: str | None = None, quantitative: bool = False) -> list[int]:
        """Indicator indexes of the used rows of a sheet, in form order."""
        out = []
        for r in self.layout.sheet(code).indicator_rows:
            if self.inputs.get((code, f"ind.{r.index}.name")) is None or (level and r.level != level):
                continue
            p = f"ind.{r.index}"
            if quantitative and not (self.inputs.get((code, f"{p}.op")) in QUANTITATIVE
                                     and is_number(self.inputs.get((code, f"{p}.actual")))
                                     and self.inputs[(code, f"{p}.actual")] >= self.inputs[(code, f"{p}.target")]):
                continue  # a ≥ row met in full: its score is the whole weight
            out.append(r.index)
        return out


Mistake = Callable[[Fill], None]


# --- the mistakes, each as a department makes it -------------------------------------------

def amount_in_yuan(code: str, text: str) -> Mistake:
    """全年执行数 typed in 元 with the unit (seed 002 大厅: "1192819.16 元"); the rows with no
    budget left blank, as the seed leaves them."""
    def apply(f: Fill) -> None:
        f.inputs[(code, "funds.fiscal.executed")] = text
        for sub in ("carryover", "other"):
            if not f.issued.get((code, f"funds.{sub}.budget")):
                f.inputs.pop((code, f"funds.{sub}.executed"), None)
    return apply


def nothing_spent_no_reason(code: str) -> Mistake:
    """A project that spent nothing, and no 预算执行偏差原因 (seed 002: 0%, 75.97% …)."""
    def apply(f: Fill) -> None:
        for sub in ("fiscal", "carryover", "other"):
            if (code, f"funds.{sub}.executed") in f.inputs:
                f.inputs[(code, f"funds.{sub}.executed")] = 0.0
        f.inputs.pop((code, "funds.reason"), None)
    return apply


def score_typed_over(code: str, lost: float) -> Mistake:
    """An indicator met in full, its 得分 typed `lost` points lower over the formula, no reason
    given (seed 002 大厅: 11 of 12.5)."""
    def apply(f: Fill) -> None:
        index = next(i for i in f.rows(code, quantitative=True) if f.inputs[(code, f"ind.{i}.weight")] > 2 * lost)
        f.typed[(code, f"ind.{index}.score")] = round(f.inputs[(code, f"ind.{index}.weight")] - lost, 2)
        f.inputs.pop((code, f"ind.{index}.reason"), None)
    return apply


def text_in_number_cell(code: str, text: str) -> Mistake:
    """A satisfaction indicator whose 实际完成值 is typed as "98 分" (text, not a number)."""
    def apply(f: Fill) -> None:
        index = f.rows(code, level="满意度指标")[0]
        p = f"ind.{index}"
        f.inputs.update({(code, f"{p}.name"): "群众满意度测评得分", (code, f"{p}.op"): "≥",
                         (code, f"{p}.target"): 90, (code, f"{p}.unit"): "分", (code, f"{p}.actual"): text})
        for part in ("qual", "reason"):
            f.inputs.pop((code, f"{p}.{part}"), None)
    return apply


def weights_over(code: str, extra: float) -> Mistake:
    """One 产出 indicator given `extra` more points: the weights add up to 100 + extra (seed 003)."""
    def apply(f: Fill) -> None:
        index = f.rows(code, level="产出指标", quantitative=True)[0]
        key = (code, f"ind.{index}.weight")
        f.inputs[key] = round(f.inputs[key] + extra, 2)
    return apply


def execution_score_typed(code: str, executed_share: float, value: float) -> Mistake:
    """执行率 97.50% and its score typed over the formula as 9 (seed 003)."""
    def apply(f: Fill) -> None:
        budget = f.issued[(code, "funds.fiscal.budget")]
        f.inputs[(code, "funds.fiscal.executed")] = round(budget * executed_share, 2)
        f.typed[(code, "funds.total.score")] = value
    return apply


def conclusion_not_grade(f: Fill) -> None:
    """The basic data's 自评结论 one band above the department table's grade (seed 001)."""
    grade = evaluate_workbook(f.layout, {**f.issued, **f.inputs}, f.scheme)[("dept", "grade")]
    names = [g.name for g in f.scheme.grades]
    f.inputs[("basic", "conclusion")] = names[max(0, names.index(grade) - 1)] if grade != names[0] else names[1]
    f.keep_conclusion = True


def no_filler(code: str) -> Mistake:
    """A sheet returned without its 填报人."""
    def apply(f: Fill) -> None:
        f.inputs.pop((code, "filler"), None)
    return apply


# --- the batch ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Return:
    department: str                 # 部门编码 in the roster
    seed: int                       # realistic_inputs seed
    mistakes: tuple[Mistake, ...] = ()
    suffix: str = ""                # appended to the issued file name (a second send)


CHENGDE_FIRST = (amount_in_yuan("p7", "91700 元"), nothing_spent_no_reason("p5"), score_typed_over("p1", 1.5),
                 text_in_number_cell("p4", "98 分"))
RETURNS = (
    Return("101001", 11),
    Return("101002", 12),
    Return("101005", 15),
    Return("101003", 13, CHENGDE_FIRST),
    Return("101003", 13, (nothing_spent_no_reason("p5"), text_in_number_cell("p4", "98 分")), suffix="（修改）"),
    Return("101004", 14, (weights_over("p1", 10), execution_score_typed("p1", 0.975, 9), conclusion_not_grade,
                          no_filler("p2"))),
)
LOCKED = "101003"  # the department whose workbook was still open in Excel
SECOND_WAVE = (
    Return("101003", 13, suffix="（第二次修改）"),
    Return("101004", 14, (no_filler("p2"),), suffix="（修改）"),
)


def fill(dept: Department, scheme: Scheme, ret: Return) -> Fill:
    layout = build_layout(scheme, len(dept.projects), goals_issued=tuple(bool(p.goal) for p in dept.projects))
    issued = department_values(layout, dept, YEAR, scheme, GENERATED)
    f = Fill(dept, layout, scheme, issued, realistic_inputs(layout, scheme, ret.seed, budgets=issued))
    for mistake in ret.mistakes:
        mistake(f)
    settle_basic(f)
    return f


def settle_basic(f: Fill) -> None:
    """Retake the basic data from the department table, as realistic_inputs does.

    A mistake in a project sheet moves the department table's sums; the department copies
    the figures it then sees, explains its overall execution rate if it has to, and keeps
    income covering spending, so only the planted mistakes show.
    """
    computed = evaluate_workbook(f.layout, {**f.issued, **f.inputs}, f.scheme)
    inputs = f.inputs
    project = computed[("dept", "funds.project.executed")]
    inputs[("basic", "expense.project")] = project if is_number(project) else 0.0
    spent = inputs[("basic", "expense.basic")] + inputs[("basic", "expense.project")]
    income = sum(inputs.get(("basic", k), 0.0) for k in ("income.budget", "income.nontax", "income.transfer",
                                                         "income.other"))
    if spent > income:
        inputs[("basic", "income.budget")] = round(inputs[("basic", "income.budget")] + spent - income + 12.5, 2)
    rate = computed[("dept", "funds.total.rate")]
    ex = f.scheme.execution
    if is_number(rate) and not ex.reason_below <= rate <= ex.reason_above:
        inputs.setdefault(("dept", "funds.reason"), REASONS[0])
    if not f.keep_conclusion:
        inputs[("basic", "conclusion")] = computed[("dept", "grade")]


def render(f: Fill) -> bytes:
    data = department_workbook(f.dept, YEAR, f.scheme, GENERATED, inputs=f.inputs)
    return type_over(data, f.layout, f.typed) if f.typed else data


def type_over(data: bytes, layout: WorkbookLayout, typed: Inputs) -> bytes:
    """Unprotect the sheets and type the values over their formulas, as a department would."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for (code, key), value in typed.items():
        sheet = layout.sheet(code)
        ws = wb[sheet.name]
        ws.protection.sheet = False
        ws[sheet.get(key).ref].value = value
    out = io.BytesIO()
    wb.save(out)
    return steady_zip(out.getvalue())


def steady_zip(data: bytes) -> bytes:
    """The same bytes on every run: fixed member timestamps and a fixed modified time."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + SAVED.encode(), body)
            dst.writestr(zipfile.ZipInfo(info.filename, ZIP_TIME), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def lock_file(owner: str) -> bytes:
    """What Excel writes to ~$name.xlsx while the workbook is open: the owner's name, 165 bytes."""
    latin = owner.encode("latin-1")[:53]
    wide = owner.encode("utf-16-le")[:108]
    return bytes([len(latin)]) + latin.ljust(53, b" ") + struct.pack("<H", len(owner)) + wide.ljust(109, b"\0")


def build(out_dir: Path = OUT, returns: tuple[Return, ...] = RETURNS) -> list[Path]:
    scheme = load_scheme("national")
    roster = read_roster([HERE / "roster.xlsx"])
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.iterdir():  # files of an earlier run with other names
        if old.is_file() and (old.suffix == ".xlsx"):
            old.unlink()
    paths = []
    for ret in returns:
        dept = roster.department(ret.department)
        name = workbook_name(YEAR, dept.code, dept.name)
        path = out_dir / (name.removesuffix(".xlsx") + ret.suffix + ".xlsx")
        path.write_bytes(render(fill(dept, scheme, ret)))
        paths.append(path)
        if ret.department == LOCKED and not ret.suffix and returns is RETURNS:
            lock = out_dir / f"~${name}"
            lock.write_bytes(lock_file(LOCK_OWNER))
            paths.append(lock)
    return paths


def main() -> None:
    """`make_returned.py` builds both folders; `make_returned.py resubmitted` only the second wave.

    The committed examples/returned/ was made by template version 1 and is kept so: files
    issued by an earlier release stay in circulation, and the demo's first wave shows it.
    Rebuilding it makes version-2 files with the same findings (tests/validator/test_examples.py).
    """
    import sys

    only_second = sys.argv[1:] == ["resubmitted"]
    paths = ([] if only_second else build()) + build(RESUBMITTED, SECOND_WAVE)
    for path in paths:
        print(f"{path.relative_to(HERE.parent)}  ({path.stat().st_size:,} bytes)")
    print(f"{len(paths)} files, {sum(p.stat().st_size for p in paths):,} bytes")


if __name__ == "__main__":
    main()
