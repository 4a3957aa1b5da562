"""Notices about a person rather than a pool's money: a KYC decision, a sign-in from a
device never seen, a password-reset link, the code that confirms a change of bank account.

Their senders (the investor service, the auth service) sit below this service, so the
container turns their callbacks into these notices. Each notice has its own event id, built
here, which makes a second call for the same fact create nothing.
"""

from __future__ import annotations

from datetime import datetime

from notifications.catalogue import N_, worded
from notifications.schemas import Amount, Day, NotificationIn, NotificationKind, Words

_KYC_WORDS = {
    "approved": (
        N_("Your KYC review: approved"),
        N_("Your identity and source of funds have been verified; you may now invest."),
    ),
    "rejected": (
        N_("Your KYC review: not approved"),
        N_(
            "The pools cannot take money from you for now. The fund's administrator will contact "
            "you about what is needed."
        ),
    ),
    "pending": (
        N_("Your KYC review: under review again"),
        N_(
            "Your review has been reopened; new investments wait until it is decided. Nothing you "
            "hold changes."
        ),
    ),
}


def kyc_event_id(investor_id: int, status: str, at: datetime) -> str:
    # With the status: MariaDB keeps whole seconds, and a rejection put right within the
    # same second is two decisions.
    return f"kyc:{investor_id}:{status}:{at.strftime('%Y%m%dT%H%M%S%f')}"


def kyc_notice(user_id: int, status: str, at: datetime) -> NotificationIn:
    """To the investor: their KYC review was decided (or reopened)."""
    title, body = _KYC_WORDS.get(status, (N_("Your KYC status changed"), N_("Your KYC status changed.")))
    return NotificationIn(
        user_id=user_id,
        kind=NotificationKind.KYC_STATUS,
        title_words=Words(message=title),
        body_words=Words(message=body),
        link="/investor",
        effective_date=at.date(),
    )


def new_device_event_id(user_id: int, fingerprint: str) -> str:
    # One warning per person and device, however often it signs in before it is recognised.
    return f"device:{user_id}:{fingerprint[:32]}"


def new_device_notice(user_id: int, device: str, client_ip: str | None, at: datetime) -> NotificationIn:
    when = f"{at:%Y-%m-%d %H:%M}"
    if client_ip:
        body = worded("%(device)s, from %(ip)s, at %(when)s UTC.", device=device, ip=client_ip, when=when)
    else:
        body = worded("%(device)s, at %(when)s UTC.", device=device, when=when)
    return NotificationIn(
        user_id=user_id,
        kind=NotificationKind.NEW_DEVICE,
        title_words=worded("Sign-in from a new device"),
        body_words=body,
        link="/notifications",
        effective_date=at.date(),
    )


def _masked(value: str | None) -> str | Words:
    """ "a…e@example.com", "…4567": enough for the person to recognise, little for anyone else."""
    if not value:
        return worded("none")
    local, at, domain = value.partition("@")
    if at:
        return f"{local[:1]}…{local[-1:]}@{domain}" if len(local) > 2 else f"…@{domain}"
    return f"…{value[-4:]}"


def contact_notices(
    user_id: int, event_id: str, before: dict[str, str | None], now: dict[str, str | None], at: datetime
) -> list[tuple[str, NotificationIn]]:
    """[(event id, notice)]: to the person as they sign in, and by email to the contact address
    they had before and the one they have now (each its own event: one email per address)."""
    said = {
        "contact_email": N_("Email %(old)s is now %(new)s"),
        "contact_phone": N_("Phone %(old)s is now %(new)s"),
    }
    masked: dict[str, str | Amount | Day | Words] = {
        f"{tag}_{name.removeprefix('contact_')}": _masked(value)
        for name in before
        for tag, value in (("old", before[name]), ("new", now.get(name)))
    }
    if len(before) == 2:
        listed = Words(
            message=N_("Email %(old_email)s is now %(new_email)s; phone %(old_phone)s is now %(new_phone)s"),
            values=masked,
        )
    else:
        (name,) = before
        field = name.removeprefix("contact_")
        listed = Words(
            message=said[name], values={"old": masked[f"old_{field}"], "new": masked[f"new_{field}"]}
        )
    notice = NotificationIn(
        user_id=user_id,
        kind=NotificationKind.CONTACT_DETAILS,
        title_words=worded("Your contact details were changed"),
        body_words=worded(
            "%(changes)s. Sent to the address you had before and the one you have now.", changes=listed
        ),
        link="/investor",
        effective_date=at.date(),
    )
    found = [(event_id, notice)]
    old_email, new_email = before.get("contact_email"), now.get("contact_email")
    if "contact_email" in before:
        for tag, address in (("old", old_email), ("new", new_email)):
            if address:
                found.append((f"{event_id}:{tag}", notice.model_copy(update={"email_to": address})))
    return found


RESET_PATH = "/reset-password"


def password_reset_event_id(reset_id: int) -> str:
    # One email per link: asking again makes a new link, and a new event.
    return f"password-reset:{reset_id}"


def password_reset_notice(user_id: int, address: str, token: str, expires: datetime) -> NotificationIn:
    """To the account's own address, by email only (`email_to`: no bell item, no text): the link
    opens the account, so it must reach nobody else and nowhere else."""
    until = f"{expires:%Y-%m-%d %H:%M}"
    return NotificationIn(
        user_id=user_id,
        kind=NotificationKind.PASSWORD_RESET,
        title_words=worded("Choose a new password"),
        body_words=worded(
            "Open the link below to choose a new password. It works once, until %(when)s UTC.",
            when=until,
        ),
        link=f"{RESET_PATH}?token={token}",
        effective_date=expires.date(),
        email_to=address,
    )


def payout_code_event_id(account_id: int) -> str:
    # One code per requested change: asking again makes a new change, and a new event.
    return f"bank-details:{account_id}:code"


def payout_code_notice(
    user_id: int, address: str, code: str, account: str, expires: datetime
) -> NotificationIn:
    """To the sign-in address, by email only (`email_to`: no bell item, no text): the code
    confirms a change of where the investor's money is paid, so a stolen session must not
    read it in the app."""
    until = f"{expires:%Y-%m-%d %H:%M}"
    return NotificationIn(
        user_id=user_id,
        kind=NotificationKind.BANK_DETAILS,
        title_words=worded("Confirm the change of your bank account for payouts"),
        body_words=worded(
            "Your code is %(code)s. Enter it on the payments page to confirm that payouts go to "
            "%(account)s; it works until %(when)s UTC. If you did not ask for this change, do not "
            "enter it and contact the fund's administrator now.",
            code=code,
            account=account,
            when=until,
        ),
        link="/investor/payments",
        effective_date=expires.date(),
        email_to=address,
    )
