"""Explorer (analyst): placeholder until its dashboard arrives."""

from __future__ import annotations

from dash.development.base_component import Component

from backend.actors import Actor, Role
from portal.access import restricted
from portal.components.landing import landing_card
from portal.page_registry import register_page

register_page(__name__, path="/analyst", name="Explorer")


@restricted(Role.ANALYST)
def layout(actor: Actor) -> Component:
    return landing_card(
        "Explorer",
        "Slice performance and flows across pools and take them to Excel.",
        [
            "Performance metrics across pools and periods (TWR, XIRR, PME, drawdown, Sharpe)",
            "Flows by pool, investor type and period",
            "CSV and XLSX exports",
        ],
    )
