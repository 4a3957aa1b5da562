"""Record a side letter: one committed investor's own fee and carry terms in a closed-ended
pool, previewed against the pool's terms (and the letter it replaces) before it is saved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dash import html

from backend.investors.interface import SideLetterOut, SideLetterTerms
from backend.platform.actors import Actor
from portal.context import services
from portal.formatting import percent
from portal.manager.actions.action import Action
from portal.manager.actions.effects import effect_table, legal_names, posted
from portal.manager.actions.parsing import (
    FormError,
    filled_in,
    flag,
    fraction_of_percent,
    parse_request,
    require_pool,
)

NONE = "the pool's"


@dataclass(frozen=True)
class SideLetterRequest:
    investor_id: int
    terms: SideLetterTerms


def _parse_side_letter(v: Mapping[str, Any]) -> SideLetterRequest:
    investor = str(v.get("investor_id") or "").strip()
    if not investor.isdigit():
        raise FormError({"investor_id": "choose the investor the letter is with"})
    data = filled_in(
        {
            "reference": v.get("reference"),
            "management_fee_rate": fraction_of_percent(v.get("management_fee_rate")),
            "management_fee_waiver": fraction_of_percent(v.get("management_fee_waiver")),
            "carried_interest_rate": fraction_of_percent(v.get("carried_interest_rate")),
            "management_fee_holiday_until": v.get("management_fee_holiday_until"),
        }
    )
    data["gp_commitment"] = flag(v.get("gp_commitment", "false"))
    return SideLetterRequest(int(investor), parse_request(SideLetterTerms, data))


def _rates(
    letter: SideLetterTerms | SideLetterOut | None, pool_fee: Decimal | None, pool_carry: Decimal | None
) -> list[str]:
    """Management fee, waiver, carry and GP commitment as the letter (or the pool) sets them."""
    if letter is None:
        return [
            f"{percent(pool_fee)} ({NONE})" if pool_fee is not None else "none",
            "none",
            f"{percent(pool_carry)} ({NONE})" if pool_carry is not None else "none",
            "No",
        ]
    if letter.gp_commitment:
        return ["none (GP commitment)", "-", "none (GP commitment)", "Yes"]
    fee = letter.management_fee_rate if letter.management_fee_rate is not None else pool_fee
    carry = letter.carried_interest_rate if letter.carried_interest_rate is not None else pool_carry
    return [
        percent(fee) if fee is not None else "none",
        percent(letter.management_fee_waiver) if letter.management_fee_waiver else "none",
        percent(carry) if carry is not None else "none",
        "No",
    ]


def _holiday(letter: SideLetterTerms | SideLetterOut | None) -> str:
    until = letter.management_fee_holiday_until if letter is not None else None
    return until.isoformat() if until is not None else "no fee holiday"


def _preview_side_letter(actor: Actor, pool_id: int | None, request: SideLetterRequest) -> Any:
    pid = require_pool(pool_id)
    current = services().investors.check_side_letter(actor, pid, request.investor_id, request.terms)
    pool = services().pools.get_pool(actor, pid)
    pool_fee = pool.management_fee.rate if pool.management_fee else None
    pool_carry = pool.waterfall.carried_interest_rate if pool.waterfall else None
    now, after = _rates(current, pool_fee, pool_carry), _rates(request.terms, pool_fee, pool_carry)
    labels = ("Management fee a year", "Share of the fee waived", "Carried interest borne", "GP commitment")
    rows = [
        ("Reference", current.reference if current else "no letter", request.terms.reference),
        *((label, a, b) for label, a, b in zip(labels, now, after, strict=True)),
        ("No management fee to", _holiday(current), _holiday(request.terms)),
    ]
    name = legal_names(actor, [request.investor_id]).get(
        request.investor_id, f"investor {request.investor_id}"
    )
    return html.Div(
        [
            html.H3(f"{name}'s terms in {pool.name}", className="h6"),
            effect_table(("", "Now", "After"), rows, "effect-side-letter"),
            html.P(
                "Applies to the fee and distribution entries posted from now on; entries already "
                "posted keep the rates they applied.",
                className="small text-body-secondary",
            ),
        ]
    )


def _post_side_letter(actor: Actor, pool_id: int | None, request: SideLetterRequest, key: str) -> Any:
    out = services().investors.put_side_letter(
        actor, require_pool(pool_id), request.investor_id, request.terms
    )
    return posted(f"Side letter for investor #{out.investor_id} recorded ({out.reference}).")


SIDE_LETTER = Action("side_letter", _parse_side_letter, _preview_side_letter, _post_side_letter)
