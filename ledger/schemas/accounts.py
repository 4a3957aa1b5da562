"""The pool's chart of accounts and the commodities its amounts are kept in.

Sign convention: a posting's amount is signed, debit positive, credit negative. Assets
(cash, investments, an investor's units held) therefore carry positive balances, and
capital, liabilities and the unit register's contra account (units_outstanding) negative
ones. Every entry sums to exactly zero per commodity.

The account codes, one signed posting line, an account's key within its pool, and the scale
each commodity's amounts are stored and shown at: the words every posting rule and the
journal are built from, so they sit at the bottom of the package.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from backend.finance.money import UNITS_DP, get_currency

UNITS_COMMODITY = "UNITS"
"""The commodity of the unit register: units of an open-ended pool, held to 6 dp."""

AMOUNT_SCALE = 6
"""The scale every amount is stored and hashed at (an integer count of 10^-6): units need
6 dp, cash at most 4 (CLF, UYW). The tables, the hash chain and the bulk writer all use it."""


class AccountCode(enum.StrEnum):
    """The kinds of account a pool's books have. Extend here; the database stores the value.

    Each code knows its commodity (the pool currency, or UNITS for the unit register),
    whether one account exists per investor, and whether its balance may go below zero.
    """

    CASH = "cash"
    INVESTMENTS = "investments"
    CALL_RECEIVABLE = "call_receivable"
    CAPITAL = "capital"
    UNITS = "units"
    UNITS_OUTSTANDING = "units_outstanding"
    FEES_PAYABLE = "fees_payable"
    GP_CARRY = "gp_carry"
    ROUNDING_RESIDUE = "rounding_residue"
    EXTERNAL_CLEARING = "external_clearing"
    INCOME = "income"
    EXPENSE = "expense"
    GAINS = "gains"

    @property
    def per_investor(self) -> bool:
        return self in _PER_INVESTOR

    @property
    def in_units(self) -> bool:
        return self in _IN_UNITS

    def commodity(self, currency: str) -> str:
        return UNITS_COMMODITY if self.in_units else currency

    def may_go_negative(self, cash_may_go_negative: bool) -> bool:
        """Whether a debit-positive balance below zero is allowed.

        Cash follows the pool's own setting (an overdraft facility); an investor can
        never hold fewer than zero units. Everything else is a measurement or a
        credit-normal account whose balance is negative in the normal course.
        """
        if self is AccountCode.CASH:
            return cash_may_go_negative
        return self is not AccountCode.UNITS


# A capital call books a receivable per investor (what each one owes against the call).
_PER_INVESTOR = frozenset({AccountCode.CALL_RECEIVABLE, AccountCode.CAPITAL, AccountCode.UNITS})
_IN_UNITS = frozenset({AccountCode.UNITS, AccountCode.UNITS_OUTSTANDING})


@dataclass(frozen=True, slots=True)
class PostingLine:
    """One signed posting, debit positive and credit negative: what a posting rule produces
    and what the journal checks and writes (one class, so nothing is copied in between)."""

    account: AccountCode
    investor_id: int | None
    amount: Decimal

    @property
    def ref(self) -> tuple[AccountCode, int | None]:
        return (self.account, self.investor_id)


def account_key(code: AccountCode, investor_id: int | None) -> str:
    """The account's name within its pool, e.g. "cash" or "units/7"; stable, used in hashes."""
    return code.value if investor_id is None else f"{code.value}/{investor_id}"


AccountRef = tuple[AccountCode, int | None]


def commodity_places(commodity: str) -> int:
    """The decimal places a commodity is kept to: its currency's minor unit, 6 for units."""
    return UNITS_DP if commodity == UNITS_COMMODITY else get_currency(commodity).exponent


def present(amount: Decimal, commodity: str) -> Decimal:
    """An amount written at its commodity's scale (exact: stored amounts are validated)."""
    return amount.quantize(Decimal(1).scaleb(-commodity_places(commodity)))
