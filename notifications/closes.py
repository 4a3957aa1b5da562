"""A subsequent close, told to each investor with its own figures only: an investor admitted at
the close what it pays on the payment date (its share of the earlier calls, the equalisation
interest and any management fee caught up), an investor already in what comes back to it
(capital returned and interest), the pool's managers the close as a whole.

The close publishes no event of its own, only the engine's thin `entry.committed`: the figures
are read from the entry, by id, as it was posted (its workings never change; a later close is
another entry). An investor whose figures do not read as numbers is told nothing rather than
a figure made up, as notices.py does.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.interface import EntryOut, LedgerEvent
from notifications.catalogue import worded
from notifications.notices import Addressee, PlannedNotice
from notifications.pdf import DistributionNotice
from notifications.schemas import Amount, Day, DocumentKind, NotificationIn, NotificationKind, Words

log = logging.getLogger(__name__)

ENTRY_COMMITTED = "entry.committed"
SUBSEQUENT_CLOSE = "subsequent_close"
RETURNED = "Capital returned at the subsequent close"
INTEREST = "Equalisation interest"
_ZERO = Decimal(0)


@dataclass(frozen=True)
class CloseShare:
    """One investor's side of the close: paid in if `late`, else received."""

    late: bool
    capital: Decimal
    interest: Decimal
    fee: Decimal = _ZERO
    """The management fee caught up (an investor admitted at the close only)."""

    @property
    def total(self) -> Decimal:
        return self.capital + self.interest + self.fee


def is_subsequent_close(event: LedgerEvent) -> bool:
    return (
        event.event_type == ENTRY_COMMITTED
        and event.payload.get("entry_type") == SUBSEQUENT_CLOSE
        and event.entry_id is not None
    )


def _money(raw: Any) -> Decimal:
    number = Decimal(str(raw))
    if not number.is_finite():
        raise InvalidOperation(str(raw))
    return number


def close_shares(details: Mapping[str, Any]) -> dict[int, CloseShare]:
    """{investor: its figures} from the entry's workings; an investor with nothing to pay or
    receive (a dilution of less than a cent) is left out: there is nothing to tell it."""
    shares: dict[int, CloseShare] = {}
    for holder, figures in (details.get("investors") or {}).items():
        try:
            late = figures["late"] is True
            if late:
                share = CloseShare(
                    True,
                    _money(figures["capital_paid_in"]),
                    _money(figures["interest_paid"]),
                    _money(figures.get("management_fee_catch_up", "0")),
                )
            else:
                share = CloseShare(
                    False, _money(figures["capital_returned"]), _money(figures["interest_received"])
                )
            investor = int(holder)
        except (KeyError, TypeError, ValueError, InvalidOperation):
            log.error("subsequent close: unreadable figures for investor %s: not told", holder)
            continue
        if share.total:
            shares[investor] = share
    return shares


def _investor_words(share: CloseShare, pool: str, currency: str, paid_on: Day) -> tuple[Words, Words]:
    def cash(value: Decimal) -> Amount:
        return Amount(value=value, currency=currency)

    if not share.late:
        return worded("Capital returned at a subsequent close: %(pool)s", pool=pool), worded(
            "You receive %(total)s on %(day)s: %(capital)s of capital returned and %(interest)s of "
            "equalisation interest, paid by the investors admitted at the close.",
            total=cash(share.total),
            day=paid_on,
            capital=cash(share.capital),
            interest=cash(share.interest),
        )
    title = worded("Admitted at a subsequent close: %(pool)s", pool=pool)
    if share.fee:
        return title, worded(
            "You pay %(total)s on %(day)s: %(capital)s, your share of the capital called before you "
            "joined, %(interest)s of equalisation interest and %(fee)s of management fee charged "
            "before you joined.",
            total=cash(share.total),
            day=paid_on,
            capital=cash(share.capital),
            interest=cash(share.interest),
            fee=cash(share.fee),
        )
    return title, worded(
        "You pay %(total)s on %(day)s: %(capital)s, your share of the capital called before you "
        "joined, and %(interest)s of equalisation interest.",
        total=cash(share.total),
        day=paid_on,
        capital=cash(share.capital),
        interest=cash(share.interest),
    )


def _managers_words(
    details: Mapping[str, Any], pool: str, currency: str, paid_on: Day
) -> tuple[Words, Words]:
    def cash_of(raw: Any) -> Amount | str:
        try:
            return Amount(value=_money(raw), currency=currency)
        except (TypeError, ValueError, InvalidOperation):
            return f"{currency} {raw}"

    def cash(key: str) -> Amount | str:
        return cash_of(details.get(key))

    title = worded("Subsequent close: %(pool)s", pool=pool)
    fee = cash_of((details.get("management_fee_catch_up") or {}).get("amount", "0"))
    if isinstance(fee, Amount) and fee.value:
        return title, worded(
            "The investors admitted at the close pay %(capital)s of capital called before, %(interest)s "
            "of equalisation interest and %(fee)s of management fee charged before they joined, on "
            "%(day)s; the capital and the interest go to the investors already in.",
            capital=cash("capital_paid_in"),
            interest=cash("interest"),
            fee=fee,
            day=paid_on,
        )
    return title, worded(
        "The investors admitted at the close pay %(capital)s of capital called before and %(interest)s "
        "of equalisation interest on %(day)s; both go to the investors already in.",
        capital=cash("capital_paid_in"),
        interest=cash("interest"),
        day=paid_on,
    )


def close_items(
    entry: EntryOut,
    *,
    pool_name: str,
    currency: str,
    manager_ids: list[int],
    addressees: Mapping[int, Addressee],
    documents: Mapping[int, int],
) -> list[NotificationIn]:
    """The close's bell items and emails: one to each manager, one to each investor it moved.
    Admitted investors' items are capital calls (money they must pay, texted too), the others'
    distributions (money paid to them), so each reaches people as its kind of news does."""
    paid_on = Day(value=entry.effective_date)

    def item(user_id: int, kind: NotificationKind, words: tuple[Words, Words], link: str) -> NotificationIn:
        title, body = words
        return NotificationIn(
            user_id=user_id,
            kind=kind,
            pool_id=entry.pool_id,
            entry_id=entry.id,
            title_words=title,
            body_words=body,
            link=link,
            effective_date=entry.effective_date,
        )

    staff = _managers_words(entry.details, pool_name, currency, paid_on)
    items = [
        item(uid, NotificationKind.CAPITAL_CALL, staff, f"/manager/pools/{entry.pool_id}")
        for uid in manager_ids
    ]
    for investor_id, share in sorted(close_shares(entry.details).items()):
        who = addressees.get(investor_id)
        if who is None:
            continue
        kind = NotificationKind.CAPITAL_CALL if share.late else NotificationKind.DISTRIBUTION
        document = documents.get(investor_id)
        words = _investor_words(share, pool_name, currency, paid_on)
        told = item(who.user_id, kind, words, "/documents" if document else "/investor")
        items.append(told.model_copy(update={"document_id": document}))
    return items


def close_notices(
    entry: EntryOut, *, pool_name: str, currency: str, addressees: Mapping[int, Addressee]
) -> list[PlannedNotice]:
    """A distribution notice to each investor already in, its two parts on their own lines,
    as a clawback paid to investors is noticed."""
    on: date = entry.effective_date
    reference = f"SC-{entry.id}"
    notices = []
    for investor_id, share in sorted(close_shares(entry.details).items()):
        who = addressees.get(investor_id)
        if who is None or share.late:
            continue
        parts = tuple(
            (label, amount)
            for label, amount in ((RETURNED, share.capital), (INTEREST, share.interest))
            if amount
        )
        content = DistributionNotice(
            pool_name=pool_name,
            currency=currency,
            investor_name=who.name,
            notice_date=on,
            payment_date=on,
            reference=reference,
            tiers=parts,
            total=share.total,
            basis="subsequent_close",
        )
        notices.append(
            PlannedNotice(
                DocumentKind.DISTRIBUTION_NOTICE,
                who,
                f"{pool_name}: subsequent close notice {reference}",
                reference,
                on,
                content,
            )
        )
    return notices
