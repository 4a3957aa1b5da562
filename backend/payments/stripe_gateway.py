"""`PaymentGateway` over Stripe's API with the official SDK.

Every call that creates something carries an idempotency key derived from what it is for
(the payment's attempt key, "customer-<investor id>"), so a retry, ours or the SDK's own
after a network error, replays the first answer instead of charging twice. The secret key
comes from the environment (PAYMENT_GATEWAY_API_KEY) and is never logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import stripe

from backend.payments.gateway import (
    GatewayAttempt,
    GatewayBalanceEntry,
    GatewayRefund,
    GatewayRefused,
    GatewayTransfer,
    GatewayUnavailable,
    PayeeAccount,
    SavedMethod,
)
from backend.payments.states import PaymentStatus

_STATUSES = {
    "processing": PaymentStatus.PROCESSING,
    "succeeded": PaymentStatus.SUCCEEDED,
    "canceled": PaymentStatus.CANCELED,
    # Declined: the intent waits for another method; for this attempt, that is a failure.
    "requires_payment_method": PaymentStatus.FAILED,
    "requires_confirmation": PaymentStatus.PENDING,
    "requires_action": PaymentStatus.PENDING,
}


_NOT_NOW = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError, stripe.IdempotencyError)
"""No answer now (down, 5xx, throttled, or the same key still in flight): ask again later."""


def _attempt(intent: Any) -> GatewayAttempt:
    error = intent.get("last_payment_error") or {}
    failure = error.get("decline_code") or error.get("code") or error.get("message")
    return GatewayAttempt(
        gateway_payment_id=str(intent["id"]),
        status=_STATUSES.get(str(intent["status"]), PaymentStatus.PENDING),
        amount_minor=int(intent["amount"]),
        currency=str(intent["currency"]).upper(),
        failure=str(failure) if failure else None,
    )


def _transfer(found: Any) -> GatewayTransfer:
    return GatewayTransfer(
        transfer_id=str(found["id"]),
        amount_minor=int(found["amount"]),
        currency=str(found["currency"]).upper(),
        reversed=bool(found.get("reversed")),
    )


def _label(method: Any) -> SavedMethod:
    kind = str(method["type"])
    details = method.get(kind) or {}
    if kind == "card":
        label = f"{details.get('brand', 'card')} ending {details.get('last4', '????')}, expires "
        label += f"{int(details.get('exp_month') or 0):02d}/{details.get('exp_year', '')}"
    else:
        label = f"{details.get('bank_name') or 'bank account'} ending {details.get('last4', '????')}"
    return SavedMethod(token=str(method["id"]), kind=kind, label=label)


class StripeGateway:
    def __init__(
        self, api_key: str, *, base_url: str | None = None, retries: int = 2, timeout: float = 15.0
    ) -> None:
        addresses: Any = {"api": base_url} if base_url else None
        # Connecting should be quick; the read waits for the gateway's answer, up to `timeout`.
        http = stripe.RequestsClient(timeout=(min(timeout, 5.0), timeout))
        self._client = stripe.StripeClient(
            api_key, base_addresses=addresses, max_network_retries=retries, http_client=http
        )

    def create_customer(self, investor_id: int) -> str:
        created = self._call(
            self._client.v1.customers.create,
            {"metadata": {"investor_id": str(investor_id)}},
            key=f"customer-{investor_id}",
        )
        return str(created["id"])

    def save_method(self, customer: str, token: str) -> SavedMethod:
        if token.startswith("tok_"):
            # A card token from the hosted fields becomes a payment method first, as Stripe.js does.
            card = {"type": "card", "card": {"token": token}}
            created = self._call(self._client.v1.payment_methods.create, card)
            token = str(created["id"])
        method = self._call(self._client.v1.payment_methods.attach, token, {"customer": customer})
        return _label(method)

    def saved_methods(self, customer: str) -> list[SavedMethod]:
        page = self._call(self._client.v1.customers.payment_methods.list, customer)
        return [_label(m) for m in page["data"]]

    def remove_method(self, token: str) -> None:
        self._call(self._client.v1.payment_methods.detach, token)

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
        params = {
            "amount": amount_minor,
            "currency": currency.lower(),
            "customer": customer,
            "payment_method": method,
            "confirm": True,
            "metadata": {**metadata, "attempt": attempt_key},
        }
        try:
            created = self._client.v1.payment_intents.create(params, {"idempotency_key": attempt_key})  # type: ignore[arg-type]
        except stripe.CardError as exc:
            # A decline: the gateway made the attempt and refused it; say so, with its reason.
            intent_obj = getattr(exc.error, "payment_intent", None) if exc.error else None
            if intent_obj is not None:
                return _attempt(intent_obj.to_dict())
            found = self.find_attempt(attempt_key)
            if found is not None:
                return found
            raise GatewayUnavailable(f"declined without an attempt: {exc.user_message}") from None
        except stripe.InvalidRequestError as exc:
            # Refused before any attempt was made (an amount over the card limit, a method of
            # the wrong kind): nothing was charged, and asking again would be refused again.
            raise GatewayRefused(exc.user_message or "refused by the payment gateway") from None
        except _NOT_NOW as exc:
            raise GatewayUnavailable(type(exc).__name__) from None
        return _attempt(created.to_dict())

    def balance_entries(self, start: int, end: int) -> list[GatewayBalanceEntry]:
        found: list[GatewayBalanceEntry] = []
        params: dict[str, Any] = {
            "created": {"gte": start, "lt": end},
            "limit": 100,
            "expand": ["data.source"],
        }
        while True:
            page = self._call(self._client.v1.balance_transactions.list, params)
            for txn in page["data"]:
                source = txn.get("source")
                intent = source.get("payment_intent") if isinstance(source, dict) else None
                transfer = None
                if isinstance(source, dict) and source.get("object") in ("transfer", "transfer_reversal"):
                    transfer = source.get("transfer") or source.get("id")
                found.append(
                    GatewayBalanceEntry(
                        id=str(txn["id"]),
                        kind=str(txn["type"]),
                        amount_minor=int(txn["amount"]),
                        fee_minor=int(txn.get("fee") or 0),
                        currency=str(txn["currency"]).upper(),
                        gateway_payment_id=str(intent) if intent else None,
                        created=int(txn["created"]),
                        gateway_transfer_id=str(transfer) if transfer else None,
                    )
                )
            if not page.get("has_more") or not page["data"]:
                return found
            params["starting_after"] = page["data"][-1]["id"]

    def find_attempt(self, attempt_key: str) -> GatewayAttempt | None:
        found = self._call(
            self._client.v1.payment_intents.search, {"query": f"metadata['attempt']:'{attempt_key}'"}
        )
        return _attempt(found["data"][0]) if found["data"] else None

    def refund(self, key: str, *, gateway_payment_id: str, amount_minor: int) -> GatewayRefund:
        params = {"payment_intent": gateway_payment_id, "amount": amount_minor, "metadata": {"refund": key}}
        made = self._call(self._client.v1.refunds.create, params, key=key)
        charge = self._call(self._client.v1.charges.retrieve, str(made["charge"]))
        return GatewayRefund(
            refund_id=str(made["id"]),
            charged_minor=int(charge["amount"]),
            refunded_minor=int(charge["amount_refunded"]),
            currency=str(charge["currency"]).upper(),
        )

    def create_payee(self, key: str, account: PayeeAccount) -> str:
        bank = {
            "object": "bank_account",
            "account_holder_name": account.name,
            "account_number": account.iban,
            "country": account.country,
            "currency": account.currency.lower(),
        }
        params = {"type": "custom", "country": account.country, "external_account": bank}
        created = self._call(self._client.v1.accounts.create, params, key=key)
        return str(created["id"])

    def transfer(
        self, key: str, *, amount_minor: int, currency: str, payee: str, metadata: Mapping[str, str]
    ) -> GatewayTransfer:
        params = {
            "amount": amount_minor,
            "currency": currency.lower(),
            "destination": payee,
            # The key again, searchable: after the gateway forgets idempotency keys (a day), the
            # transfer is still found by its group (find_transfer).
            "transfer_group": key,
            "metadata": dict(metadata),
        }
        return _transfer(self._call(self._client.v1.transfers.create, params, key=key))

    def find_transfer(self, key: str) -> GatewayTransfer | None:
        page = self._call(self._client.v1.transfers.list, {"transfer_group": key, "limit": 1})
        return _transfer(page["data"][0]) if page["data"] else None

    def _call(self, method: Any, *args: Any, key: str | None = None) -> Any:
        options: dict[str, Any] = {"idempotency_key": key} if key else {}
        try:
            answer = method(*args, options) if options else method(*args)
        except _NOT_NOW as exc:
            raise GatewayUnavailable(type(exc).__name__) from None
        except (stripe.InvalidRequestError, stripe.CardError) as exc:
            # The gateway refused what we sent (an unknown or unusable token): the caller's input.
            raise GatewayRefused(exc.user_message or "refused by the payment gateway") from None
        # The SDK's objects are not dicts; read them as the plain JSON the API sent.
        return answer.to_dict() if hasattr(answer, "to_dict") else answer
