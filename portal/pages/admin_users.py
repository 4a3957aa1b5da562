"""Users (admin): placeholder until its dashboard arrives."""

from __future__ import annotations

from dash.development.base_component import Component

from backend.actors import Actor, Role
from portal.access import restricted
from portal.components.landing import landing_card
from portal.page_registry import register_page

register_page(__name__, path="/admin/users", name="Users")


@restricted(Role.ADMIN)
def layout(actor: Actor) -> Component:
    return landing_card(
        "Users",
        "Every account on the platform and the role it holds.",
        [
            "Create users and assign the admin, manager, investor or analyst role",
            "Disable and re-enable accounts; see failed sign-ins and lockouts",
        ],
    )
