"""Paying investors: connected accounts (acct_) holding one bank account, and transfers (tr_) to them.

A transfer that the investor's bank refuses comes back as a reversal: `transfer.reversed`, and a
balance transaction that puts the money back. Balances are not enforced: a platform account in
Stripe's test mode can be topped up at will, and the demo should not have to."""

from __future__ import annotations

import re

from backend.payments.sandbox.instruments import external_account
from backend.payments.sandbox.money import Money
from backend.payments.sandbox.store import Store, new_id
from backend.payments.sandbox.wire import ApiError, Obj, allow, integer, metadata, text

_ACCOUNT_TYPES = ("custom", "express", "standard")


class Payouts:
    def __init__(self, store: Store, money: Money) -> None:
        self._store = store
        self._money = money

    def create_account(self, params: Obj) -> Obj:
        allow(params, ("type", "country", "email", "business_type", "external_account", "metadata",
                       "capabilities", "tos_acceptance", "default_currency"))
        type_ = text(params, "type") or "custom"
        if type_ not in _ACCOUNT_TYPES:
            raise ApiError.invalid(f"Invalid type: must be one of {', '.join(_ACCOUNT_TYPES)}", param="type")
        country = (text(params, "country") or "US").upper()
        account = self._store.create("account", "acct", {
            "type": type_, "country": country, "email": text(params, "email"),
            "business_type": text(params, "business_type"),
            "default_currency": text(params, "default_currency") or ("usd" if country == "US" else "eur"),
            "charges_enabled": True, "payouts_enabled": True, "details_submitted": True,
            "capabilities": {"transfers": "active"}, "metadata": metadata(params),
        })
        banks: list[Obj] = []
        raw = params.get("external_account")
        if raw is not None and raw != "":
            bank = external_account(raw if isinstance(raw, (str, dict)) else "")
            banks.append({"id": new_id("ba"), "object": "bank_account", "account": account["id"],
                          "status": "new", "default_for_currency": True, **bank})
        account["external_accounts"] = {
            "object": "list", "data": banks, "has_more": False, "total_count": len(banks),
            "url": f"/v1/accounts/{account['id']}/external_accounts"}
        return account

    def create_transfer(self, params: Obj) -> Obj:
        allow(params, ("amount", "currency", "destination", "metadata", "transfer_group", "description",
                       "source_transaction"))
        amount = integer(params, "amount", required=True, minimum=1) or 0
        currency = (text(params, "currency", required=True) or "").lower()
        if not re.fullmatch(r"[a-z]{3}", currency):
            raise ApiError.invalid(f"Invalid currency: {currency[:10]}", param="currency")
        destination = text(params, "destination", required=True) or ""
        found = self._store.find(destination)
        if found is None or found["object"] != "account":
            raise ApiError.invalid(f"No such destination: '{destination}'", param="destination",
                                   code="resource_missing")
        transfer = self._store.create("transfer", "tr", {
            "amount": amount, "amount_reversed": 0, "balance_transaction": None, "currency": currency,
            "description": text(params, "description"), "destination": destination,
            "destination_payment": new_id("py"), "metadata": metadata(params), "reversed": False,
            "source_transaction": text(params, "source_transaction"),
            "transfer_group": text(params, "transfer_group"),
        })
        transfer["reversals"] = {"object": "list", "data": [], "has_more": False, "total_count": 0,
                                 "url": f"/v1/transfers/{transfer['id']}/reversals"}
        txn = self._money.record("transfer", amount=-amount, fee=0, currency=currency, source=transfer["id"],
                                 category="transfer")
        transfer["balance_transaction"] = txn["id"]
        self._store.emit("transfer.created", transfer)
        return transfer

    def list_transfers(self, params: Obj) -> Obj:
        allow(params, ("destination", "transfer_group", "limit", "starting_after", "ending_before",
                       "created"))
        wanted = {name: text(params, name) for name in ("destination", "transfer_group")}
        return self._store.page("transfer", params, "/v1/transfers", lambda t: all(
            value is None or t[name] == value for name, value in wanted.items()))

    def fail(self, transfer_id: str) -> Obj:
        """The investor's bank refused the money: reverse the whole transfer."""
        transfer = self._store.get("transfer", transfer_id, "transfer")
        left = transfer["amount"] - transfer["amount_reversed"]
        if left == 0:
            raise ApiError.state(f"Transfer {transfer_id} is already fully reversed.",
                                 code="transfer_already_reversed")
        # Kept in the store, as Stripe does, so a balance transaction's `source` expands to it.
        reversal = self._store.create("transfer_reversal", "trr", {
            "amount": left, "currency": transfer["currency"], "transfer": transfer_id,
            "balance_transaction": None})
        txn = self._money.record("transfer_refund", amount=left, fee=0, currency=transfer["currency"],
                                 source=reversal["id"], category="transfer_reversal")
        reversal["balance_transaction"] = txn["id"]
        previous = {"amount_reversed": transfer["amount_reversed"], "reversed": transfer["reversed"]}
        transfer["reversals"]["data"].append(reversal)
        transfer["reversals"]["total_count"] += 1
        transfer.update(amount_reversed=transfer["amount"], reversed=True)
        self._store.emit("transfer.reversed", transfer, previous)
        return transfer
