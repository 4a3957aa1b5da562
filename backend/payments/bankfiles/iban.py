"""IBANs and BICs: checked before a payout is sent, masked before anything is kept.

The platform never stores a full account number: parsers pass every counterparty account through
`mask_account`, which keeps the country code and the last four characters and nothing more. Error
messages name the problem, never the number itself, since they end up in logs.
"""

from __future__ import annotations

import re

from schwifty import BIC, IBAN
from schwifty.exceptions import (
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    SchwiftyException,
)

ELLIPSIS = "…"
# Shape only (country, check digits, 11-30 alphanumerics): masking must work on any IBAN a bank
# reports, including one whose country schwifty does not know yet.
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_SEPARATORS = re.compile(r"[\s\-/.]+")


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", text).upper()


def normalise_iban(text: str) -> str:
    """The IBAN in its compact electronic form, or ValueError naming what is wrong with it."""
    compact = re.sub(r"\s+", "", text).upper()
    if not compact:
        raise ValueError("IBAN: empty")
    try:
        return str(IBAN(compact))
    except InvalidCountryCode:
        raise ValueError(f"IBAN: unknown country code {compact[:2]!r}") from None
    except InvalidLength:
        expected = IBAN(compact, allow_invalid=True).spec.iban_length
        raise ValueError(
            f"IBAN: wrong length for {compact[:2]}: {len(compact)} characters, expected {expected}"
        ) from None
    except InvalidChecksumDigits:
        raise ValueError("IBAN: checksum does not match") from None
    except SchwiftyException:
        raise ValueError(f"IBAN: characters or structure not valid for {compact[:2]}") from None


def in_sepa_zone(iban: str) -> bool:
    """Whether a (valid) IBAN's country takes part in SEPA credit transfers."""
    return bool(IBAN(iban).in_sepa_zone)


def validate_bic(text: str) -> str:
    """The BIC (8 or 11 characters, upper case), or ValueError naming what is wrong with it."""
    compact = re.sub(r"\s+", "", text).upper()
    try:
        return str(BIC(compact))
    except InvalidLength:
        raise ValueError(f"BIC: must be 8 or 11 characters, got {len(compact)}") from None
    except InvalidCountryCode:
        raise ValueError(f"BIC: unknown country code {compact[4:6]!r}") from None
    except SchwiftyException:
        raise ValueError("BIC: not of the form BANK CC LL [BRN]") from None


def mask_account(text: str) -> str:
    """"DE…3000" for an IBAN, "…3000" for any other account number: never more than that."""
    compact = _compact(text)
    if _IBAN_SHAPE.fullmatch(compact):
        return f"{compact[:2]}{ELLIPSIS}{compact[-4:]}"
    characters = re.sub(r"[^A-Z0-9]", "", compact)
    if not characters:
        raise ValueError("account: no account number to mask")
    return f"{ELLIPSIS}{characters[-4:]}"
