"""Subscriptions and redemptions: an investor deals in units at the day's NAV per unit.

The two share their parsing, preview and posting (TransactionRequest says which it is), so
they are one family with two actions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from dash import html

from backend.platform.actors import Actor
from backend.platform.errors import DomainError
from ledger.interface import Preview, TransactionRequest
from portal.context import services
from portal.formatting import money, number, percent
from portal.manager.actions.action import Action
from portal.manager.actions.effects import effect_table, legal_names, posted
from portal.manager.actions.parsing import FormError, exact_text, filled_in, parse_request, require_pool

_TOO_MANY = re.compile(
    r"investor (?P<investor>\d+) holds (?P<held>[\d.]+) units, cannot redeem (?P<asked>[\d.]+)"
)
"""The ledger's refusal of a redemption larger than the holding, which names the investor by id
and writes bare numbers: the portal says it again with the name, the pool and formatted units."""


@contextmanager
def _said_plainly(actor: Actor, pool_id: int) -> Iterator[None]:
    """Re-word the ledger's "investor 7 holds 250000.000000 units, cannot redeem 999999.000000"
    as "Ana Example holds 250,000.000000 units of Harbour Growth Fund; you asked to redeem
    999,999.000000", under the same field. Any other error passes through as the service said it."""
    try:
        yield
    except DomainError as exc:
        found = _TOO_MANY.search(exc.detail)
        if found is None:
            raise
        investor = int(found["investor"])
        name = legal_names(actor, [investor]).get(investor, f"Investor #{investor}")
        pool = services().pools.get_pool(actor, pool_id).name
        held, asked = number(Decimal(found["held"]), 6), number(Decimal(found["asked"]), 6)
        field = exc.field or "units"
        # An amount is turned into units at the dealing price: say so, the number is not typed.
        wanted = f"{asked} units' worth" if field == "amount" else asked
        raise FormError(
            {field: f"{name} holds {held} units of {pool}; you asked to redeem {wanted}."}
        ) from None


def _parse_tx(kind: str) -> Callable[[Mapping[str, Any]], TransactionRequest]:
    def parse(v: Mapping[str, Any]) -> TransactionRequest:
        data = filled_in(
            {
                "type": kind,
                "investor_id": v.get("investor_id"),
                "amount": exact_text(v.get("amount")),
                "units": exact_text(v.get("units")),
                "share_class": v.get("share_class"),
                "effective_date": v.get("effective_date"),
                "memo": v.get("memo"),
            }
        )
        parsed: TransactionRequest = parse_request(TransactionRequest, data)
        return parsed

    return parse


def _preview_tx(actor: Actor, pool_id: int | None, request: TransactionRequest) -> Any:
    pid = require_pool(pool_id)
    with _said_plainly(actor, pid):
        preview = services().previews.transaction(actor, pid, request)
    return deal_effect(preview, legal_names(actor, [preview.details.get("investor_id", 0)]))


def deal_effect(preview: Preview, names: Mapping[int, str]) -> Any:
    d, c = preview.details, preview.currency
    who = names.get(int(d.get("investor_id", 0)), f"investor {d.get('investor_id')}")
    if preview.entry_type is not None and preview.entry_type.value == "subscription":
        rows = [
            ("Investor", who),
            ("Cash in", money(d["amount"], c)),
            ("NAV per unit", number(d["nav_per_unit"], 6)),
            ("Units issued", number(d["units"], 6)),
            ("Rounding residue", money(d["residue"], c)),
        ]
    elif preview.entry_type is not None and preview.entry_type.value == "redemption":
        rows = [
            ("Investor", who),
            ("Units redeemed", number(d["units"], 6)),
            ("NAV per unit", number(d["nav_per_unit"], 6)),
            ("Proceeds", money(d["proceeds"], c)),
            ("Full exit", "yes" if d.get("full_exit") else "no"),
        ]
        if "performance_fee" in d:
            # The leaver's own fee on its gain, kept from what its units are worth.
            fee = d["performance_fee"]
            rows[3:3] = [
                ("Units worth", money(d["gross_proceeds"], c)),
                (f"Performance fee on own gain ({percent(fee['rate'], 0)})", money(fee["amount"], c)),
            ]
    else:
        rows = [(str(k), str(v)) for k, v in d.items() if not isinstance(v, dict)]
    if d.get("share_class"):
        # Dealt at its class's price: the NAV per unit above is the class's, not the pool's.
        rows.insert(1, ("Share class", str(d["share_class"])))
    return html.Div([html.H3("Effect", className="h6"), effect_table(("", ""), rows, "effect-deal")])


def _post_tx(actor: Actor, pool_id: int | None, request: TransactionRequest, key: str) -> Any:
    pid = require_pool(pool_id)
    with _said_plainly(actor, pid):
        entry = services().transactions.record(actor, pid, request, key)
    return posted(f"{request.type.value.replace('_', ' ').capitalize()} posted as entry {entry.id}.")


SUBSCRIPTION = Action("subscription", _parse_tx("subscription"), _preview_tx, _post_tx)
REDEMPTION = Action("redemption", _parse_tx("redemption"), _preview_tx, _post_tx)
