"""Read the finance office's roster (one .xlsx, or two CSV files) into a checked `Roster`.

The roster is exported by hand from the budget system, so it arrives with every kind of
flaw. Every problem is collected with its file, sheet, row and column and raised as one
RosterError: the office fixes the roster in one pass, and no partial output is ever made.

This module finds and opens the files (with the validator's guards) and streams their rows;
perfxl.roster.store checks each cell as it stages the rows in SQLite, so memory does not grow
with the roster. `read_roster` gives the checked roster as one `Roster`, for small uses.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import os
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import RosterError
from ..i18n import Message, register
from ..limits import (
    MAX_AMOUNT,
    ROSTER_MAX_COLUMNS,
    ROSTER_MAX_CSV_MB,
    ROSTER_MAX_LINE,
    ROSTER_MAX_ROWS,
)
from ..validator.guards import Limits, NotRegular, check_parts, open_regular, special_kind
from .model import (
    DEPARTMENT_COLUMNS,
    DEPARTMENT_SHEET,
    OPTIONAL_PROJECT_COLUMNS,
    PROJECT_COLUMNS,
    PROJECT_SHEET,
    Roster,
)

__all__ = ["read_roster", "open_tables", "MAX_PROBLEMS"]

MAX_PROBLEMS = 200
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
OLD_WORKBOOK_SUFFIXES = (".xls", ".et")
SHOWN_VALUE_LIMIT = 40
# Per sheet or CSV file, header included (a province's projects fit many times over), and the
# columns read (the roster has 12; exports from a budget system may carry more, read and ignored).
MAX_ROWS = ROSTER_MAX_ROWS
MAX_COLUMNS = ROSTER_MAX_COLUMNS

DEPARTMENT_AMOUNTS = ("basic_initial", "basic_budget")
PROJECT_AMOUNTS = (
    "fiscal_initial", "fiscal_budget", "carryover_initial", "carryover_budget", "other_initial", "other_budget",
)
DEPARTMENT_REQUIRED_TEXT = ("code", "name")
PROJECT_REQUIRED_TEXT = ("department_code", "code", "name")

# Digits with optional thousands separators: "1227.14", "1,227.14", "15", ".5"; a leading "-" is
# matched only to say "negative" rather than "not a number". ASCII digits only: float() would
# quietly accept full-width digits and "1_000".
_AMOUNT = re.compile(r"(-)?((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)")

register({
    "roster.header": ("花名册有误，未生成任何文件：", "The roster has problems; nothing was written:"),
    "roster.too_many": ("问题太多，只列出前 {limit} 条，另有 {more} 条未列出。",
                        "Too many problems: only the first {limit} are listed, {more} more are not."),
    # where a problem is
    "roster.at_cell_sheet": ("{file} › {sheet} › 第{row}行 {col}列（{header}）",
                             "{file} › {sheet} › row {row}, column {col} ({header})"),
    "roster.at_cell": ("{file} › 第{row}行 {col}列（{header}）", "{file} › row {row}, column {col} ({header})"),
    "roster.at_table_sheet": ("{file} › {sheet}", "{file} › {sheet}"),
    "roster.at_table": ("{file}", "{file}"),
    # which files
    "roster.no_input": ("没有指定花名册文件。", "No roster file was given."),
    "roster.not_found": ("{file}：文件或文件夹不存在。", "{file}: no such file or folder."),
    "roster.unreadable": ("{file}：无法读取（{reason}）。", "{file}: cannot be read ({reason})."),
    "roster.special": ("{file}：这不是普通文件，而是{what}，无法作为花名册读取。请指定花名册文件本身。",
                       "{file}: not a regular file but {what}; it cannot be read as a roster. Name the roster "
                       "file itself."),
    "roster.bad_inputs": ("花名册应为一个 .xlsx 工作簿、两个 .csv 文件（部门表和项目表）或包含它们的文件夹，收到的是：{files}",
                          "The roster must be one .xlsx workbook, two .csv files (departments and projects) "
                          "or a folder holding them; got: {files}"),
    "roster.dir_empty": ("{dir}：文件夹里没有花名册（应有一个 .xlsx 工作簿，或部门、项目两个 .csv 文件）。",
                         "{dir}: the folder holds no roster (one .xlsx workbook, or two .csv files "
                         "for departments and projects)."),
    "roster.dir_xls": ("{dir}：文件夹里只有旧版 .xls 文件（{files}），请在 Excel 或 WPS 中另存为 .xlsx 后再试。",
                       "{dir}: the folder holds only old .xls files ({files}); save them as .xlsx in Excel or WPS."),
    "roster.dir_ambiguous": ("{dir}：文件夹里有多个可能的花名册（{files}），请直接指定要用的文件。",
                             "{dir}: the folder holds several possible rosters ({files}); name the files to use."),
    "roster.csv_roles": ("无法分清部门表和项目表（{files}）：项目表应有“项目编码”列，部门表则没有。",
                         "Cannot tell the department file from the project file ({files}): the project file "
                         "has a 项目编码 column, the department file has none."),
    # broken files
    "roster.empty_file": ("{file}：文件是空的（0 字节）。", "{file}: the file is empty (0 bytes)."),
    "roster.xls": ("{file}：这是旧版 .xls 文件或设了打开密码的工作簿，无法读取。"
                   "请在 Excel 或 WPS 中打开，去掉密码，另存为“Excel 工作簿（*.xlsx）”后再试。",
                   "{file}: this is an old .xls file or a password-protected workbook and cannot be read. "
                   "Open it in Excel or WPS, remove the password and save it as an Excel workbook (*.xlsx)."),
    "roster.not_xlsx": ("{file}：不是 Excel 工作簿（.xlsx），可能已损坏或只是改了扩展名。请用 Excel 或 WPS 另存为 .xlsx 后再试。",
                        "{file}: not an Excel workbook (.xlsx); it may be damaged or only renamed. "
                        "Save it as .xlsx in Excel or WPS and try again."),
    "roster.encrypted": ("{file}：工作簿设置了打开密码，无法读取。请在 Excel 或 WPS 中打开，去掉密码后另存为 .xlsx 再试。",
                         "{file}: the workbook is password-protected and cannot be read. Open it in Excel or WPS, "
                         "remove the password and save it as .xlsx."),
    "roster.xlsb": ("{file}：这是 Excel 二进制工作簿（.xlsb），无法读取。请在 Excel 中另存为“Excel 工作簿（*.xlsx）”后再试。",
                    "{file}: this is an Excel binary workbook (.xlsb) and cannot be read. Save it as an Excel "
                    "Workbook (*.xlsx) and try again."),
    "roster.strict": ("{file}：工作簿以“Strict Open XML 电子表格”格式保存，无法读取。请在 Excel 中另存为“Excel 工作簿（*.xlsx）”后再试。",
                      "{file}: the workbook was saved as a Strict Open XML spreadsheet and cannot be read. Save it "
                      "as an Excel Workbook (*.xlsx) and try again."),
    "roster.not_workbook": ("{file}：这不是 Excel 工作簿，而是{what}，也可能文件已损坏。请使用花名册工作簿（.xlsx）。",
                            "{file}: this is not an Excel workbook but {what}, or the file is damaged. Use the "
                            "roster workbook (.xlsx)."),
    "roster.unsafe": ("{file}：{reason}请检查文件来源，重新从预算系统导出花名册。",
                      "{file}: {reason} Check where the file came from and export the roster again."),
    "roster.too_many_rows": ("{file} › {sheet}：超过 {limit} 行，无法作为花名册读取。请删除多余的行（包括表格下方远处的内容）。",
                             "{file} › {sheet}: more than {limit} rows, too many for a roster. Delete the rows "
                             "not needed (including anything far below the table)."),
    "roster.damaged": ("{file}：工作簿已损坏，无法读取（{reason}）。请用 Excel 或 WPS 打开后另存为 .xlsx 再试。",
                       "{file}: the workbook is damaged and cannot be read ({reason}). "
                       "Open it in Excel or WPS and save it as .xlsx again."),
    "roster.missing_sheet": ("{file}：找不到“{sheet}”工作表（现有工作表：{found}）。",
                             "{file}: there is no sheet named '{sheet}' (sheets found: {found})."),
    "roster.csv_is_workbook": ("{file}：扩展名是 .csv，内容却是 Excel 工作簿。请另存为“CSV UTF-8（逗号分隔）”，或直接使用 .xlsx 文件。",
                               "{file}: named .csv but holds an Excel workbook. Save it as 'CSV UTF-8 (Comma "
                               "delimited)', or use the .xlsx file directly."),
    "roster.encoding": ("{file}：无法识别文件编码（已尝试 UTF-8 和 GBK）。请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再试。",
                        "{file}: unknown text encoding (tried UTF-8 and GBK). Save it from Excel as "
                        "'CSV UTF-8 (Comma delimited)' and try again."),
    "roster.csv_too_large": ("{file}：文件有 {size} MB，超过花名册 CSV 文件 {limit} MB 的上限。请确认选对了文件。",
                             "{file}: the file is {size} MB, over the limit of {limit} MB for a roster CSV file. "
                             "Check that this is the right file."),
    "roster.csv_too_many_rows": ("{file}：超过 {limit} 行，无法作为花名册读取。请删除多余的行。",
                                 "{file}: more than {limit} rows, too many for a roster. Delete the rows not needed."),
    "roster.csv_line_too_long": ("{file} › 第{row}行：一行超过 {limit} 个字符，无法作为花名册读取。请确认选对了文件。",
                                 "{file} › line {row}: longer than {limit} characters, not a roster line. "
                                 "Check that this is the right file."),
    "roster.csv_malformed": ("{file}：CSV 格式有误（{reason}）。", "{file}: the CSV is malformed ({reason})."),
    # header and table problems
    "roster.no_header": ("{where}：第1行不是花名册表头，应包含{columns}等列。",
                         "{where}: row 1 is not a roster header; it should hold columns such as {columns}."),
    "roster.missing_column": ("{where}：第1行表头缺少“{column}”列。", "{where}: the header (row 1) has no '{column}' column."),
    "roster.duplicate_column": ("{where}：“{column}”列出现了不止一次（{cols}列）。",
                                "{where}: the column '{column}' appears more than once (columns {cols})."),
    "roster.no_rows": ("{where}：只有表头，没有数据。", "{where}: only a header row, no data."),
    # cell problems
    "roster.not_number": ("{where}：金额“{value}”不是数字，请填写阿拉伯数字（单位：万元），例如 1227.14。",
                          "{where}: amount '{value}' is not a number; enter digits in 万元 (ten thousand yuan), "
                          "e.g. 1227.14."),
    "roster.fullwidth": ("{where}：金额“{value}”用了全角字符，请改为半角数字，例如 12.50。",
                         "{where}: amount '{value}' is typed in full-width characters; "
                         "use ordinary digits, e.g. 12.50."),
    "roster.amount_too_large": ("{where}：金额“{value}”超过 {limit} 万元的上限（自评表中金额不能大于此数），请核对单位是否为万元。",
                                "{where}: amount '{value}' is over the limit of {limit} 万元 (no amount in the form "
                                "may exceed it); check that the unit is 万元."),
    "roster.negative": ("{where}：金额不能为负数（填的是“{value}”）。", "{where}: amount '{value}' must not be negative."),
    "roster.blank": ("{where}：此项必须填写。", "{where}: this cell must not be blank."),
    "roster.not_text": ("{where}：“{value}”不是文字，请把单元格格式设为“文本”后重新填写。",
                        "{where}: '{value}' is not text; format the cell as Text and enter it again."),
    "roster.duplicate_department": ("{where}：部门编码“{code}”重复（第{first}行已有）。",
                                    "{where}: department code '{code}' is repeated (already in row {first})."),
    "roster.duplicate_project": ("{where}：项目编码“{code}”重复（第{first}行已有）。",
                                 "{where}: project code '{code}' is repeated (already in row {first})."),
    "roster.too_many_projects": ("{where}：部门“{code}”有 {count} 个项目，超过一个工作簿 {limit} 个项目的上限。"
                                 "请核对项目表中这些项目的部门编码是否填错。",
                                 "{where}: department '{code}' has {count} projects, over the limit of {limit} "
                                 "projects in one workbook. Check the department codes of these projects in the "
                                 "project table."),
    "roster.unknown_department": ("{where}：部门编码“{code}”在 {table} 中找不到，请核对编码，或先在部门表中添加该部门。",
                                  "{where}: department code '{code}' is not in {table}; check the code, or add "
                                  "the department to the department table first."),
})


def read_roster(paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str]) -> Roster:
    """Read and check a roster; raises RosterError listing every problem, never a partial roster.

    `paths` is one .xlsx (sheets 部门 and 项目), two .csv files in either order, or one folder
    holding either. The whole roster is kept in memory: `perfxl.roster.store.open_roster` reads
    the same files into a store that gives one department at a time.
    """
    from .store import open_roster

    with open_roster(paths) as store:
        return store.roster()


# --- which files -------------------------------------------------------------------------------


def _resolve(paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str]) -> list[Path]:
    """The roster's files: [workbook] or [csv, csv]; a folder is looked into."""
    items = [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]
    if not items:
        raise RosterError(Message("roster.no_input"))
    kinds = [special_kind(p) for p in items]
    missing = [Message("roster.not_found", {"file": os.fspath(p)}) for p, kind in zip(items, kinds)
               if kind is None and not p.exists()]
    if missing:
        raise RosterError(missing)
    if len(items) == 1 and kinds[0] == "directory":
        return _resolve_folder(items[0])
    csvs = [p for p in items if _is_csv(p)]
    if "directory" in kinds or not (
        (len(items) == 1 and not csvs) or (len(items) == 2 and len(csvs) == 2)
    ):
        raise RosterError(Message("roster.bad_inputs", {"files": _names(items)}))
    special = [_special(p, kind) for p, kind in zip(items, kinds) if kind is not None]
    if special:
        raise RosterError(special)
    return items


def _special(path: Path, kind: str) -> Message:
    return Message("roster.special", {"file": os.fspath(path), "what": Message(f"guard.special.{kind}")})


def _resolve_folder(folder: Path) -> list[Path]:
    try:
        # not is_file(): a FIFO or a broken link named 花名册.xlsx is named in the error, not passed over
        entries = sorted(p for p in folder.iterdir() if not p.is_dir() and not p.name.startswith(("~$", ".")))
    except OSError as exc:
        raise RosterError(Message("roster.unreadable", {"file": os.fspath(folder), "reason": _reason(exc)})) from exc
    workbooks = [p for p in entries if p.suffix.lower() in WORKBOOK_SUFFIXES]
    csvs = [p for p in entries if _is_csv(p)]
    old = [p for p in entries if p.suffix.lower() in OLD_WORKBOOK_SUFFIXES]
    where = os.fspath(folder)
    if len(workbooks) == 1 and not csvs:
        return workbooks
    if len(csvs) == 2 and not workbooks:
        return csvs
    if not workbooks and not csvs:
        if old:
            raise RosterError(Message("roster.dir_xls", {"dir": where, "files": _names(old)}))
        raise RosterError(Message("roster.dir_empty", {"dir": where}))
    raise RosterError(Message("roster.dir_ambiguous", {"dir": where, "files": _names(workbooks + csvs)}))


def _is_csv(path: Path) -> bool:
    return path.suffix.lower() == ".csv"


def _names(paths: Iterable[Path]) -> str:
    return "、".join(p.name for p in paths)


def _reason(exc: BaseException) -> str:
    """A short, single-line reason for a low-level failure."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    text = " ".join(str(text).split())
    return text if len(text) <= 120 else text[:117] + "..."


def _read_bytes(path: Path, size: int = -1) -> bytes:
    try:
        with open_regular(path) as fh:
            return fh.read(size)
    except NotRegular as exc:
        raise RosterError(_special(path, exc.kind)) from exc
    except (OSError, MemoryError) as exc:
        raise RosterError(Message("roster.unreadable", {"file": path.name, "reason": _reason(exc)})) from exc


# --- reading tables ----------------------------------------------------------------------------


@dataclass
class _Table:
    """One sheet or CSV file: its header (row 1) and its data rows, numbered as Excel shows them.

    `rows` is read lazily, one row at a time: a roster of any size costs one row of memory here.
    """

    file: str
    sheet: str | None
    header: tuple[str, ...]
    rows: Iterator[tuple[int, tuple[Any, ...]]]

    def where(self) -> Message:
        if self.sheet is None:
            return Message("roster.at_table", {"file": self.file})
        return Message("roster.at_table_sheet", {"file": self.file, "sheet": self.sheet})

    def at(self, row: int, col: int) -> Message:
        params = {"file": self.file, "row": row, "col": _column_letter(col), "header": self.header[col]}
        if self.sheet is None:
            return Message("roster.at_cell", params)
        return Message("roster.at_cell_sheet", {**params, "sheet": self.sheet})

    def drain(self) -> None:
        """Read the rows not consumed: a file's reading problems (too many rows, a damaged
        part) are found whether or not its cells were looked at, as when every row was loaded."""
        for _ in self.rows:
            pass


def _header_text(value: Any) -> str:
    """A header label without any whitespace or BOM, so ' 部门编码\\n' still matches."""
    if value is None:
        return ""
    return "".join(str(value).replace("\ufeff", "").split())


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@contextmanager
def open_tables(files: Sequence[Path]) -> Iterator[tuple[_Table, _Table]]:
    """(departments, projects) of the roster's files as `_Table`s whose rows stream from the files.

    A file that cannot be read at all raises RosterError before anything is yielded. Problems met
    while rows are read (too many rows, a line too long, a malformed CSV) are raised on leaving
    the block, after the rest of every table has been read, every file's in one RosterError: the
    same messages as when the files were read whole before any cell was checked.
    """
    if len(files) == 1:
        with _workbook_tables(files[0]) as tables:
            yield tables
    else:
        with _csv_tables(files) as tables:
            yield tables


@contextmanager
def _workbook_tables(path: Path) -> Iterator[tuple[_Table, _Table]]:
    """Both sheets of an .xlsx roster; any failure of a broken file becomes a RosterError."""
    head = _read_bytes(path, 8)
    if not head:
        raise RosterError(Message("roster.empty_file", {"file": path.name}))
    _guard(path)
    too_many: list[Message] = []
    with ExitStack() as stack:
        workbook = _open_workbook(path, stack)
        try:
            wanted = {name.strip(): name for name in workbook.sheetnames}
            sheets = {}
            for name in (DEPARTMENT_SHEET, PROJECT_SHEET):
                sheet = workbook[wanted[name]] if name in wanted else None
                if sheet is not None and hasattr(sheet, "iter_rows"):
                    sheet.reset_dimensions()  # a wrong stored dimension must not cut rows off
                    sheets[name] = sheet
            sheetnames = list(workbook.sheetnames)
        except OSError as exc:
            raise RosterError(Message("roster.unreadable", {"file": path.name, "reason": _reason(exc)})) from exc
        except Exception as exc:  # noqa: BLE001 - a hostile file can make the parser raise anything
            raise RosterError(Message("roster.damaged", {"file": path.name, "reason": _reason(exc)})) from exc
        tables = {name: _sheet_table(path, name, sheet, too_many) for name, sheet in sheets.items()}
        missing = [name for name in (DEPARTMENT_SHEET, PROJECT_SHEET) if name not in tables]
        if not missing:
            yield tables[DEPARTMENT_SHEET], tables[PROJECT_SHEET]
        for table in tables.values():
            table.drain()
        if too_many:
            raise RosterError(too_many)
        if missing:
            found = "、".join(f"“{name}”" for name in sheetnames) or "-"
            raise RosterError([
                Message("roster.missing_sheet", {"file": path.name, "sheet": name, "found": found}) for name in missing
            ])


def _guard(path: Path) -> None:
    """The validator's byte and zip guards, before openpyxl parses anything.

    openpyxl would take an .xls for damaged, spend minutes and gigabytes on a compression
    bomb, and follow any part name, so every part is decompressed and checked (no
    DOCTYPE or ENTITY) here first, as a stream: nothing is kept, openpyxl reads the file
    again. Macros and links are harmless to a reader of values.
    """
    finding = check_parts(os.fspath(path), Limits())
    if finding is None:
        return
    file = path.name
    variant = finding.message.key.split(".")[2] if finding.message.key.count(".") == 2 else ""
    params = finding.message.params
    if finding.code == "F01":
        if variant == "special":
            raise RosterError(Message("roster.special", {"file": file, "what": params["what"]}))
        if variant == "compression":
            raise RosterError(Message("roster.unsafe", {"file": file, "reason": finding.message}))
        if variant == "empty":
            raise RosterError(Message("roster.empty_file", {"file": file}))
        if variant == "not_zip":
            raise RosterError(Message("roster.not_xlsx", {"file": file}))
        if variant == "not_workbook":
            raise RosterError(Message("roster.not_workbook", {"file": file, "what": params["what"]}))
        if variant == "strict":
            raise RosterError(Message("roster.strict", {"file": file}))
        raise RosterError(Message("roster.damaged", {"file": file, "reason": params.get("reason", "")}))
    if finding.code == "F02":
        raise RosterError(Message("roster.xlsb" if variant == "xlsb" else "roster.xls", {"file": file}))
    if finding.code == "F03":
        raise RosterError(Message("roster.encrypted", {"file": file}))
    raise RosterError(Message("roster.unsafe", {"file": file, "reason": finding.message}))


def _open_workbook(path: Path, stack: ExitStack) -> Any:
    """openpyxl's read-only workbook, closed (with its file) when `stack` closes; warnings about
    features openpyxl skips are not the user's concern and stay silenced while rows are read."""
    from openpyxl import load_workbook

    try:
        fh = stack.enter_context(open_regular(path))
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        workbook = load_workbook(fh, read_only=True, data_only=True)
    except OSError as exc:
        raise RosterError(Message("roster.unreadable", {"file": path.name, "reason": _reason(exc)})) from exc
    except Exception as exc:  # noqa: BLE001 - a hostile file can make the parser raise anything
        raise RosterError(Message("roster.damaged", {"file": path.name, "reason": _reason(exc)})) from exc
    stack.callback(workbook.close)
    return workbook


def _sheet_table(path: Path, name: str, sheet: Any, too_many: list[Message]) -> _Table:
    """A sheet as a `_Table`: at most MAX_ROWS rows of MAX_COLUMNS columns each, read as they
    are consumed. openpyxl pads every row out to the last column and every gap between rows,
    so a sheet claiming a cell at XFD1048576 would otherwise become a million rows of 16,384
    values; a value in row MAX_ROWS + 1 is added to `too_many`."""
    rows = sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True)
    first = _next_row(rows, path)
    header = tuple(_header_text(v) for v in first) if first is not None else ()

    def body() -> Iterator[tuple[int, tuple[Any, ...]]]:
        number = 1
        while (row := _next_row(rows, path)) is not None:
            number += 1
            if number > MAX_ROWS:
                if any(v is not None for v in row):
                    too_many.append(Message("roster.too_many_rows", {"file": path.name, "sheet": name,
                                                                      "limit": MAX_ROWS}))
                return
            yield number, row

    return _Table(path.name, name, header, body())


def _next_row(rows: Iterator[tuple[Any, ...]], path: Path) -> tuple[Any, ...] | None:
    """The next row openpyxl parses, None at the end; a parser failure is a RosterError."""
    try:
        return next(rows, None)
    except OSError as exc:
        raise RosterError(Message("roster.unreadable", {"file": path.name, "reason": _reason(exc)})) from exc
    except Exception as exc:  # noqa: BLE001 - a hostile file can make the parser raise anything
        raise RosterError(Message("roster.damaged", {"file": path.name, "reason": _reason(exc)})) from exc


@contextmanager
def _csv_tables(paths: list[Path]) -> Iterator[tuple[_Table, _Table]]:
    """The two CSV tables as (departments, projects), told apart by their 项目编码 column.

    Both files are opened and their headers read first; each file's reading problem (at most
    one: reading a file stops at its first) is reported in the order the files were given.
    """
    problems: list[list[Message]] = [[] for _ in paths]
    with ExitStack() as stack:
        tables: list[_Table | None] = []
        for path, found in zip(paths, problems):
            try:
                tables.append(_csv_table(path, found, stack))
            except RosterError as exc:
                found.extend(exc.messages)
                tables.append(None)
        project_code = PROJECT_COLUMNS["code"]
        is_project = [table is not None and project_code in table.header for table in tables]
        if all(tables) and is_project.count(True) == 1:
            first, second = tables
            assert first is not None and second is not None
            yield (second, first) if is_project[0] else (first, second)
        for table in tables:
            if table is not None:
                table.drain()
        if any(problems):
            raise RosterError([message for found in problems for message in found])
        if is_project.count(True) != 1:
            raise RosterError(Message("roster.csv_roles", {"files": _names(paths)}))


def _csv_table(path: Path, problems: list[Message], stack: ExitStack) -> _Table:
    """One CSV table, its header read and its rows read line by line as they are consumed:
    memory follows one row, not the file's size. A problem met while rows are read ends the
    rows and goes into `problems`."""
    head = _read_bytes(path, 8)
    if not head:
        raise RosterError(Message("roster.empty_file", {"file": path.name}))
    if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise RosterError(Message("roster.csv_is_workbook", {"file": path.name}))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RosterError(Message("roster.unreadable", {"file": path.name, "reason": _reason(exc)})) from exc
    if size > ROSTER_MAX_CSV_MB * 2**20:
        raise RosterError(Message("roster.csv_too_large", {"file": path.name, "size": f"{size / 2**20:,.1f}",
                                                           "limit": ROSTER_MAX_CSV_MB}))
    encoding = _encoding(path)
    if encoding is None:
        raise RosterError(Message("roster.encoding", {"file": path.name}))
    with _csv_errors(path):
        fh = stack.enter_context(open(path, encoding=encoding, newline=""))
        lines = _lines(fh, path.name)
        first = next(lines, "")
        delimiter = "\t" if "\t" in first and "," not in first else ","
        records = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
        header_row = next(records, None)
    header = tuple(_header_text(v) for v in header_row[:MAX_COLUMNS]) if header_row is not None else ()
    return _Table(path.name, None, header, _csv_body(path, records, problems))


def _csv_body(path: Path, records: Iterator[list[str]],
              problems: list[Message]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The data rows of a CSV, cut to MAX_COLUMNS columns. More than MAX_ROWS rows with content
    (header included; blank rows past the limit are passed over) is a problem of the file."""
    number = 1
    try:
        with _csv_errors(path):
            for row in records:
                number += 1
                if number <= MAX_ROWS:
                    yield number, tuple(row[:MAX_COLUMNS])
                elif any(v.strip() for v in row):
                    raise RosterError(Message("roster.csv_too_many_rows", {"file": path.name, "limit": MAX_ROWS}))
    except RosterError as exc:
        problems.extend(exc.messages)


@contextmanager
def _csv_errors(path: Path) -> Iterator[None]:
    """A CSV reading failure as the RosterError that names it."""
    try:
        yield
    except csv.Error as exc:
        raise RosterError(Message("roster.csv_malformed", {"file": path.name, "reason": _reason(exc)})) from exc
    except (OSError, MemoryError) as exc:
        raise RosterError(Message("roster.unreadable", {"file": path.name, "reason": _reason(exc)})) from exc


def _lines(fh: io.TextIOBase, file: str) -> Iterator[str]:
    """The file's lines; one longer than ROSTER_MAX_LINE characters is a RosterError."""
    number = 0
    while True:
        line = fh.readline(ROSTER_MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > ROSTER_MAX_LINE:
            raise RosterError(Message("roster.csv_line_too_long", {"file": file, "row": number,
                                                                   "limit": f"{ROSTER_MAX_LINE:,}"}))
        yield line


def _encoding(path: Path) -> str | None:
    """UTF-8 (with or without BOM) if the whole file decodes so, else GB18030 (a superset of the
    GBK Excel saves), else None; read in chunks. A NUL character means not text: None."""
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    if "\x00" in decoder.decode(chunk):
                        return None
                if "\x00" in decoder.decode(b"", final=True):
                    return None
        except UnicodeDecodeError:
            continue
        except OSError as exc:
            raise RosterError(Message("roster.unreadable", {"file": path.name, "reason": _reason(exc)})) from exc
        return encoding
    return None


# --- checking ----------------------------------------------------------------------------------


class _Problems:
    """Collects located messages and gives them back in sheet, row, column order, capped."""

    def __init__(self, tables: Sequence[_Table]) -> None:
        self.ranks = {(table.file, table.sheet): rank for rank, table in enumerate(tables)}
        self.found: list[tuple[tuple[int, int, int, str], Message]] = []
        self.dropped = 0

    def add(self, key: str, where: Message, **params: Any) -> None:
        if len(self.found) >= MAX_PROBLEMS * 5:  # a hostile roster must not exhaust memory
            self.dropped += 1
            return
        at = where.params
        col = at.get("col", "")
        order = (self.ranks.get((at["file"], at.get("sheet")), 0), at.get("row", 0), len(col), col)
        self.found.append((order, Message(key, {"where": where, **params})))

    def raise_if_any(self) -> None:
        if not self.found:
            return
        ordered = [message for _, message in sorted(self.found, key=lambda item: item[0])]
        messages, more = ordered[:MAX_PROBLEMS], len(ordered) - MAX_PROBLEMS + self.dropped
        if more > 0:
            messages.append(Message("roster.too_many", {"limit": MAX_PROBLEMS, "more": more}))
        raise RosterError(messages)


@dataclass(frozen=True)
class _Spec:
    """How to read one table: its columns by field, and which are amounts, required or optional."""

    columns: dict[str, str]
    amounts: tuple[str, ...]
    required_text: tuple[str, ...]
    optional_columns: frozenset[str] = frozenset()


DEPARTMENT_SPEC = _Spec(DEPARTMENT_COLUMNS, DEPARTMENT_AMOUNTS, DEPARTMENT_REQUIRED_TEXT)
PROJECT_SPEC = _Spec(PROJECT_COLUMNS, PROJECT_AMOUNTS, PROJECT_REQUIRED_TEXT, frozenset(OPTIONAL_PROJECT_COLUMNS))


def _map_columns(table: _Table, spec: _Spec, problems: _Problems) -> dict[str, int]:
    """field -> column index; reports a missing, repeated or absent header. Unknown columns are ignored."""
    positions: dict[str, list[int]] = {}
    for index, label in enumerate(table.header):
        positions.setdefault(label, []).append(index)
    if not any(label in positions for label in spec.columns.values()):
        wanted = "、".join(f"“{label}”" for label in list(spec.columns.values())[:3])
        problems.add("roster.no_header", table.where(), columns=wanted)
        return {}
    columns = {}
    for name, label in spec.columns.items():
        found = positions.get(label, [])
        if len(found) > 1:
            cols = "、".join(_column_letter(i) for i in found)
            problems.add("roster.duplicate_column", table.where(), column=label, cols=cols)
        if found:
            columns[name] = found[0]
        elif name not in spec.optional_columns:
            problems.add("roster.missing_column", table.where(), column=label)
    return columns


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _convert(table: _Table, spec: _Spec, row: int, col: int, name: str, value: Any, problems: _Problems) -> Any:
    """One cell as float (amounts) or str (text); None after reporting a problem."""
    if name in spec.amounts:
        amount, key = _amount(value)
        if key:
            problems.add(key, table.at(row, col), value=_shown(value), limit=f"{MAX_AMOUNT:,.0f}")
        return amount
    text = _text(value)
    if text is None:
        problems.add("roster.not_text", table.at(row, col), value=_shown(value))
    elif not text and name in spec.required_text:
        problems.add("roster.blank", table.at(row, col))
        return None
    return text


def _amount(value: Any) -> tuple[float | None, str | None]:
    """(amount in 万元, None) or (None, message key). Blank is 0; text may carry thousands commas."""
    if _is_blank(value):
        return 0.0, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value:  # NaN
            return None, "roster.not_number"
        if value < 0:
            return None, "roster.negative"
        return (float(value), None) if value <= MAX_AMOUNT else (None, "roster.amount_too_large")
    if not isinstance(value, str):
        return None, "roster.not_number"
    text = value.strip()
    match = _AMOUNT.fullmatch(text)
    if match is None:
        fullwidth = _AMOUNT.fullmatch(unicodedata.normalize("NFKC", text).replace("。", "."))
        return None, "roster.fullwidth" if fullwidth else "roster.not_number"
    amount = float(match.group(2).replace(",", ""))  # 400 nines: inf, refused below
    if match.group(1) and amount:
        return None, "roster.negative"
    return (amount, None) if amount <= MAX_AMOUNT else (None, "roster.amount_too_large")


def _text(value: Any) -> str | None:
    """A text cell stripped; a numeric code cell 101001.0 becomes "101001"; None for dates and booleans."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else repr(value)
    return None


def _shown(value: Any) -> str:
    """A cell value as the user typed it, shortened for a one-line message."""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    text = " ".join(text.split()) or text
    return text if len(text) <= SHOWN_VALUE_LIMIT else text[:SHOWN_VALUE_LIMIT - 1] + "…"
