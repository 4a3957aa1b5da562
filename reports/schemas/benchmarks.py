"""Benchmarks: an index a manager stores (its dated levels), and the one a pool is compared with.

What goes in (a new benchmark, its levels as rows or CSV, the pool's choice) and what comes
out (the benchmark, its levels, what a load wrote, the pool's benchmark).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from backend.finance.errors import LedgerInputError
from backend.finance.money import CURRENCIES, get_currency
from backend.platform.fields import IsoDate, RecordId
from backend.pools.interface import ExactDecimal as ExactDecimalIn
from reports.schemas.amounts import Amount


def _supported_currency(code: str) -> str:
    # The platform's currency table decides, as it does for a pool's base currency: a
    # well-formed code it does not know ("GFE") is the caller's mistake, not the server's.
    try:
        get_currency(code)
    except LedgerInputError as exc:
        raise ValueError(exc.reason) from None
    return code


class BenchmarkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    currency: Annotated[str, AfterValidator(_supported_currency)] = Field(
        pattern=r"^[A-Z]{3}$", json_schema_extra={"enum": list(sorted(CURRENCIES))}
    )
    description: str = Field(default="", max_length=500)


class BenchmarkOut(BaseModel):
    id: int
    name: str
    currency: str
    description: str
    first_date: date | None
    last_date: date | None
    levels: int = Field(description="how many dated levels are stored")
    created_at: datetime
    shared: bool = Field(
        default=False,
        description="reference data any manager may attach; changed only by admins (else its creator's)",
    )
    created_by_user_id: int | None = None


class BenchmarkLevel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: IsoDate
    level: ExactDecimalIn = Field(description="index level at the close, > 0, at most 6 decimal places")


class BenchmarkLevelOut(BaseModel):
    date: date
    level: Amount


class BenchmarkLevelsIn(BaseModel):
    """Levels as JSON rows, or as CSV text with a header `date,level` (ISO dates)."""

    model_config = ConfigDict(extra="forbid")

    levels: list[BenchmarkLevel] = Field(default_factory=list, max_length=100_000)
    csv: str | None = Field(default=None, max_length=5_000_000)


class LevelsLoaded(BaseModel):
    benchmark_id: int
    loaded: int = Field(description="levels written (a date already stored is replaced)")
    first_date: date | None
    last_date: date | None


class PoolBenchmarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    benchmark_id: RecordId


class PoolBenchmarkOut(BaseModel):
    pool_id: int
    benchmark_id: int
    name: str
