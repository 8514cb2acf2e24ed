"""One mistake, one finding (RULES.md): findings caused by another are listed under it.

A formula typed over is S02, and the rule its typed number breaks at that cell (I05,
B05, T01 …) follows from it; "1192819.16 元" is V05, and its V02 follows. Such pairs are
found by cell here, by the table below. Consequences at other cells (a funds total over
budget because a sub-row is; a weight total off because a level's weights are) are
linked by the rule that reports them (Context.link). Counts, the exit code and the
summary count the roots; the reports show the rest indented under their root.
"""

from __future__ import annotations

from dataclasses import replace

from .model import Finding

# Root code → codes that, at the same cell, follow from it.
SAME_CELL: dict[str, frozenset[str]] = {
    # what integrity derives from an overwritten formula's number, and the budget rules it trips
    "S02": frozenset({"I01", "I02", "I03", "I05", "I06", "B01", "B02", "B03", "B05", "T01", "T02", "T03",
                      "D01", "D05"}),
    # an issued figure typed over after unprotecting: it also differs from the roster (the
    # budget rules judge the recorded figure, so a B03 there is a mistake of its own)
    "S03": frozenset({"R01"}),
    # an amount typed in 元: text as well (V02), or a hundredfold over budget (B02) — the unit is the mistake
    "V05": frozenset({"V02", "B02"}),
}


def group(findings: list[Finding], links: list[tuple[Finding, Finding]] = ()) -> list[Finding]:
    """The root findings, each carrying its consequences (flattened, in the order found)."""
    parent: dict[int, Finding] = {}
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet is not None and f.cell is not None:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for f in findings:
        follows = SAME_CELL.get(f.code)
        if not follows or f.sheet is None or f.cell is None:
            continue
        for other in by_cell[(f.sheet, f.cell)]:
            if other is not f and other.code in follows and id(other) not in parent:
                parent[id(other)] = f
    present = {id(f) for f in findings}
    for cause, consequence in links:
        if id(cause) in present and id(consequence) in present and id(consequence) not in parent:
            parent[id(consequence)] = cause

    def root(f: Finding) -> Finding:
        seen = set()
        while id(f) in parent and id(f) not in seen:  # a cycle cannot arise, but never loop on one
            seen.add(id(f))
            f = parent[id(f)]
        return f

    children: dict[int, list[Finding]] = {}
    roots: list[Finding] = []
    for f in findings:
        top = root(f)
        if top is f:
            roots.append(f)
        else:
            children.setdefault(id(top), []).append(f)
    return [replace(f, consequences=f.consequences + tuple(children[id(f)])) if id(f) in children else f
            for f in roots]
