"""Ledger events -> in-app notifications for the users they concern.

Subscribed to the ledger's event stream (the in-process EventBus in the embedded default).
For a capital call issued, a distribution paid, a valuation published and a subsequent close
(notifications/closes.py), the pool's managers get one notification, and each investor whose
account the entry touched gets one about their own share. Idempotent by event id
(DatabaseNotificationService.create_for_event). A reversal tells nobody anything: it posts no
event of these kinds, and what was told and issued stands, as the books keep the entry too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from backend.investors.interface import InvestorService
from backend.platform.errors import NotFound
from backend.pools.interface import PoolService
from ledger.interface import LedgerEvent, LedgerService
from notifications.catalogue import worded
from notifications.closes import (
    ENTRY_COMMITTED,
    close_items,
    close_notices,
    close_shares,
    is_subsequent_close,
)
from notifications.notices import (
    Addressee,
    BankFor,
    PlannedNotice,
    capital_call_notices,
    distribution_notices,
)
from notifications.schemas import Amount, Day, NotificationIn, NotificationKind, Words
from notifications.service import DatabaseNotificationService

log = logging.getLogger(__name__)

LEDGER_KINDS = (NotificationKind.CAPITAL_CALL, NotificationKind.DISTRIBUTION, NotificationKind.VALUATION)
EVENT_TYPES = (*(kind.value for kind in LEDGER_KINDS), ENTRY_COMMITTED)
"""The ledger's events that notify people (payment reminders come from the payment service);
of the committed entries, only a subsequent close, which has no event of its own."""


def _amount(value: Any, currency: str) -> Amount | str:
    """The payload's figure as money, written for each reader; as given if it is no number."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return f"{currency} {value}"
    return Amount(value=number, currency=currency) if number.is_finite() else f"{currency} {value}"


def _day(value: Any) -> Day | str:
    try:
        return Day(value=date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def investor_shares(event: LedgerEvent) -> dict[int, str]:
    """{investor id: their share of the event's amount, as text} from the event's payload."""
    payload = event.payload
    if event.event_type == NotificationKind.DISTRIBUTION and payload.get("mode") == "waterfall":
        return {int(k): str(v.get("total", "0")) for k, v in (payload.get("investors") or {}).items()}
    return {int(k): str(v) for k, v in (payload.get("allocation") or {}).items()}


def _texts(event: LedgerEvent, pool_name: str, currency: str) -> tuple[Words, Words, Callable[[str], Words]]:
    """(title, the managers' body, investor body from their share) for the event."""
    p = event.payload
    if event.event_type == NotificationKind.CAPITAL_CALL:
        due = _day(p.get("due_date", ""))
        return (
            worded("Capital call issued: %(pool)s", pool=pool_name),
            worded("%(amount)s called, due %(due)s.", amount=_amount(p.get("amount"), currency), due=due),
            lambda share: worded(
                "Your share: %(share)s, due %(due)s.", share=_amount(share, currency), due=due
            ),
        )
    if event.event_type == NotificationKind.DISTRIBUTION and p.get("mode") == "clawback":
        return (
            worded("Carried interest given back: %(pool)s", pool=pool_name),
            worded(
                "The manager gave back %(amount)s of carried interest at a clawback test, paid to the "
                "investors who bore it.",
                amount=_amount(p.get("amount"), currency),
            ),
            lambda share: worded("You receive %(share)s.", share=_amount(share, currency)),
        )
    if event.event_type == NotificationKind.DISTRIBUTION:
        return (
            worded("Distribution paid: %(pool)s", pool=pool_name),
            worded(
                "%(amount)s distributed (%(mode)s).",
                amount=_amount(p.get("amount"), currency),
                mode=str(p.get("mode", "pro_rata")),
            ),
            lambda share: worded("You receive %(share)s.", share=_amount(share, currency)),
        )
    nav = _amount(p.get("net_asset_value"), currency)
    per_unit = str(p["nav_per_unit"]) if p.get("nav_per_unit") else ""
    if per_unit:
        staff = worded("Net asset value %(nav)s (%(per_unit)s per unit).", nav=nav, per_unit=per_unit)
    else:
        staff = worded("Net asset value %(nav)s.", nav=nav)

    def investor(share: str) -> Words:
        change = _amount(share, currency)
        if per_unit:
            return worded(
                "Net asset value %(nav)s (%(per_unit)s per unit); your account changed by %(change)s.",
                nav=nav,
                per_unit=per_unit,
                change=change,
            )
        return worded("Net asset value %(nav)s; your account changed by %(change)s.", nav=nav, change=change)

    return worded("Valuation published: %(pool)s", pool=pool_name), staff, investor


class LedgerEventConsumer:
    """Turns ledger events into notifications. Call it with each event (a bus subscriber)."""

    def __init__(
        self,
        notifications: Callable[[], DatabaseNotificationService],
        pools: Callable[[], PoolService],
        investors: Callable[[], InvestorService],
        bank_for: BankFor | None = None,
        ledger: Callable[[], LedgerService] | None = None,
    ) -> None:
        # Late-bound: the container builds services on first use, after subscribing us.
        self._notifications = notifications
        self._pools = pools
        self._investors = investors
        self._bank_for = bank_for
        self._ledger = ledger

    def __call__(self, event: LedgerEvent) -> None:
        self.handle(event)

    def recipients(self, event: LedgerEvent) -> list[NotificationIn]:
        if is_subsequent_close(event):
            return self._close_recipients(event)
        if event.event_type not in EVENT_TYPES or event.event_type == ENTRY_COMMITTED:
            return []
        kind = NotificationKind(event.event_type)
        try:
            pool = self._pools().pool_terms(event.pool_id)
        except NotFound:
            return []
        title, staff_body, investor_body = _texts(event, pool.name, pool.base_currency)

        raw_date = event.payload.get("effective_date")
        on = date.fromisoformat(raw_date) if isinstance(raw_date, str) else None

        def item(user_id: int, body: Words, link: str) -> NotificationIn:
            return NotificationIn(
                user_id=user_id,
                kind=kind,
                pool_id=event.pool_id,
                entry_id=event.entry_id,
                title_words=title,
                body_words=body,
                link=link,
                effective_date=on,
            )

        items = [item(uid, staff_body, f"/manager/pools/{event.pool_id}") for uid in pool.manager_ids]
        addressees = self._addressees(investor_shares(event))
        documents = self._issue_notices(event, pool.name, pool.base_currency, addressees)
        for investor_id, share in sorted(investor_shares(event).items()):
            who = addressees.get(investor_id)
            if who is None:
                continue
            document = documents.get(investor_id)
            link = "/documents" if document else "/investor"
            items.append(
                item(who.user_id, investor_body(share), link).model_copy(update={"document_id": document})
            )
        return items

    def _close_recipients(self, event: LedgerEvent) -> list[NotificationIn]:
        if self._ledger is None or event.entry_id is None:
            return []
        try:
            pool = self._pools().pool_terms(event.pool_id)
            entry = self._ledger().get_entry(event.entry_id, pool_id=event.pool_id)
        except NotFound:
            return []
        name, currency = pool.name, pool.base_currency
        addressees = self._addressees(dict.fromkeys(close_shares(entry.details), ""))
        planned = close_notices(entry, pool_name=name, currency=currency, addressees=addressees)
        documents = (
            self._notifications().issue_documents(event.pool_id, event.event_id, entry.id, planned)
            if planned
            else {}
        )
        return close_items(
            entry,
            pool_name=name,
            currency=currency,
            manager_ids=list(pool.manager_ids),
            addressees=addressees,
            documents=documents,
        )

    def _addressees(self, shares: Mapping[int, str]) -> dict[int, Addressee]:
        return {
            investor_id: Addressee(investor_id, user_id, name)
            for investor_id, (user_id, name) in self._investors().addressees(list(shares)).items()
        }

    def _issue_notices(
        self, event: LedgerEvent, pool_name: str, currency: str, addressees: dict[int, Addressee]
    ) -> dict[int, int]:
        """{investor: document id} of the event's formal notices, issued once (the PDFs)."""
        planned: list[PlannedNotice] = []
        if event.event_type == NotificationKind.CAPITAL_CALL:
            bank = self._bank_for(event.pool_id) if self._bank_for else None
            planned = capital_call_notices(
                event, pool_name=pool_name, currency=currency, addressees=addressees, bank=bank
            )
        elif event.event_type == NotificationKind.DISTRIBUTION:
            planned = distribution_notices(
                event, pool_name=pool_name, currency=currency, addressees=addressees
            )
        if not planned:
            return {}
        return self._notifications().issue_documents(event.pool_id, event.event_id, event.entry_id, planned)

    def handle(self, event: LedgerEvent) -> int:
        """Create the event's notifications (none twice); returns how many were created."""
        items = self.recipients(event)
        created = self._notifications().create_for_event(event.event_id, items)
        if created:
            log.info("notifications created", extra={"event_id": event.event_id, "count": created})
        return created
