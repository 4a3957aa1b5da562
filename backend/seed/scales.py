"""The sizes of data set `python app.py seed --scale NAME` builds.

Postings are dominated by valuations: each one marks the investments and moves every
holder's capital account, so a pool with h holders valued v times writes about v * (h + 1)
postings. The figures below are tuned so each scale lands near its target size:

    demo    5 pools,   ~12 investors,  weekly marks over ~2 years (closed pools up to 4): seconds
    small   20 pools,  500 investors,  weekly marks over 2 years: ~55k postings
    medium  200 pools, 20k investors,  weekly marks over 1 year:  ~1M postings
    large   500 pools, 50k investors,  weekly marks over 3 years: ~10M postings
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Scale:
    name: str
    open_pools: int
    closed_pools: int
    investors: int
    """Investor profiles to create (the demo investor login included)."""
    managers: int
    """Manager users (the demo manager included); pools are shared out among them."""
    history_weeks: int
    """How far back open-ended pools start; closed-ended pools start up to twice as far back."""
    holders_per_pool: int
    """Typical number of investors in one pool (commitments or subscriptions)."""
    valuation_every_weeks: int = 1
    """The random walk moves every business day; a valuation is recorded this often."""

    @property
    def pools(self) -> int:
        return self.open_pools + self.closed_pools


SCALES: dict[str, Scale] = {
    "demo": Scale(
        "demo", open_pools=3, closed_pools=2, investors=12, managers=2, history_weeks=96, holders_per_pool=6
    ),
    "small": Scale(
        "small", open_pools=12, closed_pools=8, investors=500, managers=5, history_weeks=104,
        holders_per_pool=16,
    ),
    "medium": Scale(
        "medium", open_pools=120, closed_pools=80, investors=20_000, managers=40, history_weeks=52,
        holders_per_pool=100,
    ),
    "large": Scale(
        "large", open_pools=300, closed_pools=200, investors=50_000, managers=100, history_weeks=156,
        holders_per_pool=140,
    ),
}

ANCHOR = date(2026, 9, 30)
"""History ends here (a quarter end), whatever day the seed runs, so the same seed always
builds the same books. If the clock says today is earlier, history ends today instead
(effective dates are never in the future)."""


def anchor_for(today: date, as_of: date | None = None) -> date:
    return min(as_of or ANCHOR, today)


def scale_named(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}; one of {', '.join(SCALES)}") from None
