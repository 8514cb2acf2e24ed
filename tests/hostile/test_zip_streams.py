"""Zip bombs that zipfile.read() would inflate before checking, lying directories, and files
that are not regular files: each gets its clear answer from the command line, in bounded
memory and time, with every input unchanged and no temporary file left behind.

The commands run in a subprocess wrapped by a small probe that reports the peak resident
memory of the whole process tree (RUSAGE_CHILDREN), so a bomb that is inflated shows up
whether it is inflated in the main process (rosters) or in a validation worker. Bombs are
built at test time and stay small on disk: a 1 GiB deflate stream is one 1 MiB block
repeated (about 1 MB), a 512 MiB bzip2 stream is 400 bytes.
"""

from __future__ import annotations

import bz2
import functools
import hashlib
import io
import json
import lzma
import os
import socket
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from perfxl.samples import write_roster_xlsx
from perfxl.validator.guards import CHUNK, Limits, _entries, check_parts, open_parts, read_member

from .test_corpus import EXAMPLE_ROSTER, YEAR, clean, corpus_cases, rezip

ROOT = Path(__file__).resolve().parents[2]
MiB = 2**20
# What a command may reach at its peak, across every process it starts. A clean validate of
# one file peaks near 100 MB here and generate near 90 MB; each bomb below, inflated the way
# zipfile.read() inflates it, would add 512 MB or more.
PEAK_MB = 300
SECONDS = 30.0   # wall time of one command, start-up included, on a busy 2-core machine
HANG = 120       # the subprocess is killed after this: a hang fails the test instead of stalling it

_PROBE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
run = subprocess.run(sys.argv[1:], capture_output=True)
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": run.returncode, "out": run.stdout.decode("utf-8", "replace"),
                  "err": run.stderr.decode("utf-8", "replace"), "peak_mb": peak_kb / 1024,
                  "seconds": time.perf_counter() - start}))
"""


def run_cli(*args: str) -> dict:
    """`perfxl args…` in a fresh process tree: exit code, output, peak memory (MB) and wall time."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-c", _PROBE, sys.executable, "-m", "perfxl", *args],
                          capture_output=True, timeout=HANG, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return json.loads(done.stdout)


def assert_answered(run: dict, rc: int, *words: str) -> None:
    """The documented answer, no traceback, in bounded memory and time."""
    text = run["out"] + run["err"]
    assert "Traceback" not in text, text
    assert run["rc"] == rc, text
    for word in words:
        assert word in text, (word, text)
    assert run["peak_mb"] < PEAK_MB, f"peak {run['peak_mb']:.0f} MB"
    assert run["seconds"] < SECONDS, f"{run['seconds']:.1f} s"


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def leftovers(*folders: Path) -> list[Path]:
    """Temporary or partial outputs (the atomic writer's .tmp files)."""
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.name.endswith(".tmp")]


# --- zips written by hand: members that lie -----------------------------------------------------


def raw_zip(members: list[tuple[str, int, bytes, int, int]], claimed_count: int | None = None) -> bytes:
    """A zip of (name, method, stored bytes, declared size, crc) members, exactly as given."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, method, payload, declared, crc in members:
        offset = out.tell()
        encoded = name.encode("utf-8")
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x800, method, 0, 0x21, crc, len(payload),
                              declared, len(encoded), 0) + encoded + payload)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x800, method, 0, 0x21, crc,
                                  len(payload), declared, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start, directory = out.tell(), central.getvalue()
    count = len(members) if claimed_count is None else claimed_count
    out.write(directory + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0))
    return out.getvalue()


def members_of(workbook: bytes) -> list[tuple[str, int, bytes, int, int]]:
    """A real workbook's members, deflated again as raw members (for raw_zip)."""
    found = []
    with zipfile.ZipFile(io.BytesIO(workbook)) as zf:
        for info in zf.infolist():
            data = zf.read(info)
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            found.append((info.filename, 8, packer.compress(data) + packer.flush(), len(data), zlib.crc32(data)))
    return found


@functools.cache
def deflate_zeros(mib: int) -> bytes:
    """A raw deflate stream of `mib` MiB of zeros: one fully flushed 1 MiB block repeated, then a final empty block."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(MiB)) + packer.flush(zlib.Z_FULL_FLUSH)
    return block * mib + b"\x03\x00"


@functools.cache
def bzip2_zeros(mib: int) -> bytes:
    packer = bz2.BZ2Compressor(9)
    zeros = bytes(MiB)
    return b"".join(packer.compress(zeros) for _ in range(mib)) + packer.flush()


def lzma_member(data: bytes) -> bytes:
    """What zipfile writes for method 14: a 4-byte version/size header, the filter properties, the stream."""
    packer = lzma.LZMACompressor(lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA1, "preset": 0}])
    props = lzma._encode_filter_properties({"id": lzma.FILTER_LZMA1, "preset": 0})
    return struct.pack("<BBH", 9, 4, len(props)) + props + packer.compress(data) + packer.flush()


def with_member(workbook: bytes, member: tuple[str, int, bytes, int, int]) -> bytes:
    return raw_zip(members_of(workbook) + [member])


ZERO_CRC_100 = zlib.crc32(bytes(100))
# The cases of issue 9: an extra part that is a bzip2 or lzma stream declared as 100 bytes, a deflate
# part declared as 100 bytes that inflates to 1 GiB (its CRC that of the first 100: zipfile would
# inflate it all, cut it to 100 bytes and accept it).
BOMBS = {
    "bzip2": (lambda: ("xl/media/image1.bin", 12, bzip2_zeros(512), 100, ZERO_CRC_100), "bzip2"),
    "lzma": (lambda: ("xl/worksheets/sheet9.xml", 14, lzma_member(bytes(64 * MiB)), 100, ZERO_CRC_100), "lzma"),
    "deflate_1gib": (lambda: ("xl/media/image1.bin", 8, deflate_zeros(1024), 100, ZERO_CRC_100), "100"),
}


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_a_bomb_in_a_returned_file(tmp_path: Path, bomb: str) -> None:
    """F01 for a compression method no office writes, F05 for a part inflating past its declared size."""
    make, word = BOMBS[bomb]
    folder, annotated = tmp_path / "回收", tmp_path / "退回"
    folder.mkdir()
    (folder / "bomb.xlsx").write_bytes(with_member(clean(1), make()))
    (folder / "good.xlsx").write_bytes(clean(2))
    before = digests(folder)
    run = run_cli("validate", str(folder), "--year", str(YEAR), "--annotate", str(annotated), "--lang", "en")
    code = "F05" if bomb.startswith("deflate") else "F01"
    assert_answered(run, 1, code, word)
    report = run["out"]
    assert "good.xlsx" in report and "passed" in report
    assert digests(folder) == before
    assert not leftovers(folder, annotated, tmp_path)
    assert not (annotated / "bomb_批注.xlsx").exists()
    print(f"{bomb}: peak {run['peak_mb']:.0f} MB, {run['seconds']:.1f} s")


@pytest.mark.parametrize("command", ["generate", "validate"])
@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_a_bomb_in_a_roster(tmp_path: Path, bomb: str, command: str) -> None:
    """A roster error naming the file, exit code 2, nothing written, memory bounded."""
    make, word = BOMBS[bomb]
    roster = tmp_path / "花名册.xlsx"
    roster.write_bytes(with_member(EXAMPLE_ROSTER.read_bytes(), make()))
    before = roster.read_bytes()
    out = tmp_path / "out"
    if command == "generate":
        run = run_cli("generate", "--roster", str(roster), "--year", str(YEAR), "--out", str(out))
    else:
        returned = tmp_path / "回收"
        returned.mkdir()
        (returned / "good.xlsx").write_bytes(clean(1))
        run = run_cli("validate", str(returned), "--roster", str(roster), "--year", str(YEAR))
    assert_answered(run, 2, "花名册.xlsx", word if bomb != "deflate_1gib" else "压缩炸弹")
    assert roster.read_bytes() == before
    assert not out.exists()
    assert not leftovers(tmp_path)
    print(f"{bomb} {command}: peak {run['peak_mb']:.0f} MB, {run['seconds']:.1f} s")


def test_a_member_inflating_a_little_past_its_size_is_damaged() -> None:
    """Flipped bytes inflate to garbage of any length: a little over is F01 (damaged), not a bomb."""
    data = b"<x>" + b"a" * 5000 + b"</x>"
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    payload = packer.compress(data) + packer.flush()
    members = members_of(clean(1)) + [("xl/extra.xml", 8, payload, len(data) - 10, zlib.crc32(data[:-10]))]
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"perfxl-short-{os.getpid()}.xlsx"
    path.write_bytes(raw_zip(members))
    try:
        finding = open_parts(str(path)).finding
    finally:
        path.unlink()
    assert finding is not None and finding.code == "F01"


def test_members_read_as_streams_equal_zipfile(tmp_path: Path) -> None:
    """On an honest workbook the streamed reader returns exactly what zipfile returns."""
    path = tmp_path / "a.xlsx"
    path.write_bytes(clean(1))
    with open(path, "rb") as fh, zipfile.ZipFile(fh) as zf:
        for info in zf.infolist():
            assert read_member(fh, info) == zf.read(info)
            assert read_member(fh, info, keep=False) == b""
    opened = open_parts(str(path), every_part=True)
    assert opened.finding is None and len(opened.parts) == len(zipfile.ZipFile(path).infolist())


def _entity_across_chunks(workbook: bytes, member: str, marker: bytes) -> bytes:
    """`member` padded so that `marker` starts 3 bytes before the end of the first 64 KB chunk."""
    def pad(name: str, data: bytes) -> bytes:
        if name != member:
            return data
        head = data.index(b"?>") + 2
        filler = b" " * (CHUNK - 3 - head)
        return data[:head] + filler + marker + b" x>" + data[head:]
    return rezip(workbook, pad)


def test_checking_parts_as_streams_finds_what_keeping_them_finds(tmp_path: Path) -> None:
    """check_parts (the roster's guard: nothing kept) gives every hostile file the finding that
    open_parts(every_part=True) gives, bombs and entity declarations split across chunks included."""
    cases = {case.name: case.data for case in corpus_cases() if case.data is not None}
    roster = EXAMPLE_ROSTER.read_bytes()
    for name, (make, _) in BOMBS.items():
        cases[f"roster_{name}.xlsx"] = with_member(roster, make())
    for marker in (b"<!DOCTYPE", b"<!ENTITY"):
        cases[f"split_{marker[2:].decode()}.xlsx"] = _entity_across_chunks(roster, "xl/worksheets/sheet1.xml", marker)
    cases["svg_doctype.xlsx"] = rezip(roster, extra={"xl/media/image1.svg": b'<!DOCTYPE svg><svg/>'})
    found = {}
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        kept = open_parts(str(path), every_part=True).finding
        streamed = check_parts(str(path))
        assert (streamed and (streamed.code, streamed.message)) == (kept and (kept.code, kept.message)), name
        found[name] = streamed and streamed.code
    assert found["split_DOCTYPE.xlsx"] == found["split_ENTITY.xlsx"] == found["billion_laughs.xlsx"] == "F05"
    assert found["svg_doctype.xlsx"] is None and found["good_a.xlsx"] is None


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc (Linux)")
def test_the_roster_guard_keeps_no_part(tmp_path: Path) -> None:
    """The roster's guard inflates a 16 MB sheet (10,000 departments) without keeping it."""
    path = write_roster_xlsx(tmp_path / "r.xlsx", 10_000, 4)
    probe = ("import re, sys\nfrom perfxl.validator.guards import check_parts\n"
             "def hwm():\n    return int(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1))\n"
             "before = hwm()\nassert check_parts(sys.argv[1]) is None\nprint((hwm() - before) // 1024)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    grew = int(subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, env=env,
                              check=True).stdout)
    assert grew < 5, f"{grew} MB"  # measured: 0 (kept whole: ~19)


# --- a directory that lies about its count ---------------------------------------------------------


def lying_directory(entries: int, claimed: int = 0xFFFF) -> bytes:
    """`entries` central-directory entries (all naming one empty stored member), `claimed` in the end record.

    65,535 with no zip64 locator is issue 9's case (the guard used to give up on it).
    """
    one = ("a", 0, b"", 0, 0)
    zipped = raw_zip([one])
    local_end = zipped.index(b"PK\x01\x02")
    local, entry = zipped[:local_end], zipped[local_end:zipped.index(b"PK\x05\x06")]
    directory = entry * entries
    return local + directory + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, claimed, claimed, len(directory),
                                           len(local), 0)


@pytest.mark.parametrize("claimed,shown", [(0xFFFF, "65,535"), (10, "≥3,001")])
def test_the_real_directory_is_counted_not_the_end_record(tmp_path: Path, claimed: int, shown: str) -> None:
    """3,500 real entries: refused by the claim when it is over the limit, else by counting them, before zipfile."""
    path = tmp_path / "lying.xlsx"
    path.write_bytes(lying_directory(3500, claimed))
    finding = open_parts(str(path)).finding
    assert finding is not None and finding.code == "F05"
    assert finding.message.params["actual"] == shown
    assert _entries(b"PK\x01\x02" + bytes(42) + b"junk", 10) == 1


def test_a_million_entries_behind_a_lying_end_record(tmp_path: Path) -> None:
    """Issue 9's case at a tenth of its size: F05 from the command line, memory flat, input unchanged."""
    folder = tmp_path / "回收"
    folder.mkdir()
    (folder / "lying.xlsx").write_bytes(lying_directory(100_000))
    (folder / "lying_small.xlsx").write_bytes(lying_directory(60_000, claimed=10))  # 2.8 MB of directory: walked
    before = digests(folder)
    run = run_cli("validate", str(folder), "--year", str(YEAR))
    assert_answered(run, 1, "F05", "压缩包内部件数")
    assert digests(folder) == before
    print(f"100,000 entries: peak {run['peak_mb']:.0f} MB, {run['seconds']:.1f} s")


def test_limits_still_apply_to_the_walk(tmp_path: Path) -> None:
    path = tmp_path / "lying.xlsx"
    path.write_bytes(lying_directory(50))
    assert open_parts(str(path), Limits(members=40)).finding.code == "F05"


# --- files that are not regular files -----------------------------------------------------------------


def specials(folder: Path) -> dict[str, str]:
    """Every kind of non-regular file, named like a workbook: name → the words its F01 must say."""
    os.symlink("loop.xlsx", folder / "loop.xlsx")
    os.symlink("nowhere.xlsx", folder / "dangling.xlsx")
    os.mkfifo(folder / "pipe.xlsx")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.xlsx"))
    sock.close()
    os.symlink(".", folder / "again")  # a link to a folder: never followed (it would loop)
    return {"loop.xlsx": "loops", "dangling.xlsx": "does not exist", "pipe.xlsx": "named pipe",
            "sock.xlsx": "socket"}


def test_a_folder_of_special_files_is_answered_with_annotate(tmp_path: Path) -> None:
    """Each special file gets F01 saying what it is; the good file passes; annotate plans without raising."""
    folder, annotated = tmp_path / "回收", tmp_path / "退回"
    folder.mkdir()
    (folder / "good.xlsx").write_bytes(clean(1))
    (folder / "bad.xlsx").write_bytes(clean(2, year=YEAR - 1))  # F08: readable, so its copy is planned
    expected = specials(folder)
    before = digests(folder)
    run = run_cli("validate", str(folder), "--year", str(YEAR), "--annotate", str(annotated), "--lang", "en",
                  "--format", "json")
    assert_answered(run, 1)
    report = json.loads(run["out"])
    by_name = {Path(f["path"]).name: f for f in report["files"]}
    for name, words in expected.items():
        (finding,) = by_name[name]["findings"]
        assert finding["code"] == "F01" and words in finding["message"], finding
    assert by_name["good.xlsx"]["findings"] == []
    assert "again" not in " ".join(by_name)  # the link to a folder was not walked into
    assert digests(folder) == before
    assert not leftovers(folder, annotated)
    assert sorted(p.name for p in annotated.iterdir()) == ["bad_校验结果.xlsx"]


def test_special_files_named_on_the_command_line(tmp_path: Path) -> None:
    expected = specials(tmp_path)
    run = run_cli("validate", *(str(tmp_path / name) for name in expected), "--year", str(YEAR))
    assert_answered(run, 1, "不是普通文件", "命名管道", "套接字", "符号链接")


@pytest.mark.parametrize("kind", ["fifo", "loop", "dangling", "device", "fifo_in_folder", "csv_fifo"])
def test_a_roster_that_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    """generate never blocks on a FIFO or a device: a roster error naming the file, exit 2, nothing written."""
    if kind == "fifo":
        roster = tmp_path / "花名册.xlsx"
        os.mkfifo(roster)
        args, word = [str(roster)], "命名管道"
    elif kind == "loop":
        roster = tmp_path / "花名册.xlsx"
        os.symlink(roster.name, roster)
        args, word = [str(roster)], "循环"
    elif kind == "dangling":
        roster = tmp_path / "花名册.xlsx"
        os.symlink("nowhere.xlsx", roster)
        args, word = [str(roster)], "不存在"
    elif kind == "device":
        args, word = ["/dev/zero"], "设备"
    elif kind == "fifo_in_folder":
        folder = tmp_path / "花名册"
        folder.mkdir()
        os.mkfifo(folder / "花名册.xlsx")
        args, word = [str(folder)], "命名管道"
    else:
        (tmp_path / "部门.csv").write_text("部门编码,部门名称\n101,甲\n", encoding="utf-8")
        os.mkfifo(tmp_path / "项目.csv")
        args, word = [str(tmp_path / "部门.csv"), str(tmp_path / "项目.csv")], "命名管道"
    out = tmp_path / "out"
    run = run_cli("generate", *(a for path in args for a in ("--roster", path)), "--year", str(YEAR),
                  "--out", str(out))
    assert_answered(run, 2, "不是普通文件", word)
    assert not out.exists()
    if kind == "fifo":
        en = run_cli("validate", str(tmp_path), "--roster", args[0], "--year", str(YEAR), "--lang", "en")
        assert_answered(en, 2, "not a regular file", "named pipe")


def test_an_unreadable_folder_is_reported_not_raised(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: root can list any folder")
    folder = tmp_path / "回收"
    (folder / "locked").mkdir(parents=True)
    (folder / "good.xlsx").write_bytes(clean(1))
    (folder / "locked").chmod(0)
    try:
        from perfxl.validator.engine import collect

        files, skipped = collect([folder])
        assert [Path(f).name for f in files] == ["good.xlsx"]
        assert skipped == [(str(folder / "locked"), "unreadable_dir")]
    finally:
        (folder / "locked").chmod(0o755)


def test_a_very_deep_folder_is_walked(tmp_path: Path) -> None:
    """No recursion limit: 1,200 nested folders (pathlib's rglob recursed per level)."""
    from perfxl.validator.engine import collect

    deep = tmp_path
    try:
        for _ in range(1200):  # one level at a time: mkdir(parents=True) itself recurses per level
            deep = deep / "d"
            os.mkdir(deep)
    except OSError:
        pytest.skip("the file system refuses a path this long")
    try:
        (deep / "x.xlsx").write_bytes(b"x")
        start = time.perf_counter()
        files, skipped = collect([tmp_path])
        assert time.perf_counter() - start < 5
        assert files == [str(deep / "x.xlsx")] and skipped == []
    finally:  # bottom up: shutil.rmtree (pytest's clean-up) recurses per level too
        (deep / "x.xlsx").unlink(missing_ok=True)
        while deep != tmp_path:
            deep.rmdir()
            deep = deep.parent
