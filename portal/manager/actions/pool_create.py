"""Create a pool: its kind, currency, launch price and fee terms, shown back before it is made."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dash import dcc, html

from backend.platform.actors import Actor
from backend.pools.interface import PoolCreate, PoolSettings
from portal.context import services
from portal.formatting import money, number
from portal.manager.actions.action import Action, Previewed
from portal.manager.actions.class_terms import class_errors, class_text, parse_classes
from portal.manager.actions.effects import effect_table, posted
from portal.manager.actions.parsing import parse_request
from portal.manager.actions.pool_terms import (
    SETTING_LABELS,
    TERM_FIELDS,
    settings_data,
    terms_text,
    unusual_rates,
)


@dataclass(frozen=True)
class NewPool:
    request: PoolCreate
    class_rows: tuple[int, ...] = ()
    """The form row each share class came from, for the service's refusals."""


def pool_create_request(v: Mapping[str, Any]) -> PoolCreate:
    """The create-pool form as the pool service's PoolCreate (empty fee fields: no such fee)."""
    return _parse_pool(v).request


def _parse_pool(v: Mapping[str, Any]) -> NewPool:
    parsed: PoolCreate = parse_request(PoolCreate, settings_data(v))
    classes = parse_classes(v, ())
    if classes is None:
        return NewPool(parsed)
    return NewPool(parsed.model_copy(update={"share_classes": classes.classes}), classes.rows)


def _preview_pool(actor: Actor, pool_id: int | None, new: NewPool) -> Previewed:
    # The pool service's own checks (a negative minimum, a NAV per unit of 0, a fee over 100%
    # are refused there, naming the field), and the settings as it would store them.
    with class_errors(new.request.share_classes, new.class_rows):
        checked = services().pools.check_pool(actor, new.request)
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
    rows += [(f"Share class {k.class_id}", class_text(k, c)) for k in request.share_classes]
    return html.Div(
        [
            html.H3("The pool to create", className="h6"),
            effect_table(("Setting", "Value"), rows, "effect-pool"),
        ]
    )


def _post_pool(actor: Actor, pool_id: int | None, new: NewPool, key: str) -> Any:
    with class_errors(new.request.share_classes, new.class_rows):
        pool = services().pools.create_pool(actor, new.request)
    link = dcc.Link(f"Open {pool.name}", href=f"/manager/pools/{pool.id}", id="new-pool-link")
    return posted(f"Pool {pool.name} (#{pool.id}) created.", link)


CREATE_POOL = Action("create_pool", _parse_pool, _preview_pool, _post_pool, TERM_FIELDS)
