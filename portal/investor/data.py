"""What the investor dashboard shows, gathered from the services as the signed-in investor.

The investor's id is always the session's own (InvestorService.investor_for_user); nothing the
browser sends names an investor. The figures are pure functions of the services' answers, so
the callback tests can pin them without a browser (the charts are drawn from them by
portal/investor/figures.py; the "Generate statements" job is portal/investor/jobs.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from backend.investors.interface import SideLetterOut
from backend.platform.actors import Actor
from backend.platform.errors import DomainError
from ledger.interface import AccountCode, EntryOut, EntryType, PositionOut
from portal.context import services
from portal.formatting import entry_type_label, iso, money, multiple, number, pct, percent
from portal.shared.pools import visible_pools
from reports.interface import InvestorPoolPerformance

ENTRY_PAGE = 500
MAX_PAGES = 40  # 20,000 entries of one investor in one pool: more than any real account
RECENT = 10


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
    class_name: str = ""
    """The name of the share class held (position.share_class), where the pool names it."""

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
    own_terms: list[dict[str, Any]] = field(default_factory=list)
    """The investor's side letters, a row per pool that has one: the terms that differ."""

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
    since inception; periods that end before the pool's inception are left out. A period
    still running ends today: the report service ends "2026" on the day it is asked for and
    labels it "2026 (to date)", as this menu does (reports.statements.to_date)."""
    quarter = (today.month - 1) // 3 + 1
    ly, lq = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    # The last day of last quarter (the day before this quarter began), not its last month's first.
    last_q_end = date(today.year, 3 * quarter - 2, 1) - timedelta(days=1)
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
                "kind": line.kind.replace("_", "-").capitalize(),
                "share_class": held_class(line),
                "nav_per_unit": _class_price(p) if p.share_class else "—",
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


def _class_price(p: PositionOut) -> str:
    """The held class's NAV per unit, with its currency where it is not the pool's."""
    price = number(p.nav_per_unit, 6)
    return f"{price} {p.nav_per_unit_currency}" if p.nav_per_unit_currency else price


def held_class(line: PoolLine) -> str:
    """ "A — Retail": the class of the units held; a dash in a pool without classes."""
    held = line.position.share_class
    if not held:
        return "—"
    return f"{held} — {line.class_name}" if line.class_name else held


CLASS_COLUMNS = (("share_class", "Class"), ("nav_per_unit", "NAV per unit"))


def holding_columns(columns: tuple[tuple[str, str], ...], data: Dashboard) -> tuple[tuple[str, str], ...]:
    """The holdings table's columns, with the class held and its price once any holding is in
    a share class (the price of one class is the only one that values the investor's units)."""
    if not any(line.position.share_class for line in data.pools):
        return columns
    at = next((n + 1 for n, (key, _) in enumerate(columns) if key == "kind"), len(columns))
    return (*columns[:at], *CLASS_COLUMNS, *columns[at:])


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


def own_terms_row(pool: str, letter: SideLetterOut) -> dict[str, Any]:
    """One side letter as the investor reads it: what it changes, the rest "pool's terms"."""
    pools = "pool's terms"
    if letter.gp_commitment:
        fee = carry = "none (GP commitment)"
    else:
        fee = percent(letter.management_fee_rate) if letter.management_fee_rate is not None else pools
        carry = percent(letter.carried_interest_rate) if letter.carried_interest_rate is not None else pools
    waived = percent(letter.management_fee_waiver) if letter.management_fee_waiver else "none"
    if letter.management_fee_holiday_until is not None and not letter.gp_commitment:
        waived += f"; no fee to {letter.management_fee_holiday_until.isoformat()}"
    return {"pool": pool, "reference": letter.reference, "fee": fee, "waived": waived, "carry": carry}


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
                class_name=next(
                    (k.name for k in pool.share_classes if k.class_id == position.share_class), ""
                ),
            )
        )
        if pool.kind.value == "closed_ended":
            for letter in c.investors.list_side_letters(actor, pool.id).items:
                data.own_terms.append(own_terms_row(pool.name, letter))
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
            "type": entry_type_label(e.entry_type, e.reverses_entry_id),
            "amount": money(own_delta(e, profile.id, AccountCode.CAPITAL), currency),
            "memo": e.memo,
        }
        for e, name, currency in recent[:RECENT]
    ]
    return data
