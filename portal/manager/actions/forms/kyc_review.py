"""The KYC review form on the pools page: approve or reject an investor whose KYC is pending;
only approved investors may subscribe or commit.
"""

from __future__ import annotations

from backend.investors.interface import KycStatus
from backend.platform.actors import Actor
from portal.components.forms import Field, FormSpec
from portal.manager.actions.picker import first_investors, investor_field


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
