"""Template previews: every email and every PDF notice rendered with sample figures, so an
administrator sees what investors receive without sending anything or opening anyone's file.

The samples are one investor's story in one pool (Ana Example in Harbour Private Equity I):
a commitment of EUR 100,000.00 of which 20,000.00 was called before and 10,000.00 is called
now, a distribution paid through the waterfall, a quarter's statement that rolls forward, and
the payment and bank-account news around them. Titles and bodies are worded as their real
senders word them (notifications/consumer.py `_texts` for the ledger's events; the payment
service's notices, reminders and payout-account changes for the rest), so a template change
that reads badly with real text reads badly here too.

Pure functions over constants: no database, no clock, no person's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from backend.finance.payment_references import request_reference
from notifications.pdf import (
    BankInstructions,
    CapitalAccountStatement,
    CapitalCallNotice,
    DistributionNotice,
    render_capital_call,
    render_distribution,
    render_statement,
)
from notifications.rendering import RenderedEmail, render_email
from notifications.schemas import FORMAL_NOTICES, DocumentKind, NotificationKind

__all__ = [
    "DOCUMENT_SAMPLES",
    "EMAIL_SAMPLES",
    "PORTAL",
    "SAMPLES",
    "Document",
    "EmailSample",
    "preview_document",
    "preview_email",
]

PORTAL: Final = "https://portal.example.com"
"""The links' portal: a reserved domain (RFC 2606), so a preview's link leads nowhere real."""

POOL: Final = "Harbour Private Equity I"
INVESTOR: Final = "Ana Example"
CURRENCY: Final = "EUR"
_CALL_ENTRY, _DISTRIBUTION_ENTRY, _INVESTOR_ID = 1204, 1311, 17
PAYMENT_REFERENCE: Final = request_reference(_CALL_ENTRY, _INVESTOR_ID)
"""The call's payment reference as the payment service makes it (an RF creditor reference)."""
IBAN: Final = "DE89 3704 0044 0532 0130 00"
MASKED_IBAN: Final = "DE…3000"
"""As the payment service masks an account in a notice (never more than country and last 4)."""

Document = CapitalCallNotice | DistributionNotice | CapitalAccountStatement


@dataclass(frozen=True)
class EmailSample:
    """What a sender puts in a notification: its title (the subject) and body, and the portal
    page it links to."""

    title: str
    body: str
    link: str


EMAIL_SAMPLES: Final[Mapping[NotificationKind, EmailSample]] = MappingProxyType(
    {
        # Investors' wording (the one with their share), not the managers'.
        NotificationKind.CAPITAL_CALL: EmailSample(
            f"Capital call issued: {POOL}", "Your share: EUR 10,000.00, due 2026-12-18.", "/documents"
        ),
        NotificationKind.DISTRIBUTION: EmailSample(
            f"Distribution paid: {POOL}", "You receive EUR 4,500.00.", "/documents"
        ),
        NotificationKind.VALUATION: EmailSample(
            f"Valuation published: {POOL}",
            "Net asset value EUR 48,200,000.00; your account changed by EUR 1,850.00.",
            "/investor",
        ),
        NotificationKind.PAYMENT_REMINDER: EmailSample(
            f"{POOL}: EUR 10,000.00 is due on 2026-12-18",
            f"Quote reference {PAYMENT_REFERENCE} on a wire, or pay now with a saved method.",
            "/investor/payments",
        ),
        NotificationKind.PAYMENT_RECEIVED: EmailSample(
            f"{POOL}: payment of EUR 10,000.00 received",
            f"Applied to {PAYMENT_REFERENCE}.",
            "/investor/payments",
        ),
        NotificationKind.PAYMENT_FAILED: EmailSample(
            f"{POOL}: payment of EUR 10,000.00 did not go through",
            f"Your card was declined. {PAYMENT_REFERENCE} is still owed: pay another way or by wire.",
            "/investor/payments",
        ),
        NotificationKind.PAYMENT_REFUNDED: EmailSample(
            f"{POOL}: payment of EUR 10,000.00 refunded",
            f"Refunded at your request; {PAYMENT_REFERENCE} is owed again for what was refunded of it.",
            "/investor/payments",
        ),
        NotificationKind.BANK_DETAILS: EmailSample(
            f"A change of your bank account for payouts to {MASKED_IBAN} was requested",
            "It is used only once an administrator has confirmed it with you by telephone. "
            "If you did not ask for it, contact the fund's administrator now.",
            "/investor/payments",
        ),
        NotificationKind.UNDELIVERABLE: EmailSample(
            "A capital call notice could not be delivered",
            "By email to ana@example.com: refused: 550 no such mailbox. Reach them another way and "
            "correct their contact details.",
            "/manager/pools/3",
        ),
        NotificationKind.STATEMENT: EmailSample(
            f"{POOL}: capital account statement 2026-Q4",
            "Closing balance EUR 26,250.00 at 31 December 2026.",
            "/documents",
        ),
        NotificationKind.REDEMPTION_SETTLED: EmailSample(
            f"{POOL}: redemption proceeds of EUR 25,000.00 paid",
            f"Paid to your account {MASKED_IBAN} on 2026-12-04.",
            "/investor/payments",
        ),
        NotificationKind.KYC_STATUS: EmailSample(
            "Your KYC review: approved",
            "Your identity and source of funds have been verified; you may now invest.",
            "/investor",
        ),
        NotificationKind.NEW_DEVICE: EmailSample(
            "Sign-in from a new device",
            "Firefox on Windows, from 203.0.113.7, at 2026-12-04 09:12 UTC.",
            "/notifications",
        ),
        NotificationKind.CONTACT_DETAILS: EmailSample(
            "Your contact details were changed",
            "Email a…e@example.com is now an…w@example.com. Sent to the address you had before and "
            "the one you have now.",
            "/investor",
        ),
        NotificationKind.PASSWORD_RESET: EmailSample(
            "Choose a new password",
            "Open the link below to choose a new password. It works once, until 2026-12-04 10:12 UTC.",
            "/reset-password?token=sample-token-not-a-real-one",
        ),
        NotificationKind.OPERATOR_ALERT: EmailSample(
            "Operator alert: ledger events are not reaching the broker",
            "142 events wait to be published; the oldest since 2026-12-04 08:55 UTC (17 minutes).",
            "/admin/system",
        ),
    }
)

_D = Decimal
DOCUMENT_SAMPLES: Final[Mapping[DocumentKind, Document]] = MappingProxyType(
    {
        DocumentKind.CAPITAL_CALL_NOTICE: CapitalCallNotice(
            pool_name=POOL,
            currency=CURRENCY,
            investor_name=INVESTOR,
            call_reference=f"CC-{_CALL_ENTRY}",
            notice_date=date(2026, 12, 4),
            due_date=date(2026, 12, 18),
            commitment=_D("100000.00"),
            called_before=_D("20000.00"),
            amount_due=_D("10000.00"),
            unfunded_after=_D("70000.00"),
            payment_reference=PAYMENT_REFERENCE,
            bank=BankInstructions(
                account_holder=f"{POOL} SCSp", iban=IBAN, bic="COBADEFFXXX", bank_name="Commerzbank"
            ),
            purpose="Drawdown of commitments under the pool's terms",
        ),
        # The investor's share of each tier; the GP's catch-up pays the investor nothing, and
        # a real notice leaves out a tier that pays them nothing (notifications/notices.py).
        DocumentKind.DISTRIBUTION_NOTICE: DistributionNotice(
            pool_name=POOL,
            currency=CURRENCY,
            investor_name=INVESTOR,
            notice_date=date(2026, 11, 20),
            payment_date=date(2026, 11, 20),
            reference=f"D-{_DISTRIBUTION_ENTRY}",
            tiers=(
                ("Return of capital", _D("3000.00")),
                ("Preferred return", _D("800.00")),
                ("Carried interest split", _D("700.00")),
            ),
            total=_D("4500.00"),
        ),
        # 19,400.00 + 10,000.00 - 4,500.00 - 500.00 + 1,850.00 = 26,250.00 (the dataclass checks).
        DocumentKind.CAPITAL_ACCOUNT_STATEMENT: CapitalAccountStatement(
            pool_name=POOL,
            currency=CURRENCY,
            investor_name=INVESTOR,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 12, 31),
            commitment=_D("100000.00"),
            opening_balance=_D("19400.00"),
            contributions=_D("10000.00"),
            distributions=_D("4500.00"),
            fees=_D("500.00"),
            gains=_D("1850.00"),
            closing_balance=_D("26250.00"),
            unfunded_commitment=_D("70000.00"),
        ),
    }
)

_EVERY: dict[NotificationKind | DocumentKind, EmailSample | Document] = {}
_EVERY.update(EMAIL_SAMPLES.items())
_EVERY.update(DOCUMENT_SAMPLES.items())
SAMPLES: Final[Mapping[NotificationKind | DocumentKind, EmailSample | Document]] = MappingProxyType(_EVERY)
"""Every template's sample, by the kind it renders (email kinds and document kinds differ)."""


def preview_email(kind: NotificationKind) -> RenderedEmail:
    """The kind's email as the outbox renders it (notifications/outbox.py), to the sample
    investor: the same link and the same preferences rule (none on a formal notice)."""
    sample = EMAIL_SAMPLES[kind]
    choose = "" if kind in FORMAL_NOTICES else f"{PORTAL}/notifications?tab=preferences"
    return render_email(
        kind,
        name=INVESTOR,
        title=sample.title,
        body=sample.body,
        link=f"{PORTAL}{sample.link}",
        preferences=choose,
    )


def preview_document(kind: DocumentKind) -> bytes:
    """The sample document of the kind as a PDF, rendered exactly as an issued one."""
    document = DOCUMENT_SAMPLES[kind]
    if isinstance(document, CapitalCallNotice):
        return render_capital_call(document)
    if isinstance(document, DistributionNotice):
        return render_distribution(document)
    return render_statement(document)
