"""Email as the notification service sends it: one provider interface, two providers.

- `SmtpMail`: an SMTP server (STARTTLS and a login when configured, as production relays
  want), with a timeout so a hung server is an outage, not a stuck worker.
- `FolderMail`: the embedded default writes each message as an .eml file under
  `var/outbox/`, so `make run` shows the whole path without a mail server.

A provider sends one message (`send`) or a run of them in a `session()`: the outbox sends a
pass's messages in one session, so an SMTP relay sees one connection, one STARTTLS and one
login per pass rather than per message (relays limit connections and logins; TLS handshakes
cost more than the messages). Another provider (an HTTP API such as SES or Postmark) is one
more class with `send`, and `session` returning `contextlib.nullcontext(self)` or a session
over one HTTP client. A provider says whether a failure is for now (`MailUnavailable`:
retried later), for good (`MailRefused`: the address is rejected; not retried) or unknowable
(`MailUncertain`: it may have gone; a person decides).
"""

from __future__ import annotations

import smtplib
import ssl
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol


class MailUnavailable(Exception):
    """The server did not take the message now (down, timed out, 4xx): try again later."""


class MailRefused(Exception):
    """The server refused the message for good (5xx on the recipient): do not try again."""


class MailUncertain(Exception):
    """The connection failed while the message itself was being sent: it may have gone."""


class _Dropped(MailUnavailable):
    """The connection was gone before the message was offered (a 421, a silent close)."""


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class MailProvider(MailSender, Protocol):
    def session(self) -> AbstractContextManager[MailSender]:
        """Sends a run of messages over what it keeps open (a connection, a client) and
        closes that at the end; each `send` raises as the provider's own does."""
        ...


class _Smtp(smtplib.SMTP):
    """Knows whether the message itself was on the wire when the connection failed."""

    handing_over = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.handing_over = True
        return super().data(msg)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {exc.smtp_error!r}"[:200]
    return f"{type(exc).__name__}: {exc}"[:200]


def _failure(exc: BaseException, during_data: bool) -> Exception:
    """What a failure of one message's transaction means for that message."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        if all(500 <= code < 600 for code in codes):
            return MailRefused(f"recipient refused: {codes}")
        return MailUnavailable(f"recipient deferred: {codes}")
    if isinstance(exc, smtplib.SMTPResponseException):
        if 500 <= exc.smtp_code < 600 and exc.smtp_code not in (530, 535, 554):
            # Rejected as sent (the message itself); an authentication or relay problem
            # (530, 535, 554) is the platform's configuration: an outage until fixed.
            return MailRefused(_describe(exc))
        return MailUnavailable(_describe(exc))
    if during_data:
        # The message was being sent when the line went quiet or dropped: the server may
        # have taken it. Only a person can tell; sending it again may double it.
        return MailUncertain(f"{type(exc).__name__} during DATA: {exc}"[:200])
    return MailUnavailable(_describe(exc))


def _goodbye(smtp: _Smtp) -> None:
    # Accepted is accepted: a server that then answers QUIT with 421 (shutting down, which
    # RFC 5321 allows at any command) has the messages; none of them may be resent.
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


@dataclass(frozen=True)
class SmtpMail:
    host: str
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    timeout: float = 15.0

    def send(self, message: EmailMessage) -> None:
        with self.session() as session:
            session.send(message)

    def session(self) -> SmtpSession:
        return SmtpSession(self)


class SmtpSession:
    """One SMTP connection for a run of messages: opened (connect, STARTTLS, AUTH) at the first
    message, kept across them, closed with QUIT at the end.

    - A refused message leaves the connection usable: the transaction is reset (RSET) and the
      next message goes on it. Any other failure that leaves its state unclear ends it.
    - A reused connection found gone before a message was offered (a 421 or a close: servers
      end idle or long-lived connections) is opened again once for that message; only if that
      fails is it an outage for the message.
    - A connection that cannot be opened (refused, timed out, TLS or login failing) fails the
      rest of the run as unavailable without trying again: a relay that is down, or refuses
      the platform's login, would refuse each of them, and every try of a hung relay holds the
      worker for the whole timeout.
    """

    def __init__(self, mail: SmtpMail) -> None:
        self._mail = mail
        self._smtp: _Smtp | None = None
        self._down: str | None = None

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        reused = self._smtp is not None
        try:
            self._hand_over(self._connection(), message)
        except _Dropped:
            if not reused:
                raise
            self._hand_over(self._connection(), message)

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            _goodbye(smtp)

    def _connection(self) -> _Smtp:
        if self._smtp is not None:
            return self._smtp
        if self._down is not None:
            raise MailUnavailable(self._down)
        mail = self._mail
        try:
            smtp = _Smtp(mail.host, mail.port, timeout=mail.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            self._down = _describe(exc)
            raise MailUnavailable(self._down) from None
        try:
            if mail.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if mail.username:
                smtp.login(mail.username, mail.password or "")
        except (OSError, smtplib.SMTPException) as exc:
            # Before any message: whatever the code, the platform's setup (TLS, credentials)
            # or the relay is at fault, not an address. An outage until someone fixes it.
            _goodbye(smtp)
            self._down = _describe(exc)
            raise MailUnavailable(self._down) from None
        self._smtp = smtp
        return smtp

    def _hand_over(self, smtp: _Smtp, message: EmailMessage) -> None:
        smtp.handing_over = False
        try:
            smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            failure = _failure(exc, smtp.handing_over)
            gone = smtp.sock is None or isinstance(exc, OSError)
            if gone and not smtp.handing_over and not isinstance(failure, MailRefused):
                # Lost before the message was offered: it can be offered again on a new
                # connection. A refusal is the server's answer to the message itself: it stands.
                self._discard()
                raise _Dropped(str(failure)) from None
            if isinstance(failure, MailUncertain) or not _reset(smtp):
                # Its state is unknown (the server may still be reading the message): the next
                # message opens a new one. No QUIT, which would only wait out the timeout again.
                self._discard()
            raise failure from None

    def _discard(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


def _reset(smtp: _Smtp) -> bool:
    """Whether the connection is back at the start of a transaction, ready for the next message
    (smtplib resets after most refusals, not after a refused DATA command: RSET again)."""
    try:
        return smtp.rset()[0] == 250
    except (OSError, smtplib.SMTPException):
        return False


@dataclass(frozen=True)
class FolderMail:
    folder: Path

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").replace("@", "_at_").replace("/", "_")
        path = self.folder / f"{name}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(bytes(message))
        partial.replace(path)  # whole or not at all

    def session(self) -> AbstractContextManager[FolderMail]:
        return nullcontext(self)  # files: nothing to keep open between messages
