"""The read side of the ledger service: entries, journal pages, balances, flows, investments
and the verification of each pool's journal.

Kept apart from ledger.service, which holds the write side (idempotent, append-only writes
under each pool's lock), because a read shares none of that machinery: it runs in a read
view (a replica when one is fit to serve the reader, read-your-writes for the actor) and its
queries are ledger.book_reads' and ledger.journal_stream's. `verify` belongs here too: it
recomputes the journal on the primary and changes nothing in it; the one row it writes is
the record of its own run.

`JournalReads` is a base of DatabaseLedgerService, whose constructor sets what it reads with.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backend.platform.actors import Actor
from backend.platform.aggregate_cache import AggregateCache, aggregate_key
from backend.platform.db import Database
from backend.platform.errors import ValidationFailed
from backend.platform.unit_of_work import ReadView
from ledger import book_reads, journal_stream
from ledger.investments import investment_book
from ledger.investor_flows import dumped_flows, flows_of_pool, loaded_flows
from ledger.journal_stream import JournalEntryLines, JournalFilter, JournalLinesPage
from ledger.schemas import (
    DEFAULT_PAGE,
    MAX_PAGE,
    AccountBalance,
    AccountRef,
    EntryOut,
    EntryPage,
    EntryType,
    InvestmentOut,
    VerifyReport,
)
from ledger.verify import verify_books
from ledger.verify_runs import record_run

log = logging.getLogger(__name__)


class JournalReads:
    """The ledger service's reads of the pools' journals."""

    # Set by DatabaseLedgerService's constructor.
    _db: Database
    _aggregates: AggregateCache | None
    _clock: Callable[[], datetime]

    def _view(self, actor: Actor | None) -> ReadView:
        return ReadView(self._db, actor.reader_key if actor else None)

    def get_entry(self, entry_id: int, *, pool_id: int | None = None, actor: Actor | None = None) -> EntryOut:
        with self._view(actor) as view:
            return book_reads.entry(view.session, entry_id, pool_id=pool_id)

    def list_entries(
        self,
        pool_id: int,
        *,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE,
        entry_type: EntryType | None = None,
        investor_id: int | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        lines_of: int | None = None,
        actor: Actor | None = None,
    ) -> EntryPage:
        """A pool's entries in journal order (ascending seq), filtered, keyset-paged; with
        `lines_of`, each entry carries only the pool's own lines and that investor's."""
        stmt = book_reads.entries_query(
            pool_id,
            cursor=cursor,
            limit=limit,
            entry_type=entry_type,
            investor_id=investor_id,
            date_from=date_from,
            date_to=date_to,
        )
        with self._view(actor) as view:
            return book_reads.entries_page(view.session, stmt, limit, lines_of=lines_of)

    def journal_lines(
        self, pool_id: int, where: JournalFilter, *, actor: Actor | None = None
    ) -> Iterator[JournalEntryLines]:
        """The pool's matching entries with their lines, streamed a page at a time (exports)."""

        def read(fn: Callable[[Session], Any]) -> Any:
            with self._view(actor) as view:
                return fn(view.session)

        return journal_stream.pages(read, pool_id, where)

    def journal_page(
        self,
        pool_id: int,
        where: JournalFilter,
        *,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE,
        actor: Actor | None = None,
    ) -> JournalLinesPage:
        """A page of the pool's matching entries with their lines, keyset-paged by the same
        cursors as list_entries (a grid's rows: lines folded by the database, not a row each)."""
        if not 1 <= limit <= MAX_PAGE:
            raise ValidationFailed(f"must be between 1 and {MAX_PAGE}", field="limit")
        after = book_reads.decode_cursor(cursor) or 0
        with self._view(actor) as view:
            entries, more = journal_stream.page_after(view.session, pool_id, where, after=after, limit=limit)
        next_cursor = book_reads.encode_cursor(entries[-1].seq) if more and entries else None
        return JournalLinesPage(entries, next_cursor)

    def account_balances(self, pool_id: int, *, actor: Actor | None = None) -> list[AccountBalance]:
        """Every account of the pool with its balance (signed, debit positive), by account key."""
        with self._view(actor) as view:
            return book_reads.account_balances(view.session, pool_id)

    def balances(self, pool_id: int, *, actor: Actor | None = None) -> dict[str, Decimal]:
        """{account key: balance}, e.g. {"cash": Decimal("100.00"), "units/7": ...}."""
        return {b.account_key: b.balance for b in self.account_balances(pool_id, actor=actor)}

    def balances_by_ref(self, pool_id: int, *, actor: Actor | None = None) -> dict[AccountRef, Decimal]:
        """{(AccountCode, investor id or None): balance}: what posting_rules.PoolBooks takes."""
        with self._view(actor) as view:
            return book_reads.balances_by_ref(view.session, pool_id)

    def ledger_version(self, pool_id: int, *, actor: Actor | None = None) -> int:
        """How many entries the pool's journal has: a cache key part that changes with every entry."""
        with self._view(actor) as view:
            return book_reads.ledger_version(view.session, pool_id)

    def ledger_versions(self, pool_ids: Collection[int], *, actor: Actor | None = None) -> dict[int, int]:
        """{pool id: ledger_version} for each pool asked about, in one read (0 for a pool with
        no entries yet)."""
        with self._view(actor) as view:
            return book_reads.ledger_versions(view.session, pool_ids)

    def has_entries(self, pool_id: int) -> bool:
        with self._view(None) as view:
            return book_reads.has_entries(view.session, pool_id)

    def pools_of_investor(self, investor_id: int, *, actor: Actor | None = None) -> list[int]:
        """Pools where the investor has any account (units, capital, receivable)."""
        return self.pools_of_investors([investor_id], actor=actor).get(investor_id, [])

    def pools_of_investors(
        self, investor_ids: Collection[int], *, actor: Actor | None = None
    ) -> dict[int, list[int]]:
        """{investor id: the pools where they have any account}, in one read."""
        with self._view(actor) as view:
            return book_reads.pools_of_investors(view.session, investor_ids)

    def investor_flows(
        self, pool_id: int, entry_types: tuple[EntryType, ...], *, actor: Actor | None = None
    ) -> dict[str, dict[int, Decimal]]:
        """Per investor: cash contributed, cash distributed to them, fees borne, capital called
        and what is overdue on calls, from the details of the entries that stand (reversed
        ones drop out with their reversal).

        Worked out from every such entry of the pool, so it grows with the pool's history: kept
        in the aggregate cache under the ledger version read in the same transaction as the
        entries (a value is never filed under a version it was not computed at)."""
        today = self._clock().date()
        with self._view(actor) as view:

            def compute() -> dict[str, dict[int, Decimal]]:
                return flows_of_pool(view.session, pool_id, entry_types, today)

            if self._aggregates is None:
                return compute()
            version = book_reads.ledger_version(view.session, pool_id)
            params = {"entry_types": sorted(t.value for t in entry_types), "today": today}
            return self._aggregates.get_or_compute(
                "investor_flows",
                aggregate_key("investor_flows", pool_id, version, params),
                compute,
                dump=dumped_flows,
                load=loaded_flows,
            )

    def investments(self, pool_id: int, *, actor: Actor | None = None) -> list[InvestmentOut]:
        """The pool's named investments, deal by deal (ledger.investments)."""
        with self._view(actor) as view:
            rows = book_reads.standing_details(view.session, pool_id, (EntryType.PURCHASE, EntryType.SALE))
            return investment_book((on, kind, details) for _, on, kind, details in rows)

    def standing_workings(
        self, pool_id: int, entry_types: Sequence[EntryType], *, actor: Actor | None = None
    ) -> list[tuple[int, date, EntryType, dict[str, Any]]]:
        """(entry id, date, type, workings) of the standing entries of these types, in journal order."""
        with self._view(actor) as view:
            return list(book_reads.standing_details(view.session, pool_id, tuple(entry_types)))

    def verify(self, pool_id: int | None = None) -> VerifyReport:
        """Recompute every hash and balance (on the primary); see ledger.verify. Each run's
        outcome is recorded (ledger.verify_runs) for /metrics and its alerts."""
        report = verify_books(self._db, pool_id)
        try:
            record_run(self._db, pool_id, report, self._clock())
        except SQLAlchemyError:
            # The verdict stands whether or not it could be kept; the alert on a verification
            # overdue says so if it never is.
            log.warning("ledger verification not recorded", exc_info=True)
        return report
