"""Add a commitment: what a KYC-approved investor promises to a closed-ended pool."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html

from backend.investors.interface import CommitmentCreate
from backend.platform.actors import Actor
from portal.context import services
from portal.formatting import money
from portal.manager.actions.action import Action
from portal.manager.actions.effects import effect_table, legal_names, posted
from portal.manager.actions.parsing import exact_text, filled_in, parse_request, require_pool, today


def _parse_commitment(v: Mapping[str, Any]) -> CommitmentCreate:
    data = filled_in(
        {
            "investor_id": v.get("investor_id"),
            "amount": exact_text(v.get("amount")),
            "effective_date": v.get("effective_date"),
        }
    )
    parsed: CommitmentCreate = parse_request(CommitmentCreate, data)
    return parsed


def _preview_commitment(actor: Actor, pool_id: int | None, request: CommitmentCreate) -> Any:
    pool = services().pools.require_manage(actor, require_pool(pool_id))
    name = legal_names(actor, [request.investor_id]).get(
        request.investor_id, f"investor {request.investor_id}"
    )
    rows = [
        ("Pool", pool.name),
        ("Investor", name),
        ("Commitment", money(request.amount, pool.base_currency)),
        ("Effective", str(request.effective_date or today())),
    ]
    return html.Div([html.H3("Effect", className="h6"), effect_table(("", ""), rows, "effect-commitment")])


def _post_commitment(actor: Actor, pool_id: int | None, request: CommitmentCreate, key: str) -> Any:
    out = services().investors.create_commitment(actor, require_pool(pool_id), request)
    return posted(f"Commitment {out.id} of {money(out.amount, out.currency)} recorded.")


COMMITMENT = Action("commitment", _parse_commitment, _preview_commitment, _post_commitment)
