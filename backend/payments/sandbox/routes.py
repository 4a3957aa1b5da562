"""Which Stripe endpoint runs which operation. Each handler takes the parsed parameters and the
URL's variables and returns a stored object (the server renders it, under the store lock)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.routing import Map, Rule

from backend.payments.sandbox.intents import Intents
from backend.payments.sandbox.methods import Methods
from backend.payments.sandbox.money import Money
from backend.payments.sandbox.payouts import Payouts
from backend.payments.sandbox.store import Store
from backend.payments.sandbox.wire import Obj, allow, strings, text

Handler = Callable[[Obj, dict[str, str]], Obj]

# Collections whose objects GET /v1/<collection>/<id> retrieves, and the object each holds.
RETRIEVABLE = {
    "customers": "customer", "payment_methods": "payment_method", "payment_intents": "payment_intent",
    "charges": "charge", "refunds": "refund", "transfers": "transfer", "accounts": "account",
    "balance_transactions": "balance_transaction", "events": "event", "disputes": "dispute",
}


@dataclass(frozen=True)
class Operations:
    store: Store
    methods: Methods
    intents: Intents
    money: Money
    payouts: Payouts


def build(ops: Operations) -> tuple[Map, dict[str, Handler]]:
    store, intents = ops.store, ops.intents
    handlers: dict[str, Handler] = {
        "customers.create": lambda p, _: ops.methods.create_customer(p),
        "customers.payment_methods": lambda p, a: ops.methods.list_for_customer(a["id"], p),
        "payment_methods.create": lambda p, _: ops.methods.create_payment_method(p),
        "payment_methods.attach": lambda p, a: ops.methods.attach(a["id"], p),
        "payment_methods.detach": lambda p, a: ops.methods.detach(a["id"], p),
        "payment_intents.create": lambda p, _: intents.create(p),
        "payment_intents.list": lambda p, _: intents.list_intents(p),
        "payment_intents.search": lambda p, _: intents.search(p),
        "payment_intents.update": lambda p, a: intents.update(a["id"], p),
        "payment_intents.confirm": lambda p, a: intents.confirm(a["id"], p),
        "payment_intents.cancel": lambda p, a: intents.cancel(a["id"], p),
        "charges.list": lambda p, _: _list(store, "charges", p, ("customer", "payment_intent")),
        "refunds.create": lambda p, _: ops.money.refund(p),
        "refunds.list": lambda p, _: _list(store, "refunds", p, ("charge", "payment_intent")),
        "accounts.create": lambda p, _: ops.payouts.create_account(p),
        "transfers.create": lambda p, _: ops.payouts.create_transfer(p),
        "transfers.list": lambda p, _: ops.payouts.list_transfers(p),
        "balance_transactions.list": lambda p, _: ops.money.list_transactions(p),
        "balance.retrieve": lambda p, _: _no_params(p, ops.money.balance()),
        "events.list": lambda p, _: _events(store, p),
        "retrieve": lambda p, a: _no_params(p, store.get(RETRIEVABLE[a["collection"]], a["id"])),
    }
    collections = ", ".join(RETRIEVABLE)
    rules = [
        Rule("/v1/customers", methods=["POST"], endpoint="customers.create"),
        Rule("/v1/customers/<id>/payment_methods", methods=["GET"], endpoint="customers.payment_methods"),
        Rule("/v1/payment_methods", methods=["POST"], endpoint="payment_methods.create"),
        Rule("/v1/payment_methods/<id>/attach", methods=["POST"], endpoint="payment_methods.attach"),
        Rule("/v1/payment_methods/<id>/detach", methods=["POST"], endpoint="payment_methods.detach"),
        Rule("/v1/payment_intents", methods=["POST"], endpoint="payment_intents.create"),
        Rule("/v1/payment_intents", methods=["GET"], endpoint="payment_intents.list"),
        Rule("/v1/payment_intents/search", methods=["GET"], endpoint="payment_intents.search"),
        Rule("/v1/payment_intents/<id>", methods=["POST"], endpoint="payment_intents.update"),
        Rule("/v1/payment_intents/<id>/confirm", methods=["POST"], endpoint="payment_intents.confirm"),
        Rule("/v1/payment_intents/<id>/cancel", methods=["POST"], endpoint="payment_intents.cancel"),
        Rule("/v1/charges", methods=["GET"], endpoint="charges.list"),
        Rule("/v1/refunds", methods=["POST"], endpoint="refunds.create"),
        Rule("/v1/refunds", methods=["GET"], endpoint="refunds.list"),
        Rule("/v1/accounts", methods=["POST"], endpoint="accounts.create"),
        Rule("/v1/transfers", methods=["POST"], endpoint="transfers.create"),
        Rule("/v1/transfers", methods=["GET"], endpoint="transfers.list"),
        Rule("/v1/balance_transactions", methods=["GET"], endpoint="balance_transactions.list"),
        Rule("/v1/balance", methods=["GET"], endpoint="balance.retrieve"),
        Rule("/v1/events", methods=["GET"], endpoint="events.list"),
        Rule(f"/v1/<any({collections}):collection>/<id>", methods=["GET"], endpoint="retrieve"),
    ]
    return Map(rules, strict_slashes=False, merge_slashes=False), handlers


def _no_params(params: Obj, result: Obj) -> Obj:
    allow(params, ())
    return result


def _list(store: Store, collection: str, params: Obj, filters: tuple[str, ...]) -> Obj:
    allow(params, (*filters, "limit", "starting_after", "ending_before", "created"))
    wanted = {name: text(params, name) for name in filters}
    return store.page(RETRIEVABLE[collection], params, f"/v1/{collection}", lambda o: all(
        value is None or o.get(name) == value for name, value in wanted.items()))


def _events(store: Store, params: Obj) -> Obj:
    """`type` may end in `.*` (`payment_intent.*`); `types[]` lists exact types."""
    allow(params, ("type", "types", "limit", "starting_after", "ending_before", "created",
                   "delivery_success"))
    single, several = text(params, "type"), set(strings(params, "types"))

    def wanted(event: Obj) -> bool:
        kind: str = event["type"]
        prefix = single[:-1] if single and single.endswith(".*") else None
        if single is not None and kind != single and not (prefix and kind.startswith(prefix)):
            return False
        return not several or kind in several

    return store.page("event", params, "/v1/events", wanted)
