"""The manager's forms: what each action asks for, laid out by portal/components/forms.py.

A pool page offers the forms its pool's kind allows (a valuation for every pool; subscriptions
and redemptions for an open-ended one; commitments and capital calls for a closed-ended one;
distributions and reversals for both), then its settings and status; the pools page offers
"Create a pool" and the KYC review. Each form's name is the action it posts
(portal/manager/actions/callbacks.py), its fields named as that action's request names them.

This package is the forms' one surface: import from it, not from its submodules.

- `pool_actions`: `pool_forms`, the forms of a pool page's actions by the pool's kind
  (valuation, subscription, redemption, commitment, side letter, capital call, subsequent
  close, portfolio-company fee, distribution, clawback, reversal).
- `settings_fields`: a pool's settings as form fields, the defaults a new pool starts from,
  `settings_values` (a pool's settings as those fields' values) and `CURRENCY_CHOICES`.
- `pool_lifecycle`: `create_pool_form`, `pool_settings_form` and `pool_status_form`, the
  forms that create a pool, edit its settings and close or liquidate it.
- `kyc_review`: `kyc_form`, the review of investors whose KYC is pending.
"""

from __future__ import annotations

from portal.manager.actions.forms.kyc_review import kyc_form
from portal.manager.actions.forms.pool_actions import pool_forms
from portal.manager.actions.forms.pool_lifecycle import create_pool_form, pool_settings_form, pool_status_form
from portal.manager.actions.forms.settings_fields import CURRENCY_CHOICES, settings_values

__all__ = [
    "CURRENCY_CHOICES",
    "create_pool_form",
    "kyc_form",
    "pool_forms",
    "pool_settings_form",
    "pool_status_form",
    "settings_values",
]
