"""Email as the notification service sends it: one provider interface, two providers.

- `SmtpMail`: an SMTP server (STARTTLS and a login when configured, as production relays
  want), with a timeout so a hung server is an outage, not a stuck worker.
- `FolderMail`: the embedded default writes each message as an .eml file under
  `var/outbox/`, so `make run` shows the whole path without a mail server.

Another provider (an HTTP API such as SES or Postmark) is one more class with `send`. A
provider says whether a failure is for now (`MailUnavailable`: retried later) or for good
(`MailRefused`: the address is rejected; not retried).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol


class MailUnavailable(Exception):
    """The server did not take the message now (down, timed out, 4xx): try again later."""


class MailRefused(Exception):
    """The server refused the message for good (5xx on the recipient): do not try again."""


class MailUncertain(Exception):
    """The connection failed while the message itself was being sent: it may have gone."""


class MailProvider(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class _Smtp(smtplib.SMTP):
    """Knows whether the message itself was on the wire when the connection failed."""

    handing_over = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.handing_over = True
        return super().data(msg)


@dataclass(frozen=True)
class SmtpMail:
    host: str
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    timeout: float = 15.0

    def send(self, message: EmailMessage) -> None:
        try:
            smtp = _Smtp(self.host, self.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailUnavailable(f"{type(exc).__name__}: {exc}"[:200]) from None
        try:
            self._hand_over(smtp, message)
        finally:
            # Accepted is accepted: a server that then answers QUIT with 421 (shutting down,
            # which RFC 5321 allows at any command) has the message; it must not be resent.
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def _hand_over(self, smtp: _Smtp, message: EmailMessage) -> None:
        try:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise MailRefused(f"recipient refused: {codes}") from None
            raise MailUnavailable(f"recipient deferred: {codes}") from None
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600 and exc.smtp_code not in (530, 535, 554):
                # Rejected as sent (the message itself); an authentication or relay problem
                # (530, 535, 554) is the platform's configuration: an outage until fixed.
                raise MailRefused(f"{exc.smtp_code} {exc.smtp_error!r}"[:200]) from None
            raise MailUnavailable(f"{exc.smtp_code} {exc.smtp_error!r}"[:200]) from None
        except (OSError, smtplib.SMTPException) as exc:
            if smtp.handing_over:
                # The message was being sent when the line went quiet or dropped: the server
                # may have taken it. Only a person can tell; sending it again may double it.
                raise MailUncertain(f"{type(exc).__name__} during DATA: {exc}"[:200]) from None
            raise MailUnavailable(f"{type(exc).__name__}: {exc}"[:200]) from None


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
