"""A ledger event's formal notices, one per investor, as the PDF renderer takes them.

Every figure comes from the event itself (the entry's details, as the books stood when it was
posted), never from the books as they stand when the event is read: a notice rendered from a
redelivered event, or after later calls, must print what the call asked for then. An event
that lacks a figure a notice needs (entries posted before the figures were recorded) issues
no notice rather than one with a figure made up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from backend.finance.payment_references import request_reference
from ledger.interface import LedgerEvent
from notifications.pdf import (
    DISTRIBUTION_BASES,
    BankInstructions,
    CapitalAccountStatement,
    CapitalCallNotice,
    DistributionNotice,
)
from notifications.schemas import DocumentKind, StatementFigures

log = logging.getLogger(__name__)

BankFor = Callable[[int], BankInstructions | None]
"""The pool's collection account for wires, or None (the investor pays in the portal)."""

TIERS = (
    ("return_of_capital", "Return of capital"),
    ("preferred_return", "Preferred return"),
    ("catch_up", "Catch-up"),
    ("carried_interest", "Carried interest split"),
)
DEEMED = "Applied to what you owe on capital calls"
CLAWBACK = "Carried interest the manager gave back (clawback)"


@dataclass(frozen=True)
class Addressee:
    investor_id: int
    user_id: int
    name: str


@dataclass(frozen=True)
class PlannedNotice:
    kind: DocumentKind
    addressee: Addressee
    title: str
    reference: str
    issued_on: date
    content: CapitalCallNotice | DistributionNotice | CapitalAccountStatement


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def capital_call_notices(
    event: LedgerEvent,
    *,
    pool_name: str,
    currency: str,
    addressees: Mapping[int, Addressee],
    bank: BankInstructions | None,
) -> list[PlannedNotice]:
    p = event.payload
    due, on = _day(p.get("due_date")), _day(p.get("effective_date"))
    commitments, before = p.get("commitments"), p.get("called_before")
    if event.entry_id is None or due is None or on is None or not commitments or not before:
        log.info("capital call %s carries no notice figures: no notice issued", event.event_id)
        return []
    reference = f"CC-{event.entry_id}"
    notices = []
    for holder, raw in sorted((p.get("allocation") or {}).items()):
        who = addressees.get(int(holder))
        amount = _decimal(raw)
        committed, called = _decimal(commitments.get(holder)), _decimal(before.get(holder))
        if who is None or amount is None or committed is None or called is None:
            continue
        content = CapitalCallNotice(
            pool_name=pool_name,
            currency=currency,
            investor_name=who.name,
            call_reference=reference,
            notice_date=on,
            due_date=due,
            commitment=committed,
            called_before=called,
            amount_due=amount,
            unfunded_after=committed - called - amount,
            payment_reference=request_reference(event.entry_id, who.investor_id),
            bank=bank,
            purpose=str(p.get("memo") or "Drawdown of commitments under the pool's terms"),
        )
        notices.append(
            PlannedNotice(
                DocumentKind.CAPITAL_CALL_NOTICE,
                who,
                f"{pool_name}: capital call notice {reference}",
                reference,
                on,
                content,
            )
        )
    return notices


def distribution_notices(
    event: LedgerEvent, *, pool_name: str, currency: str, addressees: Mapping[int, Addressee]
) -> list[PlannedNotice]:
    p = event.payload
    on = _day(p.get("effective_date"))
    if event.entry_id is None or on is None:
        return []
    reference = f"D-{event.entry_id}"
    shares: dict[str, tuple[tuple[str, Decimal], ...]] = {}
    basis = str(p.get("mode") or "pro_rata")
    if basis not in DISTRIBUTION_BASES:
        basis = "pro_rata"
    if p.get("mode") == "waterfall":
        for holder, share in (p.get("investors") or {}).items():
            tiers = tuple((label, _decimal(share.get(key)) or Decimal(0)) for key, label in TIERS)
            # A call paid out of the distribution is not paid out: the total is the cash sent.
            deemed = _decimal(share.get("deemed_contribution")) or Decimal(0)
            tiers += ((DEEMED, -deemed),)
            shares[holder] = tuple((label, amount) for label, amount in tiers if amount)
    else:
        label = CLAWBACK if p.get("mode") == "clawback" else "Distribution"
        for holder, raw in (p.get("allocation") or {}).items():
            amount = _decimal(raw)
            if amount is not None:
                shares[holder] = ((label, amount),)
    notices = []
    for holder, tiers in sorted(shares.items()):
        who = addressees.get(int(holder))
        if who is None or not tiers:
            continue
        total = sum((amount for _, amount in tiers), Decimal(0))
        content = DistributionNotice(
            pool_name=pool_name,
            currency=currency,
            investor_name=who.name,
            notice_date=on,
            payment_date=on,
            reference=reference,
            tiers=tiers,
            total=total,
            basis=basis,
        )
        notices.append(
            PlannedNotice(
                DocumentKind.DISTRIBUTION_NOTICE,
                who,
                f"{pool_name}: distribution notice {reference}",
                reference,
                on,
                content,
            )
        )
    return notices


STATEMENT_LINES = (
    ("contributions", "Contributions"),
    ("redemptions", "Redemptions"),
    ("distributions", "Distributions"),
    ("management_fees", "Management fees"),
    ("management_fee_offsets", "Management fee offsets"),
    ("performance_fees", "Performance fees"),
    ("income", "Income"),
    ("expenses", "Partnership expenses"),
    ("realised_gains", "Realised gains (losses)"),
    ("unrealised_gains", "Unrealised gains (losses)"),
    ("carried_interest_paid", "Carried interest paid"),
    ("carried_interest_accrued", "Change in accrued carried interest"),
    ("other", "Other"),
)
"""The ILPA roll-forward's lines, in its order; contributions and distributions always show,
the others when they moved."""


def statement_notice(figures: StatementFigures, *, pool_name: str, addressee: Addressee) -> PlannedNotice:
    """The capital account statement as the reports service states it: balances net of
    accrued carried interest, every movement on its own line."""
    f = figures
    movements = tuple(
        (label, getattr(f, name))
        for name, label in STATEMENT_LINES
        if getattr(f, name) or name in ("contributions", "distributions")
    )
    paid_out = -(f.distributions + f.redemptions)
    costs = -(f.management_fees + f.management_fee_offsets + f.performance_fees + f.expenses)
    result = f.ending_balance - f.beginning_balance - f.contributions + paid_out + costs
    reference = f"ST-{f.pool_id}-{f.period}"
    content = CapitalAccountStatement(
        pool_name=pool_name,
        currency=f.currency,
        investor_name=addressee.name,
        period_start=f.start,
        period_end=f.end,
        commitment=f.committed,
        opening_balance=f.beginning_balance,
        contributions=f.contributions,
        distributions=paid_out,
        fees=costs,
        gains=result,
        closing_balance=f.ending_balance,
        unfunded_commitment=f.unfunded_commitment,
        units=f.units_end if f.units_end else None,
        nav_per_unit=f.nav_per_unit_end,
        reference=reference,
        movements=movements,
    )
    return PlannedNotice(
        DocumentKind.CAPITAL_ACCOUNT_STATEMENT,
        addressee,
        f"{pool_name}: capital account statement {f.period}",
        reference,
        f.end,
        content,
    )
