"""One reporting currency per user: figures in several pool currencies consolidated into it at
the rate of each figure's own date, with the rates used said beside the total.

The rules are the report service's (reports.fx: the latest ECB reference rate on or before the
figure's date, at most a week old, crossed through the euro, rounded once to the target's minor
unit); this module only gathers the figures a page wants converted, asks for their quotes in
one call and writes down what was used. A missing rate leaves the converted figure None and is
listed as missing: a total that lacks a part says so instead of adding a zero. Performance
(returns, IRR, multiples) stays in each pool's own currency and is never converted here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from backend.platform.actors import Actor
from backend.platform.errors import DomainError
from portal.context import services
from portal.formatting import DASH, money
from reports.interface import FxQuote, FxQuotes, convert

CHOICES = ("EUR", "USD", "GBP", "CHF", "JPY")
"""The currencies a user may report in: those the platform's pools are run in."""


def reporting_currency(actor: Actor) -> str:
    """The signed-in user's reporting currency: their choice, else their role's default."""
    if actor.user_id is None:
        return CHOICES[0]
    try:
        return services().users.get_user(actor, actor.user_id).reporting_currency
    except DomainError:
        return CHOICES[0]


def choose_reporting_currency(actor: Actor, currency: str) -> str:
    """Save the user's choice (the users service checks and audits it); the currency in force."""
    if actor.user_id is None:
        return reporting_currency(actor)
    return services().users.set_reporting_currency(actor, actor.user_id, currency).reporting_currency


@dataclass(frozen=True)
class DatedAmount:
    """An amount in its own currency on its own date, to be shown in the reporting currency."""

    amount: Decimal
    currency: str
    on: date


@dataclass
class Conversion:
    """Quotes for a page's figures into one reporting currency."""

    to_currency: str
    quotes: dict[tuple[str, date], FxQuote] = field(default_factory=dict)

    def of(self, figure: DatedAmount) -> Decimal | None:
        """The figure in the reporting currency; None when its rate is missing."""
        if figure.currency == self.to_currency:
            return figure.amount
        quote = self.quotes.get((figure.currency, figure.on))
        return convert(figure.amount, quote) if quote is not None else None

    def total(self, figures: Iterable[DatedAmount]) -> tuple[Decimal | None, list[DatedAmount]]:
        """The sum in the reporting currency and the figures that could not be converted; the
        sum is None when any part is missing (a partial total would understate the whole)."""
        total, missing = Decimal(0), []
        for figure in figures:
            converted = self.of(figure)
            if converted is None:
                missing.append(figure)
            else:
                total += converted
        return (None if missing else total), missing

    def used(self) -> list[FxQuote]:
        """The quotes actually needed (foreign currencies), by currency then date."""
        return sorted(
            (q for q in self.quotes.values() if q.from_currency != self.to_currency),
            key=lambda q: (q.from_currency, q.on),
        )


def conversion(actor: Actor, figures: Iterable[DatedAmount], to_currency: str) -> Conversion:
    """One call to the report service for every (currency, date) the figures need."""
    wanted = {(f.currency, f.on) for f in figures if f.currency != to_currency}
    out = Conversion(to_currency)
    if not wanted:
        return out
    found: FxQuotes = services().reports.fx_quotes(actor, wanted, to_currency)
    out.quotes = {(q.from_currency, q.on): q for q in found.quotes}
    return out


def converted_text(value: Decimal | None, currency: str) -> str:
    return "rate missing" if value is None else money(value, currency)


def rates_note(conv: Conversion, *, ident: str, latest_only: bool = True) -> Component:
    """Which rates the converted figures used (one line per currency: the latest date's rate
    unless `latest_only` is off), and which were missing; nothing when nothing was converted."""
    used = conv.used()
    if not used:
        return html.Div(id=ident)
    shown: dict[str, FxQuote] = {}
    missing: list[FxQuote] = []
    for quote in used:
        if quote.rate is None:
            missing.append(quote)
        elif latest_only:
            shown[quote.from_currency] = quote  # sorted by date: the last one wins
        else:
            shown[f"{quote.from_currency} {quote.on}"] = quote
    parts: list[Any] = []
    if shown:
        rates = "; ".join(_rate_text(q) for q in shown.values())
        parts.append(f"Converted to {conv.to_currency} at ECB reference rates: {rates}.")
    if missing:
        by_currency: dict[str, list[date]] = {}
        for quote in missing:
            by_currency.setdefault(quote.from_currency, []).append(quote.on)
        gaps = "; ".join(f"{code} on {_dates(days)}" for code, days in by_currency.items())
        parts.append(
            html.Span(f" No rate for {gaps}: those figures are not converted.", className="text-danger")
        )
    return html.Div(parts, className="small text-body-secondary", id=ident)


def _dates(days: list[date]) -> str:
    """The dates a rate is missing on: all of a few, else the latest and how many more."""
    if len(days) <= 3:
        return ", ".join(d.isoformat() for d in days)
    return f"{days[-1].isoformat()} and {len(days) - 1} earlier dates"


def _rate_text(quote: FxQuote) -> str:
    dated = quote.from_rate_date or quote.to_rate_date or quote.on
    return f"1 {quote.from_currency} = {quote.rate:.6f} {quote.to_currency} ({dated.isoformat()})"


def currency_select(ident: str, current: str) -> Component:
    """The reporting-currency chooser shown on the dashboards (saved for the user)."""
    return html.Div(
        [
            dbc.Label("Reporting currency", html_for=ident, className="small fw-semibold mb-1"),
            dbc.Select(
                id=ident,
                options=[{"label": c, "value": c} for c in CHOICES],
                value=current if current in CHOICES else CHOICES[0],
            ),
        ]
    )


def total_line(value: Decimal | None, currency: str, missing: Sequence[DatedAmount]) -> str:
    """A converted total as text: the amount, or why there is none."""
    if value is None:
        return f"{DASH} (rate missing for {', '.join(sorted({f.currency for f in missing}))})"
    return money(value, currency)
