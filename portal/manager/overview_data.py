"""What the manager overview shows: every pool the manager runs at a glance, each in its own
currency, and the book consolidated into the manager's reporting currency (assets under
management, net flows, AUM over time, allocation), with the rates used said beside it.

Returns, IRR and TVPI stay in each pool's own currency (converting a return would mix the
pool's performance with the currency's; docs/business-logic.md). Every figure is as of the
overview's date, and each pool's returns as of its own last valuation, shown in its row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from backend.platform.actors import Actor
from backend.pools.interface import PoolKind, PoolOut, PoolStatus
from portal.formatting import DASH, iso, money, multiple, number, pct
from portal.manager.data import history, list_all_pools, performance
from portal.manager.figures import sparkline_svg
from portal.shared.reporting_currency import Conversion, DatedAmount, conversion, converted_text
from reports.interface import Frequency, NavHistory, PoolPerformance

CHART_MONTHS = 36
"""AUM over time covers the last three years of month ends (and the overview's date)."""


def _period(perf: PoolPerformance | None, name: str) -> float | None:
    if perf is None:
        return None
    for p in perf.periods:
        if p.name == name:
            return p.annualised if name == "SI" and p.annualised is not None else p.cumulative
    return None


@dataclass
class PoolSeries:
    """One pool's month-end NAVs and net flows, in its own currency."""

    pool: PoolOut
    navs: list[tuple[date, Decimal]] = field(default_factory=list)
    flows: list[tuple[date, Decimal]] = field(default_factory=list)


@dataclass
class Overview:
    as_of: date
    reporting: str
    rows: list[dict[str, Any]]
    filtered: bool = False
    aum: dict[str, Decimal] = field(default_factory=dict)
    net_flows: dict[str, Decimal] = field(default_factory=dict)
    series: list[PoolSeries] = field(default_factory=list)
    conversion: Conversion | None = None

    def nav_figures(self) -> list[DatedAmount]:
        """Each pool's NAV on the overview's date (the AUM total's parts)."""
        return [DatedAmount(Decimal(str(r["nav_exact"])), r["currency"], self.as_of) for r in self.rows]

    def flow_figures(self) -> list[DatedAmount]:
        """This year's net flows of each pool, month by month, each at its month end's rate."""
        return [
            DatedAmount(amount, s.pool.base_currency, day)
            for s in self.series
            for day, amount in s.flows
            if day.year == self.as_of.year and amount
        ]


def _month_ends(history: NavHistory | None, as_of: date) -> list[tuple[date, Decimal, Decimal]]:
    """(date, NAV, net flow) at each month end of the chart's span, and the overview's date."""
    if history is None:
        return []
    points = history.points[-(CHART_MONTHS + 1) :]
    return [(p.date, p.net_asset_value, p.inflow - p.outflow) for p in points if p.date <= as_of]


def overview(
    actor: Actor, as_of: date, reporting: str, status: str | None = None, kind: str | None = None
) -> Overview:
    pools = list_all_pools(actor, PoolStatus(status) if status else None, PoolKind(kind) if kind else None)
    out = Overview(as_of=as_of, reporting=reporting, rows=[], filtered=bool(status or kind))
    aum: dict[str, Decimal] = defaultdict(Decimal)
    flows: dict[str, Decimal] = defaultdict(Decimal)
    for pool in pools:
        perf = performance(actor, pool.id, as_of)
        monthly = history(actor, pool, as_of, Frequency.MONTHLY)
        c = pool.base_currency
        nav = Decimal(perf.net_asset_value) if perf else Decimal(0)
        aum[c] += nav
        points = _month_ends(monthly, as_of)
        series = PoolSeries(pool, [(d, v) for d, v, _ in points], [(d, f) for d, _, f in points])
        out.series.append(series)
        year_flows = sum((f for d, f in series.flows if d.year == as_of.year), Decimal(0))
        flows[c] += year_flows
        out.rows.append(_row(pool, perf, monthly, nav, year_flows))
    out.aum, out.net_flows = dict(aum), dict(flows)
    wanted = out.nav_figures() + out.flow_figures()
    wanted += [DatedAmount(v, s.pool.base_currency, d) for s in out.series for d, v in s.navs]
    out.conversion = conversion(actor, wanted, reporting)
    for row in out.rows:
        converted = out.conversion.of(DatedAmount(Decimal(str(row["nav_exact"])), row["currency"], as_of))
        row["nav_reporting"] = float(converted) if converted is not None else None
        row["nav_reporting_text"] = converted_text(converted, reporting)
    return out


def _row(
    pool: PoolOut, perf: PoolPerformance | None, monthly: NavHistory | None, nav: Decimal, year_flows: Decimal
) -> dict[str, Any]:
    c = pool.base_currency
    mw = perf.money_weighted if perf else None
    tvpi = mw.tvpi if (mw and pool.kind is PoolKind.CLOSED_ENDED) else None
    values = {
        "ytd": _period(perf, "YTD"),
        "one_year": _period(perf, "1Y"),
        "si": _period(perf, "SI"),
        "irr": mw.irr if mw else None,
    }
    valued = perf.last_valuation_date if perf else None
    return {
        "id": pool.id,
        "name": f"[{pool.name}](/manager/pools/{pool.id})",
        "pool_name": pool.name,
        "kind": f"{'Open' if pool.kind is PoolKind.OPEN_ENDED else 'Closed'}-ended · {pool.status.value}",
        "currency": c,
        "nav_exact": str(nav),
        "nav": float(nav),
        "nav_text": money(nav, c),
        "nav_per_unit": float(perf.nav_per_unit) if perf and perf.nav_per_unit is not None else None,
        "nav_per_unit_text": number(perf.nav_per_unit, 6) if perf and perf.nav_per_unit else DASH,
        **values,
        **{f"{k}_text": pct(v) for k, v in values.items()},
        "valued_to": iso(valued) if valued else "not valued yet",
        "tvpi": tvpi,
        "tvpi_text": multiple(tvpi) if pool.kind is PoolKind.CLOSED_ENDED else "n/a",
        "flows": float(year_flows),
        "flows_text": money(year_flows, c),
        "spark": sparkline_svg([p.index for p in monthly.points]) if monthly else "",
    }
