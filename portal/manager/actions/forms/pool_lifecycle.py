"""The forms that set a pool up and move it through its life: "Create a pool" (its settings
and first share class), "Edit settings" (prefilled, the terms frozen once entries are booked)
and "Close or liquidate" (the status changes still open to it).
"""

from __future__ import annotations

from datetime import date

from backend.pools.interface import PoolKind, PoolOut, PoolStatus
from portal.components.forms import Field, FormSpec
from portal.manager.actions.class_terms import class_fields
from portal.manager.actions.forms.settings_fields import _new_pool_values, _settings_fields, settings_values
from portal.manager.actions.pool_status import TRANSITIONS, TRANSITIONS_FROM
from portal.manager.actions.pool_terms import FROZEN_ONCE_BOOKED, settings_of


def create_pool_form(today: date) -> FormSpec:
    classes = class_fields([], fixed=False, new_pool=True)
    return FormSpec("create_pool", "Create a pool", [*_settings_fields(_new_pool_values(today)), *classes])


def pool_settings_form(pool: PoolOut, *, has_history: bool) -> FormSpec | None:
    """Edit every setting of the pool, prefilled with what it has now; None once it is
    liquidated (its settings are final)."""
    if pool.status is PoolStatus.LIQUIDATED:
        return None
    settings = settings_of(pool)
    fixed = FROZEN_ONCE_BOOKED if has_history else ()
    baseline = Field("baseline", "", "hidden", default=settings.model_dump_json())
    # A closed-ended pool's investors differ by side letter, never by class.
    open_ended = pool.kind is PoolKind.OPEN_ENDED
    classes = class_fields(pool.share_classes, fixed=has_history) if open_ended else []
    return FormSpec(
        "pool_settings",
        "Edit settings",
        [*_settings_fields(settings_values(settings), fixed=fixed), *classes, baseline],
        intro="Change what you need: the preview lists only the settings that change. New terms "
        "apply to what is booked from now on; entries already in the books do not move.",
    )


def pool_status_form(pool: PoolOut) -> FormSpec | None:
    """Close the pool to new money or start its liquidation; None when neither is left."""
    choices = TRANSITIONS_FROM.get(pool.status, ())
    if not choices:
        return None
    return FormSpec(
        "pool_status",
        "Close or liquidate",
        [
            Field(
                "status",
                "Change the status to",
                "select",
                [(c, TRANSITIONS[c][0]) for c in choices],
                choices[0],
                required=True,
            )
        ],
        intro=f"The pool is {pool.status.value}. Preview to see what the change means before you confirm.",
    )
