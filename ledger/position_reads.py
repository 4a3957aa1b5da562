"""Who sees which entries and what each investor holds in a pool.

An investor's position: units held, the value of their capital account, what they
contributed and had distributed, the fees they bore, their commitment, the capital called
against it, the unfunded remainder (ILPA) and what is overdue on calls. A manager reads the
pools they manage, an admin every pool; an investor reads only their own holdings, and in
a pool's entries only the lines that are the pool's or theirs (a valuation or a fee touches
every investor's capital account in one entry). The transaction service
(ledger.transactions) answers its reads from here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from backend.finance.share_class_terms import ShareClass
from backend.investors.interface import InvestorService
from backend.platform.actors import Actor, Role
from backend.platform.errors import NotFound
from backend.pools.interface import PoolOut, PoolService
from ledger import posting_rules as rules
from ledger.journal_stream import JournalEntryLines, JournalFilter, JournalLinesPage
from ledger.posting_rules import PoolBooks, PoolTerms
from ledger.rule_inputs import PoolFacts
from ledger.schemas import (
    AccountCode,
    EntryOut,
    EntryPage,
    EntryType,
    InvestmentOut,
    PoolPositions,
    PositionOut,
    ShareClassOut,
)
from ledger.service import DatabaseLedgerService
from ledger.terms import pool_terms

_FLOW_TYPES = (
    EntryType.SUBSCRIPTION,
    EntryType.CONTRIBUTION,
    EntryType.REDEMPTION,
    EntryType.DISTRIBUTION,
    EntryType.MANAGEMENT_FEE,
    EntryType.PERFORMANCE_FEE,
    EntryType.CAPITAL_CALL,
    EntryType.SUBSEQUENT_CLOSE,
    EntryType.CLAWBACK,
)


@dataclass(frozen=True)
class _PositionList:
    """A pool's positions with what they were priced from."""

    terms: PoolTerms
    books: PoolBooks
    classes: Mapping[str, rules.ClassPosition]
    pool_price: Decimal | None
    positions: list[PositionOut]


class PositionReads:
    """The transaction service's reads, authorised per object."""

    def __init__(self, ledger: DatabaseLedgerService, pools: PoolService, investors: InvestorService) -> None:
        self._ledger = ledger
        self._pools = pools
        self._investors = investors

    def list_transactions(
        self,
        actor: Actor,
        pool_id: int,
        *,
        cursor: str | None = None,
        limit: int = 50,
        entry_type: EntryType | None = None,
        investor_id: int | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> EntryPage:
        own = self._own_investor_id(actor)
        if own is not None:
            # An investor sees only entries that touch their own accounts.
            if investor_id not in (None, own) or not self._holds_anything(own, pool_id):
                raise NotFound(f"pool {pool_id} not found")
            investor_id = own
        else:
            self._pools.get_pool(actor, pool_id)  # NotFound unless the actor may read the pool
        page = self._ledger.list_entries(
            pool_id,
            cursor=cursor,
            limit=limit,
            entry_type=entry_type,
            investor_id=investor_id,
            date_from=date_from,
            date_to=date_to,
            lines_of=own,
            actor=actor,
        )
        if own is None:
            return page
        # The other investors' lines were left in the database; their shares in the entries'
        # workings are taken out here.
        return page.model_copy(update={"entries": [investor_view(entry, own) for entry in page.entries]})

    def journal_lines(self, actor: Actor, pool_id: int, where: JournalFilter) -> Iterator[JournalEntryLines]:
        """The whole journal for an export, by the same rule as list_transactions: checked now,
        before a byte goes out, so a refusal is a clean 404 and not a broken download."""
        return self._ledger.journal_lines(pool_id, self._journal_where(actor, pool_id, where), actor=actor)

    def journal_page(
        self, actor: Actor, pool_id: int, where: JournalFilter, *, cursor: str | None, limit: int
    ) -> JournalLinesPage:
        """A page of the journal with its lines, by the same rule as list_transactions."""
        where = self._journal_where(actor, pool_id, where)
        return self._ledger.journal_page(pool_id, where, cursor=cursor, limit=limit, actor=actor)

    def _journal_where(self, actor: Actor, pool_id: int, where: JournalFilter) -> JournalFilter:
        """The filter as the actor may read the journal: an investor their own entries, and of
        those the pool's lines and theirs; NotFound for a pool they may not read."""
        own = self._own_investor_id(actor)
        if own is not None:
            if where.investor_id not in (None, own) or not self._holds_anything(own, pool_id):
                raise NotFound(f"pool {pool_id} not found")
            return replace(where, investor_id=own, lines_of=own)
        self._pools.get_pool(actor, pool_id)
        return replace(where, lines_of=None)

    def pool_positions(self, actor: Actor, pool_id: int) -> PoolPositions:
        if actor.role is Role.INVESTOR:
            raise NotFound(f"pool {pool_id} not found")  # investors read /investors/{id}/holdings
        pool = self._pools.get_pool(actor, pool_id)
        return self._positions(pool, actor)

    def investments(self, actor: Actor, pool_id: int) -> list[InvestmentOut]:
        """The pool's portfolio, deal by deal: to its managers and analysts, not investors
        (who read their own holdings), like the positions."""
        if actor.role is Role.INVESTOR:
            raise NotFound(f"pool {pool_id} not found")
        self._pools.get_pool(actor, pool_id)
        return self._ledger.investments(pool_id, actor=actor)

    def holdings(self, actor: Actor, investor_id: int) -> list[PositionOut]:
        own = self._own_investor_id(actor)
        if actor.role is Role.INVESTOR and own != investor_id:
            raise NotFound(f"investor {investor_id} not found")
        if actor.role is Role.ANALYST:
            raise NotFound(f"investor {investor_id} not found")
        self._investors.kyc_status(investor_id)  # NotFound for an unknown investor
        pool_ids = self._pools_of_investor(investor_id)
        if actor.role is Role.MANAGER:
            # A manager sees this investor's stake in their own pools only.
            managed = self._pools.managed_among(actor, pool_ids)
            pool_ids = [pool_id for pool_id in pool_ids if pool_id in managed]
        terms = self._pools.terms_of_pools(pool_ids)
        out: list[PositionOut] = []
        for pool_id in pool_ids:
            out += self._position_list(terms[pool_id], actor, of=investor_id).positions
        return out

    def position(self, investor_id: int, pool_id: int) -> PositionOut | None:
        """The system's view of one position (for the investor service's participation)."""
        pool = self._pools.pool_terms(pool_id)
        found = self._position_list(pool, None, of=investor_id).positions
        return found[0] if found else None

    def _own_investor_id(self, actor: Actor) -> int | None:
        if actor.role is not Role.INVESTOR or actor.user_id is None:
            return None
        profile = self._investors.investor_for_user(actor.user_id)
        return profile.id if profile is not None else -1

    def _holds_anything(self, investor_id: int, pool_id: int) -> bool:
        # The investor's own accounts, by their index: not every balance of the pool.
        return pool_id in self._ledger.pools_of_investor(investor_id)

    def _pools_of_investor(self, investor_id: int) -> list[int]:
        return self._ledger.pools_of_investor(investor_id)

    def _positions(self, pool: PoolOut, actor: Actor | None) -> PoolPositions:
        """The pool's positions, its totals and its share classes, at its ledger version."""
        found = self._position_list(pool, actor)
        books, terms = found.books, found.terms
        return PoolPositions(
            pool_id=pool.id,
            currency=terms.currency.code,
            net_asset_value=books.net_asset_value,
            units_outstanding=books.units_outstanding,
            nav_per_unit=found.pool_price,
            rounding_residue=-books.balance(AccountCode.ROUNDING_RESIDUE),
            ledger_version=self._ledger.ledger_version(pool.id, actor=actor),
            positions=found.positions,
            share_classes=[_class_out(c, found.classes[c.class_id], books) for c in terms.share_classes],
        )

    def _position_list(self, pool: PoolOut, actor: Actor | None, *, of: int | None = None) -> _PositionList:
        """The pool's positions; `of` one investor's only (their holdings: the pool's totals
        are still read whole, for its price, but no other holder's position is built, and the
        pool's ledger version, which only the pool's own answer carries, is not read)."""
        terms = pool_terms(pool)
        balances = self._ledger.balances_by_ref(pool.id, actor=actor)
        books = PoolBooks(balances)
        if terms.share_classes:
            books = self._class_facts(terms, actor).books(balances)
        classes = rules.class_positions(terms, books) if terms.share_classes else {}
        pool_price = None
        if books.units_outstanding and books.net_asset_value > 0 and not terms.share_classes:
            pool_price = rules.dealing_price(terms, books)
        flows = self._ledger.investor_flows(pool.id, _FLOW_TYPES, actor=actor)
        committed = dict(self._investors.commitments_for_pool(pool.id))
        investors = sorted({inv for (_, inv) in balances if inv is not None} | set(committed))
        if of is not None:
            investors = [inv for inv in investors if inv == of]
        zero = Decimal(0).quantize(terms.currency.quantum)
        positions = []
        for inv in investors:
            contributed = flows["contributed"].get(inv, zero)
            called = flows["called"].get(inv, zero)
            recallable = flows["recallable"].get(inv, zero)
            positions.append(
                PositionOut(
                    pool_id=pool.id,
                    investor_id=inv,
                    currency=terms.currency.code,
                    units=books.units_of(inv),
                    value=books.capital_of(inv),
                    contributed=contributed,
                    distributed=flows["distributed"].get(inv, zero),
                    fees=flows["fees"].get(inv, zero),
                    committed=committed.get(inv, zero),
                    called=called,
                    recallable=recallable,
                    unfunded_commitment=max(committed.get(inv, zero) - called + recallable, zero)
                    if inv in committed
                    else zero,
                    overdue=flows["overdue"].get(inv, zero),
                    in_default=flows["overdue"].get(inv, zero) > 0,
                    **self._priced(books, classes, pool_price, inv),
                )
            )
        return _PositionList(terms, books, classes, pool_price, positions)

    def _class_facts(self, terms: PoolTerms, actor: Actor | None) -> PoolFacts:
        """Which class each investor holds, each class's high-water mark and, for classes in
        other currencies, the latest rates."""
        facts = PoolFacts()
        types: tuple[EntryType, ...] = (EntryType.SUBSCRIPTION, EntryType.PERFORMANCE_FEE)
        if terms.class_currencies:
            types = (*types, EntryType.VALUATION)
        workings = self._ledger.standing_workings(terms.pool_id, types, actor=actor)
        for entry_id, on, kind, details in workings:
            facts.add(kind, on, details, entry_id)
        return facts

    @staticmethod
    def _priced(
        books: PoolBooks,
        classes: Mapping[str, rules.ClassPosition],
        pool_price: Decimal | None,
        investor_id: int,
    ) -> dict[str, Any]:
        """The class an investor holds and the NAV per unit of its units."""
        if not books.units_of(investor_id):
            return {}
        if not classes:
            return {"nav_per_unit": pool_price}
        held = books.share_class_of.get(investor_id)
        position = classes.get(held) if held is not None else None
        return {
            "share_class": held,
            "nav_per_unit": position.nav_per_unit if position else None,
            "nav_per_unit_currency": position.currency if position else None,
        }


def _class_out(share_class: ShareClass, position: rules.ClassPosition, books: PoolBooks) -> ShareClassOut:
    return ShareClassOut(
        class_id=share_class.class_id,
        currency=share_class.currency.code,
        hedged=share_class.hedged,
        fx_rate=position.fx_rate,
        class_currency_net_asset_value=position.class_currency_net_asset_value,
        units=position.units,
        net_asset_value=position.net_asset_value,
        nav_per_unit=position.nav_per_unit,
        holders=len(position.holders),
        management_fee_rate=share_class.management_fee_rate,
        performance_fee_rate=share_class.performance_fee_rate,
        high_water_mark=rules.class_high_water_mark(books, share_class),
    )


_PER_INVESTOR_DETAILS = ("allocation", "investors", "fee_allocation")


def investor_view(entry: EntryOut, investor_id: int) -> EntryOut:
    """An entry as one investor may see it: the pool's own lines and their own, never another
    investor's. A valuation or a fee touches every investor's capital account in one entry;
    the others' lines and their shares in the workings are left out."""
    postings = [p for p in entry.postings if p.investor_id in (None, investor_id)]
    details = dict(entry.details)
    for key in _PER_INVESTOR_DETAILS:
        shares = details.get(key)
        if isinstance(shares, dict):
            details[key] = {k: v for k, v in shares.items() if k == str(investor_id)}
    return entry.model_copy(update={"postings": postings, "details": details})
