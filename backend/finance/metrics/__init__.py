"""Performance, private-markets and risk metrics as pure functions (no I/O).

Every function here is deterministic and side-effect free; the conventions below,
and those in each submodule's docstring, are part of the contract and are pinned by
``tests/unit/reports/test_metrics.py``. Import the functions from this package
(``from backend.finance import metrics``): the submodules organise the code by
concept and are not a separate API.

Inputs and outputs
    Numbers may be ``float``, ``int``, ``Decimal`` or anything ``float()`` accepts
    (numpy scalars too); they are converted with ``float()`` and every result is a
    ``float`` (or ``None`` / NaN where a function says so). Nothing is rounded.
    Invalid input (mismatched lengths, NaN in cash flows, a date outside the
    period, no paid-in capital, zero average capital) raises ``ValueError``;
    the scalar risk functions let a NaN return propagate instead.

Dates
    A date is a ``datetime.date`` (``datetime`` and ``pandas.Timestamp`` are dates
    and are truncated to whole days) or an ISO-8601 string ``"YYYY-MM-DD"``.

Sign conventions
    * Investor cash flows (``xirr``, ``xnpv``, ``irr``, ``ln_pme`` amounts):
      negative = paid in by the investor (contribution, purchase),
      positive = received by the investor (distribution, redemption, final value).
    * Portfolio flows (``modified_dietz``, ``twr``): the portfolio's view,
      positive = money entering the portfolio (subscription),
      negative = money leaving it (redemption, paid-out income).
    * PE multiples and KS-PME / direct alpha take contributions and distributions
      as separate non-negative amounts (a negative one raises ``ValueError``).

Modules (each imports only modules listed before it, so they form no cycle)
    * ``_inputs``: number, array and date conversion shared by all; ``DAYS_PER_YEAR``.
    * ``_irr_solver``: the IRR root finder behind ``xirr``, ``irr`` and the PMEs.
    * ``money_weighted``: ``xnpv``, ``xirr``, ``irr``; which IRR root is returned.
    * ``holding_period``: ``twr``, ``modified_dietz``, ``link``, ``twr_from_prices``,
      ``unit_price_total_return``, ``annualize`` (and the GIPS one-year rule).
    * ``multiples``: ``dpi``, ``rvpi``, ``tvpi``.
    * ``pme``: ``ks_pme``, ``direct_alpha``, ``ln_pme``, ``ln_pme_nav``.
    * ``risk``: ``volatility``, ``downside_deviation``, ``sharpe``, ``sortino``,
      ``max_drawdown``, ``max_drawdown_window``, ``cagr``, ``calmar``.
    * ``vectorised``: the ``*_many`` variants, one value per series of a 2-D array.
"""

from __future__ import annotations

from backend.finance.metrics._inputs import DAYS_PER_YEAR as DAYS_PER_YEAR
from backend.finance.metrics._inputs import Amounts as Amounts
from backend.finance.metrics._inputs import DateLike as DateLike
from backend.finance.metrics._inputs import FloatArray as FloatArray
from backend.finance.metrics._inputs import Number as Number
from backend.finance.metrics.holding_period import (
    annualize,
    link,
    modified_dietz,
    twr,
    twr_from_prices,
    unit_price_total_return,
)
from backend.finance.metrics.money_weighted import DEFAULT_GUESS as DEFAULT_GUESS
from backend.finance.metrics.money_weighted import irr, xirr, xnpv
from backend.finance.metrics.multiples import dpi, rvpi, tvpi
from backend.finance.metrics.pme import direct_alpha, ks_pme, ln_pme, ln_pme_nav
from backend.finance.metrics.risk import (
    cagr,
    calmar,
    downside_deviation,
    max_drawdown,
    max_drawdown_window,
    sharpe,
    sortino,
    volatility,
)
from backend.finance.metrics.vectorised import (
    link_many,
    max_drawdown_many,
    sharpe_many,
    sortino_many,
    twr_from_prices_many,
    volatility_many,
)

__all__ = [
    "annualize",
    "cagr",
    "calmar",
    "direct_alpha",
    "downside_deviation",
    "dpi",
    "irr",
    "ks_pme",
    "link",
    "link_many",
    "ln_pme",
    "ln_pme_nav",
    "max_drawdown",
    "max_drawdown_many",
    "max_drawdown_window",
    "modified_dietz",
    "rvpi",
    "sharpe",
    "sharpe_many",
    "sortino",
    "sortino_many",
    "tvpi",
    "twr",
    "twr_from_prices",
    "twr_from_prices_many",
    "unit_price_total_return",
    "volatility",
    "volatility_many",
    "xirr",
    "xnpv",
]
