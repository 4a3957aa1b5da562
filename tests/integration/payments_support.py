"""The gateway sandbox and the platform on real HTTP, for the payment tests (no tests here).

The sandbox speaks Stripe's API to the official SDK inside the payment service, and delivers
its signed webhooks to this test's own app, served on 127.0.0.1 by Werkzeug. Webhooks are
delivered when a test says so (`deliver`), in the order and with the faults it set, while the
test thread waits: the app's requests and the test share one database connection (the
rollback fixture), so they must never run at the same moment.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import text
from werkzeug.serving import make_server

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.payments.interface import PayoutAccountCode, PayoutAccountIn, PayoutAccountOut
from backend.payments.sandbox import DeliveryRecord, SandboxGateway
from backend.platform.actors import Actor
from backend.platform.unit_of_work import ReadView

API_KEY = "sk_test_platform"
WEBHOOK_SECRET = "whsec_platform_tests"
WEBHOOK_PATH = "/api/v1/payments/webhooks/stripe"
CODE = re.compile(r"Your code is ([0-9]{6})\.")


def start_sandbox() -> SandboxGateway:
    # A webhook waits up to a minute for this app's answer, not Stripe-like seconds: a test
    # sends each delivery once and checks its 200, so a shorter wait could only fail a test by
    # the machine's speed (a CI run under load took 11 s to set one up), and a delivery given
    # up on while the app still answers it would leave the app and the test on their one
    # connection at once. Tests of slow or failing endpoints build sandboxes of their own.
    sandbox = SandboxGateway(
        api_key=API_KEY, webhook_secrets=(WEBHOOK_SECRET,), background_webhooks=False, webhook_max_attempts=1,
        webhook_timeout=60.0,
    )
    sandbox.start()
    return sandbox


def gateway_settings(sandbox: SandboxGateway) -> dict[str, str]:
    return {
        "PAYMENT_GATEWAY_API_KEY": API_KEY,
        "PAYMENT_GATEWAY_URL": sandbox.url,
        "PAYMENT_WEBHOOK_SECRETS": WEBHOOK_SECRET,
    }


@contextmanager
def served(container: Container, sandbox: SandboxGateway) -> Iterator[str]:
    """The platform on a real port, with the sandbox's webhooks pointed at it."""
    server = make_server("127.0.0.1", 0, create_app(container), threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    sandbox.webhooks.configure(base + WEBHOOK_PATH)
    try:
        yield base
    finally:
        server.shutdown()
        thread.join(timeout=5)


def emailed_codes(container: Container, account_id: int) -> list[str]:
    """The codes in the emails recorded for a change of payout account (one, or none), read
    where the outbox keeps what it sends, as the investor's mailbox would receive them."""
    with ReadView(container.db) as view:
        bodies = view.session.execute(
            text(
                "SELECT text_body FROM notification_deliveries WHERE event_id = :event AND channel = 'email'"
            ),
            {"event": f"bank-details:{account_id}:code"},
        ).scalars()
        return [code for body in bodies for code in CODE.findall(body)]


def confirmed_change(container: Container, investor: Actor, account: PayoutAccountIn) -> PayoutAccountOut:
    """A change of payout account asked with the password and confirmed with its emailed code:
    what an administrator then verifies."""
    asked = container.payments.request_payout_account(investor, account)
    (code,) = emailed_codes(container, asked.id)
    return container.payments.confirm_payout_account(investor, asked.id, PayoutAccountCode(code=code))


def answers(records: Sequence[DeliveryRecord]) -> list[str]:
    """What each webhook delivery got, short enough to read whole in a failed assertion."""
    return [f"{r.event_type} #{r.attempt}: {r.status} {r.error or ''}".rstrip() for r in records]
