"""A real SMTP server on 127.0.0.1 for the notification tests (aiosmtpd), which keeps what it
received, can refuse a recipient for good (any address with "bounce" in it: 550), and can be
stopped and started again on the same port (an outage). No tests here."""

from __future__ import annotations

import email
import email.policy
import logging
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.integration.replication import free_port

# aiosmtpd logs each connection from its own thread, including one cancelled as the server
# stops, sometimes after pytest has closed the stream it captured ("Logging error" noise in
# the run). What the server received is what these tests read, not its log.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


class Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook names
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if "bounce" in address:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"


class MailServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.collector = Collector()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[EmailMessage]:
        return self.collector.messages

    def settings(self) -> dict[str, str]:
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.port), "SMTP_STARTTLS": "false"}
