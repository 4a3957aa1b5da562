"""Notices in each person's language, on both backends: a person who reads German gets the bell
item, the email (subject, the sender's words and the template's) and the text in German from
the catalogues; the manager of the same call reads English; a language without a catalogue
is refused naming the field."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from backend.composition.container import Container
from backend.investors.interface import InvestorUpdate, KycStatus
from backend.platform.config import Settings
from ledger.interface import CapitalCallRequest
from notifications.interface import NotificationKind
from tests.integration.mail_support import MailServer
from tests.integration.pools_support import Api, World, closed_pool, make_world

# Every test here runs in process and again with the notification service behind gRPC (its
# PDFs as protobuf bytes, its refusals as the same errors).
pytestmark = pytest.mark.over_grpc("notifications")


@pytest.fixture
def settings(settings_with_mail: Settings) -> Settings:
    return settings_with_mail  # emails go to the test's SMTP server


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def test_a_person_who_reads_german_gets_the_call_in_german_and_the_manager_in_english(
    world: World, mail: MailServer
) -> None:
    api = Api(world)
    assert api.call("GET", "investor", "/notification-preferences/language").get_json() == {"language": "en"}
    refused = api.call("PUT", "investor", "/notification-preferences/language", {"language": "fr"})
    assert refused.status_code == 422 and "language" in refused.get_data(as_text=True)
    chosen = api.call("PUT", "investor", "/notification-preferences/language", {"language": "de"})
    assert chosen.status_code == 200 and chosen.get_json() == {"language": "de"}

    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool(name="Harbour PE I")).id
    a = world.investor_profile(world.investor)
    world.commit(pool, a, "100000.00")
    today = date.today()
    call = CapitalCallRequest(
        amount=Decimal(20000), due_date=today + timedelta(days=14), effective_date=today
    )
    c.transactions.capital_call(world.manager, pool, call, str(uuid.uuid4()))

    (mine,) = c.notifications.list_for_user(world.investor, kind=NotificationKind.CAPITAL_CALL).items
    assert mine.title == "Kapitalabruf: Harbour PE I"
    # The figures as a German reader writes them: 20.000,00 €, 18.12.2026.
    assert mine.body == f"Ihr Anteil: 20.000,00\xa0€, fällig am {call.due_date:%d.%m.%Y}."
    (theirs,) = c.notifications.list_for_user(world.manager, kind=NotificationKind.CAPITAL_CALL).items
    assert theirs.title == "Capital call issued: Harbour PE I"

    c.notifications.send_due_emails()
    to_investor = next(m for m in mail.received if str(m["To"]) == world.emails["investor"])
    to_manager = next(m for m in mail.received if str(m["To"]) == world.emails["manager"])
    assert str(to_investor["Subject"]) == "Kapitalabruf: Harbour PE I"
    text = to_investor.get_body(preferencelist=("plain",))
    html = to_investor.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "Es wurde ein Kapitalabruf vorgenommen." in text.get_content()
    assert "Ihr Anteil: 20.000,00\xa0€" in text.get_content()
    assert '<html lang="de">' in html.get_content()
    assert str(to_manager["Subject"]) == "Capital call issued: Harbour PE I"

    # A decision later is in German too; back to English, the next one is in English.
    profile = world.investor_profile(world.other_investor, approved=False, name="Bo Other")
    api.call("PUT", "other_investor", "/notification-preferences/language", {"language": "de"})
    c.investors.update_investor(world.admin, profile, InvestorUpdate(kyc_status=KycStatus.APPROVED))
    (kyc,) = c.notifications.list_for_user(world.other_investor, kind=NotificationKind.KYC_STATUS).items
    assert kyc.title == "Ihre KYC-Prüfung: bestanden"
    api.call("PUT", "other_investor", "/notification-preferences/language", {"language": "en"})
    c.investors.update_investor(world.admin, profile, InvestorUpdate(kyc_status=KycStatus.REJECTED))
    newest = c.notifications.list_for_user(world.other_investor, kind=NotificationKind.KYC_STATUS).items[0]
    assert newest.title == "Your KYC review: not approved"
