"""Read a spreadsheet safely: a .csv or .xlsx file -> its header and rows as text, numbered as a spreadsheet shows them.

Registers and needs data files both come out of other systems as spreadsheets. Every cell is read as the
text a spreadsheet shows (a number 45 as "45", 87.1 in the format "0.00" as "87.10", a date as 2027-01-01),
so CSV and XLSX go through the same parsing afterwards, and a number typed as text reads like a number.
CSV: UTF-8 with or without a BOM, ',' or ';' between fields (Finnish Excel writes ';'), quoted fields, an
Excel "sep=;" first line. XLSX: read-only (openpyxl), cached values of formulas, the sheet named as the
caller asks, else the first. Empty rows are skipped; row numbers stay as the spreadsheet shows them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from ..errors import FileProblem, Problem

TABLE_SUFFIXES = (".csv", ".xlsx")
MAX_BYTES = 20_000_000         # a register of 100,000 clients is about 15 MB as CSV
MAX_UNPACKED = 200_000_000     # what an .xlsx may unpack to (a ZIP bomb otherwise)
MAX_ROWS = 100_000
MAX_COLUMNS = 100


class TableProblem(FileProblem):
    """Raised when a spreadsheet cannot be read at all (size, encoding, format, a value under no header)."""


@dataclass(frozen=True)
class Table:
    """A spreadsheet's first row (the header) and its other non-empty rows, every cell as stripped text."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (row number as the spreadsheet shows it, cells; '' = empty)


def column_letter(index: int) -> str:
    """The spreadsheet name of a 0-based column: 0 -> A, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def read_table(path: Path, shown: str, sheets: Sequence[str] = ()) -> Table:
    """Read a .csv or .xlsx file; sheets: names (any case) of the .xlsx sheet to read before the first one."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise TableProblem(Problem(shown, "", f"cannot read file: {exc.strerror or exc}")) from None
    if size > MAX_BYTES:
        raise TableProblem(Problem(shown, "", f"file is larger than {MAX_BYTES} bytes, the most allowed"))
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        hint = ("; save it from Excel as .xlsx or as CSV" if suffix in (".xls", ".ods", ".xlsm", ".numbers")
                else "")
        raise TableProblem(Problem(shown, "", f"must be a .csv or .xlsx file, not '{suffix or path.name}'{hint}"))
    if suffix == ".xlsx":
        return _table(shown, _xlsx_rows(path, shown, sheets))
    return _table(shown, _csv_rows(path, shown))


def _table(shown: str, rows: Iterable[tuple[int, list[str]]]) -> Table:
    it = iter(rows)
    first = next(it, None)
    if first is None or not any(first[1]):
        raise TableProblem(Problem(shown, "", "row 1 must be the header (column names); it is empty"))
    header = list(first[1])
    while header and not header[-1]:
        header.pop()
    out = []
    for number, cells in it:
        if not any(cells):
            continue
        stray = next((i for i, c in enumerate(cells) if c and (i >= len(header) or not header[i])), None)
        if stray is not None:
            raise TableProblem(Problem(shown, "", f"row {number}: column {column_letter(stray)} has a value but no "
                                                  "name in the header row; name the column or remove the value"))
        if len(out) >= MAX_ROWS:
            raise TableProblem(Problem(shown, "", f"more than {MAX_ROWS} rows; split the file"))
        out.append((number, tuple((cells + [""] * len(header))[:len(header)])))
    return Table(tuple(header), tuple(out))


# ---- CSV -------------------------------------------------------------------------------------------------------

def _csv_rows(path: Path, shown: str) -> Iterator[tuple[int, list[str]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableProblem(Problem(shown, "", f"not UTF-8 text (byte {exc.start}); save it as \"CSV UTF-8\" "
                                              "(Excel: Save as > CSV UTF-8)")) from None
    delimiter = None
    sep = re.match(r"sep=(.)\r?\n", text)
    if sep:  # Excel's hint line, not a row of the table
        delimiter, text = sep.group(1), text[sep.end():]
    delimiter = delimiter or _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            if len(record) > MAX_COLUMNS:
                raise TableProblem(Problem(shown, "", f"row {number}: more than {MAX_COLUMNS} columns"))
            yield number, [c.strip() for c in record]
    except csv.Error as exc:
        raise TableProblem(Problem(shown, "", f"row {number + 1}: not valid CSV ({exc})")) from None


def _delimiter(text: str) -> str:
    """',' or ';': whichever splits the header row into more columns (Finnish Excel writes ';')."""
    line = text.split("\n", 1)[0]
    counts = {d: len(next(csv.reader([line], delimiter=d), [])) for d in (";", ",")}
    return ";" if counts[";"] > counts[","] else ","


# ---- XLSX ------------------------------------------------------------------------------------------------------

def _xlsx_rows(path: Path, shown: str, sheets: Sequence[str]) -> Iterator[tuple[int, list[str]]]:
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError):
        raise TableProblem(Problem(shown, "", "is not an Excel .xlsx workbook (not a ZIP package); save it as "
                                              ".xlsx or as CSV UTF-8")) from None
    if unpacked > MAX_UNPACKED:
        raise TableProblem(Problem(shown, "", f"unpacks to more than {MAX_UNPACKED // 1_000_000} MB"))
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook; the finding is the same
        raise TableProblem(Problem(shown, "", f"cannot be read as an .xlsx workbook: {type(exc).__name__}")) from None
    try:
        ws = _sheet(wb, sheets)
        for number, row in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
            if number > MAX_ROWS + 1000:  # empty rows are skipped but still read; bound them too
                raise TableProblem(Problem(shown, "", f"more than {MAX_ROWS} rows; split the file"))
            yield number, [_cell_text(c.value, getattr(c, "number_format", None)) for c in row]
    finally:
        wb.close()


def _sheet(wb, names: Sequence[str]):
    wanted = {n.casefold() for n in names}
    sheets = [ws for ws in wb.worksheets if hasattr(ws, "iter_rows")]
    return next((ws for ws in sheets if ws.title.strip().casefold() in wanted), sheets[0])


def _cell_text(value: object, number_format: object) -> str:
    """A cell as a spreadsheet shows it: numbers in their number format's decimals, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _number_text(value, number_format if isinstance(number_format, str) else "General")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _number_text(value: float, number_format: str) -> str:
    m = re.fullmatch(r"[#,]*0(?:\.(0+))?(%?)", number_format.strip())
    if m:  # 0.00 shows 87.1 as 87.10 (a TOL code); 0% shows 0.38 as 38%
        percent = bool(m.group(2))
        text = f"{value * 100 if percent else value:.{len(m.group(1) or '')}f}"
        return text + ("%" if percent else "")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return format(value, ".15g") if isinstance(value, float) else str(value)
