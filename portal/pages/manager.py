"""Overview (manager): placeholder until its dashboard arrives."""

from __future__ import annotations

from dash.development.base_component import Component

from backend.actors import Actor, Role
from portal.access import restricted
from portal.components.landing import landing_card
from portal.page_registry import register_page

register_page(__name__, path="/manager", name="Overview")


@restricted(Role.MANAGER)
def layout(actor: Actor) -> Component:
    return landing_card(
        "Overview",
        "Your pools at a glance.",
        [
            "NAV, flows and performance (TWR, XIRR, TVPI/DPI/RVPI) per pool",
            "Pending subscriptions, redemptions and capital calls",
            "Fee accruals and upcoming distributions",
        ],
    )
