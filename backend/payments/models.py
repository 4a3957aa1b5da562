"""The payment service's tables: requests, payments, their transitions, gateway events seen.

No card number, CVV or full bank account number has a column here: the gateway holds them
and this service keeps its ids (pi_..., pm_...) and the bank's references.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.platform.orm import CASH_SCALE, Base, ScaledDecimal, UTCDateTime, utcnow

_ID = BigInteger().with_variant(Integer, "sqlite")


class PaymentRequest(Base):
    __tablename__ = "payment_requests"
    __table_args__ = (
        # One request per investor per call: a redelivered capital-call event adds nothing.
        UniqueConstraint("source_entry_id", "investor_id", name="uq_payment_requests_entry_investor"),
        UniqueConstraint("reference", name="uq_payment_requests_reference"),
        Index("ix_payment_requests_pool", "pool_id", "due_date"),
        Index("ix_payment_requests_investor", "investor_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    pool_id: Mapped[int] = mapped_column(Integer, nullable=False)
    investor_id: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    source_entry_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    reference: Mapped[str] = mapped_column(String(25), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    amount_due: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    amount_received: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    credit: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("gateway_payment_id", name="uq_payments_gateway_payment"),
        UniqueConstraint("attempt_key", name="uq_payments_attempt_key"),
        Index("ix_payments_request", "request_id"),
        # The retries (every 20 s) and the sweep look for the few open attempts among all payments.
        Index("ix_payments_open", "status", "next_try_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(
        _ID, ForeignKey("payment_requests.id", name="fk_payments_request"), nullable=False
    )
    pool_id: Mapped[int] = mapped_column(Integer, nullable=False)
    investor_id: Mapped[int] = mapped_column(Integer, nullable=False)
    rail: Mapped[str] = mapped_column(String(20), nullable=False)
    attempt_key: Mapped[str] = mapped_column(String(64), nullable=False)
    """The idempotency key of every call about this payment, to the gateway and to the ledger."""
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    gateway_payment_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    method_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The gateway's token of the method charged (pm_...): a token, never the card itself."""
    bank_reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    applied: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    credit: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    ledger_entry_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    """The contribution standing in the books for this payment, if any."""
    posted_amount: Mapped[Decimal] = mapped_column(
        ScaledDecimal(CASH_SCALE), nullable=False, default=Decimal(0)
    )
    """What that contribution is for. The books are behind while it differs from `applied`
    (or from zero once the money came back): `post_contributions` catches them up."""
    posting_round: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    """Counts reversals, so each round's ledger writes have keys of their own."""
    recorded_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approved_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    awaiting_approval: Mapped[bool] = mapped_column(nullable=False, default=False)
    gateway_tries: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    """Attempts the gateway did not take (down, 5xx, no answer): the retry schedule's count."""
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    notified_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    """The status the investor was last told of (notices.py): a notice per outcome, once."""
    failure_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    value_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class PaymentTransition(Base):
    """Every status change of a payment, with what caused it: an append-only trail."""

    __tablename__ = "payment_transitions"
    __table_args__ = (Index("ix_payment_transitions_payment", "payment_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    payment_id: Mapped[int] = mapped_column(
        _ID, ForeignKey("payments.id", name="fk_payment_transitions_payment"), nullable=False
    )
    from_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_status: Mapped[str] = mapped_column(String(24), nullable=False)
    cause: Mapped[str] = mapped_column(String(120), nullable=False)
    """A gateway event id (evt_...), "wire:<user id>", "approval:<user id>"..."""
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class GatewayEvent(Base):
    """A webhook event seen: its id is the key, so a redelivery finds itself here."""

    __tablename__ = "payment_gateway_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64), nullable=False)
    payment_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    outcome: Mapped[str] = mapped_column(String(200), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class PaymentCustomer(Base):
    """The gateway's customer for an investor: where their saved payment methods live."""

    __tablename__ = "payment_customers"

    investor_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    gateway_customer_id: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class SavedPaymentMethod(Base):
    """An investor's method as the gateway described it when it was saved: its token and a
    label (brand and last four), never a number. Kept so "Pay now" can check the method is the
    investor's, and queue the payment, while the gateway is not answering."""

    __tablename__ = "payment_saved_methods"
    __table_args__ = (Index("ix_payment_saved_methods_investor", "investor_id"),)

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    investor_id: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    label: Mapped[str] = mapped_column(String(120), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class PoolCollectionAccount(Base):
    """The bank account a pool collects wires into. Its IBAN is sealed (vault.py): investors
    are shown it in their wire instructions, and nothing else reads it."""

    __tablename__ = "pool_collection_accounts"

    pool_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    account_name: Mapped[str] = mapped_column(String(140), nullable=False)
    iban_sealed: Mapped[str] = mapped_column(String(255), nullable=False)
    iban_masked: Mapped[str] = mapped_column(String(12), nullable=False)
    bic: Mapped[str | None] = mapped_column(String(11), nullable=True)
    updated_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class StatementImport(Base):
    """One bank statement file a manager imported for a pool."""

    __tablename__ = "payment_statement_imports"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    pool_id: Mapped[int] = mapped_column(Integer, nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    file_format: Mapped[str] = mapped_column(String(10), nullable=False)
    imported_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class StatementLine(Base):
    """A booked movement on a pool's collection account, and what became of it: matched to a
    payment, waiting for a person (the manual match queue), or not a payment (bank fees)."""

    __tablename__ = "payment_statement_lines"
    __table_args__ = (
        # The same movement imported twice (the same file, an overlapping one) is one line.
        UniqueConstraint("pool_id", "entry_reference", name="uq_payment_statement_lines_entry"),
        Index("ix_payment_statement_lines_status", "pool_id", "status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    import_id: Mapped[int] = mapped_column(
        _ID,
        ForeignKey("payment_statement_imports.id", name="fk_payment_statement_lines_import"),
        nullable=False,
    )
    pool_id: Mapped[int] = mapped_column(Integer, nullable=False)
    entry_reference: Mapped[str] = mapped_column(String(120), nullable=False)
    booking_date: Mapped[date] = mapped_column(Date, nullable=False)
    value_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    direction: Mapped[str] = mapped_column(String(6), nullable=False)
    is_return: Mapped[bool] = mapped_column(nullable=False, default=False)
    remittance: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    payer_name: Mapped[str | None] = mapped_column(String(140), nullable=True)
    counterparty_account: Mapped[str | None] = mapped_column(String(12), nullable=True)
    """Masked by the parser ("DE…3000"): never the full number."""
    end_to_end_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    line: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    reason: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    payment_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    payout_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    """A debit that paid (or a return that brought back) one of the pool's payouts."""


class ReconciliationRun(Base):
    """One reconciliation of a day: the gateway's and the bank's movements against payments
    and the books. Differences are listed for people; nothing is corrected by it."""

    __tablename__ = "payment_reconciliation_runs"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    on_date: Mapped[date] = mapped_column(Date, nullable=False)
    gateway_entries: Mapped[int] = mapped_column(Integer, nullable=False)
    statement_lines: Mapped[int] = mapped_column(Integer, nullable=False)
    payments_checked: Mapped[int] = mapped_column(Integer, nullable=False)
    gateway_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class ReconciliationDifference(Base):
    __tablename__ = "payment_reconciliation_differences"
    __table_args__ = (
        Index("ix_payment_reconciliation_differences_run", "run_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(
        _ID, ForeignKey("payment_reconciliation_runs.id", name="fk_payment_reconciliation_differences_run"),
        nullable=False,
    )
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    pool_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payment_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    source: Mapped[str] = mapped_column(String(120), nullable=False)
    """What it was found in: a gateway movement (txn_...), a statement line, a payment."""
    amount: Mapped[Decimal | None] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    detail: Mapped[str] = mapped_column(String(500), nullable=False)
    action: Mapped[str] = mapped_column(String(300), nullable=False)


class PayoutAccount(Base):
    """One version of an investor's bank account for payouts. A change is a new row,
    unconfirmed until the investor enters the code emailed to them, then pending until a
    second person verifies it (a call-back to the investor); the verified row with the
    highest id is the account paid into, and the others stay as its history.

    The IBAN is sealed in the vault (the bank needs it whole in the payout file, and nowhere
    else); the masked form is what people see."""

    __tablename__ = "payment_payout_accounts"
    __table_args__ = (
        Index("ix_payment_payout_accounts_investor", "investor_id", "status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    investor_id: Mapped[int] = mapped_column(Integer, nullable=False)
    account_name: Mapped[str] = mapped_column(String(140), nullable=False)
    iban_sealed: Mapped[str] = mapped_column(String(255), nullable=False)
    iban_masked: Mapped[str] = mapped_column(String(12), nullable=False)
    bic: Mapped[str | None] = mapped_column(String(11), nullable=True)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    requested_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    verified_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    gateway_payee_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The gateway's account paying into this bank account, made on the first gateway payout."""
    holder_sealed: Mapped[str | None] = mapped_column(String(600), nullable=True)
    """The holder's name, the bank's country and the masked account, sealed together (personal
    data); the plain columns above are blank once it is set (payout_accounts.holder_of)."""
    code_sealed: Mapped[str | None] = mapped_column(String(255), nullable=True)
    """The one-time code emailed to confirm the change, sealed in the vault; cleared once used."""
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    code_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Payout(Base):
    """Money owed to one investor by one distribution or redemption, and where it is on its way:
    held (for a person), ready, instructed (in a payment file), paid or returned."""

    __tablename__ = "payment_payouts"
    __table_args__ = (
        # One payout per investor per entry: a redelivered ledger event adds nothing.
        UniqueConstraint("source_entry_id", "investor_id", name="uq_payment_payouts_entry_investor"),
        UniqueConstraint("end_to_end_id", name="uq_payment_payouts_end_to_end"),
        UniqueConstraint("gateway_transfer_id", name="uq_payment_payouts_gateway_transfer"),
        Index("ix_payment_payouts_pool", "pool_id", "status"),
        Index("ix_payment_payouts_investor", "investor_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    pool_id: Mapped[int] = mapped_column(Integer, nullable=False)
    investor_id: Mapped[int] = mapped_column(Integer, nullable=False)
    source_entry_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    effective_date: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    hold_reason: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    account_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    end_to_end_id: Mapped[str] = mapped_column(String(35), nullable=False)
    rail: Mapped[str | None] = mapped_column(String(10), nullable=True)
    """How it was sent: bank (a pain.001 file) or gateway (a transfer); None until sent."""
    gateway_transfer_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    batch_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    released_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    notified_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    """The status the investor was last told of (notices.py): a redemption paid, once."""


class PayoutHistoryCutoff(Base):
    """Up to this date the pool's distributions and redemptions were paid before payouts were
    tracked here (books imported with their history): their payouts open as paid, whenever the
    ledger's events arrive, so nobody pays them a second time."""

    __tablename__ = "payment_payout_history_cutoffs"

    pool_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    paid_until: Mapped[date] = mapped_column(Date, nullable=False)
    why: Mapped[str] = mapped_column(String(300), nullable=False)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class PayoutBatch(Base):
    """One pain.001 credit-transfer file: the ready payouts of a pool, sent to its bank. The
    file is not kept (it carries whole IBANs): it is built again, identically, on download."""

    __tablename__ = "payment_payout_batches"
    __table_args__ = (
        UniqueConstraint("message_id", name="uq_payment_payout_batches_message"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    pool_id: Mapped[int] = mapped_column(Integer, nullable=False)
    message_id: Mapped[str] = mapped_column(String(35), nullable=False)
    execution_date: Mapped[date] = mapped_column(Date, nullable=False)
    payouts: Mapped[int] = mapped_column(Integer, nullable=False)
    total: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    created_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
