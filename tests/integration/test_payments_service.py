"""The payment service on both backends: a capital call asks each investor for their share, a
wire recorded by one manager and approved by another becomes the investor's contribution
exactly once, and a webhook that is not the gateway's changes nothing."""

from __future__ import annotations

import json
import time
import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from backend.composition.container import Container
from backend.finance.payment_references import reference_candidates
from backend.payments.interface import CollectionAccountIn, WireApproval, WireIn
from backend.payments.webhook_signature import signature_header
from backend.platform.actors import Actor, Role
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ledger.interface import CapitalCallRequest, EntryType, ReversalRequest, TransactionRequest
from tests.integration.auth_support import create_user
from tests.integration.pools_support import Api, World, closed_pool, make_world

# Every test here runs in process and again with the payment service behind gRPC (payment
# files as protobuf bytes, its refusals as the same errors).
pytestmark = pytest.mark.over_grpc("payments")

D = Decimal


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _call(world: World) -> tuple[int, int, int, int]:
    """A closed pool, investors a (100k) and b (50k) committed, and a 30k call: a owes 20k, b 10k."""
    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool()).id
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo Other")
    world.commit(pool, a, "100000.00")
    world.commit(pool, b, "50000.00")
    entry = c.transactions.capital_call(
        world.manager,
        pool,
        CapitalCallRequest(amount=D(30000), due_date=date(2025, 1, 20), effective_date=date(2025, 1, 15)),
        str(uuid.uuid4()),
    ).id
    return pool, a, b, entry


def _co_manager(world: World, pool: int) -> Actor:
    user = create_user(world.container, "co@pools.test", Role.MANAGER)
    world.container.pools.add_manager(world.manager, pool, user)
    return Actor(user_id=user, role=Role.MANAGER, label="co@pools.test")


def _contributions(world: World, pool: int, investor: int) -> list[Decimal]:
    page = world.container.transactions.list_transactions(
        world.manager, pool, entry_type=EntryType.CONTRIBUTION, investor_id=investor
    )
    return [D(e.details.get("amount", "0")) for e in page.entries]


def test_a_capital_call_opens_one_request_per_investor_with_a_checkable_reference(world: World) -> None:
    pool, a, b, entry = _call(world)
    requests = world.container.payments.list_requests(world.manager, pool_id=pool)
    assert [(r.investor_id, r.amount_due, r.status.value) for r in requests] == [
        (a, D("20000.00"), "open"),
        (b, D("10000.00"), "open"),
    ]
    for r in requests:
        assert r.source_entry_id == entry and r.currency == "EUR" and r.due_date == date(2025, 1, 20)
        assert r.reference == f"RF{r.reference[2:4]}C{entry}I{r.investor_id}"
        # Text running on after it may pass the check digits by chance: the reference is among
        # the candidates, and the matcher keeps the one naming a real request.
        assert r.reference in reference_candidates(f"wire for {r.reference.lower()} thanks")
        assert r.overdue  # due 2025-01-20, nothing paid
    # A redelivered capital-call event opens nothing more.
    again = world.container.payments.open_requests_for_call(
        pool, entry, date(2025, 1, 20), {a: D("20000.00"), b: D("10000.00")}, "EUR"
    )
    assert again == 0
    assert len(world.container.payments.list_requests(world.admin, pool_id=pool)) == 2


def test_who_sees_which_requests(world: World) -> None:
    pool, a, b, _ = _call(world)
    p = world.container.payments
    assert [r.investor_id for r in p.list_requests(world.investor)] == [a]
    assert [r.investor_id for r in p.list_requests(world.other_investor)] == [b]
    mine = p.list_requests(world.investor)[0]
    with pytest.raises(NotFound):
        p.get_request(world.other_investor, mine.id)
    for outsider in (world.other_manager, world.analyst):
        with pytest.raises(NotFound):
            p.list_requests(outsider, pool_id=pool)
        with pytest.raises(NotFound):
            p.get_request(outsider, mine.id)
        with pytest.raises(NotFound):
            p.list_payments(outsider, mine.id)
    with pytest.raises(ValidationFailed) as refused:
        p.list_requests(world.manager)
    assert refused.value.field == "pool_id"


def test_a_wire_is_posted_once_and_only_after_a_second_person_approves(world: World) -> None:
    pool, a, _, _ = _call(world)
    c = world.container
    request = c.payments.list_requests(world.investor)[0]
    wire = c.payments.record_wire(
        world.manager,
        _wire(request.id, "20000.00", "BANKREF-1"),
    )
    assert wire.status.value == "pending" and wire.ledger_entry_id is None
    assert _contributions(world, pool, a) == []  # nothing in the books before approval
    with pytest.raises(PermissionDenied) as four_eyes:
        c.payments.decide_wire(world.manager, wire.id, _approve())
    assert four_eyes.value.field == "approve"
    with pytest.raises(NotFound):
        c.payments.decide_wire(world.other_manager, wire.id, _approve())

    approved = c.payments.decide_wire(_co_manager(world, pool), wire.id, _approve())
    assert approved.status.value == "succeeded" and approved.applied == D("20000.00")
    assert approved.ledger_entry_id is not None
    assert _contributions(world, pool, a) == [D("20000.00")]
    assert c.payments.get_request(world.investor, request.id).status.value == "paid"
    # Approving again, or sweeping, posts nothing more.
    with pytest.raises(Conflict):
        c.payments.decide_wire(world.admin, wire.id, _approve())
    assert c.payments.post_contributions() == 0
    assert _contributions(world, pool, a) == [D("20000.00")]
    assert c.ledger.verify(pool).ok


def test_partial_payments_and_an_overpayment_held_as_credit(world: World) -> None:
    pool, a, _, _ = _call(world)
    c = world.container
    request = c.payments.list_requests(world.investor)[0]
    co = _co_manager(world, pool)
    first = c.payments.record_wire(world.manager, _wire(request.id, "15000.00", "BANKREF-A"))
    c.payments.decide_wire(co, first.id, _approve())
    assert c.payments.get_request(world.manager, request.id).status.value == "partially_paid"
    second = c.payments.record_wire(world.manager, _wire(request.id, "7500.00", "BANKREF-B"))
    out = c.payments.decide_wire(co, second.id, _approve())
    # 5,000 was still due: that much is applied, 2,500 is the investor's credit.
    assert (out.applied, out.credit) == (D("5000.00"), D("2500.00"))
    after = c.payments.get_request(world.investor, request.id)
    assert (after.status.value, after.amount_received, after.credit) == (
        "overpaid",
        D("20000.00"),
        D("2500.00"),
    )
    assert sorted(_contributions(world, pool, a)) == [D("5000.00"), D("15000.00")]


def test_a_rejected_or_refused_wire_leaves_no_trace_in_the_books(world: World) -> None:
    pool, a, _, _ = _call(world)
    c = world.container
    request = c.payments.list_requests(world.investor)[0]
    version = c.ledger.ledger_version(pool)
    wire = c.payments.record_wire(world.manager, _wire(request.id, "20000.00", "BANKREF-R"))
    out = c.payments.decide_wire(world.admin, wire.id, WireApproval(approve=False, reason="not ours"))
    assert out.status.value == "canceled" and out.failure_reason == "not ours"
    for bad, field in (("0", "amount"), ("20000.001", "amount")):
        with pytest.raises(ValidationFailed) as refused:
            c.payments.record_wire(world.manager, _wire(request.id, bad, f"BANKREF-{bad}"))
        assert refused.value.field == field
    c.payments.record_wire(world.manager, _wire(request.id, "1.00", "BANKREF-DUP"))
    with pytest.raises(Conflict) as twice:
        c.payments.record_wire(world.manager, _wire(request.id, "1.00", "BANKREF-DUP"))
    assert twice.value.field == "bank_reference"
    with pytest.raises(NotFound):
        c.payments.record_wire(world.other_manager, _wire(request.id, "1.00", "BANKREF-X"))
    assert c.ledger.ledger_version(pool) == version
    assert _contributions(world, pool, a) == []


def test_histories_the_four_eyes_queue_and_the_gateway_health_each_for_their_reader(world: World) -> None:
    pool, _, _, _ = _call(world)
    c = world.container
    mine = c.payments.list_requests(world.investor)[0]
    wire = c.payments.record_wire(world.manager, _wire(mine.id, "5000.00", "BANKREF-Q"))
    queue = c.payments.payment_history(world.manager, pool_id=pool, awaiting_approval=True)
    assert [(p.id, p.awaiting_approval) for p in queue] == [(wire.id, True)]
    assert [p.id for p in c.payments.payment_history(world.investor)] == [wire.id]
    assert c.payments.payment_history(world.other_investor) == []
    with pytest.raises(NotFound):
        c.payments.payment_history(world.other_manager, pool_id=pool)
    with pytest.raises(ValidationFailed):
        c.payments.payment_history(world.manager)
    health = c.payments.gateway_health(world.admin)
    assert (health.awaiting_approval, health.books_behind, health.stuck_attempts) == (1, 0, 0)
    for not_admin in (world.manager, world.investor, world.analyst):
        with pytest.raises(PermissionDenied):
            c.payments.gateway_health(not_admin)

    c.payments.decide_wire(_co_manager(world, pool), wire.id, _approve())
    assert c.payments.payment_history(world.manager, pool_id=pool, awaiting_approval=True) == []
    assert c.payments.gateway_health(world.admin).awaiting_approval == 0
    # A webhook naming no payment of ours is traffic, and counted as ignored.
    body = _event("evt_health", amount=100, currency="eur")
    secrets = c.payment_webhook_secrets()
    assert c.payments.apply_webhook(body, signature_header(body, secrets, int(time.time()))).ignored
    health = c.payments.gateway_health(world.admin)
    assert (health.events, health.ignored, health.last_event_type) == (1, 1, "payment_intent.succeeded")
    assert health.events_by_type == {"payment_intent.succeeded": 1}


def test_reminders_7_3_1_days_before_on_the_day_and_weekly_while_overdue_each_once(world: World) -> None:
    pool, a, _, _ = _call(world)  # due 2025-01-20
    c = world.container
    days = (
        "2025-01-12", "2025-01-13", "2025-01-13", "2025-01-16", "2025-01-18", "2025-01-19",
        "2025-01-20", "2025-01-21", "2025-01-27", "2025-01-28",
    )  # fmt: skip
    sent = [c.payments.send_payment_reminders(date.fromisoformat(day)) for day in days]
    # Two investors owe: 7 days before (the 13th, not the 12th), and again the same day nothing
    # more; 3 days before missed by the task (the 17th), caught up on the 18th; the day before;
    # on the day; in the first week overdue once (the 21st, not the 27th); the second week.
    assert sent == [0, 2, 0, 0, 2, 2, 2, 2, 0, 2]
    mine = [
        n.title
        for n in c.notifications.list_for_user(world.investor, limit=50).items
        if n.kind.value == "payment.reminder"
    ]
    assert mine[0].endswith("EUR 20,000.00 was due on 2025-01-20 and is overdue")
    assert any(t.endswith("EUR 20,000.00 is due on 2025-01-20") for t in mine) and len(mine) == 6
    # Paid in full: no more reminders for it.
    request = c.payments.list_requests(world.investor)[0]
    wire = c.payments.record_wire(world.manager, _wire(request.id, "20000.00", "BANK-R"))
    c.payments.decide_wire(_co_manager(world, pool), wire.id, _approve())
    assert c.payments.send_payment_reminders(date(2025, 2, 4)) == 1  # the other investor only
    assert a in {r.investor_id for r in c.payments.list_requests(world.manager, pool_id=pool)}


def _wire(request_id: int, amount: str, reference: str) -> WireIn:
    return WireIn.model_validate(
        {"request_id": request_id, "amount": amount, "value_date": "2025-01-18", "bank_reference": reference}
    )


def _approve() -> WireApproval:
    return WireApproval(approve=True)


# -- the webhook over HTTP -------------------------------------------------------------------

WEBHOOK = "/api/v1/payments/webhooks/stripe"


def _event(event_id: str, kind: str = "payment_intent.succeeded", **obj: object) -> bytes:
    body = {"id": event_id, "object": "event", "type": kind, "data": {"object": {"id": "pi_x", **obj}}}
    return json.dumps(body).encode()


def test_webhooks_not_signed_by_the_gateway_change_nothing(world: World) -> None:
    api = Api(world)
    secrets = world.container.payment_webhook_secrets()
    body = _event("evt_1", amount=2000000, currency="eur")
    now = int(time.time())
    cases = {
        "unsigned": None,
        "wrong secret": signature_header(body, ["whsec_not_ours"], now),
        "replayed (old t)": signature_header(body, secrets, now - 3600),
        "from the future": signature_header(body, secrets, now + 3600),
        "no v1": f"t={now}",
        "garbage": "v1=zz,t=abc",
    }
    for name, header in cases.items():
        headers = {"Content-Type": "application/json"} | ({"Stripe-Signature": header} if header else {})
        answer = api.client.post(WEBHOOK, data=body, headers=headers)
        assert answer.status_code == 400, (name, answer.get_json())
        assert answer.get_json()["errors"][0]["field"] == "Stripe-Signature", name
    tampered = body.replace(b"2000000", b"9000000")
    answer = api.client.post(
        WEBHOOK, data=tampered, headers={"Stripe-Signature": signature_header(body, secrets, now)}
    )
    assert answer.status_code == 400


def test_a_signed_event_is_recorded_once_and_a_rotated_secret_still_verifies(world: World) -> None:
    api = Api(world)
    secrets = world.container.payment_webhook_secrets()
    body = _event("evt_unknown_payment", amount=100, currency="eur")
    # The gateway signs with the new secret and the old one during a rotation: either matches.
    header = signature_header(body, ["whsec_new_not_configured_yet", secrets[0]], int(time.time()))
    first = api.client.post(WEBHOOK, data=body, headers={"Stripe-Signature": header})
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["duplicate"] is False
    assert first.get_json()["ignored"] == "no payment of ours has this gateway id"
    again = api.client.post(WEBHOOK, data=body, headers={"Stripe-Signature": header})
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    unreadable = b'{"id": "evt_2"}'
    answer = api.client.post(
        WEBHOOK,
        data=unreadable,
        headers={"Stripe-Signature": signature_header(unreadable, secrets, int(time.time()))},
    )
    assert answer.status_code == 400 and answer.get_json()["errors"][0]["field"] == "body"


# -- wire instructions: the pool's own account, sealed at rest ------------------------------

IBAN = "DE89 3704 0044 0532 0130 00"


def test_wire_instructions_show_the_sealed_account_only_to_whoever_is_asked_to_pay(world: World) -> None:
    pool, _, _, _ = _call(world)
    c = world.container
    request = c.payments.list_requests(world.investor)[0]
    with pytest.raises(Conflict):  # no account yet: say so instead of instructions without one
        c.payments.wire_instructions(world.investor, request.id)
    account = CollectionAccountIn(account_name="Harbour PE I GmbH & Co. KG", iban=IBAN, bic="COBADEFFXXX")
    saved = c.payments.set_collection_account(world.manager, pool, account)
    assert saved.iban_masked == "DE…3000" and saved.bic == "COBADEFFXXX"

    shown = c.payments.wire_instructions(world.investor, request.id)
    assert shown.iban == IBAN and shown.reference == request.reference
    assert (shown.amount, shown.currency, shown.beneficiary) == (D("20000.00"), "EUR", account.account_name)
    for outsider in (world.other_investor, world.other_manager, world.analyst):
        with pytest.raises(NotFound):
            c.payments.wire_instructions(outsider, request.id)
    with pytest.raises(NotFound):
        c.payments.set_collection_account(world.other_manager, pool, account)

    # At rest: neither the table nor the audit log holds the account number.
    with c.db.writer_session() as session:
        stored = session.execute(text("SELECT iban_sealed, iban_masked FROM pool_collection_accounts")).one()
    assert "0532013000" not in stored[0] and stored[1] == "DE…3000"
    events = c.audit.list_events(world.admin, object_type="pool", action="payment.collection_account_set")
    assert events and "0532013000" not in json.dumps([e.model_dump(mode="json") for e in events])


@pytest.mark.parametrize(
    ("iban", "bic", "field", "reason"),
    [
        ("DE89 3704 0044 0532 0130 01", None, "iban", "checksum"),
        ("DE89 3704 0044 0532 0130", None, "iban", "length"),
        ("XX89 3704 0044 0532 0130 00", None, "iban", "country"),
        (IBAN, "COBA", "bic", "8 or 11"),
    ],
)
def test_a_wrong_account_is_refused_naming_the_field(
    world: World, iban: str, bic: str | None, field: str, reason: str
) -> None:
    pool = world.container.pools.create_pool(world.manager, closed_pool()).id
    with pytest.raises(ValidationFailed) as refused:
        world.container.payments.set_collection_account(
            world.manager, pool, CollectionAccountIn(account_name="Fund", iban=iban, bic=bic)
        )
    assert refused.value.field == field and reason in refused.value.detail
    assert "0532013" not in refused.value.detail  # errors reach logs: they never echo the number


# -- contributions recorded straight in the books -------------------------------------------


def test_a_contribution_recorded_by_hand_settles_the_request_and_its_reversal_reopens_it(
    world: World,
) -> None:
    pool, a, _, _ = _call(world)
    c = world.container
    request = c.payments.list_requests(world.investor)[0]
    entry = c.transactions.record(
        world.manager,
        pool,
        TransactionRequest.model_validate(
            {"type": "contribution", "investor_id": a, "amount": "15000.00", "effective_date": "2025-01-18"}
        ),
        str(uuid.uuid4()),
    )
    after = c.payments.get_request(world.investor, request.id)
    assert (after.status.value, after.amount_received, after.credit) == (
        "partially_paid",
        D("15000.00"),
        D(0),
    )
    mirrored = c.payments.list_payments(world.manager, request.id)
    assert [(p.rail.value, p.ledger_entry_id, p.amount) for p in mirrored] == [
        ("books", entry.id, D("15000.00"))
    ]
    assert c.payments.post_contributions() == 0  # already in the books: never posted again
    assert _contributions(world, pool, a) == [D("15000.00")]

    c.transactions.reverse(
        world.manager, entry.id, ReversalRequest(memo="keyed by mistake"), str(uuid.uuid4())
    )
    reopened = c.payments.get_request(world.investor, request.id)
    assert (reopened.status.value, reopened.amount_received, reopened.credit) == ("open", D(0), D(0))
    assert c.payments.list_payments(world.manager, request.id)[0].status.value == "reversed"


def test_a_payment_posted_by_the_service_is_not_counted_twice(world: World) -> None:
    _call(world)
    c = world.container
    request = c.payments.list_requests(world.investor)[0]
    wire = c.payments.record_wire(world.manager, _wire(request.id, "20000.00", "BANKREF-ONCE"))
    c.payments.decide_wire(world.admin, wire.id, _approve())
    payments = c.payments.list_payments(world.manager, request.id)
    assert [p.rail.value for p in payments] == ["bank_transfer"]
    assert c.payments.get_request(world.investor, request.id).credit == 0


def test_a_reversed_capital_call_owes_nothing_and_reminds_nobody(world: World) -> None:
    pool, _, _, entry = _call(world)
    c = world.container
    c.transactions.reverse(world.manager, entry, ReversalRequest(memo="called twice"), str(uuid.uuid4()))
    requests = c.payments.list_requests(world.manager, pool_id=pool)
    assert {(r.status.value, r.amount_due, r.overdue) for r in requests} == {("canceled", D(0), False)}
    assert c.payments.send_payment_reminders(date(2025, 1, 21)) == 0
    # Money that arrives anyway is held as the investor's credit, never posted as a contribution.
    mine = c.payments.list_requests(world.investor)[0]
    wire = c.payments.record_wire(world.manager, _wire(mine.id, "20000.00", "LATE-1"))
    paid = c.payments.decide_wire(_co_manager(world, pool), wire.id, _approve())
    assert (paid.applied, paid.credit) == (D(0), D("20000.00"))
    assert c.payments.get_request(world.investor, mine.id).status.value == "overpaid"
    assert c.ledger.verify(pool).ok


def test_the_sweep_opens_what_a_lost_ledger_event_should_have(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = world.container

    def lost(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("the database went away mid-delivery")

    monkeypatch.setattr(c.payments, "open_requests_for_call", lost)
    pool, a, b, entry = _call(world)  # the call's event reached a consumer that failed
    monkeypatch.undo()
    assert c.payments.list_requests(world.manager, pool_id=pool) == []

    assert c.payment_catch_up.catch_up(date(2025, 1, 1)) == 2
    requests = c.payments.list_requests(world.manager, pool_id=pool)
    assert {(r.investor_id, r.amount_due, r.source_entry_id) for r in requests} == {
        (a, D("20000.00"), entry),
        (b, D("10000.00"), entry),
    }
    assert c.payment_catch_up.catch_up(date(2025, 1, 1)) == 0  # found again: nothing more
    # A call reversed before its requests were opened opens none.
    monkeypatch.setattr(c.payments, "open_requests_for_call", lost)
    second = c.transactions.capital_call(
        world.manager,
        pool,
        CapitalCallRequest(amount=D(3000), due_date=date(2025, 2, 20), effective_date=date(2025, 2, 1)),
        str(uuid.uuid4()),
    ).id
    monkeypatch.undo()
    c.transactions.reverse(world.manager, second, ReversalRequest(memo="wrong"), str(uuid.uuid4()))
    assert c.payment_catch_up.catch_up(date(2025, 1, 1)) == 0
    assert all(r.source_entry_id == entry for r in c.payments.list_requests(world.manager, pool_id=pool))
