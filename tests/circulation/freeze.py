"""Record what the validator finds in the frozen workbooks of each released template version.

    python tests/circulation/freeze.py   # only when a NEW version's files are added

Workbooks stay in circulation for months: a file issued by an earlier release must
validate with the same findings by every later perfxl. tests/circulation/v<N>/ holds
files made by template version N (clean returns and returns with typical mistakes, some
saved by LibreOffice); expected.json pins their findings — code, sheet, cell and the
consequences listed under each — and test_circulation.py holds every later release to it.
Never regenerate the entries of a version already released: that would move the goalposts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from perfxl.roster import read_roster  # noqa: E402
from perfxl.validator.engine import check_file  # noqa: E402
from perfxl.validator.context import Options  # noqa: E402

ROSTER = HERE.parents[0] / "fixtures" / "roster"
YEAR = 2025


def findings(path: Path) -> list[list]:
    """With the fixtures' roster, except for blank templates (a department outside the roster: R03)."""
    roster = None if "blank" in path.name else read_roster(ROSTER)
    result = check_file(str(path), Options(YEAR, roster))
    return [[f.code, f.sheet, f.cell, [[c.code, c.sheet, c.cell] for c in f.consequences]] for f in result.findings]


def main() -> None:
    out = HERE / "expected.json"
    known = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    for path in sorted(HERE.glob("v*/**/*.xlsx")):
        key = path.relative_to(HERE).as_posix()
        if key not in known:
            known[key] = findings(path)
            print("froze", key, [f[0] for f in known[key]])
    out.write_text(json.dumps(known, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
