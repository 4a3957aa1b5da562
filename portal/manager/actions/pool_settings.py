"""Edit a pool's settings: only what the manager changed is sent, and a clash is refused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from pydantic import ValidationError

from backend.platform.actors import Actor
from backend.pools.interface import PoolOut, PoolSettings, PoolStatus, PoolUpdate
from portal.context import services
from portal.manager.actions.action import Action, Previewed
from portal.manager.actions.class_terms import class_errors, parse_classes
from portal.manager.actions.effects import effect_table, posted
from portal.manager.actions.parsing import FormError, parse_request, require_pool
from portal.manager.actions.pool_terms import (
    FROZEN_ONCE_BOOKED,
    SETTING_LABELS,
    SETTING_NAMES,
    TERM_FIELDS,
    setting_changes,
    settings_data,
    settings_of,
    unusual_rates,
)


@dataclass(frozen=True)
class SettingsEdit:
    """The settings form: what it was opened with and what it says now.

    Only the settings the manager changed in the form are sent, so a setting someone else
    changed meanwhile is never put back; one both changed is refused (`conflicts`)."""

    baseline: PoolSettings
    edited: PoolSettings
    class_rows: tuple[int, ...] = ()
    """The form row each of `edited`'s share classes came from, for the service's refusals."""

    def changes(self, current: PoolSettings) -> list[str]:
        """Settings changed in the form that the pool does not already have."""
        return [
            n
            for n in SETTING_NAMES
            if getattr(self.edited, n) != getattr(self.baseline, n)
            and getattr(self.edited, n) != getattr(current, n)
        ]

    def conflicts(self, current: PoolSettings) -> list[str]:
        """Settings changed here that someone else changed too since the form was opened."""
        return [n for n in self.changes(current) if getattr(current, n) != getattr(self.baseline, n)]

    def update(self, current: PoolSettings) -> PoolUpdate:
        changed = self.changes(current)
        # Present and null removes a set of terms; absent leaves a setting alone.
        update: PoolUpdate = PoolUpdate.model_validate(self.edited.model_dump(include=set(changed)))
        return update


def _parse_settings(v: Mapping[str, Any]) -> SettingsEdit:
    try:
        baseline = PoolSettings.model_validate_json(str(v.get("baseline") or ""))
    except ValidationError:
        raise FormError({"form": "This form is out of date: reload the page and edit again."}) from None
    edited: PoolSettings = parse_request(PoolSettings, settings_data(v))
    # Terms the form does not show (the fee's day count and step-down; the share classes of a
    # form without class rows) stay as they are: an edit of the name must not drop every class.
    classes = parse_classes(v, baseline.share_classes)
    kept: dict[str, Any] = {"share_classes": baseline.share_classes if classes is None else classes.classes}
    if edited.management_fee and baseline.management_fee:
        kept["management_fee"] = edited.management_fee.model_copy(
            update={
                "day_count": baseline.management_fee.day_count,
                "step_down_on": baseline.management_fee.step_down_on,
                "step_down_rate": baseline.management_fee.step_down_rate,
            }
        )
    rows = classes.rows if classes is not None else ()
    return SettingsEdit(baseline, edited.model_copy(update=kept), rows)


def pool_has_history(pool_id: int) -> bool:
    """Whether the pool has a journal entry or a commitment: then its kind, currency and launch
    price are fixed (the pool service's own rule, asked before the manager types)."""
    return services().investors.has_commitments(pool_id) or services().ledger.has_entries(pool_id)


def _settings_to_change(actor: Actor, pool_id: int | None, edit: SettingsEdit) -> tuple[PoolOut, list[str]]:
    pid = require_pool(pool_id)
    pool = services().pools.require_manage(actor, pid)
    if pool.status is PoolStatus.LIQUIDATED:
        raise FormError({"form": f"{pool.name} is liquidated: its settings are final."})
    current = settings_of(pool)
    taken = edit.conflicts(current)
    if taken:
        raise FormError(
            {
                TERM_FIELDS.get(n, n): "changed by someone else since this form was opened; "
                "reload the page to see it and edit again"
                for n in taken
            }
        )
    changed = edit.changes(current)
    frozen = [n for n in changed if n in FROZEN_ONCE_BOOKED]
    if frozen and pool_has_history(pid):
        raise FormError({n: "cannot change once the pool has entries in its books" for n in frozen})
    return pool, changed


def _preview_settings(actor: Actor, pool_id: int | None, edit: SettingsEdit) -> Any:
    pool, changed = _settings_to_change(actor, pool_id, edit)
    if not changed:
        return dbc.Alert(
            "Nothing changes: the form matches the pool's settings.",
            color="info",
            className="mb-0",
            id="effect-settings-none",
        )
    # The pool service's own checks over the settings as they would be, writing nothing.
    with class_errors(edit.edited.share_classes, edit.class_rows):
        after = services().pools.check_update(actor, pool.id, edit.update(settings_of(pool)))
    rows = setting_changes(settings_of(pool), after, changed)
    panel = html.Div(
        [
            html.H3(f"What changes in {pool.name}", className="h6"),
            effect_table(("Setting", "Now", "After"), rows, "effect-settings"),
        ]
    )
    return Previewed(panel, unusual_rates(after, changed))


def _post_settings(actor: Actor, pool_id: int | None, edit: SettingsEdit, key: str) -> Any:
    pool, changed = _settings_to_change(actor, pool_id, edit)
    if not changed:
        return dbc.Alert(
            "Nothing to change: the pool already has these settings.", color="info", className="mb-0"
        )
    with class_errors(edit.edited.share_classes, edit.class_rows):
        out = services().pools.update_pool(actor, pool.id, edit.update(settings_of(pool)))
    names = ", ".join(SETTING_LABELS[n].lower() for n in changed)
    return posted(f"{out.name}: {names} updated.")


POOL_SETTINGS = Action("pool_settings", _parse_settings, _preview_settings, _post_settings, TERM_FIELDS)
