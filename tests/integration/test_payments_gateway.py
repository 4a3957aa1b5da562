"""The gateway rail end to end: the payment service's Stripe SDK against the sandbox, the
sandbox's signed webhooks against this app on a real port, and the books.

Each journey checks the money twice: what the gateway charged (`charges_for`: once, never
twice) and what the books hold (one contribution per payment that stands). Faults come from
the sandbox: webhooks duplicated, reversed, dropped; the API down, or accepting a request
and answering 500.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import stripe
from prometheus_client import REGISTRY
from sqlalchemy import inspect, text

from backend.composition.container import Container
from backend.payments.bankfiles import normalise_iban
from backend.payments.gateway import GatewayUnavailable
from backend.payments.interface import (
    MethodIn,
    PayIn,
    PaymentOut,
    RefundIn,
    StatementFormat,
    StatementUpload,
    WireApproval,
    WireIn,
)
from backend.payments.sandbox import SandboxGateway
from backend.payments.stripe_gateway import StripeGateway
from backend.platform.errors import (
    Conflict,
    DependencyUnavailable,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from ledger.interface import CapitalCallRequest, EntryType, TransactionRequest
from tests.integration.auth_support import PASSWORD
from tests.integration.payments_support import API_KEY, answers, confirmed_change, served
from tests.integration.pools_support import Api, World, closed_pool, make_world

# Their settings point the payment service at the test's own gateway sandbox.
# Every test here runs in process and again with the payment service behind gRPC (the gateway
# reached from the service's side of the hop; webhook bodies as the exact bytes signed).
pytestmark = [pytest.mark.payment_gateway, pytest.mark.over_grpc("payments")]

D = Decimal
NOW = timedelta(0)



@pytest.fixture
def world(container: Container, sandbox: SandboxGateway) -> Iterator[World]:
    # The platform on a real port from the start: the sandbox queues each event for the
    # endpoint configured when the event happens, as Stripe does.
    with served(container, sandbox):
        yield make_world(container)


def _call(world: World) -> tuple[int, int, int]:
    """A EUR pool; investor a owes 20,000.00 of a 30,000 call, b 10,000.00."""
    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool()).id
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo Other")
    world.commit(pool, a, "100000.00")
    world.commit(pool, b, "50000.00")
    c.transactions.capital_call(
        world.manager,
        pool,
        CapitalCallRequest(amount=D(30000), due_date=date(2025, 1, 20), effective_date=date(2025, 1, 15)),
        str(uuid.uuid4()),
    )
    request = c.payments.list_requests(world.investor)[0].id
    return pool, a, request


def _contributions(world: World, pool: int, investor: int) -> list[Decimal]:
    page = world.container.transactions.list_transactions(
        world.manager, pool, entry_type=EntryType.CONTRIBUTION, investor_id=investor
    )
    return [D(e.details.get("amount", "0")) for e in page.entries]


def _pay(world: World, request: int, token: str, key: str | None = None) -> PaymentOut:
    c = world.container
    method = c.payments.add_payment_method(world.investor, MethodIn(token=token))
    return c.payments.pay(world.investor, request, PayIn(method=method.token), key or str(uuid.uuid4()))


def test_a_card_payment_is_charged_once_and_posted_once(world: World, sandbox: SandboxGateway) -> None:
    pool, a, request = _call(world)
    c = world.container
    saved = c.payments.add_payment_method(world.investor, MethodIn(token="tok_visa"))
    assert saved.kind == "card" and re.fullmatch(r"visa ending 4242, expires \d\d/\d{4}", saved.label)
    assert [m.token for m in c.payments.payment_methods(world.investor)] == [saved.token]

    key = str(uuid.uuid4())
    paid = c.payments.pay(world.investor, request, PayIn(method=saved.token), key)
    assert paid.status.value == "succeeded" and paid.amount == D("20000.00") and paid.applied == D("20000.00")
    assert _contributions(world, pool, a) == [D("20000.00")]
    # "Pay now" pressed again with the same key: the same payment, no second charge.
    again = c.payments.pay(world.investor, request, PayIn(method=saved.token), key)
    assert again.id == paid.id
    # The gateway's own webhooks, duplicated, change nothing more.
    sandbox.webhooks.duplicate()
    records = sandbox.webhooks.deliver_pending()
    assert records and all(r.status == 200 for r in records), answers(records)
    assert len(sandbox.charges_for("payment_id", str(paid.id))) == 1
    assert _contributions(world, pool, a) == [D("20000.00")]
    assert c.payments.get_request(world.investor, request).status.value == "paid"
    assert c.ledger.verify(pool).ok


def test_a_declined_card_posts_nothing_and_the_request_stays_open(world: World) -> None:
    pool, a, request = _call(world)
    out = _pay(world, request, "tok_chargeDeclined")
    assert out.status.value == "failed" and out.failure_reason and "decline" in out.failure_reason
    assert out.ledger_entry_id is None and _contributions(world, pool, a) == []
    assert world.container.payments.get_request(world.investor, request).status.value == "open"


def test_a_charge_the_gateway_refuses_fails_the_payment_and_can_be_paid_by_wire(world: World) -> None:
    """Over the card limit (999,999.99): the gateway refuses before making any attempt. The
    payment fails with the gateway's reason, nothing is charged or posted, the request stays
    open, and a retry is a new attempt that is refused the same way (never a 500)."""
    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool()).id
    a = world.investor_profile(world.investor)
    world.commit(pool, a, "5000000.00")
    c.transactions.capital_call(
        world.manager,
        pool,
        CapitalCallRequest(amount=D(2000000), due_date=date(2025, 1, 20), effective_date=date(2025, 1, 15)),
        str(uuid.uuid4()),
    )
    request = c.payments.list_requests(world.investor)[0].id
    out = _pay(world, request, "tok_visa")
    assert out.status.value == "failed" and out.gateway_payment_id is None
    assert out.failure_reason and "no more than" in out.failure_reason
    assert out.ledger_entry_id is None and _contributions(world, pool, a) == []
    assert c.payments.get_request(world.investor, request).status.value == "open"
    again = _pay(world, request, "tok_visa")
    assert again.id != out.id and again.status.value == "failed"
    assert c.payments.resume_gateway_attempts(older_than=NOW) == 0  # nothing left to ask about


def test_a_bank_debit_settles_through_webhooks_in_any_order(world: World, sandbox: SandboxGateway) -> None:
    pool, a, request = _call(world)
    c = world.container
    out = _pay(world, request, "pm_sepaDebit_success")
    assert out.status.value == "processing" and _contributions(world, pool, a) == []
    assert out.gateway_payment_id is not None
    sandbox.settle(out.gateway_payment_id, "succeeded")
    sandbox.webhooks.set_order("reverse")  # succeeded first, then processing, then created
    sandbox.webhooks.duplicate()
    records = sandbox.webhooks.deliver_pending()
    assert all(r.status == 200 for r in records), answers(records)
    payments = c.payments.list_payments(world.manager, request)
    assert [p.status.value for p in payments] == ["succeeded"]
    assert _contributions(world, pool, a) == [D("20000.00")]


def test_a_disputed_debit_reverses_the_contribution(world: World, sandbox: SandboxGateway) -> None:
    pool, a, request = _call(world)
    c = world.container
    out = _pay(world, request, "pm_sepaDebit_dispute")
    assert out.gateway_payment_id is not None
    sandbox.settle(out.gateway_payment_id, "succeeded")
    sandbox.webhooks.deliver_pending()
    assert _contributions(world, pool, a) == [D("20000.00")]
    sandbox.dispute(out.gateway_payment_id)
    sandbox.webhooks.deliver_pending()
    payment = c.payments.list_payments(world.investor, request)[0]
    assert payment.status.value == "reversed" and payment.applied == 0
    assert payment.failure_reason and "disputed" in payment.failure_reason
    # The contribution and its reversal: nothing of it stands.
    position = c.transactions.position(a, pool)
    assert position is not None and position.contributed == 0
    assert c.payments.get_request(world.investor, request).status.value == "open"


def test_a_lost_answer_is_found_by_its_key_and_charged_once(world: World, sandbox: SandboxGateway) -> None:
    pool, a, request = _call(world)
    c = world.container
    method = c.payments.add_payment_method(world.investor, MethodIn(token="tok_visa"))
    # The gateway takes the charge and answers 500: the SDK retries with the same key and
    # gets the stored answer, not a second charge.
    sandbox.faults.accept_then_fail(1, path="/v1/payment_intents", method="POST")
    first = c.payments.pay(world.investor, request, PayIn(method=method.token), str(uuid.uuid4()))
    assert first.status.value == "succeeded"
    assert len(sandbox.charges_for("payment_id", str(first.id))) == 1
    assert _contributions(world, pool, a) == [D("20000.00")]


def test_a_gateway_outage_leaves_the_payment_pending_until_it_is_resumed(
    world: World, sandbox: SandboxGateway
) -> None:
    pool, a, request = _call(world)
    c = world.container
    method = c.payments.add_payment_method(world.investor, MethodIn(token="tok_visa"))
    # Every try of the charge fails (the SDK retries twice): the answer never comes.
    sandbox.faults.fail_next(3, path="/v1/payment_intents", method="POST", status=503)
    out = c.payments.pay(world.investor, request, PayIn(method=method.token), str(uuid.uuid4()))
    assert out.status.value == "pending" and _contributions(world, pool, a) == []
    with pytest.raises(Conflict):  # one attempt at a time per request
        c.payments.pay(world.investor, request, PayIn(method=method.token), str(uuid.uuid4()))
    assert c.payments.resume_gateway_attempts(older_than=NOW) == 1
    assert c.payments.list_payments(world.investor, request)[0].status.value == "succeeded"
    assert c.payments.resume_gateway_attempts(older_than=NOW) == 0
    assert len(sandbox.charges_for("payment_id", str(out.id))) == 1
    assert _contributions(world, pool, a) == [D("20000.00")]


def test_webhooks_that_never_arrive_are_caught_up_by_asking_the_gateway(
    world: World, sandbox: SandboxGateway
) -> None:
    pool, a, request = _call(world)
    c = world.container
    out = _pay(world, request, "pm_sepaDebit_success")
    assert out.gateway_payment_id is not None
    sandbox.webhooks.drop_next(10)
    sandbox.settle(out.gateway_payment_id, "succeeded")
    sandbox.webhooks.deliver_pending()
    assert c.payments.list_payments(world.investor, request)[0].status.value == "processing"
    c.payments.resume_gateway_attempts(older_than=NOW)
    assert c.payments.list_payments(world.investor, request)[0].status.value == "succeeded"
    assert _contributions(world, pool, a) == [D("20000.00")]


def test_with_the_gateway_down_pay_now_is_queued_and_charged_once_when_it_returns(
    world: World, sandbox: SandboxGateway
) -> None:
    """The investor's method was saved earlier; the gateway then goes down. "Pay now" still
    checks the method is theirs (kept here: token and label only), opens the payment and
    queues its attempt; the retry after the outage charges it once and posts it once."""
    pool, a, request = _call(world)
    c = world.container
    method = c.payments.add_payment_method(world.investor, MethodIn(token="tok_visa"))
    sandbox.down()
    try:
        # The methods as last seen, to choose from; someone else's token is still refused.
        assert [m.label for m in c.payments.payment_methods(world.investor)] == [method.label]
        with pytest.raises(NotFound):
            c.payments.pay(world.investor, request, PayIn(method="pm_not_mine"), str(uuid.uuid4()))
        queued = c.payments.pay(world.investor, request, PayIn(method=method.token), str(uuid.uuid4()))
        assert queued.status.value == "pending" and _contributions(world, pool, a) == []
        assert c.payments.resume_gateway_attempts(older_than=NOW) == 1  # still down: tried again later
        with pytest.raises(DependencyUnavailable):  # saving a new method needs the gateway
            c.payments.add_payment_method(world.investor, MethodIn(token="tok_mastercard"))
    finally:
        sandbox.up()
    assert c.payments.resume_gateway_attempts(older_than=NOW) == 1
    (paid,) = c.payments.list_payments(world.investor, request)
    assert paid.id == queued.id and paid.status.value == "succeeded"
    assert len(sandbox.charges_for("payment_id", str(paid.id))) == 1
    assert _contributions(world, pool, a) == [D("20000.00")]
    # Removed at the gateway's side too, and from the kept list.
    c.payments.remove_payment_method(world.investor, MethodIn(token=method.token))
    assert c.payments.payment_methods(world.investor) == []
    with pytest.raises(NotFound):
        c.payments.pay(world.investor, request, PayIn(method=method.token), str(uuid.uuid4()))


def test_nobody_pays_with_or_for_what_is_not_theirs(world: World) -> None:
    _, _, request = _call(world)
    c = world.container
    mine = c.payments.add_payment_method(world.investor, MethodIn(token="tok_visa"))
    theirs = c.payments.add_payment_method(world.other_investor, MethodIn(token="tok_mastercard"))
    with pytest.raises(NotFound) as not_mine:
        c.payments.pay(world.investor, request, PayIn(method=theirs.token), "k1")
    assert not_mine.value.field == "method"
    with pytest.raises(NotFound):
        c.payments.pay(world.other_investor, request, PayIn(method=theirs.token), "k2")
    with pytest.raises(PermissionDenied):
        c.payments.pay(world.manager, request, PayIn(method=mine.token), "k3")
    with pytest.raises(NotFound):
        c.payments.remove_payment_method(world.other_investor, MethodIn(token=mine.token))
    c.payments.remove_payment_method(world.investor, MethodIn(token=mine.token))
    assert c.payments.payment_methods(world.investor) == []
    assert c.payments.list_payments(world.manager, request) == []


# -- no card or account number anywhere ------------------------------------------------------

_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{13,19}(?![0-9A-Za-z])")  # not inside a hash or id
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}(?:\s?[A-Z0-9]{1,3})?\b")


def _luhn(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _is_iban(candidate: str) -> bool:
    try:
        normalise_iban(candidate)
    except ValueError:
        return False  # an RF reference, a hash: IBAN-shaped, but no IBAN
    return True


def _pans_and_ibans(text_: str) -> list[str]:
    return [m for m in _DIGITS.findall(text_) if _luhn(m)] + [m for m in _IBAN.findall(text_) if _is_iban(m)]


def test_the_scan_finds_what_it_looks_for() -> None:
    # Guards the guard: the scan must see a card number and an IBAN when they are there.
    assert _pans_and_ibans("card 4242424242424242 and DE89 3704 0044 0532 0130 00") == [
        "4242424242424242",
        "DE89 3704 0044 0532 0130 00",
    ]
    assert _pans_and_ibans("order 4242424242424241, ref RF18539007547034") == []


def test_after_every_journey_no_card_or_account_number_is_stored_or_logged(
    world: World, sandbox: SandboxGateway, caplog: pytest.LogCaptureFixture
) -> None:
    pool, _, request = _call(world)
    c = world.container
    caplog.set_level("DEBUG")
    _pay(world, request, "tok_visa")
    other = c.payments.list_requests(world.other_investor)[0].id
    c.payments.add_payment_method(world.other_investor, MethodIn(token="pm_sepaDebit_success"))
    method = c.payments.payment_methods(world.other_investor)[0].token
    debit = c.payments.pay(world.other_investor, other, PayIn(method=method), "k")
    assert debit.gateway_payment_id is not None
    sandbox.settle(debit.gateway_payment_id, "succeeded")
    from backend.payments.interface import CollectionAccountIn

    c.payments.set_collection_account(
        world.manager, pool, CollectionAccountIn(account_name="Fund", iban="DE89370400440532013000")
    )
    # An investor's own account for payouts: entered whole (the bank needs it in the payout
    # file), kept only sealed, shown and audited masked.
    from backend.payments.interface import AccountDecision, PayoutAccountIn

    change = PayoutAccountIn(account_name="Ada", iban="FR1420041010050500013M02606", password=PASSWORD)
    asked = confirmed_change(c, world.investor, change)
    c.payments.decide_payout_account(world.admin, asked.id, AccountDecision(verify=True, note="call-back"))
    assert "FR1420041010050500013M02606" not in repr(change)
    sandbox.webhooks.deliver_pending()
    found: dict[str, list[str]] = {}
    with c.db.writer_session() as session:
        for table in inspect(session.get_bind()).get_table_names():
            for row in session.execute(text(f"SELECT * FROM {table}")):
                hits = _pans_and_ibans(" ".join(str(v) for v in row))
                if hits:
                    found.setdefault(table, []).extend(hits)
    assert found == {}, found
    assert _pans_and_ibans(caplog.text) == []
    # Nor in what an analyst or a manager exports of the pool (the journey's entries included).
    api = Api(world)
    exported = []
    for dataset in ("entries", "transactions", "positions"):
        for fmt in ("csv", "xlsx"):
            response = api.call("GET", "manager", f"/exports/{dataset}.{fmt}?pool_id={pool}")
            assert response.status_code == 200, (dataset, fmt)
            exported.append(_export_text(response.data, fmt))
    assert "contribution" in exported[0]  # the payments' entries are in what was scanned
    assert [_pans_and_ibans(text_) for text_ in exported] == [[]] * len(exported)


def _export_text(data: bytes, fmt: str) -> str:
    if fmt == "csv":
        return data.decode()
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return " ".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)


# -- reconciliation -----------------------------------------------------------------------------


def test_reconciliation_lists_every_difference_and_corrects_nothing(
    world: World, sandbox: SandboxGateway
) -> None:
    pool, a, request = _call(world)
    c = world.container
    today = date.today()
    paid = _pay(world, request, "tok_visa")  # in the books and at the gateway: only its fee shows
    # Money at the gateway that no payment of ours holds (charged outside the platform).
    gateway = c.payment_gateway
    assert gateway is not None
    customer = gateway.create_customer(999)
    stray = gateway.save_method(customer, "tok_mastercard")
    gateway.collect(
        "stray-charge", amount_minor=12345, currency="EUR", customer=customer, method=stray.token, metadata={}
    )
    # A wire recorded by hand and approved, which no statement shows yet.
    other = c.payments.list_requests(world.other_investor)[0]
    wire = c.payments.record_wire(
        world.manager,
        WireIn.model_validate(
            {
                "request_id": other.id,
                "amount": "10000.00",
                "value_date": today.isoformat(),
                "bank_reference": "W-1",
            }
        ),
    )
    c.payments.decide_wire(world.admin, wire.id, WireApproval(approve=True))
    # Money at the bank that names no request.
    content = (
        "booking_date,value_date,amount,currency,direction,reference,payer_name,payer_account,end_to_end_id,is_return\n"
        f"{today},{today},99.00,EUR,credit,no reference,Somebody,,,false\n"
    )
    c.payments.import_statement(
        world.manager,
        pool,
        StatementUpload(
            format=StatementFormat.CSV,
            filename="s.csv",
            content_base64=base64.b64encode(content.encode()).decode(),
        ),
    )
    version = c.ledger.ledger_version(pool)

    report = c.payments.reconcile(today)
    kinds = sorted(d.kind.value for d in report.differences)
    assert kinds == [
        "at_bank_not_in_books",
        "at_gateway_not_in_books",
        "gateway_fees",
        "gateway_fees",
        "not_on_a_statement",
    ]
    by_kind = {d.kind.value: d for d in report.differences}
    assert (
        by_kind["at_gateway_not_in_books"].amount == D("123.45") and by_kind["at_gateway_not_in_books"].action
    )
    assert by_kind["not_on_a_statement"].payment_id == wire.id
    fees = {d.pool_id: d.amount or D(0) for d in report.differences if d.kind.value == "gateway_fees"}
    assert fees[pool] > 0 and None in fees  # the stray charge's fee has no pool
    assert c.ledger.ledger_version(pool) == version  # nothing corrected
    assert _contributions(world, pool, a) == [D("20000.00")] and paid.status.value == "succeeded"
    assert REGISTRY.get_sample_value("payments_reconciliation_differences", {"kind": "gateway_fees"}) == 2
    assert c.payments.reconciliation(world.admin, today).run_id == report.run_id
    with pytest.raises(PermissionDenied):
        c.payments.reconciliation(world.manager)


def test_money_taken_back_at_the_gateway_shows_until_the_books_know(
    world: World, sandbox: SandboxGateway
) -> None:
    _, _, request = _call(world)
    c = world.container
    paid = _pay(world, request, "tok_visa")
    sandbox.webhooks.hold()  # the refund's webhook does not arrive
    client = stripe.StripeClient(API_KEY, base_addresses={"api": sandbox.url})
    assert paid.gateway_payment_id is not None
    client.v1.refunds.create({"payment_intent": paid.gateway_payment_id, "amount": 500000})
    report = c.payments.reconcile(date.today())
    returned = [d for d in report.differences if d.kind.value == "returned_at_gateway"]
    assert len(returned) == 1 and returned[0].payment_id == paid.id and returned[0].amount == D("5000.00")
    sandbox.webhooks.release()
    sandbox.webhooks.deliver_pending()
    assert c.payments.list_payments(world.investor, request)[0].status.value == "partially_refunded"
    again = c.payments.reconcile(date.today())
    assert [d for d in again.differences if d.kind.value == "returned_at_gateway"] == []


def test_a_manager_refunds_part_then_the_rest_once_each_and_the_books_follow(
    world: World, sandbox: SandboxGateway
) -> None:
    pool, a, request = _call(world)
    c = world.container
    paid = _pay(world, request, "tok_visa")
    assert paid.status.value == "succeeded" and paid.gateway_payment_id

    def contributed() -> Decimal:
        position = c.transactions.position(a, pool)
        return position.contributed if position else D(0)

    # Only the pool's managers refund, only what the payment still holds, at the currency's scale.
    for outsider in (world.investor, world.other_manager):
        with pytest.raises(NotFound):
            c.payments.refund_payment(outsider, paid.id, RefundIn(reason="asked"), "r0")
    for bad in ("20000.01", "0.001"):
        with pytest.raises(ValidationFailed) as refused:
            c.payments.refund_payment(world.manager, paid.id, RefundIn(amount=D(bad), reason="x"), "r0")
        assert refused.value.field == "amount"
    sandbox.down()
    try:
        with pytest.raises(DependencyUnavailable):
            c.payments.refund_payment(world.manager, paid.id, RefundIn(amount=D(5000), reason="x"), "r1")
    finally:
        sandbox.up()
    assert contributed() == D("20000.00") and sandbox.objects("refund") == []

    half = RefundIn(amount=D(5000), reason="side letter")
    part = c.payments.refund_payment(world.manager, paid.id, half, "r1")
    again = c.payments.refund_payment(world.manager, paid.id, half, "r1")
    assert part.status.value == "partially_refunded" and part.applied == D("15000.00") and again == part
    assert len(sandbox.objects("refund")) == 1 and contributed() == D("15000.00")
    records = sandbox.webhooks.deliver_pending()  # the gateway's own charge.refunded: nothing more moves
    assert all(r.status == 200 for r in records), answers(records)
    assert contributed() == D("15000.00")
    assert c.payments.get_request(world.investor, request).status.value == "partially_paid"

    rest = c.payments.refund_payment(world.manager, paid.id, RefundIn(reason="investor withdrew"), "r2")
    assert rest.status.value == "refunded" and rest.applied == 0 and contributed() == 0
    assert [int(r["amount"]) for r in sandbox.objects("refund")] == [500000, 1500000]
    assert c.payments.get_request(world.investor, request).status.value == "open"
    with pytest.raises(Conflict):
        c.payments.refund_payment(world.manager, paid.id, RefundIn(reason="again"), "r3")
    assert c.ledger.verify(pool).ok


def test_a_gateway_slower_than_the_timeout_is_unavailable_not_waited_for(sandbox: SandboxGateway) -> None:
    """The SDK's own default waits 80 s per try; the platform's gateway gives up at its
    timeout and leaves the attempt to be asked about again by its key."""
    gateway = StripeGateway(API_KEY, base_url=sandbox.url, retries=0, timeout=0.5)
    customer = gateway.create_customer(1)
    method = gateway.save_method(customer, "tok_visa").token
    sandbox.faults.timeout_next(1, seconds=3.0, path="/v1/payment_intents", method="POST")
    with pytest.raises(GatewayUnavailable):
        gateway.collect(
            "attempt-slow", amount_minor=1000, currency="EUR", customer=customer, method=method, metadata={}
        )


def test_the_investor_is_told_once_of_each_outcome_in_the_app_and_by_email(world: World) -> None:
    pool, _, request = _call(world)
    c = world.container
    declined = _pay(world, request, "tok_chargeDeclined")
    paid = _pay(world, request, "tok_visa")
    c.payments.refund_payment(world.manager, paid.id, RefundIn(amount=D(500), reason="fee waived"), "r1")
    c.payments.post_contributions()  # the sweep, again: nobody is told twice
    c.payments.post_contributions(paid.id)

    def told(kind: str) -> list[str]:
        items = c.notifications.list_for_user(world.investor, limit=50).items
        return [f"{n.title} | {n.body}" for n in items if n.kind.value == kind]

    (failed,) = told("payment.failed")
    assert "EUR 20,000.00 did not go through" in failed and "decline" in failed and "still owed" in failed
    (received,) = told("payment.received")
    assert "payment of EUR 20,000.00 received" in received
    (refunded,) = told("payment.refunded")
    assert "partly refunded" in refunded and "fee waived" in refunded
    emails = [
        d for d in c.notifications.delivery_log(world.admin) if d.to_address == world.emails["investor"]
    ]
    assert sorted(d.kind.value for d in emails) == ["payment.failed", "payment.received", "payment.refunded"]
    assert {d.status.value for d in emails} == {"queued"} and declined.id != paid.id
    # A contribution a manager records in the books settles the other investor's request: no notice.
    b = next(r.investor_id for r in c.payments.list_requests(world.manager, pool_id=pool) if r.id != request)
    contribution = {
        "type": "contribution",
        "investor_id": b,
        "amount": "10000.00",
        "effective_date": date.today().isoformat(),  # the books run to today (the card payment)
    }
    c.transactions.record(
        world.manager, pool, TransactionRequest.model_validate(contribution), str(uuid.uuid4())
    )
    c.payments.post_contributions()
    theirs = c.payments.list_requests(world.manager, pool_id=pool)
    assert {r.status.value for r in theirs if r.investor_id == b} == {"paid"}
    assert [n.kind.value for n in c.notifications.list_for_user(world.other_investor).items] == [
        "capital_call.issued"
    ]


def test_a_rolled_gateway_key_written_to_its_file_is_used_from_the_next_call_without_a_restart(
    world: World, sandbox: SandboxGateway, tmp_path: Path
) -> None:
    c = world.container
    key_file = tmp_path / "gateway-key"
    key_file.write_text("sk_test_rolled_away_long_ago\n")
    c.settings = c.settings.model_copy(update={"payment_gateway_api_key_file": key_file})
    stale = c.payment_gateway
    assert stale is not None
    with pytest.raises(stripe.AuthenticationError):
        stale.create_customer(1)  # the gateway no longer honours the old key
    key_file.write_text(f"{API_KEY}\n")  # the secret store writes the rolled key
    fresh = c.payment_gateway
    assert fresh is not None and fresh is not stale
    assert fresh.create_customer(1).startswith("cus_")
    assert c.payment_gateway is fresh  # one client per key, not one per call
