"""Streamed CSV and XLSX exports for analysts.

Both writers take columns (name and kind) and an iterator of rows, and yield the file in
chunks, so an export of a million rows never sits in memory: CSV is produced a batch of
lines at a time; XLSX is written by rustpy-xlsxwriter in constant-memory mode to a
temporary file that is then streamed and deleted.

Cell rules:

* numbers stay numbers: Decimals are written exactly in CSV ("1234.50", never "1.2345E3")
  and as numbers in XLSX (Excel keeps doubles: the CSV export is the exact one) with a
  format per kind (money 2 dp, units and prices 6 dp, percentages with sign);
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
import re
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import rustpy_xlsxwriter as rust_xlsx

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
_NEEDS_QUOTES = re.compile(r'[",\r\n]')
_NOTHING = object()


def _field(text: str) -> str:
    """A cell as csv.writer writes it (QUOTE_MINIMAL): quoted when it holds a comma, a quote
    or a line break, with quotes doubled."""
    return '"' + text.replace('"', '""') + '"' if _NEEDS_QUOTES.search(text) else text


def _cell(value: Any) -> str:
    return _field(_csv_cell(value))


def _decimals(values: Sequence[Any]) -> list[str]:
    return [format(v, "f") if type(v) is Decimal else _cell(v) for v in values]


def _integers(values: Sequence[Any]) -> list[str]:
    return [str(v) if type(v) is int else "" if v is None else _cell(v) for v in values]


def _by_runs(values: Sequence[Any], convert: Callable[[Any], str]) -> list[str]:
    """Each cell converted once per run of the same object: the rows of one journal entry
    share its date, memo and hash objects."""
    out = []
    last: Any = _NOTHING
    text = ""
    for v in values:
        if v is not last:
            last = v
            text = convert(v)
        out.append(text)
    return out


def _date_field(v: Any) -> str:
    return v.isoformat() if type(v) is date or type(v) is datetime else _cell(v)


_FORMULA_STARTS = frozenset(_FORMULA_PREFIXES)


def _text_field(v: Any) -> str:
    # neutralise, inlined: a call per cell was a quarter of the writer's time
    return _field("'" + v if v[:1] in _FORMULA_STARTS else v) if type(v) is str else _cell(v)


def _dates(values: Sequence[Any]) -> list[str]:
    return _by_runs(values, _date_field)


def _texts(values: Sequence[Any]) -> list[str]:
    return _by_runs(values, _text_field)


def _any(values: Sequence[Any]) -> list[str]:
    return [_cell(v) for v in values]


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
"""Each kind's cells a column at a time, as CSV fields: the value the kind promises takes
one test of its exact type; anything else (None, a number in a text column) goes through
_csv_cell, so every cell is written by the same rules whichever way it came. Only text can
hold a comma, a quote or a line break, so only text (and the fallback) is checked for quoting."""

CSV_BATCH_ROWS = 1024


def csv_stream(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """UTF-8 CSV with a header row, in chunks of about CHUNK_BYTES: the bytes csv.writer
    would write (QUOTE_MINIMAL, CRLF), made a batch of rows at a time, column by column
    (one function per column, not one per cell), lines joined without a call per cell."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow([neutralise(c.name) for c in columns])
    pending = [header.getvalue()]
    size = len(pending[0])
    converters = [_CSV_COLUMNS.get(c.kind, _any) for c in columns]
    lone = len(columns) == 1  # csv.writer quotes a lone empty field, or the line would be blank
    source = iter(rows)
    while batch := list(itertools.islice(source, CSV_BATCH_ROWS)):
        cells = [
            convert(values) for convert, values in zip(converters, zip(*batch, strict=True), strict=True)
        ]
        lines = [f or '""' for f in cells[0]] if lone else map(",".join, zip(*cells, strict=True))
        text = "\r\n".join(lines) + "\r\n"
        pending.append(text)
        size += len(text)
        if size >= CHUNK_BYTES:
            yield "".join(pending).encode("utf-8")
            pending.clear()
            size = 0
    if pending:
        yield "".join(pending).encode("utf-8")


def write_xlsx(path: str | os.PathLike[str], sheets: Sequence[Sheet]) -> None:
    """Write the workbook to `path`, a sheet per dataset, rows consumed as they are written
    (constant memory): frozen header, autofilter, formats per kind. If reading the rows
    raises (a cancelled job), nothing is written to `path`.

    The cells are written by rustpy-xlsxwriter (Rust's rust_xlsxwriter): about six times
    the rows per second of xlsxwriter, which stays for the statement's small workbook. Text
    is always an inline string cell, never a formula."""
    target = os.fspath(path)
    partial = f"{target}.{uuid.uuid4().hex}.partial"
    names = {sheet.name[:31]: sheet for sheet in sheets}
    if len(names) != len(sheets):
        raise ValueError("two sheets with the same name (the first 31 characters)")
    header = rust_xlsx.Format().set_bold().set_border_bottom("thin")
    try:
        rust_xlsx.write_worksheets(
            [(name, _records(sheet)) for name, sheet in names.items()],
            partial,
            freeze_panes={"general": {"row": 1, "col": 0}},
            autofilter=dict.fromkeys(names, True),
            header_format=dict.fromkeys(names, header),
            column_widths={
                name: {c.name: float(c.width) for c in sheet.columns} for name, sheet in names.items()
            },
            column_formats={
                name: {
                    c.name: rust_xlsx.Format().set_num_format(_XLSX_FORMATS[c.kind])
                    for c in sheet.columns
                    if c.kind in _XLSX_FORMATS
                }
                for name, sheet in names.items()
            },
        )
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def _records(sheet: Sheet) -> Iterator[dict[str, Any]]:
    """The sheet's rows as the writer takes them ({column: value}): text as text whatever
    it holds, times without their zone (Excel has none; the platform's times are UTC). A
    sheet with no rows gets one blank row, or the writer would leave out the header too."""
    names = [c.name for c in sheet.columns]
    if len(set(names)) != len(names):
        raise ValueError(f"sheet {sheet.name!r} names a column twice")
    texts = [i for i, c in enumerate(sheet.columns) if c.kind is Kind.TEXT]
    times = [i for i, c in enumerate(sheet.columns) if c.kind in (Kind.DATE, Kind.DATETIME)]
    written = False
    for row in sheet.rows:
        if len(row) != len(names):
            raise ValueError(f"a row has {len(row)} cells for {len(names)} columns")
        values = list(row)
        for i in texts:
            value = values[i]
            if value is not None and type(value) is not str:
                values[i] = str(value)
        for i in times:
            value = values[i]
            if isinstance(value, datetime) and value.tzinfo is not None:
                values[i] = value.replace(tzinfo=None)
        written = True
        yield dict(zip(names, values, strict=True))
    if not written:
        yield dict.fromkeys(names)


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
