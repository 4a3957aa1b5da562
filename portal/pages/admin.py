"""Administration (admin): placeholder until its dashboard arrives."""

from __future__ import annotations

from dash.development.base_component import Component

from backend.actors import Actor, Role
from portal.access import restricted
from portal.components.landing import landing_card
from portal.page_registry import register_page

register_page(__name__, path="/admin", name="Administration")


@restricted(Role.ADMIN)
def layout(actor: Actor) -> Component:
    return landing_card(
        "Administration",
        "Running the platform: who may sign in, what happened, and whether every service is healthy.",
        [
            "Users: invite, disable and re-enable accounts, assign roles",
            "Audit: every state change with the actor who made it",
            "System: service health, replica lag, queues, ledger chain verification",
        ],
    )
