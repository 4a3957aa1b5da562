"""My holdings (investor): placeholder until its dashboard arrives."""

from __future__ import annotations

from dash.development.base_component import Component

from backend.actors import Actor, Role
from portal.access import restricted
from portal.components.landing import landing_card
from portal.page_registry import register_page

register_page(__name__, path="/investor", name="My holdings")


@restricted(Role.INVESTOR)
def layout(actor: Actor) -> Component:
    return landing_card(
        "My holdings",
        "What your money is doing, pool by pool.",
        [
            "Units or capital account per pool, with current value",
            "Contributions, distributions and fees paid",
            "Performance of your holdings and downloadable statements",
        ],
    )
