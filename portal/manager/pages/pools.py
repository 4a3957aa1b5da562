"""Pools (manager): the pools you manage, create a new one, and review investors' KYC."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from backend.platform.actors import Actor, Role
from portal.components.forms import action_form
from portal.formatting import money
from portal.manager.actions.forms import create_pool_form, kyc_form
from portal.manager.data import list_all_pools
from portal.page_registry import Page
from portal.shell.access import restricted

PAGE = Page(__name__, path="/manager/pools", name="Pools")


def pool_list(actor: Actor) -> Any:
    pools = list_all_pools(actor)
    if not pools:
        return dbc.Alert("You do not manage any pool yet: create one below.", color="info", id="pools-empty")
    rows = [
        html.Tr(
            [
                html.Td(dcc.Link(p.name, href=f"/manager/pools/{p.id}", id=f"pool-link-{p.id}")),
                html.Td(p.kind.value.replace("_", "-")),
                html.Td(p.status.value),
                html.Td(p.base_currency),
                html.Td(p.inception_date.isoformat()),
                html.Td(money(p.minimum_subscription, p.base_currency)),
            ]
        )
        for p in pools
    ]
    head = ("Pool", "Kind", "Status", "Currency", "Inception", "Minimum")
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h, scope="col") for h in head])), html.Tbody(rows)],
        striped=True,
        hover=True,
        size="sm",
        id="pools-table",
    )


@PAGE.layout
@restricted(Role.MANAGER)
def layout(actor: Actor) -> Component:
    today = date.today()
    return html.Div(
        [
            dcc.Store(id="pool-id", data=None),
            html.H1("Pools", className="h3 mb-3", id="page-title"),
            pool_list(actor),
            action_form(create_pool_form(today)),
            action_form(kyc_form(actor)),
        ]
    )
