"""SMS providers against a local stand-in for Twilio's REST API, through the official SDK: a
message goes out with its number, sender, text and status callback and comes back as a SID;
server errors, rate limits, wrong credentials, an outage and a hung API are for later; an
invalid or unreachable number is for good. Status callbacks are believed only when Twilio's
signature matches; their statuses map onto ours. Numbers are normalised to E.164. The folder
provider writes one whole JSON file per message."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from notifications.sms import (
    FolderSms,
    SmsProvider,
    SmsRefused,
    SmsUnavailable,
    TwilioSms,
    callback_is_genuine,
    delivery_status_of,
    e164,
)
from tests.integration.sms_support import ReceivedSms, TwilioStandIn, signed_status_callback

ACCOUNT_SID = "AC" + uuid.uuid4().hex
AUTH_TOKEN = uuid.uuid4().hex
SENDER = "+15005550006"
CALLBACK_URL = "https://pools.example.com/notifications/sms/status?delivery=42"


@pytest.fixture
def twilio() -> Iterator[TwilioStandIn]:
    stand_in = TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN)
    stand_in.start()
    yield stand_in
    stand_in.stop()


def _provider(twilio: TwilioStandIn, *, auth_token: str = AUTH_TOKEN, timeout: float = 5.0) -> TwilioSms:
    return TwilioSms(ACCOUNT_SID, auth_token, SENDER, base_url=twilio.base_url, timeout=timeout)


def test_the_sdk_sends_the_message_and_returns_twilios_sid(twilio: TwilioStandIn) -> None:
    provider: SmsProvider = _provider(twilio)
    body = "Capital call: €30,000 due 1 July for Harbour PE I"

    sid = provider.send("+44 7700 900-123", body, status_callback=CALLBACK_URL)

    assert re.fullmatch(r"SM[0-9a-f]{32}", sid)
    assert twilio.received == [ReceivedSms(sid, "+447700900123", SENDER, body, CALLBACK_URL)]


def test_no_status_callback_is_sent_unless_asked_for(twilio: TwilioStandIn) -> None:
    first = _provider(twilio).send("+447700900123", "one")
    second = _provider(twilio).send("+447700900124", "two")

    assert first != second
    assert [(sms.sid, sms.to, sms.status_callback) for sms in twilio.received] == [
        (first, "+447700900123", None),
        (second, "+447700900124", None),
    ]


def test_the_auth_token_stays_out_of_the_repr(twilio: TwilioStandIn) -> None:
    assert AUTH_TOKEN not in repr(_provider(twilio))


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (500, 20500, "Internal Server Error"),
        (503, 20503, "Service Unavailable"),
        (429, 20429, "Too Many Requests"),
    ],
)
def test_server_errors_and_throttling_are_for_later(
    twilio: TwilioStandIn, status: int, code: int, message: str
) -> None:
    twilio.fail_with(status, code, message)

    with pytest.raises(SmsUnavailable, match=str(status)):
        _provider(twilio).send("+447700900123", "hello")

    twilio.succeed()  # and once Twilio is back, the same message goes
    assert _provider(twilio).send("+447700900123", "hello") == twilio.received[-1].sid


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (21211, "Invalid 'To' Phone Number: +447700900123"),
        (21614, "'To' number is not a valid mobile number"),
        (21610, "Attempt to send to unsubscribed recipient"),
        (21617, "The concatenated message body exceeds the 1600 character limit"),
    ],
)
def test_a_refused_number_or_message_is_for_good(twilio: TwilioStandIn, code: int, message: str) -> None:
    twilio.fail_with(400, code, message)

    with pytest.raises(SmsRefused, match=str(code)) as refused:
        _provider(twilio).send("+447700900123", "hello")

    assert twilio.received == []
    assert message[:20] in str(refused.value)


def test_a_permanent_code_is_refused_whatever_the_status(twilio: TwilioStandIn) -> None:
    twilio.fail_with(500, 21211, "Invalid 'To' Phone Number")

    with pytest.raises(SmsRefused, match="21211"):
        _provider(twilio).send("+447700900123", "hello")


def test_wrong_credentials_are_an_outage_not_a_bad_number(twilio: TwilioStandIn) -> None:
    with pytest.raises(SmsUnavailable, match="401"):
        _provider(twilio, auth_token="not-the-token").send("+447700900123", "hello")

    assert twilio.received == []


def test_error_text_is_capped(twilio: TwilioStandIn) -> None:
    twilio.fail_with(500, 20500, "x" * 5000)

    with pytest.raises(SmsUnavailable) as unavailable:
        _provider(twilio).send("+447700900123", "hello")

    assert 0 < len(str(unavailable.value)) <= 200


def test_an_outage_is_for_later_and_ends_when_twilio_is_back(twilio: TwilioStandIn) -> None:
    twilio.stop()

    with pytest.raises(SmsUnavailable, match="ConnectionError"):
        _provider(twilio, timeout=1.0).send("+447700900123", "during the outage")

    twilio.start()
    sid = _provider(twilio, timeout=1.0).send("+447700900123", "after the outage")
    assert [(sms.sid, sms.body) for sms in twilio.received] == [(sid, "after the outage")]


def test_a_hung_api_times_out_as_unavailable(twilio: TwilioStandIn) -> None:
    twilio.hold()

    with pytest.raises(SmsUnavailable, match="Timeout"):
        _provider(twilio, timeout=0.3).send("+447700900123", "hello")

    assert twilio.received == []


def test_an_invalid_number_is_refused_before_anything_is_sent(twilio: TwilioStandIn) -> None:
    with pytest.raises(SmsRefused, match=r"E\.164"):
        _provider(twilio).send("07700 900123", "hello")

    assert twilio.requests == 0


def test_a_signed_status_callback_is_genuine() -> None:
    params, signature = signed_status_callback(
        AUTH_TOKEN, CALLBACK_URL, message_sid="SM" + "a" * 32, status="delivered", account_sid=ACCOUNT_SID
    )

    assert callback_is_genuine(AUTH_TOKEN, CALLBACK_URL, params, signature)
    assert delivery_status_of(params) == "delivered"


def test_a_tampered_status_callback_is_not_genuine() -> None:
    params, signature = signed_status_callback(
        AUTH_TOKEN, CALLBACK_URL, message_sid="SM" + "a" * 32, status="failed", account_sid=ACCOUNT_SID
    )
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    assert callback_is_genuine(AUTH_TOKEN, CALLBACK_URL, params, signature)  # the control
    assert not callback_is_genuine(
        AUTH_TOKEN, CALLBACK_URL, {**params, "MessageStatus": "delivered"}, signature
    )
    assert not callback_is_genuine(AUTH_TOKEN, CALLBACK_URL, {**params, "ErrorCode": "30003"}, signature)
    assert not callback_is_genuine(AUTH_TOKEN, CALLBACK_URL, params, flipped)
    assert not callback_is_genuine(AUTH_TOKEN, CALLBACK_URL, params, "")
    assert not callback_is_genuine(AUTH_TOKEN, CALLBACK_URL.replace("42", "43"), params, signature)
    assert not callback_is_genuine(
        AUTH_TOKEN, "https://evil.example.com/notifications/sms/status", params, signature
    )
    assert not callback_is_genuine("another-accounts-token", CALLBACK_URL, params, signature)


@pytest.mark.parametrize(
    ("twilio_status", "ours"),
    [
        ("delivered", "delivered"),
        ("undelivered", "bounced"),
        ("failed", "bounced"),
        ("sent", "sent"),
        ("queued", None),
        ("sending", None),
        ("accepted", None),
        ("", None),
    ],
)
def test_delivery_status_of_maps_twilios_statuses(twilio_status: str, ours: str | None) -> None:
    assert delivery_status_of({"MessageSid": "SM" + "b" * 32, "MessageStatus": twilio_status}) == ours


def test_a_callback_without_a_status_changes_nothing() -> None:
    assert delivery_status_of({"MessageSid": "SM" + "b" * 32}) is None


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("+447700900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("+1 (415) 555-0100", "+14155550100"),
        (" +33\t6 12 34 56 78 ", "+33612345678"),
        ("+12345678", "+12345678"),  # 8 digits, the shortest
        ("+123456789012345", "+123456789012345"),  # 15 digits, the longest
    ],
)
def test_e164_accepts_and_normalises(typed: str, normalised: str) -> None:
    assert e164(typed) == normalised


@pytest.mark.parametrize(
    "typed",
    [
        "447700900123",  # no +
        "07700 900123",  # a national number
        "+1234567",  # 7 digits
        "+1234567890123456",  # 16 digits
        "+0447700900123",  # no country code starts with 0
        "++447700900123",
        "+44 7700 90012a",
        "+44.7700.900123",
        "+4٤٧٧٠٠٩٠٠١٢٣",  # Arabic-Indic digits after the first: `\d` would take them
        "+",
        "",
    ],
)
def test_e164_rejects(typed: str) -> None:
    with pytest.raises(ValueError, match=r"^phone: .*E\.164"):
        e164(typed)


def test_the_folder_provider_writes_one_whole_json_file_per_message(tmp_path: Path) -> None:
    outbox = tmp_path / "var" / "sms"
    provider: SmsProvider = FolderSms(outbox)

    first = provider.send("+44 7700 900123", "Distribution: €1,250 paid", status_callback=CALLBACK_URL)
    second = provider.send("+14155550100", "second")

    assert re.fullmatch(r"local-[0-9a-f]{32}", first) and re.fullmatch(r"local-[0-9a-f]{32}", second)
    assert first != second
    assert sorted(path.name for path in outbox.iterdir()) == sorted([f"{first}.json", f"{second}.json"])
    written = json.loads((outbox / f"{first}.json").read_text(encoding="utf-8"))
    assert written == {"to": "+447700900123", "body": "Distribution: €1,250 paid", "id": first}


def test_the_folder_provider_refuses_an_invalid_number_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(SmsRefused):
        FolderSms(tmp_path / "sms").send("not a number", "hello")

    assert not (tmp_path / "sms").exists() or list((tmp_path / "sms").iterdir()) == []
