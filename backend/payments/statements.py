"""Bank statements of a pool's collection account: imported, matched to payment requests,
and what cannot be matched queued for a person.

A credit is matched by the ISO 11649 reference in its remittance (check digits verified, so a
mistyped reference matches nothing), else by payer and amount when exactly one open request of
the pool fits both. A matched credit becomes a succeeded bank-transfer payment: the bank's
statement is the evidence, so no second approval is needed. A return reverses the payment it
returns (found by end-to-end id, else by reference and amount). Everything else waits in the
manual match queue, where a person's match is a wire that another person must approve.

A file is imported whole or not at all, and each movement once: lines are unique per pool and
bank reference, so importing the same or an overlapping file again adds nothing.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.finance.money import get_currency
from backend.finance.payment_references import reference_candidates
from backend.payments import settlement
from backend.payments.access import PaymentAccess
from backend.payments.bankfiles import (
    Statement,
    StatementEntry,
    StatementError,
    parse_camt053,
    parse_camt054,
    parse_mt940,
    parse_statement_csv,
)
from backend.payments.models import Payment, PaymentRequest, StatementImport, StatementLine
from backend.payments.payouts import settle_payout_line
from backend.payments.schemas import (
    STATEMENT_MAX_BYTES,
    LineStatus,
    Rail,
    RequestStatus,
    StatementFormat,
    StatementImportOut,
    StatementLineOut,
    StatementUpload,
)
from backend.payments.states import HOLDS_MONEY, PaymentStatus
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, ValidationFailed
from backend.platform.unit_of_work import ReadView, UnitOfWork

PARSERS: dict[StatementFormat, Callable[[bytes], list[Statement]]] = {
    StatementFormat.CAMT053: parse_camt053,
    StatementFormat.CAMT054: parse_camt054,
    StatementFormat.MT940: parse_mt940,
    StatementFormat.CSV: parse_statement_csv,
}

LegalNames = Callable[[Actor, Collection[int]], dict[int, str]]


@dataclass
class _Tally:
    duplicates: int = 0
    lines: list[StatementLine] = field(default_factory=list)
    payments: list[int] = field(default_factory=list)

    def count(self, status: LineStatus) -> int:
        return sum(1 for line in self.lines if line.status == status.value)


def _decode(upload: StatementUpload) -> bytes:
    try:
        data = base64.b64decode(upload.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("content_base64: not base64", field="content_base64") from None
    if len(data) > STATEMENT_MAX_BYTES:
        raise ValidationFailed(
            f"content_base64: the file is over {STATEMENT_MAX_BYTES // (1024 * 1024)} MB",
            field="content_base64",
        )
    return data


def _same_person(payer: str | None, legal_name: str) -> bool:
    if not payer:
        return False
    a, b = payer.casefold().strip(), legal_name.casefold().strip()
    return bool(a and b) and (a in b or b in a)


class StatementImporter:
    def __init__(
        self, db: Database, access: PaymentAccess, legal_names: LegalNames, today: Callable[[], date]
    ) -> None:
        self._db = db
        self._access = access
        self._legal_names = legal_names
        self._today = today

    def import_file(
        self, actor: Actor, pool_id: int, upload: StatementUpload
    ) -> tuple[StatementImportOut, list[int]]:
        """Import and match a statement file; returns the summary and the new payments' ids
        (their contributions are posted after this commit)."""
        self._access.require_manage(actor, pool_id, f"pool {pool_id}", "pool_id")
        data = _decode(upload)
        try:
            statements = PARSERS[upload.format](data)
        except StatementError as exc:
            # All or nothing: the file is refused with the line and the field at fault.
            raise ValidationFailed(f"content_base64: {exc}", field="content_base64") from None
        entries = [entry for statement in statements for entry in statement.entries]
        with UnitOfWork(self._db, actor.reader_key) as unit:
            unit.write_first("payment_statement_lines", "status")
            session = unit.session
            batch = StatementImport(
                pool_id=pool_id,
                filename=upload.filename,
                file_format=upload.format.value,
                imported_by_user_id=actor.user_id,
            )
            session.add(batch)
            session.flush()
            tally = _Tally()
            seen = set(
                session.scalars(
                    select(StatementLine.entry_reference).where(
                        StatementLine.pool_id == pool_id,
                        StatementLine.entry_reference.in_({e.entry_reference for e in entries}),
                    )
                )
            )
            for entry in entries:
                if entry.entry_reference in seen:
                    tally.duplicates += 1
                    continue
                seen.add(entry.entry_reference)
                line = self._line(batch, pool_id, entry)
                session.add(line)
                session.flush()
                self._settle_line(session, actor, line, entry, tally)
                tally.lines.append(line)
            unit.commit()
            summary = StatementImportOut(
                import_id=batch.id,
                pool_id=pool_id,
                filename=upload.filename,
                lines=len(tally.lines),
                duplicates=tally.duplicates,
                matched=tally.count(LineStatus.MATCHED),
                returned=tally.count(LineStatus.RETURNED),
                unmatched=tally.count(LineStatus.UNMATCHED),
                ignored=tally.count(LineStatus.NOT_A_PAYMENT),
                results=[StatementLineOut.model_validate(line) for line in tally.lines],
            )
        return summary, tally.payments

    @staticmethod
    def _line(batch: StatementImport, pool_id: int, entry: StatementEntry) -> StatementLine:
        return StatementLine(
            import_id=batch.id,
            pool_id=pool_id,
            entry_reference=entry.entry_reference[:120],
            booking_date=entry.booking_date,
            value_date=entry.value_date,
            amount=entry.amount,
            currency=entry.currency,
            direction=entry.direction,
            is_return=entry.is_return,
            remittance=entry.remittance[:500],
            payer_name=(entry.payer_name or None) and entry.payer_name[:140],
            counterparty_account=entry.counterparty_account,
            end_to_end_id=(entry.end_to_end_id or None) and entry.end_to_end_id[:64],
            line=entry.line,
            status=LineStatus.UNMATCHED.value,
            reason="",
        )

    def _settle_line(
        self, session: Session, actor: Actor, line: StatementLine, entry: StatementEntry, tally: _Tally
    ) -> None:
        # Money out naming a payout pays it; the same money coming back (a return) returns it.
        names_payout = (entry.direction == "debit") != entry.is_return
        payout = (
            settle_payout_line(
                session, line.pool_id, line.end_to_end_id, line.amount, returned=entry.is_return
            )
            if names_payout
            else None
        )
        if payout is not None:
            line.status = (LineStatus.RETURNED if entry.is_return else LineStatus.MATCHED).value
            line.payout_id, line.reason = payout.id, f"payout {payout.id} {payout.status}"
        elif entry.is_return:
            self._return(session, line, entry)
        elif entry.direction == "debit":
            line.status, line.reason = LineStatus.NOT_A_PAYMENT.value, "money out: not an investor's payment"
        else:
            request, why = self._request_for(session, actor, line)
            if request is None:
                line.reason = why
                return
            payment = _bank_payment(
                session, line, request, f"statement:{line.id}", actor.user_id, awaiting=False
            )
            settlement.succeed(session, payment, f"statement:{line.id}", line.value_date or line.booking_date)
            line.status, line.payment_id = LineStatus.MATCHED.value, payment.id
            credit = payment.credit.quantize(get_currency(line.currency).quantum)
            line.reason = request.reference + (f"; {credit} held as credit" if credit else "")
            tally.payments.append(payment.id)

    def _request_for(
        self, session: Session, actor: Actor, line: StatementLine
    ) -> tuple[PaymentRequest | None, str]:
        candidates = reference_candidates(line.remittance)
        named = {
            r.reference: r
            for r in session.scalars(
                select(PaymentRequest).where(PaymentRequest.reference.in_(candidates)).with_for_update()
            )
        }
        request = next((named[c] for c in candidates if c in named), None)
        if request is not None:
            # A real request's reference: it decides, even when it is not this pool's.
            if request.pool_id != line.pool_id:
                return None, f"{request.reference} is no payment request of this pool"
            if request.currency != line.currency:
                return None, f"paid in {line.currency}; the request is in {request.currency}"
            return request, ""
        # No reference that names a request (none, a mistyped one, or text that passes the
        # check digits by chance): try the payer and the amount.
        open_ = list(
            session.scalars(
                select(PaymentRequest).where(
                    PaymentRequest.pool_id == line.pool_id,
                    PaymentRequest.currency == line.currency,
                    PaymentRequest.status.in_([RequestStatus.OPEN.value, RequestStatus.PARTIALLY_PAID.value]),
                )
            )
        )
        fits = [r for r in open_ if r.amount_due - r.amount_received == line.amount]
        names = self._legal_names(actor, {r.investor_id for r in fits}) if fits else {}
        by_payer = [r for r in fits if _same_person(line.payer_name, names.get(r.investor_id, ""))]
        if len(by_payer) == 1:
            return by_payer[0], ""
        return None, "no valid reference, and no single open request fits the payer and the amount"

    def _return(self, session: Session, line: StatementLine, entry: StatementEntry) -> None:
        why = f"returned{f' ({entry.return_reason})' if entry.return_reason else ''}"
        original = None
        if line.end_to_end_id:
            original = session.scalar(
                select(StatementLine).where(
                    StatementLine.pool_id == line.pool_id,
                    StatementLine.end_to_end_id == line.end_to_end_id,
                    StatementLine.status == LineStatus.MATCHED.value,
                    StatementLine.amount == line.amount,
                    StatementLine.id != line.id,
                )
            )
        if original is None or original.payment_id is None:
            line.reason = f"{why}: no matched payment of this pool found for it"
            return
        payment = settlement.get_row(session, Payment, original.payment_id, lock=True)
        if PaymentStatus(payment.status) not in HOLDS_MONEY:
            line.reason = f"{why}: payment {payment.id} is {payment.status} already"
            return
        settlement.money_back(
            session,
            payment,
            payment.amount,
            target=PaymentStatus.REVERSED,
            cause=f"statement:{line.id}",
            why=why,
        )
        line.status, line.payment_id, line.reason = LineStatus.RETURNED.value, payment.id, why

    # -- the manual match queue -----------------------------------------------------------

    def lines(self, actor: Actor, pool_id: int, status: LineStatus | None) -> list[StatementLineOut]:
        self._access.require_manage(actor, pool_id, f"pool {pool_id}", "pool_id")
        stmt = select(StatementLine).where(StatementLine.pool_id == pool_id)
        if status is not None:
            stmt = stmt.where(StatementLine.status == status.value)
        with ReadView(self._db, actor.reader_key) as view:
            rows = view.session.scalars(stmt.order_by(StatementLine.booking_date, StatementLine.id)).all()
            return [StatementLineOut.model_validate(r) for r in rows]

    def match(self, actor: Actor, line_id: int, request_id: int) -> int:
        """A person matches an unmatched credit to a request: a wire awaiting a second person's
        approval (`decide_wire`), since a wrong match moves money between investors."""
        with UnitOfWork(self._db, actor.reader_key) as unit:
            unit.write_first("payment_statement_lines", "status")
            line = unit.session.get(StatementLine, line_id, with_for_update=True)
            if line is None or not self._access.manages(actor, line.pool_id):
                raise NotFound(f"statement line {line_id} not found", field="line_id")
            if line.status != LineStatus.UNMATCHED.value or line.direction != "credit" or line.is_return:
                raise Conflict(
                    f"statement line {line_id} is {line.status}: only unmatched money in", field="line_id"
                )
            request = unit.session.get(PaymentRequest, request_id, with_for_update=True)
            if request is None or request.pool_id != line.pool_id:
                raise NotFound(f"payment request {request_id} not found in this pool", field="request_id")
            if request.currency != line.currency:
                raise ValidationFailed(
                    f"request_id: the request is in {request.currency}; the money came in {line.currency}",
                    field="request_id",
                )
            payment = _bank_payment(
                unit.session, line, request, f"match:{actor.label}", actor.user_id, awaiting=True
            )
            line.status, line.payment_id = LineStatus.PROPOSED.value, payment.id
            line.reason = f"matched to {request.reference} by {actor.label}: awaiting approval"
            unit.commit()
            return payment.id


def on_wire_decided(session: Session, payment: Payment, approved: bool) -> None:
    """A person's match approved or rejected: the statement line follows its payment."""
    line = session.scalar(select(StatementLine).where(StatementLine.payment_id == payment.id))
    if line is None:
        return
    if approved:
        line.status = LineStatus.MATCHED.value
    else:
        line.status, line.payment_id, line.reason = LineStatus.UNMATCHED.value, None, "match rejected"


def _bank_payment(
    session: Session,
    line: StatementLine,
    request: PaymentRequest,
    cause: str,
    recorded_by: int | None,
    *,
    awaiting: bool,
) -> Payment:
    """The payment a statement line is evidence of (in the request's currency: checked)."""
    return settlement.open_payment(
        session,
        request,
        rail=Rail.BANK_TRANSFER,
        amount=line.amount,
        attempt_key=f"bank-{uuid.uuid4()}",
        cause=cause,
        value_date=line.value_date or line.booking_date,
        bank_reference=line.entry_reference[:64],
        recorded_by_user_id=recorded_by,
        awaiting_approval=awaiting,
    )
