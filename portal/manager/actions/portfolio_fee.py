"""A fee the manager received from a portfolio company (transaction, monitoring, director,
break-up): recorded in the pool's books as a memorandum entry, so the management fees after it
are reduced by the terms' offset rate of it (ledger.posting_rules.fee_offsets)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from backend.finance.fees.fee_offsets import PortfolioFeeKind
from backend.finance.money import get_currency
from backend.platform.actors import Actor
from ledger.interface import Preview, TransactionRequest
from portal.context import services
from portal.formatting import money, percent
from portal.manager.actions.action import Action
from portal.manager.actions.effects import effect_table, posted
from portal.manager.actions.parsing import exact_text, filled_in, parse_request, require_pool

FEE_KINDS = tuple((kind.value, kind.value.replace("_", "-").capitalize()) for kind in PortfolioFeeKind)


def _parse(v: Mapping[str, Any]) -> TransactionRequest:
    data = filled_in(
        {
            "type": "portfolio_company_fee",
            "fee_kind": v.get("fee_kind"),
            "amount": exact_text(v.get("amount")),
            "investment": (v.get("investment") or "").strip() or None,
            "effective_date": v.get("effective_date"),
            "memo": v.get("memo"),
        }
    )
    parsed: TransactionRequest = parse_request(TransactionRequest, data)
    return parsed


def _preview(actor: Actor, pool_id: int | None, request: TransactionRequest) -> Any:
    pid = require_pool(pool_id)
    return portfolio_fee_effect(services().previews.transaction(actor, pid, request))


def portfolio_fee_effect(preview: Preview) -> Any:
    d, c = preview.details, preview.currency
    rate = d.get("offset_rate")
    rows = [
        ("Received by the manager", money(d["amount"], c)),
        ("Kind", str(d["fee_kind"]).replace("_", "-")),
        ("From", d.get("investment") or "not named"),
        ("The pool's money", "does not move (a memorandum entry)"),
    ]
    if rate is None:
        note = dbc.Alert(
            "The pool's terms offset no fees: this is recorded, and no management fee is reduced by it.",
            color="warning",
        )
    else:
        quantum = get_currency(c).quantum
        offset = (Decimal(d["amount"]) * Decimal(rate)).quantize(quantum, ROUND_HALF_EVEN)
        rows.append(("Offset against later management fees", f"{money(offset, c)} ({percent(rate)})"))
        note = html.P(
            "The next management fee charged for a period ending on or after this date is reduced by the "
            "offset; what it cannot absorb is carried forward to the fees after it.",
            className="small text-body-secondary",
        )
    return html.Div(
        [html.H3("Effect", className="h6"), effect_table(("", ""), rows, "effect-portfolio-fee"), note]
    )


def _post(actor: Actor, pool_id: int | None, request: TransactionRequest, key: str) -> Any:
    entry = services().transactions.record(actor, require_pool(pool_id), request, key)
    return posted(f"Fee from a portfolio company recorded as entry {entry.id}.")


PORTFOLIO_FEE = Action("portfolio_company_fee", _parse, _preview, _post)
