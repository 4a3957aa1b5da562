"""Payouts on both backends: a distribution owes each investor a payout, paid only into a bank
account the investor confirmed with their password and an admin verified; a recently
verified account holds the payout for a manager's review; the pain.001 file validates and is
the same on every download; the bank's statement marks payouts paid or returned; a reversed
distribution cancels what was not sent."""

from __future__ import annotations

import base64
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from backend.composition.container import Container
from backend.payments.bankfiles import read_pain001, validate_pain001
from backend.payments.interface import (
    AccountDecision,
    CollectionAccountIn,
    PayoutAccountCode,
    PayoutAccountIn,
    PayoutFileIn,
    PayoutKind,
    PayoutStatus,
    StatementFormat,
    StatementUpload,
)
from backend.payments.models import PayoutAccount, PoolCollectionAccount
from backend.payments.vault import Vault
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.platform.key_ring import new_key_entry, parse_key_ring
from backend.platform.secrets_store import load_or_create_payment_data_keys
from backend.platform.unit_of_work import UnitOfWork
from ledger.interface import EntryType, ReversalRequest
from tests.integration.auth_support import PASSWORD
from tests.integration.authorization_support import STATEMENT_HEADER
from tests.integration.payments_support import confirmed_change, emailed_codes
from tests.integration.pools_support import World, make_world
from tests.integration.reports_support import build_closed, build_open

# Every test here runs in process and again with the payment service behind gRPC (payment
# files as protobuf bytes, its refusals as the same errors).
pytestmark = pytest.mark.over_grpc("payments")

D = Decimal
POOL_IBAN = "DE89 3704 0044 0532 0130 00"
A_IBAN = "FR14 2004 1010 0505 0001 3M02 606"
A_NEW_IBAN = "NL91 ABNA 0417 1643 00"


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _account(iban: str, password: str = PASSWORD) -> PayoutAccountIn:
    return PayoutAccountIn(account_name="Ada Investor", iban=iban, bic=None, password=password)


def _verified(world: World, iban: str) -> int:
    p = world.container.payments
    pending = confirmed_change(world.container, world.investor, _account(iban))
    return p.decide_payout_account(world.admin, pending.id, AccountDecision(verify=True, note="call-back")).id


def _statement(*rows: str) -> StatementUpload:
    content = "\n".join([STATEMENT_HEADER, *rows]).encode()
    return StatementUpload(
        format=StatementFormat.CSV, filename="bank.csv", content_base64=base64.b64encode(content).decode()
    )


def _distribution_payouts(world: World) -> tuple[int, int, int]:
    built = build_closed(world)
    world.container.payments.set_collection_account(
        world.manager, built.pool, CollectionAccountIn(account_name="Harbour PE I", iban=POOL_IBAN)
    )
    return built.pool, built.a, built.b


def test_a_distribution_is_paid_by_file_into_verified_accounts_and_confirmed_by_the_bank(
    world: World,
) -> None:
    pool, a, b = _distribution_payouts(world)
    p = world.container.payments
    payouts = {x.investor_id: x for x in p.list_payouts(world.manager, pool)}
    entry = world.container.transactions.list_transactions(
        world.manager, pool, entry_type=EntryType.DISTRIBUTION
    ).entries[0]
    lp = {int(k): D(v["total"]) for k, v in entry.details["investors"].items()}
    assert {k: v.amount for k, v in payouts.items()} == lp == {a: D("8000.00"), b: D("4000.00")}
    assert all(x.kind is PayoutKind.DISTRIBUTION and x.status is PayoutStatus.HELD for x in payouts.values())
    assert payouts[a].hold_reason == "no verified bank account on file"
    # The investor sees their own payout only; outsiders see none.
    assert [x.investor_id for x in p.list_payouts(world.investor)] == [a]
    with pytest.raises(NotFound):
        p.list_payouts(world.other_manager, pool)

    with pytest.raises(PermissionDenied) as wrong:
        p.request_payout_account(world.investor, _account(A_IBAN, password="not my password"))
    assert wrong.value.field == "password" and p.payout_accounts(world.investor) == []
    with pytest.raises(ValidationFailed) as bad:
        p.request_payout_account(world.investor, _account("FR14 2004 1010 0505 0001 3M02 607"))
    assert bad.value.field == "iban"
    asked = p.request_payout_account(world.investor, _account(A_IBAN))
    assert asked.status.value == "unconfirmed" and asked.iban_masked == "FR…2606"
    # Not the admin's to verify until the investor has entered the code emailed to them.
    assert p.pending_payout_accounts(world.admin) == []
    with pytest.raises(Conflict):
        p.decide_payout_account(world.admin, asked.id, AccountDecision(verify=True, note="call-back"))
    (code,) = emailed_codes(world.container, asked.id)
    pending = p.confirm_payout_account(world.investor, asked.id, PayoutAccountCode(code=code))
    assert pending.status.value == "pending"
    assert [a.id for a in p.pending_payout_accounts(world.admin)] == [asked.id]
    for not_admin in (world.investor, world.manager):
        with pytest.raises(PermissionDenied):
            p.decide_payout_account(not_admin, pending.id, AccountDecision(verify=True, note="me"))
    verified = p.decide_payout_account(
        world.admin, pending.id, AccountDecision(verify=True, note="call-back")
    )
    assert verified.status.value == "verified" and verified.held_until == date.today() + timedelta(days=10)

    # Verified today: the payout still waits for a manager of the pool to review it.
    with pytest.raises(NotFound):
        p.release_payout(world.other_manager, payouts[a].id)
    released = p.release_payout(world.manager, payouts[a].id)
    assert released.status is PayoutStatus.READY
    with pytest.raises(Conflict):
        p.release_payout(world.manager, payouts[b].id)  # b has no account: nothing to pay into

    batch, xml = p.create_payout_file(world.manager, pool, PayoutFileIn(execution_date=date(2025, 10, 2)))
    validate_pain001(xml)
    (transfer,) = read_pain001(xml)
    assert (transfer.creditor_iban, transfer.amount) == (A_IBAN.replace(" ", ""), lp[a])
    assert b"DE89370400440532013000" in xml  # paid from the pool's own account
    assert (batch.payouts, batch.total) == (1, lp[a])
    assert p.payout_file(world.manager, batch.id) == xml  # the same file on every download
    downloads = world.container.audit.list_events(
        world.admin, action="payment.payout_file_downloaded", limit=10
    )
    assert [(e.actor_label, e.after) for e in downloads] == [
        (world.manager.label, {"batch_id": batch.id, "payouts": 1})
    ]
    with pytest.raises(NotFound):
        p.payout_file(world.other_manager, batch.id)
    with pytest.raises(Conflict):
        p.create_payout_file(world.manager, pool, PayoutFileIn(execution_date=date(2025, 10, 2)))

    e2e = transfer.end_to_end_id
    paid = p.import_statement(
        world.manager, pool, _statement(f"2025-10-02,2025-10-02,{lp[a]},EUR,debit,payout,Ada,,{e2e},false")
    )
    assert paid.results[0].status.value == "matched" and paid.results[0].payout_id == payouts[a].id
    assert next(x for x in p.list_payouts(world.investor)).status is PayoutStatus.PAID
    back = p.import_statement(
        world.manager,
        pool,
        _statement(f"2025-10-06,2025-10-06,{lp[a]},EUR,credit,return AC04,Ada,,{e2e},true"),
    )
    assert back.results[0].status.value == "returned"
    assert next(x for x in p.list_payouts(world.investor)).status is PayoutStatus.RETURNED
    assert "FR1420041010050500013M02606" not in str(p.payout_accounts(world.investor))


def test_an_account_changed_after_release_holds_the_payout_again(world: World) -> None:
    pool, a, _ = _distribution_payouts(world)
    p = world.container.payments
    _verified(world, A_IBAN)
    payout = next(x for x in p.list_payouts(world.manager, pool) if x.investor_id == a)
    p.release_payout(world.manager, payout.id)
    _verified(world, A_NEW_IBAN)  # a new account, verified after the release
    with pytest.raises(Conflict):
        p.create_payout_file(world.manager, pool, PayoutFileIn(execution_date=date(2025, 10, 2)))
    again = next(x for x in p.list_payouts(world.manager, pool) if x.investor_id == a)
    assert again.status is PayoutStatus.HELD and "changed since release" in again.hold_reason


def test_a_reversed_distribution_cancels_the_payouts_not_yet_sent(world: World) -> None:
    pool, _, _ = _distribution_payouts(world)
    c = world.container
    t = c.transactions
    entry = t.list_transactions(world.manager, pool, entry_type=EntryType.DISTRIBUTION).entries[0]
    later = [e for e in t.list_transactions(world.manager, pool).entries if e.id > entry.id]
    for undo in (*sorted(later, key=lambda e: -e.id), entry):  # newest first, as the books require
        t.reverse(world.manager, undo.id, ReversalRequest(memo="wrong amount"), str(uuid.uuid4()))
    statuses = {x.status for x in c.payments.list_payouts(world.manager, pool)}
    assert statuses == {PayoutStatus.CANCELED}


def test_a_redemption_owes_its_proceeds_and_a_non_euro_pool_gets_no_sepa_file(world: World) -> None:
    built = build_open(world)
    p = world.container.payments
    (payout,) = p.list_payouts(world.manager, built.pool)
    redemption = world.container.transactions.list_transactions(
        world.manager, built.pool, entry_type=EntryType.REDEMPTION
    ).entries[0]
    assert payout.kind is PayoutKind.REDEMPTION and payout.investor_id == built.a
    assert payout.amount == D(redemption.details["proceeds"]) and payout.currency == "USD"
    _verified(world, A_IBAN)
    p.release_payout(world.manager, payout.id)
    with pytest.raises(ValidationFailed) as refused:
        p.create_payout_file(world.manager, built.pool, PayoutFileIn(execution_date=date(2025, 6, 1)))
    assert "EUR" in str(refused.value)
    assert (
        next(iter(p.list_payouts(world.manager, built.pool))).status is PayoutStatus.READY
    )  # nothing half-done


def test_after_a_key_rotation_the_sweep_reseals_every_bank_detail_and_the_old_key_can_go(
    world: World,
) -> None:
    pool, a, _ = _distribution_payouts(world)
    c = world.container
    _verified(world, A_IBAN)
    ring = c.settings.payment_data_keys or load_or_create_payment_data_keys(c.settings.var_dir)
    rotated = f"{new_key_entry('k-next')},{ring}"
    c.__dict__["payment_vault"] = Vault(*parse_key_ring(rotated))  # the new key first: active

    def sealed() -> list[str]:
        with c.db.writer_session() as session:
            pools = session.scalars(select(PoolCollectionAccount.iban_sealed)).all()
            investors = session.scalars(select(PayoutAccount.iban_sealed)).all()
            holders = session.scalars(select(PayoutAccount.holder_sealed)).all()
            return [*pools, *investors, *(h or "" for h in holders)]

    assert len(sealed()) == 3 and not any(t.startswith("v1.k-next.") for t in sealed())
    assert c.payments.reseal_bank_details() == 3
    assert all(t.startswith("v1.k-next.") for t in sealed())
    assert c.payments.reseal_bank_details() == 0  # nothing left under the old key

    c.__dict__["payment_vault"] = Vault(
        *parse_key_ring(rotated.split(",", maxsplit=1)[0])
    )  # the old key dropped
    payout = next(x for x in c.payments.list_payouts(world.manager, pool) if x.investor_id == a)
    c.payments.release_payout(world.manager, payout.id)
    _, xml = c.payments.create_payout_file(
        world.manager, pool, PayoutFileIn(execution_date=date(2025, 10, 2))
    )
    assert A_IBAN.replace(" ", "").encode() in xml and b"DE89370400440532013000" in xml
    assert b"<Nm>Ada Investor</Nm>" in xml  # the holder's name, opened under the new key
    (mine,) = c.payments.payout_accounts(world.investor)
    assert (mine.account_name, mine.country, mine.iban_masked) == ("Ada Investor", "FR", "FR…2606")


def test_the_holders_details_are_kept_sealed_and_rows_from_before_are_sealed_by_the_sweep(
    world: World,
) -> None:
    """Name, country and last digits are personal data: nothing of them in the row or the audit
    in the clear; a row written before they were sealed is sealed by the sweep and reads the same."""
    c = world.container
    world.investor_profile(world.investor)
    account_id = _verified(world, A_IBAN)

    def row() -> dict[str, object]:
        with c.db.writer_session() as session:
            found = session.execute(
                text("SELECT * FROM payment_payout_accounts WHERE id = :id"), {"id": account_id}
            ).one()
            return dict(found._mapping)

    def audited() -> str:
        with c.db.writer_session() as session:
            return " ".join(str(r) for r in session.execute(text("SELECT * FROM audit_events")).all())

    # The clear columns only: a sealed column is random base64, which holds "FR" by chance.
    plain = " ".join(str(v) for k, v in row().items() if not k.endswith("_sealed"))
    assert "Ada Investor" not in plain and "2606" not in plain and "FR" not in plain.replace("FR…", "")
    assert "Ada Investor" not in audited()
    assert str(row()["holder_sealed"]).startswith("v1.")

    with UnitOfWork(c.db) as unit:  # as a row written before holders were sealed
        unit.session.execute(
            text(
                "UPDATE payment_payout_accounts SET holder_sealed = NULL, account_name = 'Ada Investor', "
                "country = 'FR', iban_masked = 'FR…2606' WHERE id = :id"
            ),
            {"id": account_id},
        )
        unit.commit()
    (before,) = c.payments.payout_accounts(world.investor)
    assert c.payments.reseal_bank_details() == 1
    (after,) = c.payments.payout_accounts(world.investor)
    assert before == after and after.account_name == "Ada Investor" and after.iban_masked == "FR…2606"
    assert row()["account_name"] == "" and row()["iban_masked"] == "" and row()["holder_sealed"]
    assert c.payments.reseal_bank_details() == 0


def test_the_sweep_opens_the_payouts_of_a_distribution_whose_event_was_lost(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = world.container

    def lost(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("the consumer failed")

    monkeypatch.setattr(c.payments, "open_payouts_for_entry", lost)
    pool, a, b = _distribution_payouts(world)
    monkeypatch.undo()
    assert c.payments.list_payouts(world.manager, pool) == []
    assert c.payment_catch_up.catch_up(date(2025, 1, 1)) == 2
    owed = {x.investor_id: x.amount for x in c.payments.list_payouts(world.manager, pool)}
    assert owed == {a: D("8000.00"), b: D("4000.00")}


def test_payouts_of_imported_history_open_as_paid_even_when_the_events_come_late(world: World) -> None:
    """The import closed the pool's history before the consumer (behind, with a broker) opened
    its payouts: an entry dated up to the cutoff opens paid; a later one is still to pay; the
    cutoff is the pool's alone."""
    built = build_closed(world)
    other = build_closed(world, built.a, built.b)
    p = world.container.payments
    why = "paid before payouts were tracked here (imported from history.csv)"
    assert p.close_payout_history(date(2025, 9, 30), why, built.pool) == 2  # the fixture's distribution
    shares = {built.a: D("100.00")}
    for entry, on in ((9001, date(2025, 9, 30)), (9002, date(2025, 10, 1))):
        p.open_payouts_for_entry(
            built.pool, entry, on, kind=PayoutKind.DISTRIBUTION, shares=shares, currency="EUR"
        )
    by_entry = {x.source_entry_id: x for x in p.list_payouts(world.manager, built.pool)}
    assert by_entry[9001].status is PayoutStatus.PAID and by_entry[9001].hold_reason == why
    assert by_entry[9002].status is PayoutStatus.HELD
    assert {x.status for x in p.list_payouts(world.manager, other.pool)} == {PayoutStatus.HELD}


def test_every_change_of_bank_details_is_told_to_the_investor_in_the_app_and_by_email(world: World) -> None:
    """Whoever asked: a change the investor did not make is caught before money moves."""
    p = world.container.payments
    world.investor_profile(world.investor)
    pending = confirmed_change(world.container, world.investor, _account(A_IBAN))
    p.decide_payout_account(world.admin, pending.id, AccountDecision(verify=False, note="no answer"))
    again = confirmed_change(world.container, world.investor, _account(A_NEW_IBAN))
    p.decide_payout_account(world.admin, again.id, AccountDecision(verify=True, note="call-back"))
    told = [
        n.title
        for n in world.container.notifications.list_for_user(world.investor, limit=20).items
        if n.kind.value == "bank_details.changed"
    ]
    assert told == [
        "Your bank account for payouts NL…4300: verified: payouts now go to it",
        "A change of your bank account for payouts to NL…4300 was requested",
        "Your bank account for payouts FR…2606: rejected: payouts go where they did",
        "A change of your bank account for payouts to FR…2606 was requested",
    ]
    emails = world.container.notifications.delivery_log(world.admin)
    # The four notices, and the two codes that confirmed the changes (by email only).
    assert [e.to_address for e in emails] == [world.emails["investor"]] * 6
    codes = [e for e in emails if e.subject == "Confirm the change of your bank account for payouts"]
    assert len(codes) == 2
    assert all(A_IBAN.replace(" ", "") not in e.subject for e in emails)  # masked, as everywhere
