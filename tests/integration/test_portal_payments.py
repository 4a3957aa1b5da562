"""The payments pages as each role uses them, against the sandbox gateway: the investor sees
what is due with the wire instructions, saves a card and pays; the manager sees the call's
totals, records a wire that only a second person may approve, and imports a statement; the
admin runs the reconciliation and reads the bank-detail audit."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.payments.interface import AccountDecision, CollectionAccountIn, MethodIn, PayIn, PayoutAccountIn
from backend.platform.actors import Actor, Role
from ledger.interface import CapitalCallRequest, EntryType
from portal.admin.pages import payments as admin_page
from portal.investor.pages import payments as investor_page
from portal.manager import payment_desk, payment_tables
from tests.integration.auth_support import PASSWORD, create_user
from tests.integration.authorization_support import STATEMENT_HEADER
from tests.integration.payments_support import confirmed_change, emailed_codes
from tests.integration.pools_support import World, closed_pool, make_world
from tests.integration.portal_support import login, render_page

# Their settings point the payment service at the test's own gateway sandbox.
# Every test here runs in process and again with the payment service behind gRPC.
pytestmark = [pytest.mark.payment_gateway, pytest.mark.over_grpc("payments")]

D = Decimal
IBAN = "DE89 3704 0044 0532 0130 00"



@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


@pytest.fixture
def app(world: World) -> Iterator[Flask]:
    flask_app = create_app(world.container)
    with flask_app.test_request_context():
        yield flask_app


def _text(component: Any) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def _call(world: World, *, account: bool = True) -> tuple[int, int]:
    """A EUR pool; the investor owes 20,000.00 of a 30,000 call due 2025-01-20."""
    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool()).id
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo Other")
    world.commit(pool, a, "100000.00")
    world.commit(pool, b, "50000.00")
    if account:
        c.payments.set_collection_account(
            world.manager,
            pool,
            CollectionAccountIn(account_name="Harbour PE I", iban=IBAN, bic="COBADEFFXXX"),
        )
    c.transactions.capital_call(
        world.manager,
        pool,
        CapitalCallRequest(amount=D(30000), due_date=date(2025, 1, 20), effective_date=date(2025, 1, 15)),
        str(uuid.uuid4()),
    )
    return pool, a


def _contributions(world: World, pool: int, investor: int) -> list[Decimal]:
    page = world.container.transactions.list_transactions(
        world.manager, pool, entry_type=EntryType.CONTRIBUTION, investor_id=investor
    )
    return [D(e.details.get("amount", "0")) for e in page.entries]


def test_the_investor_sees_what_is_due_saves_a_card_and_pays_once(app: Flask, world: World) -> None:
    pool, a = _call(world)
    request = world.container.payments.list_requests(world.investor)[0]
    page = _text(investor_page.content(world.investor))
    assert "capital call" in page and "Overdue" in page
    assert "DE89 3704 0044 0532 0130 00" in page and request.reference in page
    assert "€20,000.00" in page and "Add a card or bank account below" in page

    refused = _text(investor_page.act(world.investor, "inv-method-add", {}, {}, "4242424242424242"))
    assert "Not done" in refused and "token" in refused  # a card number is not a gateway token
    saved = _text(investor_page.act(world.investor, "inv-method-add", {}, {}, "pm_card_visa"))
    assert "Saved: visa ending 4242" in saved
    method = world.container.payments.payment_methods(world.investor)[0].token
    page = _text(investor_page.content(world.investor))
    assert "Pay €20,000.00 now" in page

    trigger = {"type": investor_page.PAY, "request": request.id}
    # A declined card first: the investor reads why, and what to do instead.
    declined = _text(investor_page.act(world.investor, "inv-method-add", {}, {}, "pm_card_chargeDeclined"))
    assert "Saved:" in declined
    bad = next(m.token for m in world.container.payments.payment_methods(world.investor) if m.token != method)
    no = _text(investor_page.act(world.investor, trigger, {request.id: bad}, {request.id: "declined"}, None))
    assert "failed (" in no and "decline" in no and "pay by wire" in no
    key = str(uuid.uuid4())
    first = _text(investor_page.act(world.investor, trigger, {request.id: method}, {request.id: key}, None))
    again = _text(investor_page.act(world.investor, trigger, {request.id: method}, {request.id: key}, None))
    assert "Payment P-" in first and "received" in first
    assert first == again  # the same key: the same payment, charged once
    assert _contributions(world, pool, a) == [D("20000.00")]
    page = _text(investor_page.content(world.investor))
    assert "Nothing to pay" in page and "books entry #" in page and "Card / bank debit" in page

    # Another investor's request named by a forged button pays nothing.
    theirs = next(
        r for r in world.container.payments.list_requests(world.manager, pool_id=pool) if r.investor_id != a
    )
    forged = {"type": investor_page.PAY, "request": theirs.id}
    answer = _text(investor_page.act(world.investor, forged, {theirs.id: method}, {theirs.id: "k"}, None))
    assert "Not done" in answer and "not found" in answer


def test_without_a_collection_account_the_investor_is_told_why_there_are_no_instructions(
    app: Flask, world: World
) -> None:
    _call(world, account=False)
    page = _text(investor_page.content(world.investor))
    assert "No wire instructions yet" in page


def test_the_manager_sees_totals_records_a_wire_and_a_second_person_approves(
    app: Flask, world: World
) -> None:
    pool, a = _call(world)
    body, options = payment_tables.content(world.manager, pool)
    page = _text(body)
    assert "Due €30,000.00 · received €0.00 · outstanding €30,000.00 · 0 paid, 0 pending, 2 overdue" in page
    assert "DE…3000" in page and len(options) == 2
    request = world.container.payments.list_requests(world.investor)[0]
    values = {
        "match": {},
        "request": str(request.id),
        "amount": "20000.00",
        "value_date": "2025-01-18",
        "bank_ref": "BANK-77",
    }
    recorded = _text(payment_desk.act(world.manager, "wire-record", pool, values))
    assert "Recorded as payment P-" in recorded
    assert _contributions(world, pool, a) == []
    wire = world.container.payments.payment_history(world.manager, pool_id=pool, awaiting_approval=True)[0]
    assert "Waiting" in _text(payment_tables.content(world.manager, pool)[0]) and f"P-{wire.id}" in _text(
        payment_tables.content(world.manager, pool)[0]
    )

    approve = {"type": payment_tables.DECIDE, "payment": wire.id, "approve": "yes"}
    own = _text(payment_desk.act(world.manager, approve, pool, {"match": {}}))
    assert "Not done" in own and "someone other than who recorded it" in own
    outsider = _text(payment_desk.act(world.other_manager, approve, pool, {"match": {}}))
    assert "Not done" in outsider and _contributions(world, pool, a) == []

    co = create_user(world.container, "co-payments@pools.test", Role.MANAGER)
    world.container.pools.add_manager(world.manager, pool, co)
    colleague = Actor(user_id=co, role=Role.MANAGER, label="co-payments@pools.test")
    approved = _text(payment_desk.act(colleague, approve, pool, {"match": {}}))
    assert f"Payment P-{wire.id} approved: succeeded" in approved
    assert _contributions(world, pool, a) == [D("20000.00")]
    assert "1 paid, 0 pending, 1 overdue" in _text(payment_tables.content(world.manager, pool)[0])


def test_the_manager_imports_a_statement_and_bad_input_names_the_field(app: Flask, world: World) -> None:
    pool, _ = _call(world)
    request = world.container.payments.list_requests(world.investor)[0]
    csv = "\n".join(
        [
            STATEMENT_HEADER,
            f"2025-01-19,2025-01-19,20000.00,EUR,credit,{request.reference},Ada Investor,,,false",
            "2025-01-19,2025-01-19,5.00,EUR,credit,no reference at all,Someone,,,false",
        ]
    )
    values = {
        "match": {},
        "format": "csv",
        "file": "data:text/csv;base64," + base64.b64encode(csv.encode()).decode(),
        "filename": "jan.csv",
    }
    imported = _text(payment_desk.act(world.manager, "statement-import", pool, values))
    assert "jan.csv: 2 new movements (0 imported before): 1 matched" in imported
    assert "1 to match by hand" in imported
    page = _text(payment_tables.content(world.manager, pool)[0])
    assert "no reference at all" in page  # in the manual match queue

    again = _text(payment_desk.act(world.manager, "statement-import", pool, values))
    assert "0 new movements (2 imported before)" in again
    broken = dict(values, file="data:text/csv;base64," + base64.b64encode(b"not,a,statement").decode())
    assert "Not done" in _text(payment_desk.act(world.manager, "statement-import", pool, broken))

    bad_iban = {"match": {}, "account_name": "X", "iban": "DE00 0000 0000 0000 0000 00", "bic": ""}
    refused = _text(payment_desk.act(world.manager, "account-save", pool, bad_iban))
    assert "Not done" in refused and "iban" in refused.lower()
    no_amount = {"match": {}, "request": str(request.id), "amount": "", "value_date": "", "bank_ref": ""}
    assert "amount" in _text(payment_desk.act(world.manager, "wire-record", pool, no_amount))


def test_the_admin_runs_the_reconciliation_and_reads_the_bank_detail_audit(app: Flask, world: World) -> None:
    pool, _ = _call(world)
    page = _text(admin_page.content(world.admin))
    assert "Gateway and webhooks" in page and "No reconciliation has run yet" in page
    assert "payment.collection_account_set" not in page and "DE…3000" in page  # masked, never whole
    assert "3704 0044" not in page
    (change,) = admin_page.bank_detail_changes(world.admin)
    assert change["whose"] == world.container.pools.get_pool(world.admin, pool).name  # named, not "pool 7"
    world.container.payments.run_reconciliation(world.admin, date(2025, 1, 19))
    page = _text(admin_page.content(world.admin))
    assert "Run #" in page and "for 2025-01-19" in page


def test_each_payments_page_is_its_roles_alone(world: World) -> None:
    _call(world)
    for who, mine, not_mine in (
        ("investor", "/investor/payments", "/manager/payments"),
        ("manager", "/manager/payments", "/admin/payments"),
        ("admin", "/admin/payments", "/investor/payments"),
    ):
        client = create_app(world.container).test_client()
        assert login(client, world.emails[who], PASSWORD).status_code == 303
        assert "Payments" in render_page(client, mine)
        assert "not-permitted" in render_page(client, not_mine)


def test_payouts_from_the_investors_account_change_to_the_banks_file(app: Flask, world: World) -> None:
    from portal.investor import payouts_panel as investor_payouts
    from portal.manager import payouts_panel as manager_payouts
    from tests.integration.reports_support import build_closed

    built = build_closed(world)
    world.container.payments.set_collection_account(
        world.manager, built.pool, CollectionAccountIn(account_name="Harbour PE I", iban=IBAN)
    )
    page = _text(investor_payouts.panel(world.investor))
    assert "No bank account on file yet" in page and "no verified bank account on file" in page

    refused = _text(
        investor_payouts.request_change(world.investor, "Ada", "FR1420041010050500013M02606", None, "x")
    )
    assert "Not changed: password" in refused
    asked = _text(
        investor_payouts.request_change(world.investor, "Ada", "FR1420041010050500013M02606", None, PASSWORD)
    )
    assert "Requested: Ada, FR…2606" in asked and "We have emailed you a code" in asked
    waiting = _text(investor_payouts.panel(world.investor))
    assert "enter the code we emailed you below" in waiting
    assert world.container.payments.pending_payout_accounts(world.admin) == []  # not confirmed yet
    (unconfirmed,) = world.container.payments.payout_accounts(world.investor)
    (code,) = emailed_codes(world.container, unconfirmed.id)
    short = _text(investor_payouts.confirm_change(world.investor, "12"))
    assert "Not confirmed: code: enter the six digits" in short
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert "4 tries left" in _text(investor_payouts.confirm_change(world.investor, wrong))
    assert "Confirmed: FR…2606" in _text(investor_payouts.confirm_change(world.investor, f" {code} "))
    assert "waiting for verification" in _text(investor_payouts.panel(world.investor))
    pending = world.container.payments.pending_payout_accounts(world.admin)[0]
    admin = _text(admin_page.content(world.admin))
    assert "Bank account changes to verify" in admin and "FR…2606" in admin
    no_note = {"type": admin_page.VERIFY, "account": pending.id, "verify": "yes"}
    assert "say how the change was confirmed" in _text(admin_page.decide(world.admin, no_note, {}))
    verified = _text(admin_page.decide(world.admin, no_note, {pending.id: "call-back"}))
    assert "verified" in verified
    audit = _text(admin_page.content(world.admin))
    assert "payout account verified" in audit and "investor asked to change their payout account" in audit
    assert "investor confirmed the change with the emailed code" in audit
    assert "FR1420041010050500013M02606" not in audit  # masked in the audit as everywhere

    panel = _text(manager_payouts.panel(world.manager, built.pool))
    assert "Release" in panel and "held" in panel
    mine = next(
        x
        for x in world.container.payments.list_payouts(world.manager, built.pool)
        if x.investor_id == built.a
    )
    release = {"type": manager_payouts.RELEASE, "payout": mine.id}
    assert "released" in _text(manager_payouts.act(world.manager, release, built.pool, None))
    made = _text(manager_payouts.act(world.manager, "payout-file-create", built.pool, "2025-10-02"))
    assert "Download it for the bank" in made
    sent = next(
        x for x in world.container.payments.list_payouts(world.manager, built.pool) if x.id == mine.id
    )
    assert sent.status.value == "instructed" and sent.batch_id is not None
    batch_id = sent.batch_id

    client = app.test_client()
    assert login(client, world.emails["manager"], PASSWORD).status_code == 303
    download = client.get(manager_payouts.file_url(batch_id))
    assert download.status_code == 200 and download.mimetype == "application/xml"
    assert b"FR1420041010050500013M02606" in download.data and download.headers["Cache-Control"] == "no-store"
    outsider = app.test_client()
    assert login(outsider, world.emails["investor"], PASSWORD).status_code == 303
    assert outsider.get(manager_payouts.file_url(batch_id)).status_code == 404


def test_the_manager_pays_a_usd_distribution_through_the_gateway(app: Flask, world: World) -> None:
    from portal.manager import payouts_panel as manager_payouts
    from tests.integration.reports_support import build_closed

    built = build_closed(world, currency="USD")
    p = world.container.payments
    pending = confirmed_change(
        world.container,
        world.investor,
        PayoutAccountIn(account_name="Ada", iban="FR1420041010050500013M02606", bic=None, password=PASSWORD),
    )
    p.decide_payout_account(world.admin, pending.id, AccountDecision(verify=True, note="call-back"))
    mine = next(x for x in p.list_payouts(world.manager, built.pool) if x.investor_id == built.a)
    p.release_payout(world.manager, mine.id)
    refused = _text(manager_payouts.act(world.manager, "payout-file-create", built.pool, "2025-10-02"))
    assert "Not done" in refused and "through the gateway" in refused
    sent = _text(manager_payouts.act(world.manager, "payout-transfers-send", built.pool, None))
    assert "1 payouts paid through the gateway" in sent
    panel = _text(manager_payouts.panel(world.manager, built.pool))
    assert "gateway transfer tr_" in panel and "8,000.00" in panel


def test_the_manager_refunds_a_card_payment_once_per_form(app: Flask, world: World) -> None:
    from portal.manager import refund_form

    _call(world)
    p = world.container.payments
    request = p.list_requests(world.investor)[0]
    method = p.add_payment_method(world.investor, MethodIn(token="tok_visa"))
    paid = p.pay(world.investor, request.id, PayIn(method=method.token), str(uuid.uuid4()))
    assert "P-number" in _text(refund_form.act(world.manager, "twelve", None, "x", "k"))
    outsider = _text(refund_form.act(world.other_manager, f"P-{paid.id}", None, "x", "k"))
    assert "Not done" in outsider and "not found" in outsider
    no_reason = _text(refund_form.act(world.manager, f"P-{paid.id}", "10", "", "k"))
    assert "Not done: reason" in no_reason
    done = _text(refund_form.act(world.manager, f"P-{paid.id}", "5000", "side letter", "k"))
    again = _text(refund_form.act(world.manager, f"P-{paid.id}", "5000", "side letter", "k"))
    assert done == again and "partially refunded" in done and "€15,000.00" in done
