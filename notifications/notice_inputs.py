"""What a formal notice is rendered from: the frozen inputs of the capital call notice, the
distribution notice and the capital account statement, each checked as it is built.

Kept apart from the rendering (notifications/pdf.py) and the page layout
(notifications/pdf_page.py) because these are the figures and their rules, not their
presentation: money arrives as Decimal, a commitment's unfunded remainder adds up, a
distribution's tiers sum to its total, a capital account rolls forward from opening to closing
balance. They are built by the notices, previews and closes before any page is laid out, and a
figure that does not add up is refused here rather than printed. The bases a distribution may
be paid on are here too, with the words the notice says each in, since the input is checked
against them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from notifications.figures import currency_code


def _check_decimals(document: CapitalCallNotice | DistributionNotice | CapitalAccountStatement) -> None:
    """Money arrives as Decimal or not at all: a float here would already have lost cents."""
    for field in fields(document):
        value = getattr(document, field.name)
        if isinstance(value, float):
            raise TypeError(f"{field.name} must be a Decimal, not a float")
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(f"{field.name} must be a finite number, not {value}")


@dataclass(frozen=True)
class BankInstructions:
    """Where to wire a capital call."""

    account_holder: str
    iban: str
    bic: str | None = None
    bank_name: str = ""


@dataclass(frozen=True)
class CapitalCallNotice:
    pool_name: str
    currency: str
    investor_name: str
    call_reference: str
    notice_date: date
    due_date: date
    commitment: Decimal
    called_before: Decimal
    """Called from this investor before this call."""
    amount_due: Decimal
    """This call."""
    unfunded_after: Decimal
    """commitment - called_before - amount_due."""
    payment_reference: str
    bank: BankInstructions | None
    """None: the investor pays in the portal."""
    purpose: str

    def __post_init__(self) -> None:
        _check_decimals(self)
        currency_code(self.currency)
        expected = self.commitment - self.called_before - self.amount_due
        if self.unfunded_after != expected:
            raise ValueError(
                f"unfunded_after {self.unfunded_after} must equal commitment {self.commitment} - "
                f"called_before {self.called_before} - amount_due {self.amount_due} = {expected}"
            )


@dataclass(frozen=True)
class DistributionNotice:
    pool_name: str
    currency: str
    investor_name: str
    notice_date: date
    payment_date: date
    reference: str
    tiers: tuple[tuple[str, Decimal], ...]
    """The investor's share by waterfall tier, in waterfall order."""
    total: Decimal
    withholding: Decimal = Decimal(0)
    basis: str = "waterfall"
    """Why the investor is paid: one of DISTRIBUTION_BASES (the notice says it in words)."""

    def __post_init__(self) -> None:
        _check_decimals(self)
        currency_code(self.currency)
        if self.basis not in DISTRIBUTION_BASES:
            raise ValueError(f"basis must be one of {', '.join(DISTRIBUTION_BASES)}, not {self.basis!r}")
        if not self.tiers:
            raise ValueError("tiers must name at least one waterfall tier")
        for name, amount in self.tiers:
            if not isinstance(amount, Decimal) or not amount.is_finite():
                raise TypeError(f"tier {name!r} must have a finite Decimal amount, not {amount!r}")
        tier_sum = sum((amount for _, amount in self.tiers), Decimal(0))
        if tier_sum != self.total:
            raise ValueError(f"total {self.total} must equal the sum of the tiers {tier_sum}")
        if self.withholding < 0:
            raise ValueError(f"withholding {self.withholding} must not be negative")

    @property
    def net(self) -> Decimal:
        """What reaches the investor: the total less withholding."""
        return self.total - self.withholding


@dataclass(frozen=True)
class CapitalAccountStatement:
    """The quarterly roll-forward of one investor's capital account (ILPA-style)."""

    pool_name: str
    currency: str
    investor_name: str
    period_start: date
    period_end: date
    commitment: Decimal
    opening_balance: Decimal
    contributions: Decimal
    distributions: Decimal
    fees: Decimal
    gains: Decimal
    """Net realised and unrealised profit or loss allocated to the investor (negative: a loss)."""
    closing_balance: Decimal
    unfunded_commitment: Decimal
    units: Decimal | None = None
    """None for a closed-ended pool, which has no units."""
    nav_per_unit: Decimal | None = None
    reference: str = ""
    """Blank: "STATEMENT-<period end>"."""
    movements: tuple[tuple[str, Decimal], ...] = ()
    """The period's movements line by line (ILPA), each signed as it changes the balance; when
    given they are what the statement prints, and they must add up from opening to closing."""

    def __post_init__(self) -> None:
        _check_decimals(self)
        currency_code(self.currency)
        if self.period_end < self.period_start:
            raise ValueError(f"period_end {self.period_end} is before period_start {self.period_start}")
        if self.movements:
            moved = sum((amount for _, amount in self.movements), Decimal(0))
            if self.opening_balance + moved != self.closing_balance:
                raise ValueError(
                    f"the movements ({moved}) do not take opening_balance {self.opening_balance} to "
                    f"closing_balance {self.closing_balance}"
                )
        expected = self.opening_balance + self.contributions - self.distributions - self.fees + self.gains
        if expected != self.closing_balance:
            raise ValueError(
                "the capital account does not roll forward: opening_balance "
                f"{self.opening_balance} + contributions {self.contributions} - distributions "
                f"{self.distributions} - fees {self.fees} + gains {self.gains} = {expected}, "
                f"but closing_balance is {self.closing_balance}"
            )

    @property
    def document_reference(self) -> str:
        return self.reference or f"STATEMENT-{self.period_end.isoformat()}"


DISTRIBUTION_BASES: dict[str, tuple[str, str, str]] = {
    "waterfall": (
        "is making a distribution",
        "It is allocated under the pool's distribution waterfall as follows.",
        "Your share by waterfall tier",
    ),
    "pro_rata": (
        "is making a distribution",
        "It is allocated to the investors pro rata to their holdings.",
        "Your share",
    ),
    "clawback": (
        "is paying out carried interest the manager gave back",
        "The manager took more carried interest deal by deal than the whole fund gives it; "
        "the excess is returned to the investors in proportion to the carry each bore.",
        "Your share of the clawback",
    ),
    "subsequent_close": (
        "has admitted investors at a subsequent close",
        "They paid in their share of the earlier capital calls with equalisation interest; what "
        "you had paid beyond your own share is returned to you with that interest.",
        "Returned to you at the close",
    ),
}
"""Basis: (what the pool is doing, how the share is worked out, the heading of the amounts)."""
