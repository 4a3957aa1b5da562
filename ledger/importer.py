"""`python app.py import transactions FILE.csv|FILE.xlsx --pool ID`: a spreadsheet of
transactions into one pool, through the batch path, all or nothing.

The file has a header row (row 1) naming some of the columns

    type, investor_id, amount, units, cost, investment, fee_kind, effective_date, memo

(`type` and `effective_date` are required; an unknown or repeated column is refused) and a
transaction per row, as POST /pools/{id}/transactions takes it, or a valuation
(type "valuation", amount = the pool's net asset value). Every row is read and checked
before anything is written, and every problem is reported as "row N, column C: reason" with
N the row number the user sees in the file (header = row 1).

Cells are read exactly:

* CSV text is taken as written: numbers as plain decimals ("1000.00", no thousands
  separators or exponents), dates as YYYY-MM-DD;
* XLSX (openpyxl, read-only) numbers are binary floats: 0.1 is read as the shortest text
  that gives that float back (repr), so it becomes Decimal("0.1"), and a number with more
  than 15 significant digits is refused (Excel itself keeps no more); date cells are dates
  (a time of day other than midnight is refused); formulas are refused (their value is
  whatever the spreadsheet last computed, or nothing);
* text that looks like a formula (=, +, -, @ at the start of a type or memo) is refused,
  so what was imported cannot turn into a formula when the books are exported again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from backend.platform.actors import Actor
from ledger.errors import BatchRejected
from ledger.interface import TransactionService
from ledger.schemas import BATCH_MAX_ROWS, IMPORT_COLUMNS, BatchResult

COLUMNS = IMPORT_COLUMNS
REQUIRED = ("type", "effective_date")
MAX_SIGNIFICANT_DIGITS = 15
_NUMERIC = frozenset({"amount", "units", "cost"})
_DECIMAL_TEXT = re.compile(r"^[+-]?\d+(\.\d+)?$")
_WHOLE_TEXT = re.compile(r"^\+?\d+$")
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Where a service error about something other than a column points in the file.
_FIELD_TO_COLUMN = {"cash": "amount", "net_asset_value": "amount", "row": "type", "investors": "type"}


@dataclass(frozen=True, slots=True)
class CellError:
    row: int  # as the user sees it in the file: the header is row 1
    column: str
    reason: str

    def describe(self) -> str:
        return f"row {self.row}, column {self.column}: {self.reason}"


@dataclass
class ParsedFile:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (file row, cells)
    errors: list[CellError] = field(default_factory=list)
    digest: str = ""


class _Bad(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_transactions(path: Path) -> ParsedFile:
    """Every row of the file as text cells ready for BatchRow, and every problem found."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return ParsedFile(errors=[CellError(1, "file", f"not UTF-8 text: {exc.reason}")], digest=digest)
        table: Iterable[list[Any]] = csv.reader(io.StringIO(text, newline=""))
    elif suffix == ".xlsx":
        table = _xlsx_rows(data)
    else:
        return ParsedFile(errors=[CellError(1, "file", "give a .csv or .xlsx file")], digest=digest)
    parsed = _parse(iter(table))
    parsed.digest = digest
    return parsed


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _header(cells: list[Any], out: ParsedFile) -> list[str | None]:
    columns: list[str | None] = []
    for cell in cells:
        name = "" if cell is None else str(cell).strip().lower()
        if not name:
            columns.append(None)
            continue
        if name not in COLUMNS:
            out.errors.append(CellError(1, name, f"unknown column; the columns are {', '.join(COLUMNS)}"))
        elif name in columns:
            out.errors.append(CellError(1, name, "the column appears twice"))
        columns.append(name)
    for name in REQUIRED:
        if name not in columns:
            out.errors.append(CellError(1, name, "required column missing from the header row"))
    return columns


def _parse(table: Iterator[list[Any]]) -> ParsedFile:
    out = ParsedFile()
    header_cells = next(table, None)
    if header_cells is None:
        out.errors.append(CellError(1, "header", "the file is empty: a header row is required"))
        return out
    columns = _header(header_cells, out)
    if out.errors:
        return out
    for number, cells in enumerate(table, start=2):
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue  # a blank line
        if len(out.rows) >= BATCH_MAX_ROWS:
            out.errors.append(CellError(number, "type", f"at most {BATCH_MAX_ROWS} rows per import"))
            break
        row = _row(number, columns, cells, out.errors)
        if row is not None:
            out.rows.append((number, row))
    return out


def _row(
    number: int, columns: list[str | None], cells: list[Any], errors: list[CellError]
) -> dict[str, str] | None:
    row: dict[str, str] = {}
    bad = False
    for position, cell in enumerate(cells):
        name = columns[position] if position < len(columns) else None
        if name is None:
            if cell is not None and str(cell).strip():
                errors.append(CellError(number, f"#{position + 1}", "a value outside the header's columns"))
                bad = True
            continue
        try:
            value = _cell(name, cell)
        except _Bad as exc:
            errors.append(CellError(number, name, exc.reason))
            bad = True
            continue
        if value is not None:
            row[name] = value
    return None if bad else row


def _cell(column: str, value: Any) -> str | None:
    """One cell as the text BatchRow takes, or None when empty; _Bad says what is wrong."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Bad("a TRUE/FALSE cell; give a number or text")
    if isinstance(value, str):
        return _text(column, value)
    if isinstance(value, datetime):
        if column != "effective_date":
            raise _Bad("a date, where a number or text belongs")
        if value.time() != time(0):
            raise _Bad(f"a date with a time of day ({value.time()}); give the date only")
        return value.date().isoformat()
    if isinstance(value, date):
        if column != "effective_date":
            raise _Bad("a date, where a number or text belongs")
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        if column == "effective_date":
            raise _Bad("a number, not a date: format the cell as a date or write YYYY-MM-DD")
        number = _exact(value)
        if column == "investor_id" and number != number.to_integral_value():
            raise _Bad(f"an investor id is a whole number, got {number}")
        if column == "investor_id":
            return str(int(number))
        return format(number, "f")
    raise _Bad(f"an unsupported cell ({type(value).__name__})")


def _exact(value: int | float | Decimal) -> Decimal:
    if isinstance(value, int):
        return Decimal(value)
    text = repr(value) if isinstance(value, float) else str(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _Bad(f"not a number: {text}") from None
    if not number.is_finite():
        raise _Bad(f"not a finite number: {text}")
    digits = number.normalize().as_tuple().digits
    if len(digits) > MAX_SIGNIFICANT_DIGITS:
        raise _Bad(
            f"{text} has more than {MAX_SIGNIFICANT_DIGITS} significant digits, more than a spreadsheet "
            "number holds exactly; store it as text"
        )
    return number


def _text(column: str, raw: str) -> str | None:
    text = raw.strip()
    if not text:
        return None
    if text.startswith("="):
        raise _Bad(f"a formula ({text[:20]}); enter the value itself")
    if column in _NUMERIC:
        if not _DECIMAL_TEXT.match(text):
            raise _Bad(f"not a plain decimal number: {text[:40]!r} (write e.g. 1234.56)")
        return text
    if column == "investor_id":
        if not _WHOLE_TEXT.match(text):
            raise _Bad(f"not a whole number: {text[:40]!r}")
        return str(int(text))
    if column == "effective_date":
        if not _DATE_TEXT.match(text):
            raise _Bad(f"not a date: {text[:40]!r} (write YYYY-MM-DD)")
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise _Bad(f"not a date: {text!r}") from None
    if text.startswith(_FORMULA_START) or raw.startswith(_FORMULA_START):
        raise _Bad(f"text starting with {text[0]!r} would be read as a formula by a spreadsheet")
    return text


@dataclass
class ImportOutcome:
    result: BatchResult | None
    errors: list[CellError]


def import_transactions(
    transactions: TransactionService, actor: Actor, pool_id: int, path: Path
) -> ImportOutcome:
    """Read, check every row, and post them all in one batch, or report every problem.

    The Idempotency-Key is derived from the pool and the file's bytes, so running the same
    import again (after a timeout, say) does not post the file twice."""
    parsed = read_transactions(path)
    payload = [cells for _, cells in parsed.rows]
    numbers = [number for number, _ in parsed.rows]
    errors = list(parsed.errors)
    if any(error.row == 1 for error in errors) or (not payload and not errors):
        if not errors:
            errors.append(CellError(2, "type", "no transactions in the file"))
        return ImportOutcome(None, errors)
    key = f"import:{pool_id}:{parsed.digest}"
    try:
        if errors:
            if payload:  # check the readable rows too, so every problem is reported at once
                transactions.record_batch(actor, pool_id, payload, None, dry_run=True)
            return ImportOutcome(None, sorted(errors, key=lambda e: e.row))
        result = transactions.record_batch(actor, pool_id, payload, key)
    except BatchRejected as rejected:
        for problem in rejected.errors:
            column = problem.field.split(".")[0]
            column = _FIELD_TO_COLUMN.get(column, column)
            errors.append(CellError(numbers[problem.row], column, problem.reason))
        return ImportOutcome(None, sorted(errors, key=lambda e: e.row))
    return ImportOutcome(result, [])
