"""Private-markets multiples per period: ``dpi``, ``rvpi``, ``tvpi``.

``dpi = D / C``, ``rvpi = NAV / C``, ``tvpi = (D + NAV) / C`` with C and D the
sums of contributions and distributions (scalars or sequences), each given as
non-negative amounts (a negative one raises ``ValueError``, as does C = 0).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from backend.finance.metrics._inputs import Amounts, Number, to_float

__all__ = ["dpi", "rvpi", "tvpi"]


def _non_negative_total(amounts: Amounts, name: str) -> float:
    values = list(amounts) if isinstance(amounts, Iterable) else [amounts]
    floats = [to_float(v, name) for v in values]
    if any(v < 0.0 for v in floats):
        raise ValueError(f"{name} must be given as non-negative amounts")
    return math.fsum(floats)


def _paid_in(contributions: Amounts) -> float:
    total = _non_negative_total(contributions, "contributions")
    if total == 0.0:
        raise ValueError("no contributions: the multiple is undefined")
    return total


def dpi(contributions: Amounts, distributions: Amounts, nav: Number) -> float:
    """Distributions to paid-in: ``sum(distributions) / sum(contributions)``."""
    to_float(nav, "nav")
    return _non_negative_total(distributions, "distributions") / _paid_in(contributions)


def rvpi(contributions: Amounts, distributions: Amounts, nav: Number) -> float:
    """Residual value to paid-in: ``nav / sum(contributions)``."""
    _non_negative_total(distributions, "distributions")
    return to_float(nav, "nav") / _paid_in(contributions)


def tvpi(contributions: Amounts, distributions: Amounts, nav: Number) -> float:
    """Total value to paid-in: ``(sum(distributions) + nav) / sum(contributions)``."""
    total_value = _non_negative_total(distributions, "distributions") + to_float(nav, "nav")
    return total_value / _paid_in(contributions)
