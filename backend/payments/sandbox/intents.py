"""PaymentIntents and their charges: a card is paid or declined at once, a bank debit processes
until a test control (or the auto-settle timer) settles it, as on Stripe."""

from __future__ import annotations

import re
from collections.abc import Callable

from backend.payments.sandbox import search
from backend.payments.sandbox.instruments import Instrument
from backend.payments.sandbox.methods import Methods
from backend.payments.sandbox.money import Money
from backend.payments.sandbox.store import Store, new_id
from backend.payments.sandbox.wire import ApiError, Obj, allow, boolean, integer, metadata, strings, text

_CANCELABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
_CONFIRMABLE = ("requires_payment_method", "requires_confirmation")
# Stripe's smallest charge per currency, in minor units; 50 elsewhere.
_MINIMUM = {"gbp": 30, "jpy": 50, "huf": 17500}
_CARD_MAXIMUM = 99_999_999
_NO_METHOD = "You cannot confirm this PaymentIntent because it's missing a payment method."
_CREATE_PARAMS = ("amount", "currency", "customer", "payment_method", "confirm", "payment_method_types",
                  "description", "metadata", "receipt_email", "statement_descriptor", "transfer_group",
                  "off_session", "setup_future_usage", "capture_method", "cancellation_reason")


class Intents:
    def __init__(self, store: Store, methods: Methods, money: Money,
                 on_processing: Callable[[str], None] = lambda _pi: None) -> None:
        self._store = store
        self._methods = methods
        self._money = money
        self._on_processing = on_processing
        self.search_lag = 0  # seconds before a new intent shows in search, as Stripe's index lags

    def create(self, params: Obj) -> Obj:
        allow(params, _CREATE_PARAMS)
        amount = integer(params, "amount", required=True) or 0
        currency = (text(params, "currency", required=True) or "").lower()
        if not re.fullmatch(r"[a-z]{3}", currency):
            raise ApiError.invalid(f"Invalid currency: {currency[:10]}", param="currency")
        minimum = _MINIMUM.get(currency, 50)
        if amount < minimum:
            raise ApiError.invalid(f"Amount must be at least {minimum} {currency}", param="amount",
                                   code="amount_too_small")
        customer_id = text(params, "customer")
        if customer_id is not None:
            self._methods.customer(customer_id)
        types = strings(params, "payment_method_types")
        method_id = text(params, "payment_method")
        # Validate everything before creating anything: a refused request must leave no intent behind.
        method = self._method_for(method_id, customer_id, types, amount) if method_id else None
        confirm, meta = boolean(params, "confirm"), metadata(params)
        if confirm and method is None:
            raise ApiError.invalid(_NO_METHOD, param="payment_method")
        intent = self._store.create("payment_intent", "pi", {
            "amount": amount, "amount_capturable": 0, "amount_received": 0, "currency": currency,
            "customer": customer_id, "description": text(params, "description"),
            "metadata": meta, "payment_method": method["id"] if method else None,
            "payment_method_types": types or [method["type"] if method else "card"],
            "status": "requires_confirmation" if method else "requires_payment_method",
            "latest_charge": None, "last_payment_error": None,
            "canceled_at": None, "cancellation_reason": None, "capture_method": "automatic",
            "confirmation_method": "automatic", "next_action": None, "processing": None,
            "receipt_email": text(params, "receipt_email"), "transfer_group": text(params, "transfer_group"),
        })
        intent["client_secret"] = f"{intent['id']}_secret_{new_id('s')[2:]}"
        self._store.emit("payment_intent.created", intent)
        if confirm:
            return self._confirm(intent)
        return intent

    def update(self, intent_id: str, params: Obj) -> Obj:
        allow(params, ("metadata", "description", "receipt_email"))
        intent = self._store.get("payment_intent", intent_id, "intent")
        intent["metadata"] = metadata(params, intent["metadata"])
        for name in ("description", "receipt_email"):
            if name in params:
                intent[name] = text(params, name)
        return intent

    def confirm(self, intent_id: str, params: Obj) -> Obj:
        allow(params, ("payment_method", "receipt_email", "off_session", "return_url", "mandate_data"))
        intent = self._store.get("payment_intent", intent_id, "intent")
        if intent["status"] not in _CONFIRMABLE:
            raise _unexpected_state(intent, "confirm")
        method_id = text(params, "payment_method")
        if method_id is not None:
            method = self._method_for(method_id, intent["customer"], intent["payment_method_types"],
                                      intent["amount"])
            intent.update(payment_method=method["id"], status="requires_confirmation")
        if intent["payment_method"] is None:
            raise ApiError.state(_NO_METHOD, code="payment_intent_unexpected_state", param="payment_method")
        return self._confirm(intent)

    def cancel(self, intent_id: str, params: Obj) -> Obj:
        allow(params, ("cancellation_reason",))
        intent = self._store.get("payment_intent", intent_id, "intent")
        if intent["status"] not in _CANCELABLE:
            raise _unexpected_state(intent, "cancel")
        intent.update(status="canceled", canceled_at=self._store.clock.now(),
                      cancellation_reason=text(params, "cancellation_reason") or "requested_by_customer")
        self._store.emit("payment_intent.canceled", intent)
        return intent

    def list_intents(self, params: Obj) -> Obj:
        allow(params, ("customer", "limit", "starting_after", "ending_before", "created"))
        customer = text(params, "customer")
        return self._store.page("payment_intent", params, "/v1/payment_intents",
                                lambda i: customer is None or i["customer"] == customer)

    def search(self, params: Obj) -> Obj:
        allow(params, ("query", "limit", "page"))
        matches = search.parse(text(params, "query", required=True) or "")
        limit = integer(params, "limit", minimum=1) or 10
        page = text(params, "page") or "page_0"
        if not re.fullmatch(r"page_\d+", page):
            raise ApiError.invalid("Invalid page token.", param="page")
        offset = int(page[5:])
        indexed_before = self._store.clock.now() - self.search_lag
        found = [i for i in reversed(self._store.all("payment_intent"))
                 if i["created"] <= indexed_before and matches(i)]
        chosen = found[offset:offset + min(limit, 100)]
        has_more = len(found) > offset + len(chosen)
        return {"object": "search_result", "url": "/v1/payment_intents/search", "has_more": has_more,
                "next_page": f"page_{offset + len(chosen)}" if has_more else None, "data": chosen}

    # -- the payment itself ----------------------------------------------------------------------
    def _method_for(self, method_id: str, customer_id: str | None, types: list[str], amount: int) -> Obj:
        method = self._methods.resolve(method_id)
        if method["customer"] is not None and method["customer"] != customer_id:
            raise ApiError.invalid("The provided PaymentMethod belongs to another Customer.",
                                   param="payment_method")
        if types and method["type"] not in types:
            raise ApiError.invalid(f"The PaymentMethod type {method['type']} is not in payment_method_types.",
                                   param="payment_method", code="payment_intent_incompatible_payment_method")
        if method["type"] == "card" and amount > _CARD_MAXIMUM:
            raise ApiError.invalid(f"Amount must be no more than {_CARD_MAXIMUM}", param="amount",
                                   code="amount_too_large")
        return method

    def _confirm(self, intent: Obj) -> Obj:
        method = self._store.get("payment_method", intent["payment_method"])
        instrument = self._methods.instrument(method)
        intent["last_payment_error"] = None
        if instrument.is_bank:
            charge = self._charge(intent, method, "pending")
            intent.update(status="processing", latest_charge=charge["id"])
            self._store.emit("charge.pending", charge)
            self._store.emit("payment_intent.processing", intent)
            self._on_processing(intent["id"])
            return intent
        if instrument.outcome == "decline":
            return self._decline(intent, method, instrument)
        charge = self._charge(intent, method, "succeeded")
        self._money.settle_charge(charge)
        intent.update(status="succeeded", latest_charge=charge["id"], amount_received=intent["amount"])
        self._store.emit("charge.succeeded", charge)
        self._store.emit("payment_intent.succeeded", intent)
        return intent

    def _decline(self, intent: Obj, method: Obj, instrument: Instrument) -> Obj:
        charge = self._charge(intent, method, "failed", failure=(instrument.code or "card_declined",
                                                                instrument.message))
        error = {"type": "card_error", "code": "card_declined", "decline_code": instrument.code,
                 "message": instrument.message, "charge": charge["id"],
                 "payment_method": self._store.render(method)}
        intent.update(status="requires_payment_method", latest_charge=charge["id"], payment_method=None,
                      last_payment_error=error)
        self._store.emit("charge.failed", charge)
        self._store.emit("payment_intent.payment_failed", intent)
        raise ApiError(402, "card_error", instrument.message, code="card_declined",
                       decline_code=instrument.code,
                       extra={"charge": charge["id"], "payment_intent": self._store.render(intent),
                              "payment_method": self._store.render(method)})

    def _charge(self, intent: Obj, method: Obj, status: str, failure: tuple[str, str] | None = None) -> Obj:
        paid, refused = status == "succeeded", status == "failed"
        code, message = failure or (None, None)
        return self._store.create("charge", "ch", {
            "amount": intent["amount"], "amount_captured": intent["amount"] if paid else 0,
            "amount_refunded": 0, "balance_transaction": None, "captured": paid,
            "currency": intent["currency"], "customer": intent["customer"],
            "description": intent["description"], "disputed": False,
            "failure_code": code, "failure_message": message,
            "metadata": dict(intent["metadata"]), "paid": paid, "payment_intent": intent["id"],
            "payment_method": method["id"], "refunded": False, "status": status,
            "outcome": {"type": "issuer_declined" if refused else "authorized",
                        "network_status": "declined_by_network" if refused else "approved_by_network"},
            "payment_method_details": {"type": method["type"], method["type"]: dict(method[method["type"]])},
            "transfer_group": intent["transfer_group"],
        })

    def settle(self, intent_id: str, outcome: str | None = None) -> Obj:
        """Finish a processing bank debit: `succeeded`, `failed`, or (None) what its test account does."""
        if outcome not in (None, "succeeded", "failed"):
            raise ValueError(f"settle outcome must be 'succeeded' or 'failed', not {outcome!r}")
        intent = self._store.get("payment_intent", intent_id, "intent")
        if intent["status"] != "processing":
            raise _unexpected_state(intent, "settle")
        charge = self._store.get("charge", intent["latest_charge"])
        instrument = self._methods.instrument(self._store.get("payment_method", charge["payment_method"]))
        succeeded = outcome == "succeeded" or (outcome is None and instrument.outcome != "fail")
        if succeeded:
            charge.update(status="succeeded", paid=True, captured=True, amount_captured=charge["amount"])
            self._money.settle_charge(charge)
            intent.update(status="succeeded", amount_received=intent["amount"])
            self._store.emit("charge.succeeded", charge)
            self._store.emit("payment_intent.succeeded", intent)
            if outcome is None and instrument.outcome == "dispute":
                self._money.dispute(charge, "debit_not_authorized")
            return intent
        code = instrument.code or "account_closed"
        message = instrument.message or "The customer's bank returned the debit."
        charge.update(status="failed", failure_code=code, failure_message=message)
        intent.update(status="requires_payment_method", payment_method=None, last_payment_error={
            "type": "invalid_request_error", "code": "payment_intent_payment_attempt_failed",
            "decline_code": code, "message": message, "charge": charge["id"],
        })
        self._store.emit("charge.failed", charge)
        self._store.emit("payment_intent.payment_failed", intent)
        return intent

    def dispute(self, intent_id: str, reason: str = "fraudulent") -> Obj:
        intent = self._store.get("payment_intent", intent_id, "intent")
        if intent["status"] != "succeeded":
            raise _unexpected_state(intent, "dispute")
        return self._money.dispute(self._store.get("charge", intent["latest_charge"]), reason)


def _unexpected_state(intent: Obj, action: str) -> ApiError:
    return ApiError.state(
        f"You cannot {action} this PaymentIntent because it has a status of {intent['status']}.",
        code="payment_intent_unexpected_state", param="intent")
