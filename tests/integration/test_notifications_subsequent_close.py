"""Notices of a subsequent close, on SQLite and MariaDB: each investor is told its own figures
and no one else's (the investor admitted what it pays, in total and by part, and when; each
investor already in what comes back to it), in the app, by email and in its language; the
investors already in get a distribution notice in the vault; a replayed event tells nobody
twice, and a reversal of the close tells nobody anything new (as of a capital call or a
distribution: what was told and issued stands).

The figures are Fundwave's "Carol" example (docs/business-logic.md section 18): Carol pays
200,000.00 + 3,901.37; the GP gets back 20,000.00 + 390.14, Alice 80,000.00 + 1,560.55, Bob
100,000.00 + 1,950.68."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta
from email.message import EmailMessage

import pytest
from pypdf import PdfReader

from backend.composition.container import Container
from backend.platform.actors import Actor, Role
from backend.platform.config import Settings
from ledger.interface import LedgerEvent, ReversalRequest
from notifications.interface import DocumentKind, NotificationKind, NotificationOut, ReadAction
from tests.integration.mail_support import MailServer
from tests.integration.pools_support import World, make_world
from tests.integration.test_subsequent_closes_api import Fund

# Every test here runs in process and again with the notification service behind gRPC (its
# PDFs as protobuf bytes, its refusals as the same errors).
pytestmark = pytest.mark.over_grpc("notifications")

POOL = "Harbour Private Equity I"
CAROL = (
    "You pay USD 203,901.37 on 2019-03-31: USD 200,000.00, your share of the capital called before "
    "you joined, and USD 3,901.37 of equalisation interest."
)
BACK = (
    "You receive USD {total} on 2019-03-31: USD {capital} of capital returned and USD {interest} of "
    "equalisation interest, paid by the investors admitted at the close."
)
FIGURES = {
    "gp": ("20,390.14", "20,000.00", "390.14"),
    "alice": ("81,560.55", "80,000.00", "1,560.55"),
    "bob": ("101,950.68", "100,000.00", "1,950.68"),
}
EVERY_FIGURE = {"203,901.37", "200,000.00", "3,901.37", *(f for three in FIGURES.values() for f in three)}


@pytest.fixture
def settings(settings_with_mail: Settings) -> Settings:
    return settings_with_mail  # emails go to the test's SMTP server


@pytest.fixture
def world(container: Container, monkeypatch: pytest.MonkeyPatch) -> World:
    # The close is dated 2019: told here as news, not stored read and unsent as history loaded today.
    monkeypatch.setattr("notifications.service.HISTORY", timedelta(days=365 * 100))
    monkeypatch.setattr("notifications.outbox.HISTORY", timedelta(days=365 * 100))
    monkeypatch.setattr("notifications.sms_outbox.HISTORY", timedelta(days=365 * 100))
    return make_world(container)


def _actor(world: World, investor: int) -> Actor:
    user = world.container.investors.get_investor(Actor.operator("test"), investor).user_id
    assert user is not None
    return Actor(user, Role.INVESTOR, f"investor-{investor}")


def _told(world: World, actor: Actor) -> list[NotificationOut]:
    return world.container.notifications.list_for_user(actor, limit=100).items


def _close(fund: Fund) -> int:
    answer = fund.close({"closing_date": "2019-03-31"})
    assert answer.status_code == 201, answer.get_json()
    return int(answer.get_json()["id"])


def test_each_investor_is_told_its_own_figures_and_no_one_elses(world: World) -> None:
    fund = Fund(world)
    before = {who: len(_told(world, _actor(world, who))) for who in (fund.gp, fund.alice, fund.bob)}
    entry = _close(fund)

    (carol,) = _told(world, _actor(world, fund.carol))
    assert (carol.kind, carol.entry_id, carol.title) == (
        NotificationKind.CAPITAL_CALL,
        entry,
        f"Admitted at a subsequent close: {POOL}",
    )
    assert carol.body == CAROL and carol.link == "/investor"
    for name, investor in (("gp", fund.gp), ("alice", fund.alice), ("bob", fund.bob)):
        told = _told(world, _actor(world, investor))
        assert len(told) == before[investor] + 1  # the close, after the January call
        newest = told[0]
        assert (newest.kind, newest.entry_id, newest.title) == (
            NotificationKind.DISTRIBUTION,
            entry,
            f"Capital returned at a subsequent close: {POOL}",
        )
        total, capital, interest = FIGURES[name]
        assert newest.body == BACK.format(total=total, capital=capital, interest=interest)
        assert newest.link == "/documents"
        # Its own three figures and none of the others' (nor Carol's).
        assert {f for f in EVERY_FIGURE if f in newest.body} == set(FIGURES[name])
    assert {f for f in EVERY_FIGURE if f in carol.body} == {"203,901.37", "200,000.00", "3,901.37"}

    staff = _told(world, world.manager)[0]
    assert (staff.title, staff.body) == (
        f"Subsequent close: {POOL}",
        "The investors admitted at the close pay USD 200,000.00 of capital called before and "
        "USD 3,901.37 of equalisation interest on 2019-03-31; both go to the investors already in.",
    )


def test_the_investors_already_in_get_a_distribution_notice_of_their_own(world: World) -> None:
    fund = Fund(world)
    entry = _close(fund)
    for investor in (fund.gp, fund.alice, fund.bob):
        docs = world.container.notifications.documents(_actor(world, investor), pool_id=fund.id)
        closes = [d for d in docs if d.reference == f"SC-{entry}"]
        assert [(d.kind, d.investor_id, d.issued_on.isoformat()) for d in closes] == [
            (DocumentKind.DISTRIBUTION_NOTICE, investor, "2019-03-31")
        ]
        assert closes[0].title == f"{POOL}: subsequent close notice SC-{entry}"
        # It says what the money is: not a distribution under the waterfall.
        _, pdf = world.container.notifications.open_document(
            _actor(world, investor), closes[0].id, ReadAction.VIEW
        )
        text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
        assert "has admitted investors at a subsequent close" in text
        assert "Returned to you at the close" in text and "waterfall" not in text
    # Carol pays: told in the app and by email, with no distribution notice of the close.
    carol_docs = world.container.notifications.documents(_actor(world, fund.carol), pool_id=fund.id)
    assert [d for d in carol_docs if d.reference == f"SC-{entry}"] == []


def test_the_management_fee_caught_up_is_told_as_a_part_of_what_the_investor_pays(world: World) -> None:
    fund = Fund(world, fee={"rate": "0.02", "basis": "committed"}, carol=False)
    fund.tx(type="management_fee", effective_date="2019-03-31", period_start="2019-01-01")
    world.commit(fund.id, fund.carol, "2500000.00")
    _close(fund)
    (carol,) = _told(world, _actor(world, fund.carol))
    assert carol.body == (
        "You pay USD 216,230.14 on 2019-03-31: USD 200,000.00, your share of the capital called before "
        "you joined, USD 3,901.37 of equalisation interest and USD 12,328.77 of management fee charged "
        "before you joined."
    )
    assert _told(world, world.manager)[0].body == (
        "The investors admitted at the close pay USD 200,000.00 of capital called before, USD 3,901.37 "
        "of equalisation interest and USD 12,328.77 of management fee charged before they joined, on "
        "2019-03-31; the capital and the interest go to the investors already in."
    )


def test_emails_carry_each_readers_own_figures_in_its_language(world: World, mail: MailServer) -> None:
    fund = Fund(world)
    carol, alice = _actor(world, fund.carol), _actor(world, fund.alice)
    world.container.notifications.set_language(carol, "de")
    _close(fund)
    (told,) = _told(world, carol)
    assert told.title == f"Aufnahme bei einem weiteren Closing: {POOL}"
    assert told.body == (
        "Sie zahlen am 31.03.2019 203.901,37\xa0$: 200.000,00\xa0$ als Ihren Anteil am vor Ihrem "
        "Beitritt abgerufenen Kapital und 3.901,37\xa0$ Ausgleichszinsen."
    )

    world.container.notifications.send_due_emails()
    to_carol = _email_to(world, mail, carol, told.title)
    to_alice = _email_to(world, mail, alice, f"Capital returned at a subsequent close: {POOL}")
    # The plain text as one line: the sentence is the notice's body, whatever the line breaks.
    carol_text, alice_text = (re.sub(r"[ \r\n]+", " ", _plain(m)) for m in (to_carol, to_alice))
    assert told.body in carol_text
    assert BACK.format(total="81,560.55", capital="80,000.00", interest="1,560.55") in alice_text
    assert {f for f in EVERY_FIGURE if f in alice_text} == set(FIGURES["alice"])
    assert not any(f in carol_text for f in ("1.560,55", "1,560.55", "20.390,14", "101.950,68"))
    # The investors already in get the close's notice attached; Carol has none to attach.
    assert [p.get_content_type() for p in to_alice.iter_attachments()] == ["application/pdf"]
    assert list(to_carol.iter_attachments()) == []


def _email_to(world: World, mail: MailServer, actor: Actor, subject: str) -> EmailMessage:
    assert actor.user_id is not None
    address = world.container.users.get_user(world.admin, actor.user_id).email
    (sent,) = [m for m in mail.received if (str(m["To"]), str(m["Subject"])) == (address, subject)]
    return sent


def _plain(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def test_a_replayed_close_tells_nobody_twice_and_a_reversal_tells_nothing_new(
    world: World, mail: MailServer
) -> None:
    fund = Fund(world)
    committed: list[LedgerEvent] = []
    world.container.ledger_bus.subscribe(committed.append, "entry.committed")
    entry = _close(fund)
    (event,) = [e for e in committed if e.entry_id == entry]
    people = [world.manager, *(_actor(world, i) for i in (fund.gp, fund.alice, fund.bob, fund.carol))]
    seen = {p.user_id: [n.id for n in _told(world, p)] for p in people}
    documents = {d.id for d in world.container.notifications.documents(world.manager, pool_id=fund.id)}
    world.container.notifications.send_due_emails()
    emailed = len(mail.received)

    assert world.container.notification_consumer.handle(event) == 0
    reversal = ReversalRequest(memo="the close was posted in error")
    world.container.transactions.reverse(world.manager, entry, reversal, str(uuid.uuid4()))
    world.container.notifications.send_due_emails()
    assert len(mail.received) == emailed
    assert {p.user_id: [n.id for n in _told(world, p)] for p in people} == seen
    assert {
        d.id for d in world.container.notifications.documents(world.manager, pool_id=fund.id)
    } == documents
