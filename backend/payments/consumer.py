"""Ledger events -> payment requests and payouts: each capital call asks each investor for their
share, each contribution recorded straight in the books settles what it pays (book_entries.py),
and each distribution or redemption owes its investors a payout (payouts.py).

Subscribed to the ledger's event stream like the notifications consumer; idempotent by
(capital call entry, investor), so a redelivered event opens nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from backend.payments.interface import PaymentService, PayoutKind
from backend.payments.ledger_posting import PAYMENTS_LABEL
from backend.pools.interface import PoolService
from ledger.interface import EntryOut, EntryType, LedgerEvent, LedgerService

log = logging.getLogger(__name__)

EVENT_TYPES = ("capital_call.issued", "entry.committed", "entry.reversed")


class CapitalCallConsumer:
    def __init__(
        self,
        payments: Callable[[], PaymentService],
        pools: Callable[[], PoolService],
        ledger: Callable[[], LedgerService],
    ) -> None:
        # Late-bound: the container builds services on first use, after subscribing us.
        self._payments = payments
        self._pools = pools
        self._ledger = ledger

    def __call__(self, event: LedgerEvent) -> None:
        if event.event_type not in EVENT_TYPES or event.entry_id is None:
            return
        if event.event_type == "entry.committed":
            self._contribution(event)
            self._payouts(event)
            return
        if event.event_type == "entry.reversed":
            reversed_id = event.payload.get("reversed_entry_id")
            if isinstance(reversed_id, int):
                self._payments().mirror_book_reversal(
                    reversed_id, f"reversed in the books by entry {event.entry_id}"
                )
            return
        payload = event.payload
        try:
            due = date.fromisoformat(str(payload["due_date"]))
            allocation = {int(k): Decimal(str(v)) for k, v in (payload.get("allocation") or {}).items()}
        except (KeyError, ValueError, InvalidOperation):
            log.error("capital call event %s has no readable due date or allocation", event.event_id)
            return
        currency = self._pools().pool_terms(event.pool_id).base_currency
        created = self._payments().open_requests_for_call(
            event.pool_id, event.entry_id, due, allocation, currency
        )
        log.info("capital call %s: %d payment requests opened", event.entry_id, created)

    def catch_up(self, since: date) -> int:
        """Capital calls, distributions and redemptions dated `since` or later whose requests
        or payouts are missing (a subscriber that failed on the in-process bus, a message lost
        on the way) are opened now; entries already handled, or reversed, open nothing.
        Returns how many requests and payouts were opened."""
        opened = 0
        for pool_id in self._pools().all_pool_ids():
            reversed_ids = {e.reverses_entry_id for e in self._entries(pool_id, EntryType.REVERSAL, since)}
            for entry_type in (EntryType.CAPITAL_CALL, *(EntryType(kind.value) for kind in PayoutKind)):
                for entry in self._entries(pool_id, entry_type, since):
                    if entry.id not in reversed_ids:
                        opened += self._open_for(entry)
        return opened

    def _entries(self, pool_id: int, entry_type: EntryType, since: date) -> Iterator[EntryOut]:
        cursor: str | None = None
        while True:
            page = self._ledger().list_entries(
                pool_id, cursor=cursor, limit=500, entry_type=entry_type, date_from=since
            )
            yield from page.entries
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def _open_for(self, entry: EntryOut) -> int:
        currency = self._pools().pool_terms(entry.pool_id).base_currency
        try:
            if entry.entry_type is EntryType.CAPITAL_CALL:
                due = date.fromisoformat(str(entry.details["due_date"]))
                allocation = {int(k): Decimal(str(v)) for k, v in entry.details["allocation"].items()}
                payments = self._payments()
                return payments.open_requests_for_call(entry.pool_id, entry.id, due, allocation, currency)
            kind = entry.entry_type.value
            return self._payments().open_payouts_for_entry(
                entry.pool_id,
                entry.id,
                entry.effective_date,
                kind=PayoutKind(kind),
                shares=payout_shares(kind, entry.details),
                currency=currency,
            )
        except (KeyError, ValueError, TypeError, InvalidOperation):
            log.error("%s %s has no readable amounts per investor", entry.entry_type.value, entry.id)
            return 0

    def _contribution(self, event: LedgerEvent) -> None:
        """A contribution the payment service did not post (a manager's entry, an import): it
        settles the investor's open requests too. So do the calls a distribution paid (deemed
        contributions), each investor's part."""
        kind = event.payload.get("entry_type")
        if kind == "distribution" and event.entry_id is not None:
            self._deemed_contributions(event.pool_id, event.entry_id)
            return
        if kind != "contribution" or event.entry_id is None:
            return
        entry = self._ledger().get_entry(event.entry_id, pool_id=event.pool_id)
        if entry.created_by == PAYMENTS_LABEL:
            return  # posted for a payment: that payment already counts it
        investors = [p.investor_id for p in entry.postings if p.investor_id is not None]
        try:
            amount = Decimal(str(entry.details["amount"]))
        except (KeyError, InvalidOperation):
            log.error("contribution %s has no readable amount", entry.id)
            return
        if investors:
            self._payments().mirror_book_contribution(
                entry.pool_id, investors[0], entry.id, amount, entry.effective_date
            )

    def _deemed_contributions(self, pool_id: int, entry_id: int) -> None:
        entry = self._ledger().get_entry(entry_id, pool_id=pool_id)
        try:
            deemed = {
                int(k): Decimal(str(v)) for k, v in (entry.details.get("deemed_contributions") or {}).items()
            }
        except (ValueError, InvalidOperation):
            log.error("distribution %s has no readable deemed contributions", entry.id)
            return
        for investor, amount in deemed.items():
            self._payments().mirror_book_contribution(
                pool_id, investor, entry.id, amount, entry.effective_date
            )

    def _payouts(self, event: LedgerEvent) -> None:
        """A distribution or redemption: what each investor is to be paid."""
        kind = event.payload.get("entry_type")
        if kind not in set(PayoutKind) or event.entry_id is None:
            return
        entry = self._ledger().get_entry(event.entry_id, pool_id=event.pool_id)
        try:
            shares = payout_shares(kind, entry.details)
        except (KeyError, ValueError, TypeError, InvalidOperation):
            log.error("%s %s has no readable amounts per investor", kind, entry.id)
            return
        # A holder of a class in another currency is paid in the class's currency.
        dealt_in = entry.details.get("class_currency") if kind == "redemption" else None
        currency = dealt_in["currency"] if dealt_in else self._pools().pool_terms(event.pool_id).base_currency
        opened = self._payments().open_payouts_for_entry(
            event.pool_id,
            entry.id,
            entry.effective_date,
            kind=PayoutKind(kind),
            shares=shares,
            currency=currency,
        )
        log.info("%s %s: %d payouts opened", kind, entry.id, opened)


def payout_shares(kind: str, details: Mapping[str, Any]) -> dict[int, Decimal]:
    """{investor: cash} from the entry's details: a redemption's proceeds; a clawback's part
    of each LP; a distribution's pro-rata allocation or each LP's waterfall total (the GP's
    share is not an investor's)."""
    if kind == "redemption":
        paid = (details.get("class_currency") or details)["proceeds"]
        return {int(details["investor_id"]): Decimal(str(paid))}
    if kind == "clawback":
        return {int(k): Decimal(str(v["clawback"])) for k, v in details["investors"].items()}
    if "allocation" in details:
        return {int(k): Decimal(str(v)) for k, v in details["allocation"].items()}
    # What paid a call out of the distribution (a deemed contribution) is not paid out.
    paid = {
        int(k): Decimal(str(v["total"])) - Decimal(str(v.get("deemed_contribution", "0")))
        for k, v in details["investors"].items()
    }
    return {investor: cash for investor, cash in paid.items() if cash > 0}
