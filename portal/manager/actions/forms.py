"""The manager's forms: what each action asks for, laid out by portal/components/forms.py.

A pool page offers the forms its pool's kind allows (a valuation for every pool; subscriptions
and redemptions for an open-ended one; commitments and capital calls for a closed-ended one;
distributions and reversals for both), then its settings and status; the pools page offers
"Create a pool" and the KYC review. Each form's name is the action it posts
(portal/manager/actions/callbacks.py), its fields named as that action's request names them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from backend.finance.daycount import DayCount
from backend.finance.fees import AccrualFrequency
from backend.finance.waterfall import Compounding
from backend.investors.interface import KycStatus
from backend.platform.actors import Actor
from backend.pools.interface import PoolKind, PoolOut, PoolSettings, PoolStatus
from portal.components.forms import Field, FormSpec
from portal.manager.actions.class_terms import class_fields
from portal.manager.actions.clawback import clawback_form, deal_fields
from portal.manager.actions.parsing import YES_NO, percent_of_fraction
from portal.manager.actions.picker import PICKER_LIMIT, first_investors, investor_field
from portal.manager.actions.pool_status import TRANSITIONS, TRANSITIONS_FROM
from portal.manager.actions.pool_terms import FROZEN_ONCE_BOOKED, PERCENT_FIELDS, SETTING_LABELS, settings_of
from portal.manager.actions.portfolio_fee import FEE_KINDS

CURRENCY_CHOICES = ("USD", "EUR", "GBP", "CHF", "JPY")


def pool_forms(
    actor: Actor,
    kind: str,
    today: date,
    holders: Sequence[tuple[str, str]] | None = None,
    deals: Sequence[str] | None = None,
) -> list[FormSpec]:
    """The forms for one pool, by its kind. `holders` (value, label) are the investors who hold
    units in the pool: the only ones a redemption can name (its picker starts with the first
    PICKER_LIMIT of them and searches the rest). `deals`: the named investments of a pool with
    an American waterfall (None for any other), which its distributions name."""
    approved = first_investors(actor, KycStatus.APPROVED)
    held = list(holders or [])[:PICKER_LIMIT]
    day = today.isoformat()
    memo = Field("memo", "Memo", "text")
    specs = [
        FormSpec(
            "valuation",
            "Record a valuation",
            [
                Field("as_of", "As of", "date", default=day, required=True),
                Field(
                    "net_asset_value",
                    "Net asset value",
                    "number",
                    required=True,
                    help="The pool's NAV on that date.",
                ),
                memo,
            ],
        )
    ]
    if kind == "open_ended":
        specs += [
            FormSpec(
                "subscription",
                "Subscription",
                [
                    investor_field(approved, "KYC-approved investors."),
                    Field("amount", "Amount", "number", required=True),
                    Field("effective_date", "Dealing date", "date", default=day, required=True),
                    memo,
                ],
            ),
            FormSpec(
                "redemption",
                "Redemption",
                [
                    investor_field(held, "Investors holding units in this pool."),
                    Field("units", "Units", "number", required=True),
                    Field("effective_date", "Dealing date", "date", default=day, required=True),
                    memo,
                ],
            ),
        ]
    else:
        specs += [
            FormSpec(
                "commitment",
                "Add a commitment",
                [
                    investor_field(approved, "KYC-approved investors."),
                    Field("amount", "Amount committed", "number", required=True),
                    Field("effective_date", "Effective date", "date", default=day),
                ],
            ),
            FormSpec(
                "side_letter",
                "Side letter",
                [
                    investor_field(approved, "An investor committed to this pool."),
                    Field("reference", "Reference", "text", required=True, help="Where it is agreed."),
                    Field(
                        "management_fee_rate",
                        "Own management fee (% a year)",
                        "number",
                        help="Empty: the pool's rate.",
                    ),
                    Field("management_fee_waiver", "Fee waived (%)", "number", help="100 waives it all."),
                    Field(
                        "carried_interest_rate",
                        "Own carried interest (%)",
                        "number",
                        help="Empty: the pool's; never above it.",
                    ),
                    Field(
                        "gp_commitment",
                        "The GP's own commitment",
                        "select",
                        YES_NO,
                        default="false",
                        help="Bears no management fee and no carried interest.",
                    ),
                    Field(
                        "management_fee_holiday_until",
                        "Fee holiday to (included)",
                        "date",
                        help="Empty: none. No management fee for the investor's days up to this date.",
                    ),
                ],
                intro="Replaces the investor's letter, if any. Shown to the investor.",
            ),
            FormSpec(
                "capital_call",
                "Capital call",
                [
                    Field("amount", "Amount", "number", help="Either an amount..."),
                    Field(
                        "percent_of_commitment",
                        "Share of commitment (%)",
                        "number",
                        help="...or a share of each commitment in percent: e.g. 25.",
                    ),
                    Field("due_date", "Due date", "date", required=True),
                    Field("effective_date", "Issue date", "date", default=day),
                    memo,
                ],
            ),
            FormSpec(
                "subsequent_close",
                "Subsequent close",
                [
                    Field("closing_date", "Closing date", "date", default=day, required=True),
                    Field(
                        "payment_date",
                        "Payment date",
                        "date",
                        help="When they pay; defaults to the closing date.",
                    ),
                    memo,
                ],
                intro="Admits every investor committed since capital was called: each pays its share of "
                "the earlier calls and equalisation interest; the investors already in get back what "
                "they overpaid and the interest.",
            ),
            FormSpec(
                "portfolio_company_fee",
                "Fee from a portfolio company",
                [
                    Field("fee_kind", "Kind", "select", FEE_KINDS, default="transaction", required=True),
                    Field("amount", "Amount received", "number", required=True),
                    Field("investment", "Portfolio company", "text", help="As the investment is named."),
                    Field("effective_date", "Received on", "date", default=day, required=True),
                    memo,
                ],
                intro="A fee paid to the manager, not to the pool: the terms' offset share of it "
                "reduces the management fees after it.",
            ),
        ]
    modes = (
        [("waterfall", "Waterfall"), ("pro_rata", "Pro rata")]
        if kind == "closed_ended"
        else [("pro_rata", "Pro rata")]
    )
    specs += [
        FormSpec(
            "distribution",
            "Distribution (what-if)",
            [
                Field("amount", "Amount", "number", required=True),
                Field("mode", "Mode", "select", modes, default=modes[0][0], required=True),
                *(deal_fields(list(deals)) if deals is not None else []),
                Field("effective_date", "Date", "date", default=day, required=True),
                *(
                    [
                        Field(
                            "recallable",
                            "Recallable",
                            "select",
                            YES_NO,
                            default="false",
                            help="The capital it returns may be called again, if the terms allow.",
                        ),
                        Field(
                            "deemed_contribution",
                            "Pay calls owed first",
                            "select",
                            YES_NO,
                            default="false",
                            help="Each investor's share first pays what it owes on calls (terms permitting).",
                        ),
                    ]
                    if kind == "closed_ended"
                    else []
                ),
                memo,
            ],
            intro="Preview shows the split; change the amount and preview again to compare.",
        ),
        *([clawback_form(day)] if deals is not None else []),
        FormSpec(
            "reversal",
            "Reverse an entry",
            [
                Field(
                    "entry_id",
                    "Entry id",
                    "number",
                    required=True,
                    step="1",
                    help="From the transactions table.",
                ),
                Field("memo", "Reason", "text", required=True),
                Field("effective_date", "Reversal date", "date", help="Defaults to the original's date."),
            ],
        ),
    ]
    return specs


def _settings_fields(values: Mapping[str, Any], *, fixed: Collection[str] = ()) -> list[Field]:
    """Every setting of a pool as form fields, filled from `values` (form field name -> value);
    the settings named in `fixed` are shown but cannot be changed."""

    def field(name: str, kind: str = "text", options: Sequence[tuple[str, str]] = (), **extra: Any) -> Field:
        if name in fixed:
            extra["disabled"] = True
            extra["help"] = "Fixed: the pool has entries in its books."
        label = SETTING_LABELS[name]
        if name in PERCENT_FIELDS:
            label = f"{label} ({PERCENT_FIELDS[name]})"
        return Field(name, label, kind, options, values.get(name), **extra)

    currency = str(values.get("base_currency") or "USD")
    currencies = CURRENCY_CHOICES if currency in CURRENCY_CHOICES else (*CURRENCY_CHOICES, currency)
    return [
        field("name", required=True),
        field(
            "kind", "select", [("open_ended", "Open-ended"), ("closed_ended", "Closed-ended")], required=True
        ),
        field("base_currency", "select", [(c, c) for c in currencies], required=True),
        field("inception_date", "date", required=True),
        field("initial_nav_per_unit", "number", help="Open-ended."),
        field("minimum_subscription", "number"),
        field("management_fee.rate", "number", help="In percent: 2 is 2% a year. Empty: none."),
        field(
            "management_fee.basis",
            "select",
            [("nav", "NAV"), ("committed", "Committed"), ("invested", "Invested")],
        ),
        field("management_fee.frequency", "select", [(f.value, f.value) for f in AccrualFrequency]),
        field(
            "management_fee.timing",
            "select",
            [
                ("in_arrears", "In arrears: at each period's end"),
                ("in_advance", "In advance: at each period's start"),
            ],
        ),
        field(
            "management_fee.nav_point",
            "select",
            [
                ("", "The default: the ending NAV (the beginning in advance)"),
                ("ending", "Ending NAV: the valuation's"),
                ("beginning", "Beginning NAV: at the close before the period"),
                ("average", "Average of the beginning and ending NAV"),
            ],
            help="A fee on NAV accrued at each valuation.",
        ),
        field(
            "management_fee.offset_rate",
            "number",
            help="Closed-ended: the share of transaction, monitoring, director and break-up fees "
            "the manager receives that reduces the fee (ILPA: 100). Empty: none.",
        ),
        field("performance_fee.rate", "number", help="Open-ended, in percent: e.g. 20. Empty: none."),
        field("performance_fee.high_water_mark", "select", YES_NO),
        field("performance_fee.hurdle_rate", "number"),
        field(
            "performance_fee.hurdle",
            "select",
            [("hard", "Hard: on the gain above it"), ("soft", "Soft: on the whole gain once cleared")],
        ),
        field(
            "performance_fee.catch_up_rate",
            "number",
            help="Soft hurdle: e.g. 100 for a full catch-up. Empty: none.",
        ),
        field(
            "performance_fee.gain_basis",
            "select",
            [
                ("net_of_management_fee", "Net of the management fee"),
                ("gross_of_management_fee", "Gross of the management fee"),
            ],
        ),
        field(
            "performance_fee.crystallisation",
            "select",
            [
                ("", "Whenever charged"),
                ("monthly", "Monthly"),
                ("quarterly", "Quarterly"),
                ("annually", "Annually"),
            ],
        ),
        field("waterfall.preferred_return_rate", "number", help="Closed-ended, in percent: e.g. 8."),
        field("waterfall.catch_up_rate", "number"),
        field("waterfall.carried_interest_rate", "number"),
        field("waterfall.compounding", "select", [(c.value, c.value) for c in Compounding]),
        field(
            "waterfall.day_count",
            "select",
            [(d.value, d.value) for d in DayCount],
            help="How the preferred return counts time; ACT/365F is what most agreements say.",
        ),
        field(
            "waterfall.equalisation_interest_rate",
            "number",
            help="Subsequent closes: what later investors pay the earlier ones on each earlier call.",
        ),
        field(
            "waterfall.style",
            "select",
            [
                ("european", "European: whole fund"),
                ("american", "American: deal by deal, with a clawback"),
            ],
        ),
        field(
            "waterfall.clawback_tax_offset",
            "select",
            [
                ("none", "None"),
                ("net_of_tax", "Excess less the tax on the carry"),
                ("capped_at_after_tax_carry", "At most the carry after tax"),
            ],
            help="American: how the GP's tax on its carry reduces what it gives back.",
        ),
        field("waterfall.clawback_tax_rate", "number", help="American: e.g. 30. Empty: none."),
        field(
            "waterfall.interim_clawback",
            "select",
            YES_NO,
            help="American: the clawback may be tested before the end of the fund.",
        ),
    ]


def _new_pool_values(today: date) -> dict[str, Any]:
    return {
        "kind": "open_ended",
        "base_currency": "USD",
        "inception_date": today.isoformat(),
        "initial_nav_per_unit": "1.000000",
        "minimum_subscription": "0",
        "management_fee.basis": "nav",
        "management_fee.frequency": "quarterly",
        "management_fee.timing": "in_arrears",
        "management_fee.nav_point": "",
        "performance_fee.high_water_mark": "true",
        "performance_fee.hurdle_rate": "0",
        "performance_fee.hurdle": "hard",
        "performance_fee.crystallisation": "",
        "performance_fee.gain_basis": "net_of_management_fee",
        # Rates as the form takes them, in percent.
        "waterfall.preferred_return_rate": "8",
        "waterfall.catch_up_rate": "100",
        "waterfall.carried_interest_rate": "20",
        "waterfall.compounding": "annual",
        "waterfall.day_count": DayCount.ACT_365F.value,
        "waterfall.style": "european",
        "waterfall.clawback_tax_offset": "none",
        "waterfall.interim_clawback": "false",
    }


def _form_value(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")  # as written: no exponent, so <input type=number> takes it
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "value", value))


def settings_values(settings: PoolSettings) -> dict[str, Any]:
    """A pool's settings as the settings form's values; terms it has not got show the defaults
    a new pool starts from, so adding them is a matter of filling in a rate."""
    values = _new_pool_values(date.today())
    values.update(
        {
            "name": settings.name,
            "kind": settings.kind.value,
            "base_currency": settings.base_currency,
            "inception_date": settings.inception_date.isoformat(),
            "initial_nav_per_unit": format(settings.initial_nav_per_unit, "f"),
            "minimum_subscription": format(settings.minimum_subscription, "f"),
            "management_fee.basis": "nav" if settings.kind is PoolKind.OPEN_ENDED else "committed",
        }
    )
    for name in ("management_fee", "performance_fee", "waterfall"):
        terms = getattr(settings, name)
        for key, value in (terms.model_dump() if terms is not None else {}).items():
            if value is None:  # a term not given (no offset, no step-down): the field stays empty
                continue
            shown = f"{name}.{key}"
            percent = shown in PERCENT_FIELDS and isinstance(value, Decimal)
            values[shown] = percent_of_fraction(value) if percent else _form_value(value)
    return values


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


def kyc_form(actor: Actor) -> FormSpec:
    pending = first_investors(actor, KycStatus.PENDING)
    return FormSpec(
        "kyc",
        "KYC review",
        [
            investor_field(pending, "Investors whose KYC is pending.", "Investor awaiting review"),
            Field(
                "kyc_status",
                "Decision",
                "select",
                [("approved", "Approve"), ("rejected", "Reject")],
                "approved",
                required=True,
            ),
        ],
        intro="Only approved investors may subscribe or commit."
        if pending
        else "No investor is awaiting review.",
    )
