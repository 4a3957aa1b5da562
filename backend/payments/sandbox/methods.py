"""Customers and payment methods: create, attach, detach, list.

What a payment method will do when charged (its `Instrument`) stays inside the sandbox, beside
the object, never in it: the wire shows only what Stripe shows."""

from __future__ import annotations

from backend.payments.sandbox.instruments import WELL_KNOWN_PAYMENT_METHODS, Instrument, from_params
from backend.payments.sandbox.store import Store
from backend.payments.sandbox.wire import ApiError, Obj, allow, hash_param, metadata, text

_BILLING_FIELDS = ("name", "email", "phone")


class Methods:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._instruments: dict[str, Instrument] = {}

    # -- customers -------------------------------------------------------------------------------
    def create_customer(self, params: Obj) -> Obj:
        allow(params, ("email", "name", "description", "phone", "metadata"))
        customer = self._store.create("customer", "cus", {
            "email": text(params, "email"), "name": text(params, "name"),
            "description": text(params, "description"), "phone": text(params, "phone"),
            "metadata": metadata(params),
        })
        self._store.emit("customer.created", customer)
        return customer

    def customer(self, customer_id: str, param: str = "customer") -> Obj:
        return self._store.get("customer", customer_id, param)

    # -- payment methods -------------------------------------------------------------------------
    def create_payment_method(self, params: Obj) -> Obj:
        allow(params, ("type", "card", "us_bank_account", "sepa_debit", "billing_details", "metadata"))
        type_ = text(params, "type", required=True) or ""
        instrument = from_params(type_, params)
        billing = hash_param(params, "billing_details")
        details = {name: text(billing, name) for name in _BILLING_FIELDS}
        return self._new(instrument, billing_details=details, meta=metadata(params))

    def _new(self, instrument: Instrument, *, billing_details: Obj | None = None,
             meta: dict[str, str] | None = None) -> Obj:
        method = self._store.create("payment_method", "pm", {
            "type": instrument.type,
            instrument.type: dict(instrument.details),
            "billing_details": billing_details or dict.fromkeys(_BILLING_FIELDS),
            "customer": None,
            "metadata": meta or {},
        })
        self._instruments[method["id"]] = instrument
        return method

    def resolve(self, method_id: str, param: str = "payment_method") -> Obj:
        """A stored payment method, or a fresh one for a well-known test id (pm_card_visa and kin),
        which is what Stripe does with those ids."""
        well_known = WELL_KNOWN_PAYMENT_METHODS.get(method_id)
        if well_known is not None:
            return self._new(well_known)
        return self._store.get("payment_method", method_id, param)

    def instrument(self, method: Obj) -> Instrument:
        return self._instruments[method["id"]]

    def attach(self, method_id: str, params: Obj) -> Obj:
        allow(params, ("customer",))
        customer = self.customer(text(params, "customer", required=True) or "")
        method = self.resolve(method_id, "payment_method")
        if method["customer"] == customer["id"]:
            return method
        if method["customer"] is not None:
            raise ApiError.state("The payment method you provided has already been attached to a customer.",
                                 code="payment_method_unexpected_state", param="payment_method")
        method["customer"] = customer["id"]
        self._store.emit("payment_method.attached", method)
        return method

    def detach(self, method_id: str, params: Obj) -> Obj:
        allow(params, ())
        method = self._store.get("payment_method", method_id, "payment_method")
        if method["customer"] is None:
            raise ApiError.state("The payment method you provided is not attached to a customer so "
                                 "detachment is impossible.", code="payment_method_unexpected_state",
                                 param="payment_method")
        method["customer"] = None
        self._store.emit("payment_method.detached", method)
        return method

    def list_for_customer(self, customer_id: str, params: Obj) -> Obj:
        allow(params, ("type", "limit", "starting_after", "ending_before"))
        self.customer(customer_id)
        type_ = text(params, "type")
        return self._store.page(
            "payment_method", params, f"/v1/customers/{customer_id}/payment_methods",
            lambda m: m["customer"] == customer_id and (type_ is None or m["type"] == type_),
        )
