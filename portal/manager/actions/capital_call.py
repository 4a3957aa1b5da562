"""Issue a capital call: an amount, or a fraction of each commitment, due by a date."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.platform.actors import Actor
from ledger.interface import CapitalCallRequest
from portal.context import services
from portal.manager.actions.action import Action
from portal.manager.actions.effects import allocation_effect, legal_names, posted
from portal.manager.actions.parsing import (
    exact_text,
    filled_in,
    fraction_of_percent,
    parse_request,
    require_pool,
    today,
)


def _parse_call(v: Mapping[str, Any]) -> CapitalCallRequest:
    data = filled_in(
        {
            "amount": exact_text(v.get("amount")),
            # Typed in percent (25), sent as the fraction the ledger takes (0.25).
            "percent_of_commitment": fraction_of_percent(v.get("percent_of_commitment")),
            "due_date": v.get("due_date"),
            "effective_date": v.get("effective_date"),
            "memo": v.get("memo"),
        }
    )
    parsed: CapitalCallRequest = parse_request(CapitalCallRequest, data)
    return parsed


def _preview_call(actor: Actor, pool_id: int | None, request: CapitalCallRequest) -> Any:
    preview = services().previews.capital_call(actor, require_pool(pool_id), request, today())
    names = legal_names(actor, preview.details.get("allocation", {}))
    return allocation_effect(preview, names, "Called from each investor")


def _post_call(actor: Actor, pool_id: int | None, request: CapitalCallRequest, key: str) -> Any:
    entry = services().transactions.capital_call(actor, require_pool(pool_id), request, key)
    return posted(f"Capital call issued as entry {entry.id}, due {request.due_date}.")


CAPITAL_CALL = Action("capital_call", _parse_call, _preview_call, _post_call)
