"""The exact figure the report types write: amounts, units, NAV per unit, index levels.

A decimal goes out as a fixed-point JSON string ("1000.00") so that the figure a reader gets
is the figure the books hold, to the cent; returns and ratios are not this type (`Measure`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer

Amount = Annotated[
    Decimal, PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json")
]
"""An exact decimal, out as a fixed-point JSON string."""
