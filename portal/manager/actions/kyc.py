"""Review an investor's KYC: approve or reject; only approved investors may subscribe or commit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dash import html

from backend.investors.interface import InvestorUpdate, KycStatus
from backend.platform.actors import Actor
from portal.context import services
from portal.manager.actions.action import Action
from portal.manager.actions.effects import effect_table, posted
from portal.manager.actions.parsing import FormError


@dataclass(frozen=True)
class KycDecision:
    investor_id: int
    status: KycStatus


def _parse_kyc(v: Mapping[str, Any]) -> KycDecision:
    errors = {}
    if not v.get("investor_id"):
        errors["investor_id"] = "Pick an investor."
    if v.get("kyc_status") not in {s.value for s in KycStatus}:
        errors["kyc_status"] = "Pick a decision."
    if errors:
        raise FormError(errors)
    return KycDecision(int(str(v["investor_id"])), KycStatus(v["kyc_status"]))


def _preview_kyc(actor: Actor, pool_id: int | None, decision: KycDecision) -> Any:
    investor = services().investors.get_investor(actor, decision.investor_id)
    rows = [
        ("Investor", investor.legal_name),
        ("Country", investor.country),
        ("KYC now", investor.kyc_status.value),
        ("KYC after", decision.status.value),
    ]
    return html.Div([html.H3("Effect", className="h6"), effect_table(("", ""), rows, "effect-kyc")])


def _post_kyc(actor: Actor, pool_id: int | None, decision: KycDecision, key: str) -> Any:
    out = services().investors.update_investor(
        actor, decision.investor_id, InvestorUpdate(kyc_status=decision.status)
    )
    return posted(f"{out.legal_name}: KYC {out.kyc_status.value}.")


KYC = Action("kyc", _parse_kyc, _preview_kyc, _post_kyc)
