"""The notices about people and the platform, on both backends: a KYC decision tells the
investor; a sign-in from a device never seen warns the person (not the first device, not a
known one, once per device); a redemption's proceeds paid by the bank tell the investor once
(history loaded as paid tells nobody); operator alerts reach every active administrator once
a day (the relay's backlog, last night's reconciliation differences)."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from backend.auth.interface import SignInDevice, describe_user_agent
from backend.composition.container import Container
from backend.composition.web import create_app
from backend.investors.interface import InvestorUpdate, KycStatus
from backend.payments.interface import (
    AccountDecision,
    CollectionAccountIn,
    PayoutAccountIn,
    PayoutFileIn,
    PayoutStatus,
    StatementFormat,
    StatementUpload,
)
from backend.platform.config import Settings
from backend.platform.errors import Unauthenticated
from backend.tasks.operator_alerts import RELAY_STUCK, operator_alerts, relay_backlog_alert
from ledger.interface import Backlog
from notifications.interface import NotificationKind
from tests.integration.auth_support import PASSWORD
from tests.integration.authorization_support import STATEMENT_HEADER
from tests.integration.mail_support import MailServer
from tests.integration.payments_support import confirmed_change
from tests.integration.pools_support import World, make_world, open_pool
from tests.integration.portal_support import form_token
from tests.integration.reports_support import key, tx, value

# Every test here runs in process and again with the notification service behind gRPC (its
# PDFs as protobuf bytes, its refusals as the same errors).
pytestmark = pytest.mark.over_grpc("notifications")

D = Decimal
POOL_IBAN = "DE89 3704 0044 0532 0130 00"
A_IBAN = "FR14 2004 1010 0505 0001 3M02 606"


@pytest.fixture
def settings(settings_with_mail: Settings) -> Settings:
    return settings_with_mail  # emails go to the test's SMTP server


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _of_kind(world: World, who: str, kind: NotificationKind) -> list[tuple[str, str]]:
    actor = getattr(world, who)
    listed = world.container.notifications.list_for_user(actor, kind=kind, limit=50)
    return [(n.title, n.body) for n in listed.items]


def _emailed(mail: MailServer, to: str, subject_part: str) -> list[str]:
    return [
        str(m["Subject"]) for m in mail.received if str(m["To"]) == to and subject_part in str(m["Subject"])
    ]


# --- KYC --------------------------------------------------------------------------------


def test_a_kyc_decision_is_told_to_the_investor_in_the_app_and_by_email(
    world: World, mail: MailServer
) -> None:
    investor_id = world.investor_profile(world.investor, approved=False)
    assert _of_kind(world, "investor", NotificationKind.KYC_STATUS) == []  # a new profile: no decision yet
    c = world.container
    c.investors.update_investor(world.admin, investor_id, InvestorUpdate(kyc_status=KycStatus.REJECTED))
    c.investors.update_investor(world.admin, investor_id, InvestorUpdate(kyc_status=KycStatus.APPROVED))
    # A change of contact details is not a KYC decision; the same status again changes nothing.
    c.investors.update_investor(world.admin, investor_id, InvestorUpdate(kyc_status=KycStatus.APPROVED))
    titles = [t for t, _ in _of_kind(world, "investor", NotificationKind.KYC_STATUS)]
    assert titles == ["Your KYC review: approved", "Your KYC review: not approved"]  # newest first
    assert _of_kind(world, "manager", NotificationKind.KYC_STATUS) == []  # told to the investor only
    c.notifications.send_due_emails()
    assert sorted(_emailed(mail, world.emails["investor"], "KYC")) == [
        "Your KYC review: approved",
        "Your KYC review: not approved",
    ]


# --- sign-in from a new device ------------------------------------------------------------------


FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def test_a_sign_in_from_a_device_never_seen_warns_the_person_once(world: World, mail: MailServer) -> None:
    auth, email = world.container.auth, world.emails["investor"]
    laptop = SignInDevice("cookie-laptop", describe_user_agent(FIREFOX))
    phone = SignInDevice("cookie-phone", describe_user_agent(IPHONE))
    assert laptop.label == "Firefox on Windows" and phone.label == "Safari on iPhone"

    auth.authenticate(email, PASSWORD, "198.51.100.4", laptop)  # the first device: nothing to compare
    auth.authenticate(email, PASSWORD, "198.51.100.4", laptop)  # known
    assert _of_kind(world, "investor", NotificationKind.NEW_DEVICE) == []
    auth.authenticate(email, PASSWORD, "203.0.113.7", phone)
    auth.authenticate(email, PASSWORD, "203.0.113.7", phone)  # known from now on
    ((title, body),) = _of_kind(world, "investor", NotificationKind.NEW_DEVICE)
    assert title == "Sign-in from a new device"
    assert body.startswith("Safari on iPhone, from 203.0.113.7, at ")
    # A wrong password from a new device is no sign-in: no warning, nothing recorded.
    with pytest.raises(Unauthenticated):
        auth.authenticate(email, "wrong password", "192.0.2.1", SignInDevice("cookie-thief", "curl"))
    assert len(_of_kind(world, "investor", NotificationKind.NEW_DEVICE)) == 1
    world.container.notifications.send_due_emails()
    assert _emailed(mail, email, "new device") == ["Sign-in from a new device"]
    assert _of_kind(world, "manager", NotificationKind.NEW_DEVICE) == []


def test_the_portal_keeps_a_device_cookie_and_the_api_names_the_client(world: World) -> None:
    app = create_app(world.container)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    signed_in = client.post(
        "/login",
        data={"email": world.emails["manager"], "password": PASSWORD, "csrf_token": form_token(page)},
        headers={"User-Agent": FIREFOX},
    )
    assert signed_in.status_code == 303
    device = client.get_cookie("pools_device", path="/login")
    assert device is not None and len(device.value) == 43 and device.http_only
    # The API: a first client is recorded silently; another client is news.
    api = app.test_client()
    first = api.post(
        "/api/v1/auth/token",
        json={"email": world.emails["analyst"], "password": PASSWORD},
        headers={"User-Agent": "python-requests/2.32"},
    )
    assert first.status_code == 200
    second = api.post(
        "/api/v1/auth/token",
        json={"email": world.emails["analyst"], "password": PASSWORD},
        headers={"User-Agent": "curl/8.5"},
    )
    assert second.status_code == 200
    assert [t for t, _ in _of_kind(world, "analyst", NotificationKind.NEW_DEVICE)] == [
        "Sign-in from a new device"
    ]
    ((_, body),) = _of_kind(world, "analyst", NotificationKind.NEW_DEVICE)
    assert body.startswith("curl, from 127.0.0.1")


# --- a redemption paid out ----------------------------------------------------------------


def _statement(*rows: str) -> StatementUpload:
    content = "\n".join([STATEMENT_HEADER, *rows]).encode()
    return StatementUpload(
        format=StatementFormat.CSV, filename="bank.csv", content_base64=base64.b64encode(content).decode()
    )


def test_a_redemption_paid_by_the_bank_is_told_to_the_investor_once(world: World, mail: MailServer) -> None:
    c, m = world.container, world.manager
    pool = c.pools.create_pool(
        m,
        open_pool(
            name="Harbour Euro Fund", base_currency="EUR", minimum_subscription="0.00", performance_fee=None
        ),
    ).id
    a = world.investor_profile(world.investor)
    today = date.today()
    start = today - timedelta(days=20)
    c.transactions.record(
        m,
        pool,
        tx(type="subscription", investor_id=a, amount="100000.00", effective_date=start.isoformat()),
        key(),
    )
    value(world, pool, today.isoformat(), "110000.00")
    c.transactions.record(
        m, pool, tx(type="redemption", investor_id=a, units="20000", effective_date=today.isoformat()), key()
    )
    p = c.payments
    p.set_collection_account(m, pool, CollectionAccountIn(account_name="Harbour Euro Fund", iban=POOL_IBAN))
    account = PayoutAccountIn(account_name="Ada Investor", iban=A_IBAN, bic=None, password=PASSWORD)
    pending = confirmed_change(c, world.investor, account)
    p.decide_payout_account(world.admin, pending.id, AccountDecision(verify=True, note="call-back"))
    (payout,) = p.list_payouts(m, pool)
    assert payout.amount == D("22000.00")
    p.release_payout(m, payout.id)
    p.create_payout_file(m, pool, PayoutFileIn(execution_date=today))
    p.post_contributions()  # the sweep: instructed is not paid, nobody is told yet
    assert _of_kind(world, "investor", NotificationKind.REDEMPTION_SETTLED) == []

    row = f"{today},{today},22000.00,EUR,debit,payout,Ada,,{payout.end_to_end_id},false"
    p.import_statement(m, pool, _statement(row))
    assert next(iter(p.list_payouts(m, pool))).status is PayoutStatus.PAID
    p.post_contributions()
    p.post_contributions()  # the next sweep tells nobody again
    ((title, body),) = _of_kind(world, "investor", NotificationKind.REDEMPTION_SETTLED)
    assert title == "Harbour Euro Fund: redemption proceeds of EUR 22,000.00 paid"
    assert payout.end_to_end_id in body
    c.notifications.send_due_emails()
    assert _emailed(mail, world.emails["investor"], "redemption") == [title]


def test_payouts_closed_as_history_tell_nobody(world: World) -> None:
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, open_pool(minimum_subscription="0.00", performance_fee=None)).id
    a = world.investor_profile(world.investor)
    today = date.today()
    yesterday = today - timedelta(days=1)
    c.transactions.record(
        m,
        pool,
        tx(type="subscription", investor_id=a, amount="1000.00", effective_date=yesterday.isoformat()),
        key(),
    )
    value(world, pool, today.isoformat(), "1000.00")
    c.transactions.record(
        m, pool, tx(type="redemption", investor_id=a, units="100", effective_date=today.isoformat()), key()
    )
    assert c.payments.close_payout_history(today, "paid by the previous administrator", pool) == 1
    c.payments.post_contributions()
    assert _of_kind(world, "investor", NotificationKind.REDEMPTION_SETTLED) == []


# --- operator alerts ----------------------------------------------------------------------


class _StuckRelay:
    """The relay's backlog as the ledger reports it (the real relay's count is covered in the
    ledger's tests); here what matters is what the alert makes of it."""

    def __init__(self, backlog: Backlog) -> None:
        self._backlog = backlog

    def backlog(self) -> Backlog:
        return self._backlog


def test_a_relay_backlog_alerts_every_active_administrator_once_a_day(world: World, mail: MailServer) -> None:
    c = world.container
    now = datetime.now(UTC)
    fresh = _StuckRelay(Backlog(3, now - RELAY_STUCK / 2))
    stuck = _StuckRelay(Backlog(142, now - RELAY_STUCK - timedelta(minutes=7)))
    assert relay_backlog_alert(fresh, c.users, c.notifications, now) == 0  # busy, not stuck
    assert relay_backlog_alert(_StuckRelay(Backlog(0, None)), c.users, c.notifications, now) == 0
    assert relay_backlog_alert(stuck, c.users, c.notifications, now) == 1  # the one admin
    assert relay_backlog_alert(stuck, c.users, c.notifications, now + timedelta(minutes=5)) == 0
    ((title, body),) = _of_kind(world, "admin", NotificationKind.OPERATOR_ALERT)
    assert title == "Operator alert: ledger events are not reaching the broker"
    assert body.startswith("142 events wait to be published") and "(17 minutes)" in body
    assert _of_kind(world, "manager", NotificationKind.OPERATOR_ALERT) == []
    c.notifications.send_due_emails()
    assert _emailed(mail, world.emails["admin"], "Operator alert") == [title]


def test_the_real_relay_and_a_clean_reconciliation_raise_no_alert(world: World) -> None:
    c = world.container
    counts = operator_alerts(c.ledger_relay, c.payments, c.users, c.notifications, datetime.now(UTC))
    assert counts == {"relay_backlog": 0, "reconciliation": 0}
    yesterday = date.today() - timedelta(days=1)
    c.payments.run_reconciliation(world.admin, yesterday)
    counts = operator_alerts(c.ledger_relay, c.payments, c.users, c.notifications, datetime.now(UTC))
    assert counts["reconciliation"] == 0 and _of_kind(world, "admin", NotificationKind.OPERATOR_ALERT) == []


def test_reconciliation_differences_alert_the_administrators(world: World) -> None:
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, open_pool(name="Harbour Euro Fund", base_currency="EUR")).id
    c.payments.set_collection_account(m, pool, CollectionAccountIn(account_name="Harbour", iban=POOL_IBAN))
    yesterday = date.today() - timedelta(days=1)
    # Money nobody asked for: a credit with no reference the books know.
    row = f"{yesterday},{yesterday},1234.56,EUR,credit,unknown payer,Someone,,{uuid.uuid4().hex[:12]},false"
    c.payments.import_statement(m, pool, _statement(row))
    run = c.payments.run_reconciliation(world.admin, yesterday)
    counts = operator_alerts(c.ledger_relay, c.payments, c.users, c.notifications, datetime.now(UTC))
    if not run.differences:
        pytest.fail(f"the scenario should leave a difference: {run}")
    assert counts["reconciliation"] == 1
    ((title, body),) = _of_kind(world, "admin", NotificationKind.OPERATOR_ALERT)
    assert title == f"Operator alert: the reconciliation of {yesterday.isoformat()} needs a person"
    assert body.startswith(f"{len(run.differences)} difference")


# --- contact details changed ------------------------------------------------------------------


def test_a_changed_contact_email_is_told_at_the_old_address_and_the_new_one(
    world: World, mail: MailServer
) -> None:
    c = world.container
    investor_id = world.investor_profile(world.investor)
    c.investors.update_investor(
        world.investor, investor_id, InvestorUpdate(contact_email="ana.old@example.com")
    )
    c.notifications.send_due_emails()
    before = len(mail.received)
    c.investors.update_investor(
        world.investor,
        investor_id,
        InvestorUpdate(contact_email="ana.new@example.net", contact_phone="+447700900123"),
    )
    c.notifications.send_due_emails()
    told = sorted(str(m["To"]) for m in mail.received[before:])
    assert told == sorted([world.emails["investor"], "ana.old@example.com", "ana.new@example.net"])
    last = [m for m in mail.received[before:] if str(m["To"]) == "ana.old@example.com"]
    text = last[0].get_body(preferencelist=("plain",))
    assert text is not None
    content = text.get_content()
    assert "Email a…d@example.com is now a…w@example.net" in content and "phone none is now …0123" in content
    assert "someone else may be using your account" in content
    assert "Choose which emails you get" not in content  # always sent: it cannot be switched off
    # In the bell once (the old and new addresses are emails only); a name change is no news.
    bell = c.notifications.list_for_user(
        world.investor, kind=NotificationKind.CONTACT_DETAILS, limit=10
    ).items
    assert len(bell) == 2  # the first change (no address before) and this one
    c.investors.update_investor(world.admin, investor_id, InvestorUpdate(legal_name="Ana Example-Smith"))
    assert (
        len(c.notifications.list_for_user(world.investor, kind=NotificationKind.CONTACT_DETAILS).items) == 2
    )
