"""A change of the bank account payouts go to is confirmed with a one-time code emailed to the
investor's sign-in address, before an administrator verifies it by a call-back: the password
alone (a stolen one, or a session left open) cannot redirect a distribution.

The code reaches the investor by email only (never the app, where a stolen session would read
it, nor a text), is kept sealed (a copy of the database does not give it away), works for
CODE_MINUTES and MAX_CODE_TRIES tries, and only for the investor who asked.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from backend.composition.container import Container
from backend.payments.interface import (
    AccountDecision,
    PayoutAccountCode,
    PayoutAccountIn,
    PayoutAccountOut,
    PayoutAccountStatus,
)
from backend.payments.payout_codes import MAX_CODE_TRIES
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.platform.unit_of_work import ReadView, UnitOfWork
from tests.integration.auth_support import PASSWORD
from tests.integration.payments_support import emailed_codes
from tests.integration.pools_support import Api, World, make_world, problem_fields

# Every test here runs in process and again with the payment service behind gRPC (payment
# files as protobuf bytes, its refusals as the same errors).
pytestmark = pytest.mark.over_grpc("payments")

A_IBAN = "FR1420041010050500013M02606"
A_NEW_IBAN = "NL91ABNA0417164300"


@pytest.fixture
def world(container: Container) -> World:
    built = make_world(container)
    built.investor_profile(built.investor)
    built.investor_profile(built.other_investor, name="Bo Other")
    return built


def _ask(world: World, iban: str = A_IBAN) -> tuple[PayoutAccountOut, str]:
    asked = world.container.payments.request_payout_account(
        world.investor, PayoutAccountIn(account_name="Ada Investor", iban=iban, password=PASSWORD)
    )
    (code,) = emailed_codes(world.container, asked.id)
    return asked, code


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _row(container: Container, account_id: int) -> dict[str, object]:
    with ReadView(container.db) as view:
        found = view.session.execute(
            text("SELECT * FROM payment_payout_accounts WHERE id = :id"), {"id": account_id}
        ).one()
        return dict(found._mapping)


def test_a_change_waits_for_the_code_which_only_the_investors_mailbox_receives(world: World) -> None:
    c, p = world.container, world.container.payments
    asked, code = _ask(world)
    assert asked.status is PayoutAccountStatus.UNCONFIRMED and asked.code_expires_at is not None
    assert len(code) == 6 and code.isdigit()

    # By email, to the sign-in address, and nowhere else: no bell item, no text, no audit line.
    with ReadView(c.db) as view:
        sent = view.session.execute(
            text("SELECT channel, to_address FROM notification_deliveries WHERE event_id = :e"),
            {"e": f"bank-details:{asked.id}:code"},
        ).all()
        audit = " ".join(str(r) for r in view.session.execute(text("SELECT * FROM audit_events")).all())
    assert [tuple(r) for r in sent] == [("email", world.emails["investor"])]
    in_app = c.notifications.list_for_user(world.investor, limit=50).items
    assert in_app and all(code not in f"{n.title} {n.body}" for n in in_app)
    assert code not in audit
    row = _row(c, asked.id)
    assert row["code_sealed"] and code not in str(row["code_sealed"])  # sealed, not stored as typed

    # Not the administrator's to verify yet.
    assert p.pending_payout_accounts(world.admin) == []
    with pytest.raises(Conflict):
        p.decide_payout_account(world.admin, asked.id, AccountDecision(verify=True, note="call-back"))

    confirmed = p.confirm_payout_account(world.investor, asked.id, PayoutAccountCode(code=code))
    assert confirmed.status is PayoutAccountStatus.PENDING and confirmed.confirmed_at is not None
    assert [a.id for a in p.pending_payout_accounts(world.admin)] == [asked.id]
    assert _row(c, asked.id)["code_sealed"] is None  # used once, then gone
    with pytest.raises(Conflict):
        p.confirm_payout_account(world.investor, asked.id, PayoutAccountCode(code=code))
    verified = p.decide_payout_account(world.admin, asked.id, AccountDecision(verify=True, note="call-back"))
    assert verified.status is PayoutAccountStatus.VERIFIED


def test_wrong_codes_are_counted_and_the_last_try_voids_the_change(world: World) -> None:
    p = world.container.payments
    asked, code = _ask(world)
    for left in range(MAX_CODE_TRIES - 1, 0, -1):
        with pytest.raises(ValidationFailed) as wrong:
            p.confirm_payout_account(world.investor, asked.id, PayoutAccountCode(code=_wrong(code)))
        assert wrong.value.field == "code" and f"({left} tries left)" in str(wrong.value)
    with pytest.raises(ValidationFailed) as last:
        p.confirm_payout_account(world.investor, asked.id, PayoutAccountCode(code=_wrong(code)))
    assert "the change is void" in str(last.value)
    # Void for good: the right code no longer confirms it, and nobody is asked to verify it.
    with pytest.raises(Conflict):
        p.confirm_payout_account(world.investor, asked.id, PayoutAccountCode(code=code))
    (mine,) = p.payout_accounts(world.investor)
    assert mine.status is PayoutAccountStatus.LAPSED and p.pending_payout_accounts(world.admin) == []
    assert _row(world.container, asked.id)["code_attempts"] == MAX_CODE_TRIES


def test_an_expired_code_voids_the_change(world: World) -> None:
    c, p = world.container, world.container.payments
    asked, code = _ask(world)
    with UnitOfWork(c.db) as unit:
        unit.session.execute(
            text("UPDATE payment_payout_accounts SET code_expires_at = requested_at WHERE id = :id"),
            {"id": asked.id},
        )
        unit.commit()
    with pytest.raises(Conflict) as expired:
        p.confirm_payout_account(world.investor, asked.id, PayoutAccountCode(code=code))
    assert expired.value.field == "code" and "expired" in str(expired.value)
    assert p.payout_accounts(world.investor)[0].status is PayoutAccountStatus.LAPSED


def test_asking_again_replaces_the_unconfirmed_change_and_its_code(world: World) -> None:
    p = world.container.payments
    first, first_code = _ask(world)
    second, second_code = _ask(world, A_NEW_IBAN)
    with pytest.raises(Conflict):
        p.confirm_payout_account(world.investor, first.id, PayoutAccountCode(code=first_code))
    confirmed = p.confirm_payout_account(world.investor, second.id, PayoutAccountCode(code=second_code))
    assert confirmed.iban_masked == "NL…4300"
    statuses = {a.id: a.status for a in p.payout_accounts(world.investor)}
    assert statuses == {first.id: PayoutAccountStatus.REPLACED, second.id: PayoutAccountStatus.PENDING}


def test_nobody_but_the_investor_who_asked_can_confirm_even_with_the_right_code(world: World) -> None:
    p = world.container.payments
    asked, code = _ask(world)
    with pytest.raises(NotFound):
        p.confirm_payout_account(world.other_investor, asked.id, PayoutAccountCode(code=code))
    for not_an_investor in (world.manager, world.other_manager, world.admin, world.analyst):
        with pytest.raises(PermissionDenied):
            p.confirm_payout_account(not_an_investor, asked.id, PayoutAccountCode(code=code))
    with pytest.raises(NotFound):
        p.confirm_payout_account(world.investor, asked.id + 1000, PayoutAccountCode(code=code))
    # None of those counted as a try, and the change is still the investor's to confirm.
    assert _row(world.container, asked.id)["code_attempts"] == 0
    confirmed = p.confirm_payout_account(world.investor, asked.id, PayoutAccountCode(code=code))
    assert confirmed.status is PayoutAccountStatus.PENDING


def test_the_api_confirms_with_the_code_and_names_the_field_when_it_is_wrong(world: World) -> None:
    api = Api(world)
    body = {"account_name": "Ada Investor", "iban": A_IBAN, "password": PASSWORD}
    asked = api.call("POST", "investor", "/payments/payout-accounts", body)
    assert asked.status_code == 201, asked.get_json()
    account_id = asked.get_json()["id"]
    (code,) = emailed_codes(world.container, account_id)
    path = f"/payments/payout-accounts/{account_id}/confirmation"
    short = api.call("POST", "investor", path, {"code": code[:5]})
    assert short.status_code == 422 and problem_fields(short) == ["code"]
    wrong = api.call("POST", "investor", path, {"code": _wrong(code)})
    assert wrong.status_code == 422 and "4 tries left" in wrong.get_json()["detail"]
    outsider = api.call("POST", "other_investor", path, {"code": code})
    assert outsider.status_code == 404
    done = api.call("POST", "investor", path, {"code": code})
    assert done.status_code == 200 and done.get_json()["status"] == "pending"
    assert api.call("POST", "investor", path, {"code": code}).status_code == 409
