"""Input errors raised by the ledger maths.

Every error is a ``ValueError`` that names the offending input (``field``) and says what is
wrong with it (``reason``), so an API layer can turn it into a field-level message without
parsing text.
"""

from __future__ import annotations

__all__ = [
    "InvalidValueError",
    "LedgerInputError",
    "MagnitudeError",
    "NotDecimalError",
    "PrecisionError",
    "UnknownCurrencyError",
]


class LedgerInputError(ValueError):
    """Base class: an input to a ledger calculation is not acceptable."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason

    def __reduce__(self) -> tuple[type[LedgerInputError], tuple[str, str]]:
        return (type(self), (self.field, self.reason))


class PrecisionError(LedgerInputError):
    """The value has more decimal places than its scale allows (e.g. 3 dp for USD)."""


class MagnitudeError(LedgerInputError):
    """The value is larger in absolute size than the platform accepts."""


class NotDecimalError(LedgerInputError, TypeError):
    """The value is not a Decimal (or int), e.g. a float, or is NaN / infinite."""


class UnknownCurrencyError(LedgerInputError):
    """The currency code is not in the ISO 4217 table the platform supports."""


class InvalidValueError(LedgerInputError):
    """The value is out of its allowed range or inconsistent with other inputs."""
