"""SMS as the notification service sends it: one provider interface, two providers.

- `TwilioSms`: Twilio's REST API through the official SDK, with a timeout so a hung API is an
  outage, not a stuck worker. `base_url` sends every request elsewhere (the tests' local
  stand-in for Twilio); production leaves it unset.
- `FolderSms`: the embedded default writes each message as a small JSON file, so `make run`
  shows the whole path without an SMS account.

Like email, a provider says whether a failure is for now (`SmsUnavailable`: retried later) or
for good (`SmsRefused`: the number is invalid or unreachable; not retried). Twilio reports
what happened to a message later, on a signed status callback: `callback_is_genuine` checks
the signature and `delivery_status_of` reads the status.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

_MAX_ERROR_TEXT = 200

# Twilio's codes for a number that will never take this message: retrying cannot help.
# 21211 invalid 'To' number, 21614 'To' is not a mobile number, 21610 the recipient replied
# STOP (unsubscribed), 21612 no route to the number, 21408 the region is not enabled.
_PERMANENT_CODES = frozenset({21211, 21408, 21610, 21612, 21614})

_NOT_E164_SEPARATORS = re.compile(r"[\s\-()]")
# ASCII digits only: `\d` would also accept other scripts' digits, which no carrier routes.
# A country code never starts with 0.
_E164 = re.compile(r"\+[1-9][0-9]{7,14}")

_DELIVERY_STATES = {
    "delivered": "delivered",
    "undelivered": "bounced",
    "failed": "bounced",
    "sent": "sent",
}


class SmsUnavailable(Exception):
    """The provider did not take the message now (down, timed out, 5xx, 429): try again later."""


class SmsRefused(Exception):
    """The provider refused the message for good (invalid or unreachable number): do not retry."""


class SmsProvider(Protocol):
    def send(self, to: str, body: str, *, status_callback: str | None = None) -> str:
        """Hand the message over; returns the provider's id for it (Twilio's SID)."""
        ...


def e164(number: str) -> str:
    """The number as E.164 (`+` and 8 to 15 digits), without the spaces, dashes and
    parentheses people type. Providers take nothing else, so a bad number fails here, once,
    rather than at the provider on every retry."""
    compact = _NOT_E164_SEPARATORS.sub("", number)
    if not _E164.fullmatch(compact):
        # The number itself is left out: error text ends up in logs, and a number is personal data.
        raise ValueError("phone: expected an E.164 number, '+' then 8 to 15 digits")
    return compact


class _RedirectedHttpClient(TwilioHttpClient):  # type: ignore[misc]  # twilio ships no types
    """The SDK's own HTTP client with each request's scheme and host replaced by `base_url`,
    so everything else the SDK does (paths, auth, form encoding, error parsing) is real."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        base = urlsplit(base_url)
        self._scheme = base.scheme
        self._netloc = base.netloc
        self._path_prefix = base.path.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        redirected = urlunsplit(
            (self._scheme, self._netloc, self._path_prefix + parts.path, parts.query, parts.fragment)
        )
        return super().request(method, redirected, *args, **kwargs)


def _error_text(exc: TwilioRestException | TwilioServiceException) -> str:
    # Not str(exc): TwilioRestException paints its text with terminal colours when stderr is a tty.
    message = exc.msg if isinstance(exc, TwilioRestException) else (exc.detail or exc.title)
    return f"twilio {exc.status} (code {exc.code}): {message}"[:_MAX_ERROR_TEXT]


@dataclass(frozen=True)
class TwilioSms:
    account_sid: str
    auth_token: str = field(repr=False)  # a repr ends up in logs and tracebacks
    from_number: str
    base_url: str | None = None
    timeout: float = 15.0

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> str:
        try:
            number = e164(to)
        except ValueError as exc:
            raise SmsRefused(str(exc)[:_MAX_ERROR_TEXT]) from None
        http_client: Any = (
            _RedirectedHttpClient(self.base_url, self.timeout)
            if self.base_url
            else TwilioHttpClient(timeout=self.timeout)
        )
        # A client per message: no session is shared between worker threads, and at Twilio's
        # pace (about one message a second per number) a connection per message costs nothing
        # that matters (email, at 14 a second, keeps one SMTP session per pass instead).
        client = Client(self.account_sid, self.auth_token, http_client=http_client)
        extra: dict[str, str] = {} if status_callback is None else {"status_callback": status_callback}
        try:
            message = client.messages.create(to=number, from_=self.from_number, body=body, **extra)
        except (TwilioRestException, TwilioServiceException) as exc:
            raise _classified(exc) from None
        except TwilioException as exc:
            raise SmsUnavailable(f"twilio: {type(exc).__name__}"[:_MAX_ERROR_TEXT]) from None
        except (OSError, ValueError) as exc:
            # requests' connection errors and timeouts are OSErrors; a ValueError is a reply
            # that is not JSON (a proxy's error page): the API was not really reached.
            raise SmsUnavailable(f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_TEXT]) from None
        finally:
            if http_client.session is not None:
                http_client.session.close()
        sid = message.sid
        if not isinstance(sid, str) or not sid:
            raise SmsUnavailable("twilio accepted the message but returned no SID")
        return sid


def _classified(exc: TwilioRestException | TwilioServiceException) -> SmsRefused | SmsUnavailable:
    text = _error_text(exc)
    status = int(exc.status)
    if exc.code in _PERMANENT_CODES:
        return SmsRefused(text)
    if status == 401:
        # Wrong credentials are the platform's configuration, not the number: an outage until
        # someone fixes them (as SmtpMail treats a failed login), or every message would be lost.
        return SmsUnavailable(text)
    if status == 429 or status >= 500:
        return SmsUnavailable(text)
    if 400 <= status < 500:
        return SmsRefused(text)
    return SmsUnavailable(text)


@dataclass(frozen=True)
class FolderSms:
    folder: Path

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> str:
        try:
            number = e164(to)
        except ValueError as exc:
            raise SmsRefused(str(exc)[:_MAX_ERROR_TEXT]) from None
        message_id = f"local-{uuid.uuid4().hex}"
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{message_id}.json"
        partial = path.with_suffix(".part")
        partial.write_text(json.dumps({"to": number, "body": body, "id": message_id}, ensure_ascii=False))
        partial.replace(path)  # whole or not at all: a reader never sees half a message
        return message_id


def callback_is_genuine(auth_token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    """Whether a status callback really comes from Twilio: it signs the full URL it called
    (query string included) and the POST parameters with the account's auth token, in the
    X-Twilio-Signature header. Anyone can POST to the callback URL; only Twilio can sign."""
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, dict(params), signature))


def delivery_status_of(params: Mapping[str, str]) -> str | None:
    """Our delivery state for a Twilio status callback, or None when it changes nothing
    (queued, sending, accepted: Twilio still has the message)."""
    return _DELIVERY_STATES.get(params.get("MessageStatus", ""))
