"""Benchmark levels from CSV: any line ending a spreadsheet writes, and a file the csv module
cannot read is the caller's error naming `csv`, never a server error (found by the API fuzzer:
a lone carriage return)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.platform.errors import ValidationFailed
from reports.benchmarks import levels_from_csv


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_every_line_ending_reads_the_same_levels(end: str) -> None:
    text = end.join(["date,level", "2025-01-31,100", "2025-02-28,101.5", ""])
    assert [(x.date, x.level) for x in levels_from_csv(text)] == [
        (date(2025, 1, 31), Decimal("100")),
        (date(2025, 2, 28), Decimal("101.5")),
    ]


@pytest.mark.parametrize("text", ["\r0", "date,level\n\"2025-01-31,100\n", "", "\x00,\r\n\r"])
def test_unreadable_files_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        levels_from_csv(text)
    assert refused.value.field == "csv"
