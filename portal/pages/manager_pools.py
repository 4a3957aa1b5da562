"""Pools (manager): placeholder until its dashboard arrives."""

from __future__ import annotations

from dash.development.base_component import Component

from backend.actors import Actor, Role
from portal.access import restricted
from portal.components.landing import landing_card
from portal.page_registry import register_page

register_page(__name__, path="/manager/pools", name="Pools")


@restricted(Role.MANAGER)
def layout(actor: Actor) -> Component:
    return landing_card(
        "Pools",
        "The pools you manage and the money moving through them.",
        [
            "Create open-ended and closed-ended pools",
            "Record subscriptions, redemptions, capital calls and distributions",
            "Run fee accruals and distribution waterfalls",
        ],
    )
