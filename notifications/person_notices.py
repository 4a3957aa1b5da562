"""Notices about a person rather than a pool's money: a KYC decision and a sign-in from a
device never seen.

Their senders (the investor service, the auth service) sit below this service, so the
container turns their callbacks into these notices. Each notice has its own event id, built
here, which makes a second call for the same fact create nothing.
"""

from __future__ import annotations

from datetime import datetime

from notifications.schemas import NotificationIn, NotificationKind

_KYC_WORDS = {
    "approved": (
        "approved",
        "Your identity and source of funds have been verified; you may now invest.",
    ),
    "rejected": (
        "not approved",
        "The pools cannot take money from you for now. The fund's administrator will contact "
        "you about what is needed.",
    ),
    "pending": (
        "under review again",
        "Your review has been reopened; new investments wait until it is decided. Nothing you hold changes.",
    ),
}


def kyc_event_id(investor_id: int, status: str, at: datetime) -> str:
    # With the status: MariaDB keeps whole seconds, and a rejection put right within the
    # same second is two decisions.
    return f"kyc:{investor_id}:{status}:{at.strftime('%Y%m%dT%H%M%S%f')}"


def kyc_notice(user_id: int, status: str, at: datetime) -> NotificationIn:
    """To the investor: their KYC review was decided (or reopened)."""
    word, body = _KYC_WORDS.get(status, (status, "Your KYC status changed."))
    return NotificationIn(
        user_id=user_id,
        kind=NotificationKind.KYC_STATUS,
        title=f"Your KYC review: {word}",
        body=body,
        link="/investor",
        effective_date=at.date(),
    )


def new_device_event_id(user_id: int, fingerprint: str) -> str:
    # One warning per person and device, however often it signs in before it is recognised.
    return f"device:{user_id}:{fingerprint[:32]}"


def new_device_notice(user_id: int, device: str, client_ip: str | None, at: datetime) -> NotificationIn:
    where = f", from {client_ip}" if client_ip else ""
    return NotificationIn(
        user_id=user_id,
        kind=NotificationKind.NEW_DEVICE,
        title="Sign-in from a new device",
        body=f"{device}{where}, at {at:%Y-%m-%d %H:%M} UTC."[:500],
        link="/notifications",
        effective_date=at.date(),
    )


def _masked(value: str | None) -> str:
    """ "a…e@example.com", "…4567": enough for the person to recognise, little for anyone else."""
    if not value:
        return "none"
    local, at, domain = value.partition("@")
    if at:
        return f"{local[:1]}…{local[-1:]}@{domain}" if len(local) > 2 else f"…@{domain}"
    return f"…{value[-4:]}"


def contact_notices(
    user_id: int, event_id: str, before: dict[str, str | None], now: dict[str, str | None], at: datetime
) -> list[tuple[str, NotificationIn]]:
    """[(event id, notice)]: to the person as they sign in, and by email to the contact address
    they had before and the one they have now (each its own event: one email per address)."""
    words = {"contact_email": "Email", "contact_phone": "Phone"}
    changes = "; ".join(
        f"{words[name]} {_masked(old)} is now {_masked(now.get(name))}"
        for name, old in sorted(before.items())
    )
    notice = NotificationIn(
        user_id=user_id,
        kind=NotificationKind.CONTACT_DETAILS,
        title="Your contact details were changed",
        body=f"{changes}. Sent to the address you had before and the one you have now."[:500],
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
