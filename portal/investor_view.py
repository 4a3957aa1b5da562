"""What the investor dashboard shows, gathered from the services as the signed-in investor.

The investor's id is always the session's own (InvestorService.investor_for_user); nothing the
browser sends names an investor. The figures are pure functions of the services' answers, so
the callback tests can pin them without a browser. generate_statements is the body of the
"Generate statements" background job: every pool's capital account statement for one period
in one workbook.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from backend.platform.actors import Actor
from backend.platform.errors import DomainError, NotFound, ValidationFailed
from backend.pools.schemas import PoolOut
from ledger.schemas import AccountCode, EntryOut, EntryType, PositionOut
from portal.background import Job
from portal.components.charts import POOL_COLOUR, Figure, empty_figure, figure
from portal.context import services
from portal.formatting import iso, money, multiple, number, pct
from portal.jobs_files import Prepared, download_url, downloads_dir, pending_file, sweep
from reports.schemas import CapitalAccountStatement, InvestorPoolPerformance
from reports.statements import parse_period, statements_workbook

ENTRY_PAGE = 500
MAX_PAGES = 40  # 20,000 entries of one investor in one pool: more than any real account
RECENT = 10
PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#0dcaf0", "#6c757d")


@dataclass
class PoolLine:
    pool_id: int
    name: str
    kind: str
    currency: str
    position: PositionOut
    performance: InvestorPoolPerformance | None
    outstanding_calls: Decimal
    series: list[tuple[date, Decimal]] = field(default_factory=list)

    @property
    def value(self) -> Decimal:
        """What the stake is worth: the capital account less capital called but not yet paid
        (a call credits capital against a receivable; the money is not in until it is paid).
        The same figure the performance report uses, so value and TVPI agree."""
        return self.position.value - self.outstanding_calls


@dataclass
class Dashboard:
    as_of: date
    investor_id: int | None
    legal_name: str = ""
    pools: list[PoolLine] = field(default_factory=list)
    recent: list[dict[str, Any]] = field(default_factory=list)
    open_calls: list[dict[str, Any]] = field(default_factory=list)

    def totals(self) -> dict[str, dict[str, Decimal]]:
        """{currency: {value, contributed, distributed, unfunded, outstanding}}."""
        out: dict[str, dict[str, Decimal]] = {}
        for line in self.pools:
            t = out.setdefault(line.currency, defaultdict(Decimal))
            p = line.position
            t["value"] += line.value
            t["contributed"] += p.contributed
            t["distributed"] += p.distributed
            t["unfunded"] += p.unfunded_commitment
            t["outstanding"] += line.outstanding_calls
        return {c: dict(v) for c, v in out.items()}


# -- pure pieces -------------------------------------------------------------------------


def own_delta(entry: EntryOut, investor_id: int, account: AccountCode) -> Decimal:
    """How much the entry moved the investor's own `account` (capital shown credit-positive)."""
    total = sum(
        (p.amount for p in entry.postings if p.account is account and p.investor_id == investor_id),
        Decimal(0),
    )
    return -total if account is AccountCode.CAPITAL else total


def value_series(entries: list[EntryOut], investor_id: int) -> list[tuple[date, Decimal]]:
    """The investor's value (capital account less unpaid calls) after each date with a movement."""
    by_day: dict[date, Decimal] = defaultdict(Decimal)
    for entry in entries:
        delta = own_delta(entry, investor_id, AccountCode.CAPITAL) - own_delta(
            entry, investor_id, AccountCode.CALL_RECEIVABLE
        )
        if delta:
            by_day[entry.effective_date] += delta
    running = Decimal(0)
    series = []
    for day in sorted(by_day):
        running += by_day[day]
        series.append((day, running))
    return series


def open_calls(entries: list[EntryOut], investor_id: int, outstanding: Decimal) -> list[dict[str, Any]]:
    """Capital calls still (partly) unpaid: the latest calls whose shares add up to what is owed."""
    if outstanding <= 0:
        return []
    calls = [e for e in entries if e.entry_type is EntryType.CAPITAL_CALL]
    left, out = outstanding, []
    for call in sorted(calls, key=lambda e: (e.effective_date, e.seq), reverse=True):
        share = Decimal(str(call.details.get("allocation", {}).get(str(investor_id), "0")))
        if share <= 0:
            continue
        out.append(
            {
                "entry_id": call.id,
                "issued": call.effective_date,
                "due": call.details.get("due_date", ""),
                "share": share,
                "open": min(share, left),
            }
        )
        left -= share
        if left <= 0:
            break
    return out


def statement_periods(today: date, inception: date) -> list[tuple[str, str]]:
    """(label, query) for the statement menu: this and last quarter, this and last year, and
    since inception; periods that end before the pool's inception are left out."""
    quarter = (today.month - 1) // 3 + 1
    ly, lq = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    last_q_end = date(today.year, 3 * (quarter - 1), 1) if quarter > 1 else date(today.year - 1, 12, 31)
    options = [
        (f"{today.year}-Q{quarter} (to date)", f"period={today.year}-Q{quarter}", today),
        (f"{ly}-Q{lq}", f"period={ly}-Q{lq}", last_q_end),
        (f"{today.year} (to date)", f"period={today.year}", today),
        (f"{today.year - 1}", f"period={today.year - 1}", date(today.year - 1, 12, 31)),
    ]
    kept = [(label, query) for label, query, last in options if last >= inception]
    return [*kept, ("Since inception", f"start={inception.isoformat()}&end={today.isoformat()}")]


def statement_url(investor_id: int, pool_id: int, query: str) -> str:
    return f"/api/v1/investors/{investor_id}/statements?pool_id={pool_id}&{query}&format=xlsx"


def pool_rows(data: Dashboard) -> list[dict[str, Any]]:
    """The per-pool table, formatted in each pool's currency."""
    rows = []
    for line in data.pools:
        p, perf, c = line.position, line.performance, line.currency
        mw = perf.money_weighted if perf else None
        rows.append(
            {
                "pool_id": line.pool_id,
                "pool": line.name,
                "kind": line.kind.replace("_", "-"),
                "units": number(p.units, 4) if line.kind == "open_ended" else "—",
                "value": money(line.value, c),
                "contributed": money(p.contributed, c),
                "distributed": money(p.distributed, c),
                "xirr": pct(mw.irr if mw else None),
                "tvpi": multiple(mw.tvpi if mw else None),
                "twr": pct(perf.twr if perf else None),
                "unfunded": money(p.unfunded_commitment, c) if line.kind == "closed_ended" else "—",
                "open_calls": money(line.outstanding_calls, c) if line.outstanding_calls else "—",
            }
        )
    return rows


def value_figure(data: Dashboard) -> Figure:
    """Each pool's value over time, and the total per currency when there are several pools."""
    lines = [line for line in data.pools if line.series]
    if not lines:
        return empty_figure("No holdings yet")
    traces: list[dict[str, Any]] = []
    totals: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for i, line in enumerate(lines):
        points = (
            [*line.series, (data.as_of, line.series[-1][1])]
            if line.series[-1][0] < data.as_of
            else line.series
        )
        traces.append(
            {
                "type": "scatter",
                "x": [d for d, _ in points],
                "y": [float(v) for _, v in points],
                "name": f"{line.name} ({line.currency})",
                "mode": "lines",
                "line": {"shape": "hv", "color": PALETTE[i % len(PALETTE)]},
            }
        )
        totals[line.currency].update({d: Decimal(0) for d, _ in points})
    for currency, days in totals.items():
        mine = [line for line in lines if line.currency == currency]
        if len(mine) < 2:
            continue
        ordered = sorted(days)
        total = [float(sum((_at(line.series, d) for line in mine), Decimal(0))) for d in ordered]
        traces.append(
            {
                "type": "scatter",
                "x": ordered,
                "y": total,
                "name": f"Total ({currency})",
                "mode": "lines",
                "line": {"shape": "hv", "color": "#212529", "width": 3},
            }
        )
    return figure(
        traces,
        title={"text": f"Value over time · as of {data.as_of.isoformat()}", "font": {"size": 14}},
        margin={"l": 56, "r": 16, "t": 48, "b": 36},
        height=320,
        legend={"orientation": "h", "y": -0.2},
        hovermode="x unified",
    )


def _at(series: list[tuple[date, Decimal]], day: date) -> Decimal:
    value = Decimal(0)
    for d, v in series:
        if d > day:
            break
        value = v
    return value


def allocation_figure(data: Dashboard) -> Figure:
    """Allocation by pool: a donut per currency (values are not converted across currencies)."""
    held = [line for line in data.pools if line.value > 0]
    if not held:
        return empty_figure("Nothing allocated yet")
    currencies = sorted({line.currency for line in held})
    traces: list[dict[str, Any]] = []
    width = 1 / len(currencies)
    for i, currency in enumerate(currencies):
        mine = [line for line in held if line.currency == currency]
        traces.append(
            {
                "type": "pie",
                "labels": [line.name for line in mine],
                "values": [float(line.value) for line in mine],
                "hole": 0.55,
                "name": currency,
                "title": {"text": currency},
                "domain": {"x": [i * width, (i + 1) * width]},
                "marker": {"colors": [PALETTE[j % len(PALETTE)] for j in range(len(mine))]},
                "textinfo": "percent",
                "hovertemplate": "%{label}: %{value:,.2f} " + currency + " (%{percent})<extra></extra>",
            }
        )
    return figure(
        traces,
        title={"text": f"Allocation by pool · as of {data.as_of.isoformat()}", "font": {"size": 14}},
        margin={"l": 16, "r": 16, "t": 48, "b": 16},
        height=320,
        legend={"orientation": "h", "y": -0.1},
        colorway=[POOL_COLOUR, *PALETTE],
    )


# -- gathering from the services ---------------------------------------------------------


def _entries(actor: Actor, pool_id: int, investor_id: int) -> list[EntryOut]:
    tx = services().transactions
    entries: list[EntryOut] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page = tx.list_transactions(actor, pool_id, cursor=cursor, limit=ENTRY_PAGE, investor_id=investor_id)
        entries += page.entries
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return entries


def visible_pools(actor: Actor) -> dict[int, PoolOut]:
    found: dict[int, PoolOut] = {}
    cursor: int | None = None
    while True:
        page = services().pools.list_pools(actor, cursor=cursor, limit=200)
        found.update({p.id: p for p in page.items})
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def gather(actor: Actor, as_of: date) -> Dashboard:
    """The signed-in investor's dashboard as of the end of `as_of`."""
    c = services()
    profile = c.investors.investor_for_user(actor.user_id) if actor.user_id is not None else None
    if profile is None:
        return Dashboard(as_of=as_of, investor_id=None)
    data = Dashboard(as_of=as_of, investor_id=profile.id, legal_name=profile.legal_name)
    holdings = c.transactions.holdings(actor, profile.id)
    if not holdings:
        return data
    pools = visible_pools(actor)
    try:
        perf = {p.pool_id: p for p in c.reports.investor_performance(actor, profile.id, as_of=as_of).pools}
    except DomainError:
        perf = {}
    recent: list[tuple[EntryOut, str, str]] = []
    for position in sorted(holdings, key=lambda h: h.pool_id):
        pool = pools.get(position.pool_id)
        if pool is None:
            continue
        entries = _entries(actor, pool.id, profile.id)
        outstanding = sum(
            (own_delta(e, profile.id, AccountCode.CALL_RECEIVABLE) for e in entries), Decimal(0)
        )
        data.pools.append(
            PoolLine(
                pool_id=pool.id,
                name=pool.name,
                kind=pool.kind.value,
                currency=pool.base_currency,
                position=position,
                performance=perf.get(pool.id),
                outstanding_calls=outstanding,
                series=value_series(entries, profile.id),
            )
        )
        for call in open_calls(entries, profile.id, outstanding):
            data.open_calls.append(
                {
                    "pool": pool.name,
                    "issued": iso(call["issued"]),
                    "due": call["due"],
                    "share": money(call["share"], pool.base_currency),
                    "open": money(call["open"], pool.base_currency),
                }
            )
        recent += [(e, pool.name, pool.base_currency) for e in entries[-RECENT:]]
    recent.sort(key=lambda item: (item[0].effective_date, item[0].created_at), reverse=True)
    data.recent = [
        {
            "date": e.effective_date.isoformat(),
            "pool": name,
            "type": e.entry_type.value.replace("_", " "),
            "amount": money(own_delta(e, profile.id, AccountCode.CAPITAL), currency),
            "memo": e.memo,
        }
        for e, name, currency in recent[:RECENT]
    ]
    return data


# -- statements for every pool, as a background job -------------------------------------------


def period_arguments(query: str) -> dict[str, Any]:
    """The statement service's period arguments from a statement_periods query
    ("period=2025-Q4" or "start=...&end=..."); ValidationFailed for anything else."""
    values = {k: v[0] for k, v in parse_qs(query or "").items() if v}
    try:
        if set(values) == {"period"}:
            return {"period": values["period"]}
        if set(values) == {"start", "end"}:
            return {"start": date.fromisoformat(values["start"]), "end": date.fromisoformat(values["end"])}
    except ValueError:
        pass
    raise ValidationFailed("period: choose one of the periods offered", field="period")


def generate_statements(job: Job, actor: Actor, query: str) -> Prepared | None:
    """The signed-in investor's capital account statements for the period `query` names, one
    sheet per pool they are in (pools that had not started by the period's end are left
    out), in one XLSX file; progress is pools done of pools. None when the investor has no
    profile or no pool. Every statement is the report service's, as `actor`."""
    c = services()
    profile = c.investors.investor_for_user(actor.user_id) if actor.user_id is not None else None
    if profile is None or actor.user_id is None:
        return None
    arguments = period_arguments(query)
    _, _, last = parse_period(arguments.get("period"), arguments.get("start"), arguments.get("end"))
    pools = [p for p in sorted(visible_pools(actor).values(), key=lambda p: p.id) if p.inception_date <= last]
    if not pools:
        return None
    directory = downloads_dir()
    sweep(directory)
    sheets: list[tuple[str, CapitalAccountStatement]] = []
    for done, pool in enumerate(pools):
        job.report(done, len(pools), f"{done} of {len(pools)} pools")
        try:
            sheets.append((pool.name, c.reports.statement(actor, profile.id, pool.id, **arguments)))
        except NotFound:  # in the pool's list, but no account in it (yet)
            continue
    job.report(len(pools), len(pools), f"{len(pools)} of {len(pools)} pools")
    if not sheets:
        return None
    label = sheets[0][1].period.replace("..", "_to_")
    name = f"statements-{label}.xlsx"
    with pending_file(directory, "xlsx") as part:
        statements_workbook(part, sheets)
        job.check()
    final = part.with_name(part.name.removesuffix(".part"))
    return Prepared(download_url(actor.user_id, part, name), name, final.stat().st_size, len(sheets))
