"""Close a pool to new money or start its liquidation: one way only, never back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dash import html

from backend.platform.actors import Actor
from backend.pools.interface import PoolStatus
from portal.context import services
from portal.manager.actions.action import Action
from portal.manager.actions.effects import effect_table, posted
from portal.manager.actions.parsing import FormError, require_pool

# What each status change means, as the pool service's lifecycle has it (see PoolStatus).
TRANSITIONS: dict[str, tuple[str, PoolStatus, str]] = {
    "close": (
        "Close to new money",
        PoolStatus.CLOSED,
        "No new investors, subscriptions or commitments; existing positions run on "
        "(valuations, fees, capital calls, distributions, redemptions).",
    ),
    "liquidate": (
        "Start liquidation",
        PoolStatus.LIQUIDATING,
        "Assets are being realised: only distributions and redemptions remain.",
    ),
}
TRANSITIONS_FROM: dict[PoolStatus, tuple[str, ...]] = {
    PoolStatus.OPEN: ("close", "liquidate"),
    PoolStatus.CLOSED: ("liquidate",),
}


@dataclass(frozen=True)
class StatusChange:
    transition: str


def _parse_status(v: Mapping[str, Any]) -> StatusChange:
    transition = str(v.get("status") or "")
    if transition not in TRANSITIONS:
        raise FormError({"status": "Pick a change."})
    return StatusChange(transition)


def _preview_status(actor: Actor, pool_id: int | None, change: StatusChange) -> Any:
    pool = services().pools.require_manage(actor, require_pool(pool_id))
    label, target, meaning = TRANSITIONS[change.transition]
    if change.transition not in TRANSITIONS_FROM.get(pool.status, ()):
        raise FormError({"status": f"The pool is {pool.status.value}: it cannot move to {target.value}."})
    rows = [
        ("Pool", pool.name),
        ("Status now", pool.status.value),
        ("Status after", target.value),
        ("What it means", meaning),
    ]
    return html.Div(
        [
            html.H3(label, className="h6"),
            effect_table(("", ""), rows, "effect-status"),
            html.P("There is no way back to an earlier status.", className="small text-danger-emphasis mb-0"),
        ]
    )


def _post_status(actor: Actor, pool_id: int | None, change: StatusChange, key: str) -> Any:
    pid = require_pool(pool_id)
    pools = services().pools
    out = pools.close_pool(actor, pid) if change.transition == "close" else pools.liquidate_pool(actor, pid)
    return posted(f"{out.name} is now {out.status.value}.")


POOL_STATUS = Action("pool_status", _parse_status, _preview_status, _post_status)
