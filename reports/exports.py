"""Streamed CSV and XLSX exports for analysts.

Both writers take columns (name and kind) and an iterator of rows, and yield the file in
chunks, so an export of a million rows never sits in memory: CSV is produced line by line;
XLSX is written by xlsxwriter in constant-memory mode to a temporary file that is then
streamed and deleted.

Cell rules:

* numbers stay numbers: Decimals are written exactly in CSV ("1234.50", never "1.2345E3")
  and as numbers in XLSX with a format per kind (money 2 dp, units and prices 6 dp,
  percentages with sign);
* dates are ISO 8601 in CSV and real dates in XLSX;
* a text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
  neutralised with a leading apostrophe in CSV, so a spreadsheet never runs it as a formula
  (OWASP "CSV injection"); XLSX text is always written as a string cell, never a formula.
"""

from __future__ import annotations

import csv
import enum
import io
import itertools
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter

CHUNK_BYTES = 64 * 1024
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Kind(enum.StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"
    UNITS = "units"
    PRICE = "price"
    RATE = "rate"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"


_XLSX_FORMATS: dict[Kind, str] = {
    Kind.INTEGER: "0",
    Kind.MONEY: "#,##0.00;-#,##0.00",
    Kind.UNITS: "#,##0.000000",
    Kind.PRICE: "0.000000",
    Kind.RATE: "0.0000000000",
    Kind.PERCENT: "+0.00%;-0.00%;0.00%",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm:ss",
}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT
    width: int = 14


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


def neutralise(text: str) -> str:
    """A text cell a spreadsheet will show, never evaluate."""
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise(str(value))


_CsvColumn = Callable[[Sequence[Any]], list[str]]


def _decimals(values: Sequence[Any]) -> list[str]:
    return [format(v, "f") if type(v) is Decimal else _csv_cell(v) for v in values]


def _integers(values: Sequence[Any]) -> list[str]:
    return [str(v) if type(v) is int else _csv_cell(v) for v in values]


def _dates(values: Sequence[Any]) -> list[str]:
    return [v.isoformat() if type(v) is date or type(v) is datetime else _csv_cell(v) for v in values]


_FORMULA_STARTS = frozenset(_FORMULA_PREFIXES)


def _texts(values: Sequence[Any]) -> list[str]:
    # neutralise, inlined: a method call per cell was a quarter of the writer's time.
    return [("'" + v if v[:1] in _FORMULA_STARTS else v) if type(v) is str else _csv_cell(v) for v in values]


def _any(values: Sequence[Any]) -> list[str]:
    return [_csv_cell(v) for v in values]


_CSV_COLUMNS: dict[Kind, _CsvColumn] = {
    Kind.TEXT: _texts,
    Kind.INTEGER: _integers,
    Kind.MONEY: _decimals,
    Kind.UNITS: _decimals,
    Kind.PRICE: _decimals,
    Kind.RATE: _decimals,
    Kind.DATE: _dates,
    Kind.DATETIME: _dates,
}
"""Each kind's cells a column at a time: the value the kind promises takes one test of its
exact type; anything else (None, a number in a text column) goes through _csv_cell, so
every cell is written by the same rules whichever way it came."""

CSV_BATCH_ROWS = 1024


def csv_stream(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """UTF-8 CSV with a header row, in chunks of about CHUNK_BYTES.

    Rows are converted a batch at a time, column by column (one function per column, not
    one per cell): at disk speed rather than at the speed of a call per cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(c.name) for c in columns])
    converters = [_CSV_COLUMNS.get(c.kind, _any) for c in columns]
    source = iter(rows)
    while batch := list(itertools.islice(source, CSV_BATCH_ROWS)):
        cells = [
            convert(values) for convert, values in zip(converters, zip(*batch, strict=True), strict=True)
        ]
        writer.writerows(zip(*cells, strict=True))
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def _xlsx_value(value: Any, kind: Kind) -> Any:
    if isinstance(value, Decimal):
        # Excel keeps doubles; the CSV export is the exact one.
        return float(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no zones; the platform's times are UTC
    return value


def write_xlsx(path: str | os.PathLike[str], sheets: Sequence[Sheet]) -> None:
    """Write the workbook to `path`, a sheet per dataset, rows consumed as they are written
    (constant memory): frozen header, autofilter, formats per kind. If reading the rows
    raises (a cancelled job), nothing is written to `path` and the row buffers are removed."""
    with tempfile.TemporaryDirectory(prefix="xlsx-") as scratch:
        workbook = xlsxwriter.Workbook(
            os.fspath(path), {"constant_memory": True, "strings_to_formulas": False, "tmpdir": scratch}
        )
        try:
            _fill_workbook(workbook, sheets)
        except BaseException:
            for worksheet in workbook.worksheets():
                worksheet._opt_close()  # the row buffer's file handle; the directory goes next
            raise
        workbook.close()


def _fill_workbook(workbook: xlsxwriter.Workbook, sheets: Sequence[Sheet]) -> None:
    header = workbook.add_format({"bold": True, "bottom": 1})
    formats = {kind: workbook.add_format({"num_format": fmt}) for kind, fmt in _XLSX_FORMATS.items()}
    for sheet in sheets:
        worksheet = workbook.add_worksheet(sheet.name[:31])
        for col, column in enumerate(sheet.columns):
            worksheet.set_column(col, col, column.width)
            worksheet.write_string(0, col, column.name, header)
        worksheet.freeze_panes(1, 0)
        last_row = 0
        for last_row, row in enumerate(sheet.rows, start=1):
            for col, (column, value) in enumerate(zip(sheet.columns, row, strict=True)):
                if value is None:
                    continue
                if column.kind is Kind.TEXT:
                    worksheet.write_string(last_row, col, str(value))
                elif column.kind in (Kind.DATE, Kind.DATETIME):
                    worksheet.write_datetime(
                        last_row, col, _xlsx_value(value, column.kind), formats[column.kind]
                    )
                else:
                    worksheet.write_number(
                        last_row, col, _xlsx_value(value, column.kind), formats[column.kind]
                    )
        worksheet.autofilter(0, 0, max(last_row, 1), max(len(sheet.columns) - 1, 0))


def xlsx_stream(sheets: Sequence[Sheet]) -> Iterator[bytes]:
    """An XLSX workbook, a sheet per dataset: frozen header, autofilter, formats per kind."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(path, sheets)
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk
    finally:
        os.unlink(path)
