"""The payment service's pure rules: the state machine, creditor references and webhook
signatures, without a database."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.finance.payment_references import (
    creditor_reference,
    reference_candidates,
    request_reference,
)
from backend.payments.states import ALLOWED, PaymentStatus, next_status
from backend.payments.webhook_signature import SignatureInvalid, signature_header, verify

S = PaymentStatus


def test_iso_11649_published_example() -> None:
    # ISO 11649's own example: body 539007547034 has check digits 18.
    assert creditor_reference("539007547034") == "RF18539007547034"
    assert reference_candidates("rf18 5390 0754 7034") == ["RF18539007547034"]


def test_a_mistyped_reference_is_never_matched() -> None:
    good = request_reference(41, 7)
    assert good == "RF" + good[2:4] + "C41I7"
    for typo in (good.replace("C41", "C14"), good.replace("I7", "I1"), good[:2] + "00" + good[4:]):
        assert typo not in reference_candidates(typo), typo


@given(st.integers(1, 2**63 - 1), st.integers(1, 2**31 - 1))
def test_every_request_reference_checks_and_is_found_in_free_text(entry: int, investor: int) -> None:
    reference = request_reference(entry, investor)
    assert len(reference) <= 25
    assert reference in reference_candidates(f"Capital call {reference[:6].lower()} {reference[6:]} / thanks")


def test_long_ids_go_in_base_36_and_still_fit() -> None:
    longest = request_reference(2**63 - 1, 2**31 - 1)
    assert longest.startswith("RF") and longest[4:] == "X1Y2P0IJ32E8E7YZIK0ZJ" and len(longest) == 25
    assert request_reference(12, 5)[4:] == "C12I5"


def test_terminal_statuses_go_nowhere_and_news_never_moves_a_payment_back() -> None:
    for terminal in (S.FAILED, S.CANCELED, S.REFUNDED, S.REVERSED):
        assert all(next_status(terminal, s) is None for s in S)
    assert next_status(S.SUCCEEDED, S.PROCESSING) is None  # a late "processing"
    assert next_status(S.SUCCEEDED, S.FAILED) is None  # money back is a reversal, not a failure
    assert next_status(S.PROCESSING, S.SUCCEEDED) is S.SUCCEEDED
    assert next_status(S.PENDING, S.SUCCEEDED) is S.SUCCEEDED  # "processing" may never come
    assert next_status(S.SUCCEEDED, S.SUCCEEDED) is None  # a repeat changes nothing
    assert next_status(S.PARTIALLY_REFUNDED, S.PARTIALLY_REFUNDED) is S.PARTIALLY_REFUNDED  # another one


@given(st.lists(st.sampled_from(list(S)), max_size=12))
def test_any_sequence_of_news_follows_the_table(reports: list[PaymentStatus]) -> None:
    status = S.PENDING
    for reported in reports:
        moved = next_status(status, reported)
        if moved is not None:
            assert moved in ALLOWED[status]
            status = moved


SECRET = "whsec_test"
BODY = b'{"id":"evt_1"}'


def test_a_signature_made_as_stripe_documents_it_verifies() -> None:
    # Stripe's documented scheme, computed here by hand: HMAC-SHA256 of "t.body", hex.
    t = 1_700_000_000
    v1 = hmac.new(SECRET.encode(), f"{t}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert verify(BODY, f"t={t},v1={v1}", [SECRET], now=t + 10) == t
    assert signature_header(BODY, [SECRET], t) == f"t={t},v1={v1}"


@pytest.mark.parametrize(
    ("header", "now", "problem"),
    [
        (None, 0, "missing"),
        ("v1=abc", 0, "no timestamp"),
        ("t=100", 100, "no v1"),
        (signature_header(BODY, [SECRET], 100), 100 + 301, "tolerance"),
        (signature_header(BODY, ["whsec_other"], 100), 100, "no signature matches"),
        (signature_header(BODY, [SECRET], 100).replace("t=100", "t=101"), 101, "no signature matches"),
    ],
)
def test_what_is_refused(header: str | None, now: int, problem: str) -> None:
    with pytest.raises(SignatureInvalid, match=problem):
        verify(BODY, header, [SECRET], now=now)


def test_rotation_any_v1_against_any_configured_secret() -> None:
    header = signature_header(BODY, ["whsec_new"], 100)
    assert verify(BODY, header, ["whsec_old", "whsec_new"], now=100) == 100
    with pytest.raises(SignatureInvalid, match="no webhook signing secret"):
        verify(BODY, header, [], now=100)


def test_a_reference_followed_by_text_is_found_even_when_a_prefix_passes_by_chance() -> None:
    # Some shorter prefixes of "<reference><text run on>" pass mod 97 by chance: every valid
    # one is offered, longest first, and the statement matcher keeps the one naming a request.
    for entry in range(1, 400):
        reference = request_reference(entry, 7)
        assert reference in reference_candidates(f"{reference} Capital call no. 3")


def test_a_mistyped_reference_never_offers_a_prefix_that_ends_inside_a_word() -> None:
    # Whatever ids: no candidate ends inside the mistyped word, so none can be a shorter
    # reference that passed the check digits by chance (a longer one running on into the
    # next word may pass by chance, but is not any request's reference).
    for entry in range(1, 300):
        good = request_reference(entry, 185)
        typo = good[:-1] + ("0" if good[-1] != "0" else "1")
        assert all(len(candidate) >= len(typo) for candidate in reference_candidates(f"paid {typo} ok")), typo
