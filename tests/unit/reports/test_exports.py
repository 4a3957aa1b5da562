"""CSV and XLSX writers: exact numbers, real dates, neutralised formulas, streamed chunks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.exports import (
    CHUNK_BYTES,
    Column,
    Kind,
    Sheet,
    _csv_cell,
    csv_stream,
    neutralise,
    write_xlsx,
    xlsx_stream,
)

COLUMNS = (Column("memo"), Column("amount", Kind.MONEY), Column("units", Kind.UNITS), Column("on", Kind.DATE))
ROWS = [
    ('=HYPERLINK("http://x")', Decimal("1234.50"), Decimal("0.000001"), date(2025, 3, 31)),
    ("+1 call me", Decimal("-7.00"), Decimal("12.345678"), date(2025, 4, 1)),
    ("plain", Decimal("1E+3"), Decimal(0), date(2025, 4, 2)),
]


def test_neutralise_only_formula_like_text() -> None:
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("-x") == "'-x"
    assert neutralise("fund") == "fund"


def test_csv_keeps_numbers_exact_and_text_inert() -> None:
    text = b"".join(csv_stream(COLUMNS, ROWS)).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["memo", "amount", "units", "on"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', "1234.50", "0.000001", "2025-03-31"]
    assert rows[2][1] == "-7.00"  # a negative number stays a number: only text is neutralised
    assert rows[3][1] == "1000"  # never scientific notation


def test_csv_streams_in_chunks() -> None:
    many = ((f"row {i}", Decimal(i), Decimal(i), date(2025, 1, 1)) for i in range(20_000))
    chunks = list(csv_stream(COLUMNS, many))
    assert len(chunks) > 1
    assert all(len(chunk) < CHUNK_BYTES * 2 for chunk in chunks)


def test_xlsx_has_numbers_dates_frozen_header_and_filter(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"".join(xlsx_stream([Sheet("positions", COLUMNS, ROWS)])))
    book = openpyxl.load_workbook(path)
    sheet = book["positions"]
    assert [c.value for c in sheet[1]] == ["memo", "amount", "units", "on"]
    assert sheet["A2"].value == '=HYPERLINK("http://x")' and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 1234.5 and sheet["B2"].number_format == "#,##0.00;-#,##0.00"
    assert sheet["C3"].value == 12.345678
    assert sheet["D2"].value == datetime(2025, 3, 31)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D4"


def test_every_kind_of_column_writes_any_value_by_the_same_rules() -> None:
    """The writer converts a column at a time, trusting each column's kind only as a fast
    path: a value of another type (None, a number in a text column, a text in a money
    column) is written exactly as a cell of its own type would be."""
    values = [
        None,
        True,
        7,
        1.5,
        Decimal("1E+3"),
        Decimal("-0.000001"),
        date(2025, 3, 31),
        datetime(2025, 3, 31, 12, 30, 5),
        "=SUM(A1)",
        "-1",
        "",
        "plain, with a comma",
    ]
    columns = [Column(kind.value, kind) for kind in Kind]
    rows = [[values[(i + j) % len(values)] for j in range(len(columns))] for i in range(len(values))]
    text = b"".join(csv_stream(columns, rows)).decode("utf-8")
    written = list(csv.reader(io.StringIO(text)))[1:]
    assert written == [[_csv_cell(v) for v in row] for row in rows]
    assert "1000" in written[0] and "2025-03-31T12:30:05" in written[0] and "'=SUM(A1)" in written[0]


def test_xlsx_keeps_the_header_of_an_empty_sheet_and_text_as_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "two.xlsx"
    rows = [(12345, Decimal("1.5"), None, datetime(2025, 3, 31, 9, 30, tzinfo=UTC))]
    columns = [
        Column("memo"),
        Column("amount", Kind.MONEY),
        Column("units", Kind.UNITS),
        Column("at", Kind.DATETIME),
    ]
    write_xlsx(path, [Sheet("filled", columns, rows), Sheet("empty", COLUMNS, [])])
    book = openpyxl.load_workbook(path)
    filled, empty = book["filled"], book["empty"]
    assert [c.value for c in empty[1]] == ["memo", "amount", "units", "on"]
    assert filled["A2"].value == "12345" and filled["A2"].data_type == "s"  # a text column stays text
    assert filled["B2"].value == 1.5 and filled["C2"].value is None
    assert filled["D2"].value == datetime(2025, 3, 31, 9, 30)  # UTC, without the zone Excel lacks
    assert empty.freeze_panes == "A2" and filled.auto_filter.ref == "A1:D2"


def test_xlsx_rows_that_fail_leave_no_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    def cancelled() -> Iterator[tuple[object, ...]]:
        yield ROWS[0]
        raise RuntimeError("the analyst cancelled the job")

    path = tmp_path / "cancelled.xlsx"
    with pytest.raises(RuntimeError, match="cancelled"):
        write_xlsx(path, [Sheet("positions", COLUMNS, cancelled())])
    assert list(tmp_path.iterdir()) == []


_AWKWARD = st.text(alphabet=st.sampled_from(list('ab ,"\r\n=-+@\t\x00é')), max_size=8)


@given(
    st.lists(
        st.tuples(
            _AWKWARD, st.none() | st.integers(), st.decimals(allow_nan=False, allow_infinity=False, places=6)
        ),
        max_size=40,
    ),
    st.integers(min_value=1, max_value=4),
)
def test_csv_is_byte_for_byte_what_csv_writer_writes(rows: list[tuple[Any, ...]], repeat: int) -> None:
    """The writer joins fields itself (a call per cell was most of its time): its quoting
    must be csv.writer's, including rows that share objects (an entry's rows share its memo)."""
    columns = (Column("memo"), Column("investor", Kind.INTEGER), Column("amount", Kind.MONEY))
    shared = [row for row in rows for _ in range(repeat)]
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    writer.writerows([[_csv_cell(v) for v in row] for row in shared])
    assert b"".join(csv_stream(columns, shared)) == expected.getvalue().encode("utf-8")


def test_a_one_column_csv_keeps_its_empty_cells() -> None:
    text = b"".join(csv_stream([Column("memo")], [("",), ("x",), (None,)])).decode("utf-8")
    assert text == 'memo\r\n""\r\nx\r\n""\r\n'
    assert list(csv.reader(io.StringIO(text))) == [["memo"], [""], ["x"], [""]]
