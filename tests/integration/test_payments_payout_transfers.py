"""Payouts through the gateway, on both backends, with the real Stripe SDK against the
sandbox: a distribution's payouts, released after review, become one transfer each to a payee
account holding the investor's verified bank account, in the pool's currency (a USD pool,
which a SEPA file cannot pay, too). A lost answer or an outage never sends twice; a transfer
the investor's bank refuses comes back by webhook and the payout is returned; reconciliation
matches transfers to payouts and lists the rest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from backend.composition.container import Container
from backend.payments.interface import (
    AccountDecision,
    CollectionAccountIn,
    DifferenceKind,
    PayoutAccountIn,
    PayoutFileIn,
    PayoutOut,
    PayoutStatus,
)
from backend.payments.models import PayoutAccount
from backend.payments.sandbox import SandboxGateway
from backend.platform.actors import Actor
from backend.platform.errors import Conflict, NotFound, ValidationFailed
from tests.integration.auth_support import PASSWORD
from tests.integration.payments_support import answers, confirmed_change, served
from tests.integration.pools_support import World, make_world
from tests.integration.reports_support import build_closed

# Their settings point the payment service at the test's own gateway sandbox.
# Every test here runs in process and again with the payment service behind gRPC (the gateway
# reached from the service's side of the hop; webhook bodies as the exact bytes signed).
pytestmark = [pytest.mark.payment_gateway, pytest.mark.over_grpc("payments")]

D = Decimal
NOW = timedelta(0)
IBANS = {"a": "FR14 2004 1010 0505 0001 3M02 606", "b": "NL91 ABNA 0417 1643 00"}
TRANSFERS = "/v1/transfers"



@pytest.fixture
def world(container: Container, sandbox: SandboxGateway) -> Iterator[World]:
    with served(container, sandbox):
        yield make_world(container)


def _ready(world: World, currency: str = "EUR") -> tuple[int, dict[int, PayoutOut]]:
    """A distribution of 12,000 (a 8,000, b 4,000), both accounts verified, both payouts released."""
    built = build_closed(world, currency=currency)
    p = world.container.payments
    p.set_collection_account(
        world.manager,
        built.pool,
        CollectionAccountIn(account_name="Harbour PE I", iban="DE89370400440532013000"),
    )
    for who, iban in ((world.investor, IBANS["a"]), (world.other_investor, IBANS["b"])):
        _verify(world, who, iban)
    payouts = {
        x.investor_id: p.release_payout(world.manager, x.id)
        for x in p.list_payouts(world.manager, built.pool)
    }
    assert {k: v.amount for k, v in payouts.items()} == {built.a: D("8000.00"), built.b: D("4000.00")}
    return built.pool, payouts


def _verify(world: World, who: Actor, iban: str) -> None:
    p = world.container.payments
    pending = confirmed_change(
        world.container, who, PayoutAccountIn(account_name=who.label, iban=iban, bic=None, password=PASSWORD)
    )
    p.decide_payout_account(world.admin, pending.id, AccountDecision(verify=True, note="call-back"))


def _transfers(sandbox: SandboxGateway, payout_id: int) -> list[dict[str, object]]:
    return [t for t in sandbox.objects("transfer") if t["metadata"].get("payout_id") == str(payout_id)]


def test_a_distribution_is_paid_through_the_gateway_once_and_a_refused_transfer_is_returned(
    world: World, sandbox: SandboxGateway
) -> None:
    pool, _ = _ready(world)
    p = world.container.payments
    with pytest.raises(NotFound):
        p.send_payouts_through_gateway(world.other_manager, pool)
    with pytest.raises(NotFound):
        p.send_payouts_through_gateway(world.investor, pool)

    sent = {x.investor_id: x for x in p.send_payouts_through_gateway(world.manager, pool)}
    assert {x.status for x in sent.values()} == {PayoutStatus.PAID}
    assert {x.rail.value if x.rail else None for x in sent.values()} == {"gateway"}
    for payout in sent.values():
        (transfer,) = _transfers(sandbox, payout.id)
        assert transfer["id"] == payout.gateway_transfer_id
        assert (transfer["amount"], transfer["currency"]) == (int(payout.amount * 100), "eur")
        # The payee holds the investor's account; the gateway keeps its last four digits only.
        payee = sandbox.get(str(transfer["destination"]))
        assert payee is not None
        bank = payee["external_accounts"]["data"][0]
        assert bank["last4"] == IBANS["a" if payout.investor_id == min(sent) else "b"].replace(" ", "")[-4:]
    assert len(sandbox.objects("account")) == 2
    with pytest.raises(Conflict):  # nothing is ready any more: nothing is sent twice
        p.send_payouts_through_gateway(world.manager, pool)
    assert p.resume_payout_transfers(older_than=NOW) == 0

    today = date.today()
    assert [d for d in p.reconcile(today).differences if d.kind is not DifferenceKind.GATEWAY_FEES] == []

    # The investor's bank refuses b's money: the gateway reverses the transfer and says so.
    b_payout = sent[max(sent)]
    sandbox.fail_transfer(str(b_payout.gateway_transfer_id))
    sandbox.webhooks.duplicate()
    records = sandbox.webhooks.deliver_pending()
    assert records and all(r.status == 200 for r in records), answers(records)
    after = {x.id: x for x in p.list_payouts(world.manager, pool)}
    assert after[b_payout.id].status is PayoutStatus.RETURNED and "refused" in after[b_payout.id].hold_reason
    assert after[sent[min(sent)].id].status is PayoutStatus.PAID
    assert [d for d in p.reconcile(today).differences if d.kind is not DifferenceKind.GATEWAY_FEES] == []
    # The investor sees their own payout only.
    assert [x.id for x in p.list_payouts(world.investor)] == [sent[min(sent)].id]


def test_a_usd_pool_pays_through_the_gateway_what_a_sepa_file_cannot(
    world: World, sandbox: SandboxGateway
) -> None:
    pool, _ = _ready(world, "USD")
    p = world.container.payments
    with pytest.raises(ValidationFailed) as refused:
        p.create_payout_file(world.manager, pool, PayoutFileIn(execution_date=date(2025, 10, 2)))
    assert refused.value.field == "pool_id" and "through the gateway" in str(refused.value)
    sent = p.send_payouts_through_gateway(world.manager, pool)
    assert [x.status for x in sent] == [PayoutStatus.PAID, PayoutStatus.PAID]
    assert sorted(int(t["amount"]) for t in sandbox.objects("transfer")) == [400000, 800000]
    assert {t["currency"] for t in sandbox.objects("transfer")} == {"usd"}


def test_an_outage_or_a_lost_answer_never_sends_a_payout_twice(world: World, sandbox: SandboxGateway) -> None:
    pool, _ = _ready(world)
    p = world.container.payments
    # The first transfer is made and its answer lost on every try; the second never gets through.
    # (The SDK tries three times; a retry the gateway let through would replay the answer.)
    sandbox.faults.accept_then_fail(1, path=TRANSFERS, method="POST")
    sandbox.faults.fail_next(5, path=TRANSFERS, method="POST", status=503)
    waiting = p.send_payouts_through_gateway(world.manager, pool)
    assert [x.status for x in waiting] == [PayoutStatus.INSTRUCTED, PayoutStatus.INSTRUCTED]
    assert all(x.gateway_transfer_id is None for x in waiting)
    assert len(sandbox.objects("transfer")) == 1  # the one whose answer was lost
    with pytest.raises(Conflict):  # instructed is not ready: a second press sends nothing
        p.send_payouts_through_gateway(world.manager, pool)
    assert p.resume_payout_transfers() == 0  # not yet: the answer may still be on its way

    sandbox.down()
    try:
        assert p.resume_payout_transfers(older_than=NOW) == 2
    finally:
        sandbox.up()
    assert {x.status for x in p.list_payouts(world.manager, pool)} == {PayoutStatus.INSTRUCTED}

    assert p.resume_payout_transfers(older_than=NOW) == 2
    done = p.list_payouts(world.manager, pool)
    assert {x.status for x in done} == {PayoutStatus.PAID}
    for payout in done:
        assert [t["id"] for t in _transfers(sandbox, payout.id)] == [payout.gateway_transfer_id]
    assert p.resume_payout_transfers(older_than=NOW) == 0


def test_a_transfer_the_gateway_refuses_holds_the_payout_for_a_person(
    world: World, sandbox: SandboxGateway
) -> None:
    pool, ready = _ready(world)
    p = world.container.payments
    first, second = sorted(x.id for x in ready.values())
    # a's payee account was closed at the gateway: the transfer to it is refused as asked.
    with world.container.db.writer_session() as session:
        account = session.scalar(select(PayoutAccount).where(PayoutAccount.investor_id == min(ready)))
        assert account is not None
        account.gateway_payee_id = "acct_closed"
        session.commit()
    out = {x.id: x for x in p.send_payouts_through_gateway(world.manager, pool)}
    assert out[first].status is PayoutStatus.HELD and "refused" in out[first].hold_reason
    assert out[first].rail is None and _transfers(sandbox, first) == []
    assert out[second].status is PayoutStatus.PAID
    # The investor's account is verified again (a new payee); reviewed and released, it is paid once.
    _verify(world, world.investor, IBANS["b"])
    p.release_payout(world.manager, first)
    (again,) = p.send_payouts_through_gateway(world.manager, pool)
    assert again.status is PayoutStatus.PAID and len(_transfers(sandbox, first)) == 1
