"""Input types every service's requests share: amounts, dates, ids.

Each refuses what a person or a spreadsheet would not mean (floats, exponents, other
scripts' digits, timestamps, ids beyond the columns' range) with a reason naming what is
allowed, so every service answers the same malformed input the same way.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

# An amount as text: an optional sign, ASCII digits, optionally a point and more digits. No
# exponent ("1E+2"), no other scripts' digits ("١٠٠", which Decimal() reads as 100), no
# underscores, spaces or a bare point: what a person or a spreadsheet writes, and nothing else.
_DECIMAL_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def decimal_from_text(text: str) -> Decimal:
    """The one rule for an amount sent as a string; raises ValueError naming what is allowed."""
    if not _DECIMAL_TEXT.fullmatch(text):
        raise ValueError(
            'must be a plain decimal number such as "1000.00" (ASCII digits, an optional sign '
            "and decimal point; no exponent)"
        )
    return Decimal(text)


MONEY_INTEGER_MAX = 10**15 - 1
"""The largest amount sent as a JSON integer; beyond it amounts must be strings (exactness)."""

DECIMAL_TEXT_PATTERN = r"^[+-]?[0-9]+(\.[0-9]+)?$"
"""`_DECIMAL_TEXT` as the OpenAPI document states it."""


def _money_input(value: Any) -> Any:
    """Amounts arrive as strings ("1000.00") or integers; a JSON float has lost exactness."""
    if isinstance(value, bool):
        raise ValueError("must be a decimal number, not a boolean")
    if isinstance(value, float):
        # JSON Schema counts 1821.0 as an integer; only such whole numbers are exact enough.
        if not (value.is_integer() and abs(value) <= MONEY_INTEGER_MAX):
            raise ValueError('send amounts as a string such as "1000.00" so they stay exact')
        return Decimal(int(value))
    if isinstance(value, int) and abs(value) > MONEY_INTEGER_MAX:
        raise ValueError('send amounts this large as a string such as "1000000000000000.00"')
    if isinstance(value, str):
        return decimal_from_text(value)
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_money_input),
    Field(allow_inf_nan=False),
    # What the parser takes, stated in the OpenAPI document: a plain decimal string or an
    # integer small enough to be exact; never a float.
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": DECIMAL_TEXT_PATTERN},
                {"type": "integer", "minimum": -MONEY_INTEGER_MAX, "maximum": MONEY_INTEGER_MAX},
            ]
        }
    ),
]

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2200, 12, 31)
"""The dates the services support. Reports step a day or a month past the dates they are
given, and the calendar ends at 9999-12-31: a far date must be refused, not overflow."""

_ISO_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_input(value: Any) -> Any:
    # Pydantic alone would also take a datetime ("2025-06-30T00:00:00"), a Unix timestamp
    # ("0" is 1970-01-01) and other scripts' digits; a date is YYYY-MM-DD and nothing else.
    if isinstance(value, str):
        if not _ISO_DATE_TEXT.fullmatch(value):
            raise ValueError("must be a date written YYYY-MM-DD")
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value} is not a date in the calendar") from None
    elif isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError("must be a date written YYYY-MM-DD")
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValueError(f"must be between {DATE_MIN} and {DATE_MAX}")
    return value


IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date_input),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            # Years 1900-2199 (DATE_MIN up to a year before DATE_MAX: a pattern cannot say more).
            "pattern": r"^(19[0-9]{2}|2[01][0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        }
    ),
]
"""A date in a request: ISO YYYY-MM-DD text (or a date from Python), DATE_MIN to DATE_MAX."""

ID_MAX = 2**31 - 1
"""The largest id a request may name: the INT columns' range (MariaDB's signed 32 bits)."""

RecordId = Annotated[int, Field(gt=0, le=ID_MAX)]
"""The id of a user, pool, investor, benchmark... named in a request: beyond the column's
range it names no row, and the database would refuse to even compare it (SQLite past 2^63)."""
