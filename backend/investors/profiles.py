"""An investor profile's fields: what each may hold, how it is written, and how a stored
profile is shown.

A profile records the verified identity behind an investor (legal name, type, country of
ISO 3166-1) and how to reach them. Contact details are optional, and an investor may change
only those on their own profile; the rest is verified identity or KYC, which staff decide.
Only a KYC-approved investor may commit capital or put money into a pool.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from backend.investors.models import Investor
from backend.investors.schemas import InvestorOut, InvestorType, InvestorUpdate, KycStatus
from backend.platform.errors import NotFound, ValidationFailed

# ISO 3166-1 alpha-2, the officially assigned codes (249).
_ISO_3166_ALPHA2_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
"""
ISO_3166_ALPHA2 = frozenset(_ISO_3166_ALPHA2_CODES.split())

# What an investor may change on their own profile; the rest is verified identity or KYC.
SELF_SERVICE_FIELDS = frozenset({"contact_email", "contact_phone"})
_NOT_NULLABLE_UPDATES = frozenset({"legal_name", "investor_type", "country", "kyc_status"})
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{3,30}")


def not_found(investor_id: int) -> NotFound:
    return NotFound(f"investor {investor_id} not found")


def legal_name(value: str) -> str:
    name = value.strip()
    if not name:
        raise ValidationFailed("legal_name: must not be blank", field="legal_name")
    return name


def country(value: str) -> str:
    code = value.strip().upper()
    if code not in ISO_3166_ALPHA2:
        raise ValidationFailed(
            f"country: {value!r} is not an ISO 3166-1 alpha-2 code such as GB or US", field="country"
        )
    return code


def contact_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    email = value.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise ValidationFailed(
            "contact_email: must be an email address like name@example.com", field="contact_email"
        )
    return email


def contact_phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    phone = value.strip()
    if not _PHONE.fullmatch(phone):
        raise ValidationFailed(
            "contact_phone: digits, spaces, ( ) and - only, optionally after a leading +",
            field="contact_phone",
        )
    return phone


def normalised_changes(update: InvestorUpdate) -> dict[str, Any]:
    """The fields the update sets, checked and written as they are stored."""
    changed = update.model_fields_set
    for name in sorted(changed & _NOT_NULLABLE_UPDATES):
        if getattr(update, name) is None:
            raise ValidationFailed(f"{name}: must not be null", field=name)
    normalisers: dict[str, Callable[[Any], Any]] = {
        "legal_name": legal_name,
        "investor_type": lambda value: InvestorType(value).value,
        "country": country,
        "contact_email": contact_email,
        "contact_phone": contact_phone,
        "kyc_status": lambda value: KycStatus(value).value,
    }
    return {
        name: normalise(getattr(update, name)) for name, normalise in normalisers.items() if name in changed
    }


def check_approved(investor: Investor) -> None:
    """ValidationFailed naming `investor_id` unless the investor's KYC is approved."""
    check_status_approved(investor.id, investor.kyc_status)


def check_status_approved(investor_id: int, kyc_status: str) -> None:
    """check_approved from the investor's id and KYC status alone (all a write's gate reads)."""
    if kyc_status != KycStatus.APPROVED.value:
        raise ValidationFailed(
            f"investor_id: investor {investor_id} is not KYC-approved (KYC status {kyc_status})",
            field="investor_id",
        )


def investor_out(investor: Investor) -> InvestorOut:
    return InvestorOut(
        id=investor.id,
        user_id=investor.user_id,
        legal_name=investor.legal_name,
        investor_type=InvestorType(investor.investor_type),
        country=investor.country,
        contact_email=investor.contact_email,
        contact_phone=investor.contact_phone,
        kyc_status=KycStatus(investor.kyc_status),
        kyc_changed_at=investor.kyc_changed_at,
        created_at=investor.created_at,
        updated_at=investor.updated_at,
    )


def without_contact(out: InvestorOut) -> InvestorOut:
    return out.model_copy(update={"contact_email": None, "contact_phone": None})
