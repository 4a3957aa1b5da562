"""Make-believe market and people for the seed: names, countries, pool terms, price paths.

Everything draws from a ``random.Random`` the caller passes in (never the global RNG) and
returns exact Decimals at the right scale, so the same seed builds the same data.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from backend.investors.interface import InvestorType, KycStatus

# (code, how many units of it make about one US dollar's worth: amounts scale with it)
CURRENCIES: tuple[tuple[str, int], ...] = (("USD", 1), ("EUR", 1), ("GBP", 1), ("JPY", 150), ("CHF", 1))

_COUNTRIES = ("GB", "US", "DE", "FR", "JP", "CH", "NL", "SG", "CA", "AU", "LU", "IE", "SE", "NO", "ES", "IT")
_FIRST = (
    "Ana", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Lars",
    "Maya", "Nikhil", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tomoko", "Uma", "Victor", "Wen", "Yusuf",
)
_LAST = (
    "Adams", "Berger", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito", "Jansen",
    "Kowalski", "Lindqvist", "Moreau", "Nakamura", "OBrien", "Patel", "Rossi", "Schmidt", "Tanaka",
    "Urquhart", "Varga", "Weber", "Xu", "Young", "Zimmermann",
)
_PLACES = (
    "Northgate", "Harbour", "Alder", "Meridian", "Granite", "Bluewater", "Kestrel", "Summit", "Lantern",
    "Cedar", "Orion", "Ironbridge", "Silverline", "Westbrook", "Aurora", "Juniper", "Highfield", "Tamarind",
)
_INSTITUTIONS = (
    "Pension Fund", "Endowment", "Family Office", "Insurance", "Foundation", "Capital Partners",
    "Sovereign Wealth Fund", "Trust", "Asset Management",
)
_OPEN_STYLES = ("Global Equity", "Income", "Balanced", "Growth", "Multi-Asset", "Credit", "Asia Equity")
_CLOSED_STYLES = ("Private Equity", "Venture", "Infrastructure", "Real Estate", "Buyout", "Growth Capital")
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


def decimal_of(value: float, places: int = 10) -> Decimal:
    """A float made exact at a fixed number of places (repr-stable, so deterministic)."""
    return Decimal(f"{value:.{places}f}")


def quantize(value: Decimal, quantum: Decimal) -> Decimal:
    return value.quantize(quantum, rounding=ROUND_HALF_EVEN)


def round_amount(rng: random.Random, low: float, high: float, currency_factor: int, step: int) -> Decimal:
    """A log-uniform amount between low and high (in dollars' worth), rounded to ``step``
    units of the currency, the way people subscribe: 25,000 not 24,913.27."""
    value = math.exp(rng.uniform(math.log(low), math.log(high))) * currency_factor
    step_local = step * currency_factor
    return Decimal(max(step_local, int(value // step_local) * step_local))


@dataclass(frozen=True)
class Person:
    legal_name: str
    investor_type: InvestorType
    country: str
    kyc: KycStatus


def person(rng: random.Random) -> Person:
    if rng.random() < 0.25:
        name = f"{rng.choice(_PLACES)} {rng.choice(_INSTITUTIONS)}"
        kind = InvestorType.ENTITY
    else:
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        kind = InvestorType.INDIVIDUAL
    draw = rng.random()
    kyc = KycStatus.APPROVED if draw < 0.9 else KycStatus.PENDING if draw < 0.96 else KycStatus.REJECTED
    return Person(name, kind, rng.choice(_COUNTRIES), kyc)


def pool_name(rng: random.Random, open_ended: bool, index: int) -> str:
    style = rng.choice(_OPEN_STYLES if open_ended else _CLOSED_STYLES)
    suffix = "Fund" if open_ended else f"Fund {_ROMAN[index % len(_ROMAN)]}"
    return f"{rng.choice(_PLACES)} {style} {suffix}"


@dataclass(frozen=True)
class Walk:
    """Geometric Brownian motion on the pool's investments: drift and volatility per year."""

    drift: float
    volatility: float

    def factor(self, rng: random.Random, business_days: int) -> float:
        """The growth of one unit of investments over ``business_days`` (252 a year)."""
        dt = business_days / 252
        shock = rng.gauss(0.0, 1.0)
        return math.exp((self.drift - self.volatility**2 / 2) * dt + self.volatility * math.sqrt(dt) * shock)


def walk_for(rng: random.Random, open_ended: bool) -> Walk:
    if open_ended:
        return Walk(drift=rng.uniform(0.02, 0.11), volatility=rng.uniform(0.05, 0.22))
    # Private assets: marked less often and smoother, with a higher expected return.
    return Walk(drift=rng.uniform(0.06, 0.16), volatility=rng.uniform(0.08, 0.18))


def business_days(start: date, end: date) -> list[date]:
    """Monday to Friday from start to end inclusive (start itself always included)."""
    days = [start]
    day = start + timedelta(days=1)
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days
