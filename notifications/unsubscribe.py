"""One-click unsubscribe links (RFC 8058): a token that names a person and a kind of notice,
signed so that nobody can switch off someone else's emails by guessing ids.

The token is the authority (a mail client posts it without a session, which is the point of
one-click), so it carries a MAC over exactly what it switches off and is compared in
constant time. It does not expire: an unsubscribe link in a two-year-old email must still
work, and all it can ever do is stop that one kind of email to that one person.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from backend.platform.errors import ValidationFailed
from notifications.schemas import NotificationKind

_PURPOSE = b"notifications.unsubscribe.v1"


def _mac(key: bytes, payload: str) -> str:
    digest = hmac.new(key, _PURPOSE + b"\x00" + payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def unsubscribe_key(secret: str) -> bytes:
    """A key for these tokens only, derived from the platform's secret (a token for one use
    must never verify as another's)."""
    return hashlib.sha256(_PURPOSE + b"\x00" + secret.encode()).digest()


def unsubscribe_token(key: bytes, user_id: int, kind: NotificationKind) -> str:
    payload = f"{user_id}.{kind.value}"
    return f"{payload}.{_mac(key, payload)}"


def read_unsubscribe_token(key: bytes, token: str) -> tuple[int, NotificationKind]:
    """(person, kind) the token switches off; ValidationFailed on anything not issued here."""
    user, _, rest = token.partition(".")
    kind, _, mac = rest.rpartition(".")
    well_formed = user.isascii() and user.isdigit() and mac.isascii() and bool(mac)
    if not (well_formed and hmac.compare_digest(mac, _mac(key, f"{user}.{kind}"))):
        raise ValidationFailed("token: not an unsubscribe link this platform issued", field="token")
    try:
        return int(user), NotificationKind(kind)
    except ValueError:  # signed by us but for a kind since retired
        raise ValidationFailed("token: that kind of email no longer exists", field="token") from None
