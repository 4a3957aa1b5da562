"""System (admin): placeholder until its dashboard arrives."""

from __future__ import annotations

from dash.development.base_component import Component

from backend.actors import Actor, Role
from portal.access import restricted
from portal.components.landing import landing_card
from portal.page_registry import register_page

register_page(__name__, path="/admin/system", name="System")


@restricted(Role.ADMIN)
def layout(actor: Actor) -> Component:
    return landing_card(
        "System",
        "The health of the running platform.",
        [
            "Readiness of database, replicas, cache and broker",
            "Replica lag, queue depths and task failures",
            "Ledger hash-chain verification results",
        ],
    )
