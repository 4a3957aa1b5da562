"""Stripe's test cards and bank accounts, and what each one does when charged.

Only what Stripe returns is kept: brand, last4, expiry, country and a fingerprint for a card;
bank name, last4, country and a fingerprint for a bank account. A full card number is refused
outright (Stripe refuses raw numbers too, unless an account is specially enabled), and a raw
test bank account number or IBAN is reduced to its last four digits before anything is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Literal

from backend.payments.sandbox.wire import ApiError, Obj, hash_param, text

Outcome = Literal["succeed", "decline", "fail", "dispute"]
"""succeed: a card is paid at once, a bank debit settles; decline: a card is refused;
fail: a bank debit is returned while processing; dispute: a bank debit settles, then is disputed."""

BANK_TYPES = ("us_bank_account", "sepa_debit")


@dataclass(frozen=True)
class Instrument:
    type: str
    details: Obj
    outcome: Outcome = "succeed"
    code: str | None = None  # the decline_code of a refused card, the failure_code of a returned debit
    message: str = field(default="")

    @property
    def is_bank(self) -> bool:
        return self.type in BANK_TYPES


# Per process, so a number's fingerprint is stable here yet cannot be looked up elsewhere.
_FINGERPRINT_KEY = secrets.token_bytes(16)


def _fingerprint(kind: str, value: str) -> str:
    return hmac.new(_FINGERPRINT_KEY, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:16]


def _card(brand: str, last4: str, outcome: Outcome = "succeed", code: str | None = None,
          message: str = "") -> Instrument:
    details = {"brand": brand, "last4": last4, "exp_month": 12, "exp_year": 2034, "country": "US",
               "fingerprint": _fingerprint("card", brand + last4)}
    return Instrument("card", details, outcome, code, message)


def _bank(type_: str, bank: str, last4: str, country: str, *, outcome: Outcome = "succeed",
          code: str | None = None) -> Instrument:
    details = {"bank_name": bank, "last4": last4, "country": country,
               "fingerprint": _fingerprint(type_, country + last4)}
    message = "The customer's bank returned the debit." if outcome == "fail" else ""
    return Instrument(type_, details, outcome, code, message)


_DECLINED = "Your card was declined."
_VISA = _card("visa", "4242")
_MASTERCARD = _card("mastercard", "4444")
_DECLINE = _card("visa", "0002", "decline", "generic_decline", _DECLINED)
_NO_FUNDS = _card("visa", "9995", "decline", "insufficient_funds", "Your card has insufficient funds.")

CARD_TOKENS: dict[str, Instrument] = {
    "tok_visa": _VISA,
    "tok_mastercard": _MASTERCARD,
    "tok_chargeDeclined": _DECLINE,
    "tok_insufficientFunds": _NO_FUNDS,
    "tok_chargeDeclinedInsufficientFunds": _NO_FUNDS,
    "tok_chargeDeclinedExpiredCard": _card("visa", "0069", "decline", "expired_card",
                                           "Your card has expired."),
}

_US_BANK = "STRIPE TEST BANK"
_EU_BANK = "STRIPE TEST BANK (EU)"
WELL_KNOWN_PAYMENT_METHODS: dict[str, Instrument] = {
    "pm_card_visa": _VISA,
    "pm_card_mastercard": _MASTERCARD,
    "pm_card_chargeDeclined": _DECLINE,
    "pm_card_chargeDeclinedInsufficientFunds": _NO_FUNDS,
    "pm_usBankAccount_success": _bank("us_bank_account", _US_BANK, "6789", "US"),
    "pm_usBankAccount_failure": _bank("us_bank_account", _US_BANK, "1113", "US", outcome="fail",
                                      code="account_closed"),
    "pm_sepaDebit_success": _bank("sepa_debit", _EU_BANK, "3000", "DE"),
    "pm_sepaDebit_failure": _bank("sepa_debit", _EU_BANK, "3001", "DE", outcome="fail",
                                  code="insufficient_funds"),
    "pm_sepaDebit_dispute": _bank("sepa_debit", _EU_BANK, "3002", "DE", outcome="dispute"),
}

# Raw test account numbers behave by their last four digits; any other number settles.
_BANK_BEHAVIOUR: dict[str, tuple[Outcome, str | None]] = {
    "1113": ("fail", "account_closed"),
    "1116": ("fail", "no_account"),
    "2227": ("fail", "insufficient_funds"),
    "3335": ("fail", "debit_not_authorized"),
    "3001": ("fail", "insufficient_funds"),
    "3002": ("dispute", None),
}

BANK_TOKENS: dict[str, Obj] = {
    "btok_us_verified": {"bank_name": _US_BANK, "last4": "6789", "country": "US", "currency": "usd"},
    "btok_us": {"bank_name": _US_BANK, "last4": "6789", "country": "US", "currency": "usd"},
    "btok_de": {"bank_name": _EU_BANK, "last4": "3000", "country": "DE", "currency": "eur"},
    "btok_gb": {"bank_name": "STRIPE TEST BANK (UK)", "last4": "2345", "country": "GB", "currency": "gbp"},
}

def from_params(type_: str, params: Obj) -> Instrument:
    """The instrument a `POST /v1/payment_methods` describes, keeping nothing Stripe would not return."""
    if type_ == "card":
        card = hash_param(params, "card")
        if "number" in card:
            # Never repeat the number, not even in the error.
            raise ApiError.invalid(
                "Sending credit card numbers directly to the Stripe API is generally unsafe. "
                "Use a test token such as tok_visa instead.",
                param="card[number]", code="card_number_not_allowed")
        token = text(card, "token")
        if token is None or token not in CARD_TOKENS:
            raise ApiError.invalid(f"No such token: '{token or ''}'", param="card[token]",
                                   code="token_invalid")
        return CARD_TOKENS[token]
    if type_ == "us_bank_account":
        account = hash_param(params, "us_bank_account")
        number = text(account, "account_number") or ""
        if not number.isdigit() or not text(account, "routing_number"):
            raise ApiError.invalid("Provide us_bank_account[account_number] and [routing_number].",
                                   param="us_bank_account")
        return _raw_bank(type_, _US_BANK, number, "US")
    if type_ == "sepa_debit":
        iban = (text(hash_param(params, "sepa_debit"), "iban") or "").replace(" ", "").upper()
        if len(iban) < 15 or not iban[:2].isalpha() or not iban[2:].isalnum():
            raise ApiError.invalid("Invalid IBAN.", param="sepa_debit[iban]",
                                   code="invalid_bank_account_iban")
        return _raw_bank(type_, _EU_BANK, iban, iban[:2])
    raise ApiError.invalid(f"Invalid type: must be one of card, {', '.join(BANK_TYPES)}", param="type")


def _raw_bank(type_: str, bank: str, number: str, country: str) -> Instrument:
    outcome, code = _BANK_BEHAVIOUR.get(number[-4:], ("succeed", None))
    instrument = _bank(type_, bank, number[-4:], country, outcome=outcome, code=code)
    # The fingerprint tells two accounts apart by the whole number, keyed so it reveals nothing.
    return Instrument(instrument.type, {**instrument.details, "fingerprint": _fingerprint(type_, number)},
                      instrument.outcome, instrument.code, instrument.message)


def external_account(value: str | Obj) -> Obj:
    """A connected account's bank account from a `btok_...` token or raw details: last4 only is kept."""
    if isinstance(value, str):
        if value not in BANK_TOKENS:
            raise ApiError.invalid(f"No such token: '{value}'", param="external_account",
                                   code="token_invalid")
        return dict(BANK_TOKENS[value])
    number = text(value, "account_number") or ""
    if len(number) < 4:
        raise ApiError.invalid("Invalid account number.", param="external_account[account_number]")
    country = (text(value, "country") or "US").upper()
    return {"bank_name": _US_BANK if country == "US" else _EU_BANK, "last4": number[-4:], "country": country,
            "currency": (text(value, "currency") or ("usd" if country == "US" else "eur")).lower()}
