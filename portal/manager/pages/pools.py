"""Pools (manager): the pools you manage, create a new one, and review investors' KYC. The
list redraws itself when a pool is created, without a reload."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html, no_update
from dash.development.base_component import Component

from backend.platform.actors import Actor, Role
from backend.pools.interface import PoolKind
from portal.components.forms import DONE, action_form
from portal.formatting import money
from portal.manager.actions.forms import create_pool_form, kyc_form
from portal.manager.data import list_all_pools
from portal.page_registry import Page
from portal.shell.access import restricted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/manager/pools", name="Pools")


def pool_list(actor: Actor) -> Any:
    pools = list_all_pools(actor)
    if not pools:
        return dbc.Alert("You do not manage any pool yet: create one below.", color="info", id="pools-empty")
    rows = [
        html.Tr(
            [
                html.Td(dcc.Link(p.name, href=f"/manager/pools/{p.id}", id=f"pool-link-{p.id}")),
                html.Td("Open-ended" if p.kind is PoolKind.OPEN_ENDED else "Closed-ended"),
                html.Td(p.status.value.title()),
                html.Td(p.base_currency),
                html.Td(p.inception_date.isoformat()),
                html.Td(money(p.minimum_subscription, p.base_currency), className="num"),
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
        responsive=True,
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
            html.Div(pool_list(actor), id="pools-list"),
            action_form(create_pool_form(today)),
            action_form(kyc_form(actor)),
        ]
    )


@PAGE.callback(
    Output("pools-list", "children"),
    Input({"type": DONE, "action": "create_pool"}, "data"),
    prevent_initial_call=True,
)
def _after_create(done: Any) -> Any:
    """The new pool in the list as soon as it is created (read as the signed-in manager)."""
    actor = current_actor()
    if not done or actor is None or actor.role is not Role.MANAGER:
        return no_update
    return pool_list(actor)
