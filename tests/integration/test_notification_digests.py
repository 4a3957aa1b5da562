"""Digests, on both backends: a person who takes a daily (or weekly) digest gets the period's
valuation news in one email the next morning, not one per valuation; the bell still shows
each; a second run records nothing; news from before they chose it is not repeated; off
brings single emails back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from backend.composition.container import Container
from backend.platform.config import Settings
from notifications.interface import Channel, DigestFrequency, NotificationKind
from notifications.models import Delivery
from tests.integration.mail_support import MailServer
from tests.integration.pools_support import Api, World, make_world, open_pool
from tests.integration.reports_support import key, tx, value

# Every test here runs in process and again with the notification service behind gRPC (its
# PDFs as protobuf bytes, its refusals as the same errors).
pytestmark = pytest.mark.over_grpc("notifications")


@pytest.fixture
def settings(settings_with_mail: Settings) -> Settings:
    return settings_with_mail  # emails go to the test's SMTP server


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _valued_pool(world: World, name: str) -> int:
    """An open pool the investor subscribed to yesterday: each valuation is news for them."""
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, open_pool(name=name, minimum_subscription="0.00", performance_fee=None)).id
    investor = c.investors.investor_for_user(world.investor.user_id or 0)
    a = investor.id if investor is not None else world.investor_profile(world.investor)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    c.transactions.record(
        m, pool, tx(type="subscription", investor_id=a, amount="1000.00", effective_date=yesterday), key()
    )
    return pool


def _valuation_emails(world: World) -> list[str]:
    with world.container.db.writer_session() as session:
        rows = session.query(Delivery).filter(
            Delivery.user_id == world.investor.user_id, Delivery.channel == Channel.EMAIL.value
        )
        return sorted(r.event_id.split(":")[0] for r in rows if r.kind == NotificationKind.VALUATION.value)


def test_a_daily_digest_groups_the_days_valuations_into_one_email(world: World, mail: MailServer) -> None:
    c = world.container
    n = c.notifications
    n.set_preference(world.investor, NotificationKind.VALUATION, Channel.EMAIL, True)
    first = _valued_pool(world, "Harbour Growth Fund")
    value(world, first, date.today().isoformat(), "1010.00")  # before the digest: emailed singly
    assert len(_valuation_emails(world)) == 1

    assert n.set_digest(world.investor, DigestFrequency.DAILY).frequency is DigestFrequency.DAILY
    assert n.digest(world.investor).frequency is DigestFrequency.DAILY
    second = _valued_pool(world, "Harbour Income Fund")
    value(world, second, date.today().isoformat(), "1020.00")
    assert len(_valuation_emails(world)) == 1  # the digest holds it back
    bell = n.list_for_user(world.investor, kind=NotificationKind.VALUATION).items
    assert len(bell) == 2  # the bell shows each

    tomorrow = datetime.combine(date.today() + timedelta(days=1), time(6, 30), tzinfo=UTC)
    assert n.send_digests(tomorrow) == 1
    assert n.send_digests(tomorrow) == 0  # a second run (or worker) records nothing
    assert n.send_digests(tomorrow + timedelta(days=1)) == 0  # still the same day's digest
    n.send_due_emails()
    (digest,) = [m for m in mail.received if "digest" in str(m["Subject"])]
    assert str(digest["To"]) == world.emails["investor"]
    assert str(digest["Subject"]) == f"Your valuation digest: {date.today():%-d %B %Y}"
    text = digest.get_body(preferencelist=("plain",))
    assert text is not None
    body = text.get_content()
    assert "Valuation published: Harbour Income Fund" in body
    assert "Harbour Growth Fund" not in body  # emailed before the digest was chosen
    assert "Choose which emails you get" in body

    n.set_digest(world.investor, DigestFrequency.OFF)
    assert n.digest(world.investor).frequency is DigestFrequency.OFF
    third = _valued_pool(world, "Harbour Credit Fund")
    value(world, third, date.today().isoformat(), "1040.00")
    assert len(_valuation_emails(world)) == 3  # one digest, and single emails again


def test_a_weekly_digest_covers_the_last_whole_week(world: World) -> None:
    n = world.container.notifications
    n.set_digest(world.investor, DigestFrequency.WEEKLY)
    pool = _valued_pool(world, "Harbour Growth Fund")
    value(world, pool, date.today().isoformat(), "1010.00")
    today = date.today()
    next_monday = today + timedelta(days=7 - today.weekday())
    assert n.send_digests(datetime.combine(next_monday - timedelta(days=1), time(6, 30), tzinfo=UTC)) == 0
    assert n.send_digests(datetime.combine(next_monday, time(6, 30), tzinfo=UTC)) == 1
    assert n.send_digests(datetime.combine(next_monday + timedelta(days=2), time(6, 30), tzinfo=UTC)) == 0


def test_the_digest_choice_over_the_api_is_the_callers_own(world: World) -> None:
    api = Api(world)
    assert api.call("GET", "investor", "/notification-preferences/digest").get_json() == {"frequency": "off"}
    put = api.call("PUT", "investor", "/notification-preferences/digest", {"frequency": "weekly"})
    assert put.status_code == 200 and put.get_json() == {"frequency": "weekly"}
    assert api.call("GET", "manager", "/notification-preferences/digest").get_json() == {"frequency": "off"}
    bad = api.call("PUT", "investor", "/notification-preferences/digest", {"frequency": "hourly"})
    assert bad.status_code == 422
    assert world.container.notifications.digest(world.investor).frequency is DigestFrequency.WEEKLY
