"""Reconciliation: a day's money at the gateway and at the bank against the payments and the
books. Every difference is listed with what a person should do; nothing is corrected here.

- Gateway: each movement of the day (charges, refunds, disputes) is looked up by its payment
  intent. A charge no payment of ours holds, an amount or a currency that differs, money
  taken back that our payment still counts, and our succeeded payments of the day the gateway
  has no charge for, are differences; the day's processing fees per pool are listed too (they
  are the pool's expense, which the books do not hold yet).
- Bank: statement lines of the day still unmatched are money at the bank not in the books;
  wires recorded by hand with a value date of the day that no imported statement shows are
  not yet confirmed by the bank.
- Payouts through the gateway: transfers against payouts (payout_reconciliation.py).
- Books: any payment whose contribution in the books lags what it applies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from prometheus_client import Gauge
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from backend.finance.money import get_currency
from backend.payments.gateway import GatewayBalanceEntry, GatewayUnavailable, PaymentGateway
from backend.payments.models import (
    Payment,
    ReconciliationDifference,
    ReconciliationRun,
    StatementLine,
)
from backend.payments.payout_reconciliation import TRANSFER_KINDS, transfer_differences
from backend.payments.schemas import (
    DifferenceKind,
    LineStatus,
    Rail,
    ReconciliationDifferenceOut,
    ReconciliationOut,
)
from backend.payments.settlement import ZERO
from backend.payments.states import HOLDS_MONEY, PaymentStatus
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import NotFound, PermissionDenied
from backend.platform.unit_of_work import ReadView, UnitOfWork

DIFFERENCES = Gauge(
    "payments_reconciliation_differences",
    "Differences the last reconciliation found, by kind (0 when none).",
    ["kind"],
    multiprocess_mode="mostrecent",  # the last run's, whichever process ran it
)

K = DifferenceKind
_MONEY_BACK = {PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REVERSED}
"""A payment's statuses once money went back (StrEnum members: they compare equal to the column)."""


def _day_bounds(on: date) -> tuple[int, int]:
    start = datetime.combine(on, time(0), tzinfo=UTC)
    return int(start.timestamp()), int((start + timedelta(days=1)).timestamp())


def _money(minor: int, currency: str) -> Decimal:
    return Decimal(minor) * get_currency(currency).quantum


class Reconciler:
    def __init__(self, db: Database, gateway: Callable[[], PaymentGateway | None]) -> None:
        self._db = db
        self._gateway = gateway

    def run(self, on: date) -> ReconciliationOut:
        found: list[ReconciliationDifference] = []
        gateway_error: str | None = None
        entries: list[GatewayBalanceEntry] = []
        gateway = self._gateway()
        if gateway is not None:
            try:
                entries = gateway.balance_entries(*_day_bounds(on))
            except GatewayUnavailable as exc:
                gateway_error = f"the gateway could not be read ({exc}): its side is unchecked"
        with UnitOfWork(self._db) as unit:
            session = unit.session
            if gateway is not None and gateway_error is None:
                found += self._gateway_side(session, on, entries)
                found += transfer_differences(session, on, entries)
            lines = self._bank_side(session, on, found)
            checked = self._books_side(session, found)
            run = ReconciliationRun(
                on_date=on,
                gateway_entries=len(entries),
                statement_lines=lines,
                payments_checked=checked,
                gateway_error=gateway_error,
            )
            session.add(run)
            session.flush()
            for difference in found:
                difference.run_id = run.id
                session.add(difference)
            unit.commit()
            run_id = run.id
        counts: dict[str, int] = defaultdict(int)
        for difference in found:
            counts[difference.kind] += 1
        for kind in DifferenceKind:
            DIFFERENCES.labels(kind=kind.value).set(counts[kind.value])
        return self._report(run_id)

    # -- the gateway ------------------------------------------------------------------------

    def _gateway_side(
        self, session: Session, on: date, entries: list[GatewayBalanceEntry]
    ) -> list[ReconciliationDifference]:
        found: list[ReconciliationDifference] = []
        ids = {e.gateway_payment_id for e in entries if e.gateway_payment_id}
        ours = {
            p.gateway_payment_id: p
            for p in session.scalars(select(Payment).where(Payment.gateway_payment_id.in_(ids)))
        }
        fees: dict[tuple[int | None, str], int] = defaultdict(int)
        charged: set[str] = set()
        for entry in entries:
            if entry.kind in TRANSFER_KINDS:
                continue  # payouts: payout_reconciliation.py
            payment = ours.get(entry.gateway_payment_id) if entry.gateway_payment_id else None
            fees[(payment.pool_id if payment else None, entry.currency)] += entry.fee_minor
            amount = _money(abs(entry.amount_minor), entry.currency)
            if entry.kind == "charge":
                if entry.gateway_payment_id:
                    charged.add(entry.gateway_payment_id)
                found += self._charge(entry, payment, amount)
            elif entry.amount_minor < 0 and payment is not None and payment.status not in _MONEY_BACK:
                found.append(
                    _difference(
                        K.RETURNED_AT_GATEWAY,
                        payment,
                        source=entry.id,
                        amount=amount,
                        currency=entry.currency,
                        detail=f"the gateway took {amount} back ({entry.kind}); "
                        f"the payment is still {payment.status}",
                        action="check the refund or dispute at the gateway; its webhook may be late: "
                        "run payments sweep, then reconcile again",
                    )
                )
        succeeded_today = session.scalars(
            select(Payment).where(
                Payment.rail == Rail.GATEWAY.value,
                Payment.value_date == on,
                Payment.status.in_([s.value for s in HOLDS_MONEY]),
            )
        )
        for payment in succeeded_today:
            if payment.gateway_payment_id not in charged:
                found.append(
                    _difference(
                        K.IN_BOOKS_NOT_AT_GATEWAY,
                        payment,
                        source=f"payment {payment.id}",
                        amount=payment.amount,
                        currency=payment.currency,
                        detail=f"payment {payment.id} succeeded on {on}; the gateway has no charge for it",
                        action="look it up at the gateway; if it was never charged, reverse its contribution",
                    )
                )
        for (pool_id, currency), fee in sorted(fees.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1])):
            if fee:
                found.append(
                    ReconciliationDifference(
                        kind=K.GATEWAY_FEES.value,
                        pool_id=pool_id,
                        payment_id=None,
                        source=f"gateway fees {on}",
                        amount=_money(fee, currency),
                        currency=currency,
                        detail=f"the gateway kept {_money(fee, currency)} {currency} in processing fees",
                        action="book the fees as the pool's expense",
                    )
                )
        return found

    @staticmethod
    def _charge(
        entry: GatewayBalanceEntry, payment: Payment | None, amount: Decimal
    ) -> list[ReconciliationDifference]:
        if payment is None or PaymentStatus(payment.status) not in HOLDS_MONEY | _MONEY_BACK:
            status = f"payment {payment.id} is {payment.status}" if payment else "no payment of ours has it"
            return [
                _difference(
                    K.AT_GATEWAY_NOT_IN_BOOKS,
                    payment,
                    source=entry.id,
                    amount=amount,
                    currency=entry.currency,
                    detail=f"charged {amount} {entry.currency} ({entry.gateway_payment_id}); {status}",
                    action="find whose money it is: apply it (payments sweep) or refund it at the gateway",
                )
            ]
        if entry.currency != payment.currency:
            return [
                _difference(
                    K.CURRENCY_DIFFERS,
                    payment,
                    source=entry.id,
                    amount=amount,
                    currency=entry.currency,
                    detail=f"charged in {entry.currency}; the payment is in {payment.currency}",
                    action="refund the charge and ask the investor to pay again in the pool's currency",
                )
            ]
        if amount != payment.amount:
            return [
                _difference(
                    K.AMOUNT_DIFFERS,
                    payment,
                    source=entry.id,
                    amount=amount,
                    currency=entry.currency,
                    detail=f"charged {amount}; the payment is for {payment.amount}",
                    action="correct the payment's contribution or refund the difference at the gateway",
                )
            ]
        return []

    # -- the bank and the books -----------------------------------------------------------------

    @staticmethod
    def _bank_side(session: Session, on: date, found: list[ReconciliationDifference]) -> int:
        lines = list(session.scalars(select(StatementLine).where(StatementLine.booking_date == on)))
        for line in lines:
            if line.status == LineStatus.UNMATCHED.value:
                found.append(
                    ReconciliationDifference(
                        kind=K.AT_BANK_NOT_IN_BOOKS.value,
                        pool_id=line.pool_id,
                        payment_id=None,
                        source=f"statement line {line.id}",
                        amount=line.amount,
                        currency=line.currency,
                        detail=f"{line.amount} {line.currency} from {line.payer_name or 'an unknown payer'}: "
                        f"{line.reason}",
                        action="match it to its payment request in the manual match queue",
                    )
                )
        confirmed = set(
            session.scalars(select(StatementLine.entry_reference).where(StatementLine.direction == "credit"))
        )
        by_hand = session.scalars(
            select(Payment).where(
                Payment.rail == Rail.BANK_TRANSFER.value,
                Payment.value_date == on,
                Payment.status.in_([s.value for s in HOLDS_MONEY]),
            )
        )
        for payment in by_hand:
            if payment.bank_reference not in confirmed:
                found.append(
                    _difference(
                        K.NOT_ON_A_STATEMENT,
                        payment,
                        source=f"payment {payment.id}",
                        amount=payment.amount,
                        currency=payment.currency,
                        detail=f"wire {payment.bank_reference} recorded by hand for {on}; on no statement",
                        action="import the day's statement; if the bank has no such credit, reverse it",
                    )
                )
        return len(lines)

    @staticmethod
    def _books_side(session: Session, found: list[ReconciliationDifference]) -> int:
        desired = case((Payment.status.in_([s.value for s in HOLDS_MONEY]), Payment.applied), else_=ZERO)
        checked = int(session.scalar(select(Payment.id).order_by(Payment.id.desc()).limit(1)) or 0)
        lagging = select(Payment).where(Payment.posted_amount != desired, Payment.rail != Rail.BOOKS.value)
        for payment in session.scalars(lagging):
            found.append(
                _difference(
                    K.BOOKS_BEHIND,
                    payment,
                    source=f"payment {payment.id}",
                    amount=payment.applied,
                    currency=payment.currency,
                    detail=f"the books hold {payment.posted_amount} for payment {payment.id} "
                    f"({payment.status}); "
                    f"{payment.failure_reason or 'not posted yet'}",
                    action="resolve what the books refused, then run payments sweep",
                )
            )
        return checked

    # -- reading the results --------------------------------------------------------------------

    def _report(self, run_id: int) -> ReconciliationOut:
        with ReadView(self._db) as view:
            run = view.session.get(ReconciliationRun, run_id)
            if run is None:
                raise NotFound(f"reconciliation {run_id} not found", field="run_id")
            rows = view.session.scalars(
                select(ReconciliationDifference)
                .where(ReconciliationDifference.run_id == run_id)
                .order_by(ReconciliationDifference.id)
            ).all()
            return ReconciliationOut(
                run_id=run.id,
                on_date=run.on_date,
                created_at=run.created_at,
                gateway_entries=run.gateway_entries,
                statement_lines=run.statement_lines,
                payments_checked=run.payments_checked,
                gateway_error=run.gateway_error,
                differences=[ReconciliationDifferenceOut.model_validate(r) for r in rows],
            )

    def latest(self, actor: Actor, on: date | None) -> ReconciliationOut:
        """The last run (of `on`, if given): admins only, as it spans every pool."""
        if not actor.is_admin:
            raise PermissionDenied("reconciliation: admins only", field="on")
        stmt = select(ReconciliationRun.id).order_by(ReconciliationRun.id.desc()).limit(1)
        if on is not None:
            stmt = stmt.where(ReconciliationRun.on_date == on)
        with ReadView(self._db, actor.reader_key) as view:
            run_id = view.session.scalar(stmt)
        if run_id is None:
            raise NotFound("no reconciliation has run" + (f" for {on}" if on else ""), field="on")
        return self._report(run_id)


def _difference(
    kind: DifferenceKind,
    payment: Payment | None,
    *,
    source: str,
    amount: Decimal | None,
    currency: str | None,
    detail: str,
    action: str,
) -> ReconciliationDifference:
    return ReconciliationDifference(
        kind=kind.value,
        pool_id=payment.pool_id if payment else None,
        payment_id=payment.id if payment else None,
        source=source[:120],
        amount=amount,
        currency=currency,
        detail=detail[:500],
        action=action[:300],
    )
