"""The forms of a pool page's actions, by the pool's kind: a valuation for every pool;
subscriptions and redemptions for an open-ended one; commitments, side letters, capital calls,
subsequent closes and portfolio-company fees for a closed-ended one; distributions (and, with an
American waterfall, the clawback) and reversals for both. Each form's name is the action it
posts (portal/manager/actions/callbacks.py), its fields named as that action's request names
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from backend.investors.interface import KycStatus
from backend.platform.actors import Actor
from portal.components.forms import Field, FormSpec
from portal.manager.actions.clawback import clawback_form, deal_fields
from portal.manager.actions.parsing import YES_NO
from portal.manager.actions.picker import PICKER_LIMIT, first_investors, investor_field
from portal.manager.actions.portfolio_fee import FEE_KINDS


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
