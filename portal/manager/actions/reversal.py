"""Reverse a journal entry: a new entry with every posting negated, and the reason kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dash import html

from backend.platform.actors import Actor
from ledger.interface import ReversalRequest
from portal.context import services
from portal.formatting import entry_type_label, money, number
from portal.manager.actions.action import Action
from portal.manager.actions.effects import effect_table, posted
from portal.manager.actions.parsing import FormError, filled_in, parse_request, require_pool


@dataclass(frozen=True)
class Reversal:
    entry_id: int
    request: ReversalRequest


def _parse_reversal(v: Mapping[str, Any]) -> Reversal:
    errors: dict[str, str] = {}
    entry = v.get("entry_id")
    if entry in (None, ""):
        errors["entry_id"] = "Give the id of the entry to reverse."
    memo = (v.get("memo") or "").strip()
    if not memo:
        errors["memo"] = "Say why the entry is reversed: the reason is kept with the reversal."
    if errors:
        raise FormError(errors)
    try:
        entry_id = int(str(entry))
    except ValueError:
        raise FormError({"entry_id": "must be a whole number"}) from None
    request = parse_request(
        ReversalRequest, filled_in({"memo": memo, "effective_date": v.get("effective_date")})
    )
    return Reversal(entry_id, request)


def _preview_reversal(actor: Actor, pool_id: int | None, reversal: Reversal) -> Any:
    preview = services().previews.reversal(actor, require_pool(pool_id), reversal.entry_id)
    c = preview.currency
    rows = [
        (
            line.account.value,
            str(line.investor_id or ""),
            money(line.amount, c)
            if line.account.value not in ("units", "units_outstanding")
            else number(line.amount, 6),
        )
        for line in preview.lines
    ]
    kind = entry_type_label(preview.entry_type).lower() if preview.entry_type else "entry"
    return html.Div(
        [
            html.H3(f"Reversing {kind} #{reversal.entry_id} of {preview.effective_date}", className="h6"),
            effect_table(("Account", "Investor", "Reversing amount"), rows, "effect-reversal"),
        ]
    )


def _post_reversal(actor: Actor, pool_id: int | None, reversal: Reversal, key: str) -> Any:
    # The preview above checked the entry belongs to this pool; the service re-checks the manager.
    services().previews.reversal(actor, require_pool(pool_id), reversal.entry_id)
    entry = services().transactions.reverse(actor, reversal.entry_id, reversal.request, key)
    return posted(f"Entry {reversal.entry_id} reversed by entry {entry.id}.")


REVERSAL = Action("reversal", _parse_reversal, _preview_reversal, _post_reversal)
