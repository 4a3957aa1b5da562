"""Create a pool: its kind, currency, launch price and fee terms, shown back before it is made."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import dcc, html

from backend.platform.actors import Actor
from backend.pools.interface import PoolCreate, PoolSettings
from portal.context import services
from portal.formatting import money, number
from portal.manager.actions.action import Action, Previewed
from portal.manager.actions.effects import effect_table, posted
from portal.manager.actions.parsing import parse_request
from portal.manager.actions.pool_terms import (
    SETTING_LABELS,
    TERM_FIELDS,
    settings_data,
    terms_text,
    unusual_rates,
)


def pool_create_request(v: Mapping[str, Any]) -> PoolCreate:
    """The create-pool form as the pool service's PoolCreate (empty fee fields: no such fee)."""
    parsed: PoolCreate = parse_request(PoolCreate, settings_data(v))
    return parsed


def _preview_pool(actor: Actor, pool_id: int | None, request: PoolCreate) -> Previewed:
    # The pool service's own checks (a negative minimum, a NAV per unit of 0, a fee over 100%
    # are refused there, naming the field), and the settings as it would store them.
    checked = services().pools.check_pool(actor, request)
    return Previewed(pool_summary(checked), unusual_rates(checked))


def pool_summary(request: PoolSettings) -> Any:
    c = request.base_currency
    rows: list[tuple[str, str]] = [
        ("Name", request.name),
        ("Kind", request.kind.value.replace("_", "-")),
        ("Currency", c),
        ("Inception", request.inception_date.isoformat()),
        ("Launch NAV per unit", number(request.initial_nav_per_unit, 6)),
        ("Minimum subscription", money(request.minimum_subscription, c)),
    ]
    for name in ("management_fee", "performance_fee", "waterfall"):
        terms = getattr(request, name)
        if terms is not None:
            rows.append((SETTING_LABELS[name], terms_text(terms)))
    return html.Div(
        [
            html.H3("The pool to create", className="h6"),
            effect_table(("Setting", "Value"), rows, "effect-pool"),
        ]
    )


def _post_pool(actor: Actor, pool_id: int | None, request: PoolCreate, key: str) -> Any:
    pool = services().pools.create_pool(actor, request)
    link = dcc.Link(f"Open {pool.name}", href=f"/manager/pools/{pool.id}", id="new-pool-link")
    return posted(f"Pool {pool.name} (#{pool.id}) created.", link)


CREATE_POOL = Action("create_pool", pool_create_request, _preview_pool, _post_pool, TERM_FIELDS)
