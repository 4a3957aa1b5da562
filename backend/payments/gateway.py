"""The payment gateway as the payment service needs it: collect money from a saved method,
find an attempt again after a crash, keep an investor's methods as tokens, and pay investors
(a payee account holding their verified bank account, and transfers to it).

The service speaks only to this Protocol; `stripe_gateway.py` binds it to Stripe's API
through the official SDK (the tests and the embedded demo point it at the sandbox in
`sandbox/`). Amounts cross it as integers in the currency's minor unit, as gateways take
them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from backend.payments.states import PaymentStatus


def gateway_key(purpose: str, user_id: int | None, object_id: int, idempotency_key: str) -> str:
    """The gateway's idempotency key for what a caller asked of one object ("pay" a request,
    "refund" a payment), from the caller's own key: the same request retried by the same user
    is the same key; nobody else's can collide with it, and the caller's key never leaves."""
    digest = hashlib.sha256(f"{user_id}:{object_id}:{idempotency_key}".encode()).hexdigest()
    return f"{purpose}-{digest[:48]}"


class GatewayUnavailable(Exception):
    """The gateway did not answer (down, timed out, 5xx): the attempt may or may not exist
    there. Nothing is decided: the attempt is asked about again, by its key, later."""


class GatewayRefused(ValueError):
    """The gateway refused the request as made (an unknown or unusable method token): the
    caller's input, said in the gateway's words, which never include a card number."""


@dataclass(frozen=True)
class GatewayAttempt:
    """What the gateway says about one collection attempt."""

    gateway_payment_id: str
    status: PaymentStatus
    amount_minor: int
    currency: str
    failure: str | None = None


@dataclass(frozen=True)
class SavedMethod:
    """A payment method as the gateway describes it: never a full card or account number."""

    token: str
    kind: str
    """card, us_bank_account, sepa_debit"""
    label: str
    """"visa ending 4242, expires 12/2030" or "STRIPE TEST BANK ending 6789"."""


@dataclass(frozen=True)
class GatewayRefund:
    """A refund of (part of) a collection, and where the charge stands after it."""

    refund_id: str
    charged_minor: int
    refunded_minor: int
    """Everything refunded on the charge so far, this refund included."""
    currency: str


@dataclass(frozen=True)
class GatewayTransfer:
    """Money sent to an investor's payee account at the gateway."""

    transfer_id: str
    amount_minor: int
    currency: str
    reversed: bool
    """The investor's bank refused it and the gateway took it back."""


@dataclass(frozen=True)
class PayeeAccount:
    """Where a payout goes: the investor's verified bank account, whole, for the gateway only."""

    name: str
    iban: str
    country: str
    currency: str


@dataclass(frozen=True)
class GatewayBalanceEntry:
    """One movement of money at the gateway (a charge, a refund, a dispute, its fee)."""

    id: str
    kind: str
    """charge, refund, adjustment (a dispute), payout, ..."""
    amount_minor: int
    """Signed: a refund or a dispute takes money back (negative)."""
    fee_minor: int
    currency: str
    gateway_payment_id: str | None
    """The payment intent the movement belongs to, when it belongs to one."""
    created: int
    gateway_transfer_id: str | None = None
    """The transfer (a payout) the movement belongs to, when it belongs to one."""


class PaymentGateway(Protocol):
    def create_customer(self, investor_id: int) -> str:
        """A customer for the investor at the gateway; the same investor again (a retry after
        a crash) gets the same customer, by the call's idempotency key."""

    def save_method(self, customer: str, token: str) -> SavedMethod:
        """Attach a method tokenised by the gateway's own hosted fields to the customer."""

    def saved_methods(self, customer: str) -> list[SavedMethod]: ...

    def remove_method(self, token: str) -> None: ...

    def collect(
        self,
        attempt_key: str,
        *,
        amount_minor: int,
        currency: str,
        customer: str,
        method: str,
        metadata: Mapping[str, str],
    ) -> GatewayAttempt:
        """Charge `method` once per `attempt_key`: the same key again returns the same attempt,
        never a second charge. GatewayUnavailable when the answer did not come back."""

    def balance_entries(self, start: int, end: int) -> list[GatewayBalanceEntry]:
        """Every movement at the gateway created in [start, end) (unix seconds)."""

    def find_attempt(self, attempt_key: str) -> GatewayAttempt | None:
        """The attempt made with this key, if the gateway has one (after a crash or a timeout)."""

    def refund(self, key: str, *, gateway_payment_id: str, amount_minor: int) -> GatewayRefund:
        """Give back `amount_minor` of a collection, once per `key`. GatewayUnavailable when the
        answer did not come back (ask again with the same key); GatewayRefused when refused."""

    def create_payee(self, key: str, account: PayeeAccount) -> str:
        """An account at the gateway paying into `account`; the same key again (a retry after
        a crash) is the same payee."""

    def transfer(
        self, key: str, *, amount_minor: int, currency: str, payee: str, metadata: Mapping[str, str]
    ) -> GatewayTransfer:
        """Send money to `payee` once per `key`. GatewayUnavailable when the answer did not come
        back; GatewayRefused when it was refused as asked (nothing was sent)."""

    def find_transfer(self, key: str) -> GatewayTransfer | None:
        """The transfer made with this key, if the gateway has one (after a crash or a timeout)."""
