"""Fees, balance transactions, refunds and disputes: the money trail reconciliation reads.

Every amount is an int in the currency's minor unit. Fees round half up to the minor unit:
cards 1.4% + 25, bank debits 0.8% capped at 500, a dispute 1500."""

from __future__ import annotations

from backend.payments.sandbox.store import Store
from backend.payments.sandbox.wire import ApiError, Obj, allow, integer, metadata, text

DISPUTE_FEE = 1500
_DAY = 86_400
# Days from a movement to its money being available: what `available_on` and `status` show.
_AVAILABLE_AFTER = {"charge": 2, "refund": 0, "transfer": 0, "transfer_refund": 0, "adjustment": 0}
_DESCRIPTION = {"charge": "Payment", "refund": "REFUND FOR CHARGE", "transfer": "Transfer",
                "transfer_refund": "Transfer reversal", "adjustment": "Chargeback withdrawal"}


def processing_fee(payment_method_type: str, amount: int) -> int:
    if payment_method_type == "card":
        return (amount * 14 + 500) // 1000 + 25
    return min((amount * 8 + 500) // 1000, 500)


class Money:
    def __init__(self, store: Store) -> None:
        self._store = store
        store.on_render("balance_transaction", self._refresh)

    def _refresh(self, txn: Obj) -> None:
        txn["status"] = "available" if self._store.clock.now() >= txn["available_on"] else "pending"

    def record(self, type_: str, *, amount: int, fee: int, currency: str, source: str, category: str) -> Obj:
        now = self._store.clock.now()
        fee_details = [{"amount": fee, "application": None, "currency": currency,
                        "description": "Stripe processing fees", "type": "stripe_fee"}] if fee else []
        txn = self._store.create("balance_transaction", "txn", {
            "amount": amount, "fee": fee, "net": amount - fee, "currency": currency,
            "available_on": now + _AVAILABLE_AFTER[type_] * _DAY, "description": _DESCRIPTION[type_],
            "exchange_rate": None, "fee_details": fee_details, "reporting_category": category,
            "source": source, "status": "pending", "type": type_,
        })
        del txn["metadata"]  # balance transactions carry none on Stripe
        self._refresh(txn)
        return txn

    def settle_charge(self, charge: Obj) -> None:
        """The charge's money has arrived: one balance transaction, net of the processing fee."""
        fee = processing_fee(charge["payment_method_details"]["type"], charge["amount"])
        txn = self.record("charge", amount=charge["amount"], fee=fee, currency=charge["currency"],
                          source=charge["id"], category="charge")
        charge["balance_transaction"] = txn["id"]

    def list_transactions(self, params: Obj) -> Obj:
        allow(params, ("limit", "starting_after", "ending_before", "created", "type", "source", "currency"))
        wanted = {name: text(params, name) for name in ("type", "source", "currency")}
        return self._store.page("balance_transaction", params, "/v1/balance_transactions", lambda t: all(
            value is None or t[name] == value for name, value in wanted.items()))

    def balance(self) -> Obj:
        available: dict[str, int] = {}
        pending: dict[str, int] = {}
        for txn in self._store.all("balance_transaction"):
            self._refresh(txn)
            bucket = available if txn["status"] == "available" else pending
            bucket[txn["currency"]] = bucket.get(txn["currency"], 0) + txn["net"]
        return {"object": "balance", "livemode": False,
                "available": [{"amount": a, "currency": c} for c, a in sorted(available.items())],
                "pending": [{"amount": a, "currency": c} for c, a in sorted(pending.items())]}

    # -- refunds ---------------------------------------------------------------------------------
    def refund(self, params: Obj) -> Obj:
        allow(params, ("payment_intent", "charge", "amount", "reason", "metadata"))
        charge = self._refundable_charge(params)
        left = charge["amount"] - charge["amount_refunded"]
        amount = integer(params, "amount", minimum=1)
        amount = left if amount is None else amount
        if left == 0:
            raise ApiError.state(f"Charge {charge['id']} has already been refunded.",
                                 code="charge_already_refunded")
        if amount > left:
            raise ApiError.state(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                code="amount_too_large", param="amount")
        refund = self._store.create("refund", "re", {
            "amount": amount, "charge": charge["id"], "currency": charge["currency"],
            "payment_intent": charge["payment_intent"], "reason": text(params, "reason"),
            "status": "succeeded", "balance_transaction": None, "metadata": metadata(params),
        })
        txn = self.record("refund", amount=-amount, fee=0, currency=charge["currency"], source=refund["id"],
                          category="refund")
        refund["balance_transaction"] = txn["id"]
        previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self._store.emit("refund.created", refund)
        self._store.emit("charge.refunded", charge, previous)
        return refund

    def _refundable_charge(self, params: Obj) -> Obj:
        intent_id, charge_id = text(params, "payment_intent"), text(params, "charge")
        if (intent_id is None) == (charge_id is None):
            raise ApiError.invalid("Provide exactly one of payment_intent or charge.", param="payment_intent")
        if intent_id is not None:
            intent = self._store.get("payment_intent", intent_id, "payment_intent")
            charge_id = intent["latest_charge"]
            if charge_id is None or intent["status"] != "succeeded":
                raise ApiError.state(
                    f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
                    code="charge_not_refundable", param="payment_intent")
        charge = self._store.get("charge", charge_id or "", "charge")
        if charge["status"] != "succeeded":
            raise ApiError.state(f"Charge {charge['id']} has not succeeded and cannot be refunded.",
                                 code="charge_not_refundable", param="charge")
        if charge["disputed"]:
            raise ApiError.state(f"Charge {charge['id']} has been charged back; cannot issue a refund.",
                                 code="charge_disputed", param="charge")
        return charge

    # -- disputes --------------------------------------------------------------------------------
    def dispute(self, charge: Obj, reason: str) -> Obj:
        if charge["status"] != "succeeded" or charge["disputed"]:
            raise ApiError.state(f"Charge {charge['id']} cannot be disputed now.",
                                 code="charge_not_disputable")
        bank = charge["payment_method_details"]["type"] != "card"
        # A bank debit's return cannot be contested: Stripe marks it lost at once.
        dispute = self._store.create("dispute", "dp", {
            "amount": charge["amount"], "charge": charge["id"], "currency": charge["currency"],
            "payment_intent": charge["payment_intent"], "reason": reason,
            "status": "lost" if bank else "needs_response", "balance_transactions": [],
        })
        txn = self.record("adjustment", amount=-charge["amount"], fee=DISPUTE_FEE,
                          currency=charge["currency"], source=dispute["id"], category="dispute")
        dispute["balance_transactions"].append(self._store.render(txn))
        charge["disputed"] = True
        self._store.emit("charge.dispute.created", dispute)
        return dispute
