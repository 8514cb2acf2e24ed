"""Generated workbooks equal the committed references, part by part (XlsxWriter's approach).

Output is reproducible (fixed zip dates, set creation date), so nothing needs stripping;
a failure names the part and the first lines that differ. After an intended change to
the form, rebuild with `python tests/golden/golden.py` and review the diff.
"""

from __future__ import annotations

import difflib
import io
import zipfile

import pytest

from .golden import CASES, HERE


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_reference(name: str) -> None:
    expected, actual = parts((HERE / name).read_bytes()), parts(CASES[name]())
    assert sorted(actual) == sorted(expected)
    for part in sorted(expected):
        if actual[part] != expected[part]:
            want = expected[part].decode("utf-8", "replace").replace("><", ">\n<").splitlines()
            got = actual[part].decode("utf-8", "replace").replace("><", ">\n<").splitlines()
            diff = "\n".join(list(difflib.unified_diff(want, got, "reference", "generated", lineterm="", n=1))[:40])
            pytest.fail(f"{name}: part {part} differs (rebuild with python tests/golden/golden.py if intended):\n{diff}")
