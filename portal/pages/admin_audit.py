"""Audit log (admin): placeholder until its dashboard arrives."""

from __future__ import annotations

from dash.development.base_component import Component

from backend.actors import Actor, Role
from portal.access import restricted
from portal.components.landing import landing_card
from portal.page_registry import register_page

register_page(__name__, path="/admin/audit", name="Audit")


@restricted(Role.ADMIN)
def layout(actor: Actor) -> Component:
    return landing_card(
        "Audit log",
        "An append-only record of every state change, with its actor and request id.",
        [
            "Filter by actor, action, object and time",
            "Export a filtered slice for an auditor",
        ],
    )
