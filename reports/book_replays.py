"""How the report service reads and replays a pool's books: every entry through the ledger
service, the pool's history with its share classes, side letters and the carried interest a
hypothetical liquidation would pay, and the aggregate cache a computed report is kept in.

Apart from reports.computations, which turns these into the figures (a pool's performance,
an investor's, a statement), because reading the books changes for reasons of its own: what
the ledger serves, which terms a replay runs under, and what a cache key must hold so a stale
figure is never served.

:class:`BookReplays` is a base of reports.computations.ReportComputations, whose constructor
sets what it reads with.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel

from backend.finance.investor_terms import InvestorTerms
from backend.finance.money import get_currency
from backend.investors.interface import InvestorService
from backend.platform.actors import Actor
from backend.platform.aggregate_cache import AggregateCache, aggregate_key
from backend.pools.interface import PoolOut
from ledger.interface import MAX_PAGE, LedgerService, PoolTerms, investor_terms, pool_terms
from reports.class_history import ClassTerms
from reports.history import PoolHistory, pool_history
from reports.journal import BookEntry

DEFINITIONS = "4"
"""Which definitions the cached reports were computed under, part of every cache key: 4 is
the unit price with distributions reinvested (but in a pool with share classes, its value
linked at every entry, and each class's own figures from the books after every entry, its
prices, returns and money-weighted figures, in the NAV history too), the GP's carry paid out of the pool in
the closed-ended index, and the LPs' figures net of accrued carry. A report cached under other
definitions is never served, even at the same ledger version (a stored snapshot from
before them lacks the new fields and is recomputed too)."""


_Report = TypeVar("_Report", bound=BaseModel)


def class_terms(pool: PoolOut) -> list[ClassTerms]:
    """The pool's share classes as the class returns read them (none: no classes)."""
    return [
        ClassTerms(
            c.class_id,
            c.name,
            c.currency or pool.base_currency,
            c.initial_nav_per_unit or pool.initial_nav_per_unit,
        )
        for c in pool.share_classes
    ]


def _carry_terms(pool: PoolOut) -> PoolTerms | None:
    """The posting terms a hypothetical liquidation runs under (the ledger's own reading of the
    pool), for a closed-ended pool with a waterfall; None for any other pool: nothing accrues."""
    if pool.kind.value != "closed_ended" or pool.waterfall is None:
        return None
    return pool_terms(pool)


class BookReplays:
    """The books of a pool, read through the ledger service and replayed, and the cache the
    figures worked out from them are kept in."""

    # Set by ReportComputations' constructor.
    _ledger: LedgerService
    _investors: InvestorService
    _aggregates: AggregateCache | None

    def _entries(self, pool_id: int, until: date, actor: Actor | None) -> list[BookEntry]:
        """Every entry of the pool dated up to ``until``, through the ledger service."""
        out: list[BookEntry] = []
        cursor: str | None = None
        while True:
            page = self._ledger.list_entries(
                pool_id, cursor=cursor, limit=MAX_PAGE, date_to=until, actor=actor
            )
            out += [BookEntry.from_out(e) for e in page.entries]
            if page.next_cursor is None:
                return out
            cursor = page.next_cursor

    def _history_from(
        self, pool: PoolOut, entries: list[BookEntry], as_of: date, *, carry_on: tuple[date, ...] = ()
    ) -> PoolHistory:
        return pool_history(
            pool_id=pool.id,
            open_ended=pool.kind.value == "open_ended",
            currency=get_currency(pool.base_currency),
            inception=pool.inception_date,
            initial_nav_per_unit=pool.initial_nav_per_unit,
            entries=entries,
            as_of=as_of,
            terms=_carry_terms(pool),
            carry_on=carry_on,
            investor_terms=self._side_letters(pool),
            share_classes=class_terms(pool),
            commitments=self._deal_commitments(pool),
        )

    def _side_letters_changed_at(self, pool: PoolOut) -> datetime | None:
        """When the pool's side letters last changed (a withdrawal too): they change the
        accrued carry without a ledger entry. None where no carry accrues (nothing to read)."""
        if _carry_terms(pool) is None:
            return None
        return self._investors.side_letters_changed_at(pool.id)

    def _side_letters_key(self, pool: PoolOut) -> str | None:
        """The pool's side letters in force, as a cache key part: what they say, not when they
        changed (two changes within a second, or a withdrawal, never reuse a stale figure).
        None where no carry accrues (nothing to read)."""
        if _carry_terms(pool) is None:
            return None
        letters = self._investors.side_letters_for_pool(pool.id)
        said = sorted(
            (investor, letter.model_dump_json(exclude={"updated_at", "reference"}))
            for investor, letter in letters.items()
        )
        return hashlib.sha256(repr(said).encode()).hexdigest()[:32]

    def _deal_commitments(self, pool: PoolOut) -> dict[int, Decimal]:
        """What funds an American pool's deals, as the ledger funds them (its clawback test
        caps the accrued carry); nothing to read for any other pool."""
        terms = _carry_terms(pool)
        if terms is None or not terms.deal_by_deal:
            return {}
        return dict(self._investors.commitments_for_pool(pool.id))

    def _side_letters(self, pool: PoolOut) -> dict[int, InvestorTerms]:
        """Side letters lower some investors' carry in the accrual as in a distribution."""
        if _carry_terms(pool) is None:
            return {}
        return investor_terms(self._investors.side_letters_for_pool(pool.id))

    def _pool_history(
        self, pool: PoolOut, as_of: date, actor: Actor | None, *, carry_on: tuple[date, ...] = ()
    ) -> PoolHistory:
        return self._history_from(pool, self._entries(pool.id, as_of, actor), as_of, carry_on=carry_on)

    def _cached(
        self,
        aggregate: str,
        pool_id: int,
        params: Mapping[str, object],
        compute: Callable[[], _Report],
        model: type[_Report],
        *,
        letters: str | None,
        version: int | None = None,
    ) -> _Report:
        """The report from the aggregate cache, keyed by the pool's ledger version (a new entry
        makes every cached report of the pool unreachable at once) and by the side letters in
        force (they change the accrued carry without an entry). `version`, when the caller has
        read it with other pools' (read before the entries, like the one read here: a report
        is never filed under a version newer than what it was worked out from)."""
        if self._aggregates is None:
            return compute()
        if version is None:
            version = self._ledger.ledger_version(pool_id)
        key = _report_key(aggregate, pool_id, version, params, letters)
        return self._aggregates.get_or_compute(
            aggregate,
            key,
            compute,
            dump=lambda r: r.model_dump_json().encode(),
            load=model.model_validate_json,
        )


def _report_key(
    aggregate: str, pool_id: int, version: int, params: Mapping[str, object], letters: str | None
) -> str:
    """A report's cache key: its parameters, the definitions it was computed under (a changed
    definition is never served from the cache) and the side letters in force."""
    return aggregate_key(
        aggregate, pool_id, version, {**params, "definitions": DEFINITIONS, "side_letters": letters}
    )
