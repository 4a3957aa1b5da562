"""Bank statements into payments, on both backends: credits matched by reference (or payer and
amount), returns reversing what they return, the rest queued for a person whose match a
second person approves; a file imported whole or not at all, each movement once."""

from __future__ import annotations

import base64
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from backend.composition.container import Container
from backend.payments.interface import (
    LineStatus,
    ManualMatchIn,
    StatementFormat,
    StatementUpload,
    WireApproval,
)
from backend.platform.actors import Actor, Role
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ledger.interface import CapitalCallRequest, EntryType
from tests.integration.auth_support import create_user
from tests.integration.pools_support import World, closed_pool, make_world

# Every test here runs in process and again with the payment service behind gRPC (payment
# files as protobuf bytes, its refusals as the same errors).
pytestmark = pytest.mark.over_grpc("payments")

D = Decimal
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bank"
HEADER = (
    "booking_date,value_date,amount,currency,direction,reference,payer_name,payer_account,end_to_end_id,is_return"
)


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _call(world: World) -> tuple[int, int, int, str, str]:
    """A EUR pool: investor a ("Ana Example") owes 20,000.00, b ("Bo Other") 10,000.00."""
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
    refs = {r.investor_id: r.reference for r in c.payments.list_requests(world.manager, pool_id=pool)}
    return pool, a, b, refs[a], refs[b]


def _csv(*rows: str) -> StatementUpload:
    content = "\n".join([HEADER, *rows]).encode()
    return StatementUpload(
        format=StatementFormat.CSV,
        filename="statement.csv",
        content_base64=base64.b64encode(content).decode(),
    )


def _contributed(world: World, pool: int, investor: int) -> Decimal:
    position = world.container.transactions.position(investor, pool)
    return position.contributed if position else D(0)


def _contributions(world: World, pool: int, investor: int) -> list[Decimal]:
    page = world.container.transactions.list_transactions(
        world.manager, pool, entry_type=EntryType.CONTRIBUTION, investor_id=investor
    )
    return [D(e.details.get("amount", "0")) for e in page.entries]


def test_a_statement_is_matched_and_importing_it_again_adds_nothing(world: World) -> None:
    pool, a, b, ref_a, ref_b = _call(world)
    c = world.container
    typo = ref_b[:-1] + ("1" if ref_b[-1] != "1" else "2")
    upload = _csv(
        f"2025-01-18,2025-01-18,20000.00,EUR,credit,Capital call {ref_a[:6]} {ref_a[6:]},Ana Example,"
        "DE89 3704 0044 0532 0130 00,E2E-A,false",
        "2025-01-19,2025-01-19,10000.00,EUR,credit,capital call january,BO OTHER,"
        "GB29NWBK60161331926819,,false",
        f"2025-01-19,2025-01-19,500.00,EUR,credit,{typo},Someone Else,,,false",
        "2025-01-19,2025-01-19,35.00,EUR,debit,Account fee 01/2025,,,,",
    )
    out = c.payments.import_statement(world.manager, pool, upload)
    assert (out.lines, out.matched, out.unmatched, out.ignored, out.duplicates) == (4, 2, 1, 1, 0)
    by_line = {r.line: r for r in out.results}
    assert by_line[2].status is LineStatus.MATCHED and by_line[2].reason == ref_a
    assert by_line[2].counterparty_account == "DE…3000"  # masked by the parser: never the full number
    assert by_line[3].status is LineStatus.MATCHED  # no reference: the payer and the amount fit one request
    assert by_line[4].status is LineStatus.UNMATCHED and "no valid reference" in by_line[4].reason
    assert by_line[5].status is LineStatus.NOT_A_PAYMENT
    assert _contributions(world, pool, a) == [D("20000.00")] and _contributions(world, pool, b) == [
        D("10000.00")
    ]
    assert {r.status.value for r in c.payments.list_requests(world.manager, pool_id=pool)} == {"paid"}

    again = c.payments.import_statement(world.manager, pool, upload)
    assert (again.lines, again.duplicates, again.matched) == (0, 4, 0)
    assert _contributions(world, pool, a) == [D("20000.00")]
    queue = c.payments.statement_lines(world.manager, pool, LineStatus.UNMATCHED)
    assert [line.amount for line in queue] == [D("500.00")]
    assert c.ledger.verify(pool).ok


def test_a_returned_payment_reverses_its_contribution(world: World) -> None:
    pool, a, _, ref_a, _ = _call(world)
    c = world.container
    c.payments.import_statement(
        world.manager,
        pool,
        _csv(f"2025-01-18,2025-01-18,20000.00,EUR,credit,{ref_a},Ana Example,,E2E-A,false"),
    )
    assert _contributed(world, pool, a) == D("20000.00")
    out = c.payments.import_statement(
        world.manager,
        pool,
        _csv(f"2025-01-22,2025-01-22,20000.00,EUR,debit,{ref_a} AC04,Ana Example,,E2E-A,true"),
    )
    assert out.returned == 1 and out.results[0].status is LineStatus.RETURNED
    assert _contributed(world, pool, a) == 0
    request = c.payments.list_requests(world.investor)[0]
    assert request.status.value == "open" and request.amount_received == 0
    payment = c.payments.list_payments(world.manager, request.id)[0]
    assert (
        payment.status.value == "reversed" and payment.failure_reason and "returned" in payment.failure_reason
    )


def test_a_camt053_statement_matches_by_reference_and_holds_the_excess_as_credit(world: World) -> None:
    pool, a, _, ref_a, _ = _call(world)
    c = world.container
    xml = (FIXTURES / "camt053_capital_call.xml").read_text().replace("CC-0007-INV-0012", ref_a)
    upload = StatementUpload(
        format=StatementFormat.CAMT053,
        filename="camt053.xml",
        content_base64=base64.b64encode(xml.encode()).decode(),
    )
    out = c.payments.import_statement(world.manager, pool, upload)
    matched = [r for r in out.results if r.status is LineStatus.MATCHED]
    assert [(r.amount, r.payer_name) for r in matched] == [(D("25000.00"), "Acme Pension Fund Trustees Ltd")]
    assert "5000.00 held as credit" in matched[0].reason
    assert out.unmatched > 0 and out.lines == out.matched + out.returned + out.unmatched + out.ignored
    request = c.payments.list_requests(world.investor)[0]
    assert (request.status.value, request.amount_received, request.credit) == (
        "overpaid",
        D("20000.00"),
        D("5000.00"),
    )
    assert _contributed(world, pool, a) == D("20000.00")


@pytest.mark.parametrize(
    ("row", "where"),
    [
        ("2025-01-18,2025-01-18,12,5x,EUR,credit,ref,,,,false", "line 2"),
        ("2025-01-18,2025-01-18,-100.00,EUR,credit,ref,,,,false", "line 2"),
        ("18/01/2025,,100.00,EUR,credit,ref,,,,false", "line 2"),
    ],
)
def test_a_malformed_file_is_refused_whole_naming_the_line(world: World, row: str, where: str) -> None:
    pool, _, _, ref_a, _ = _call(world)
    c = world.container
    good = f"2025-01-18,2025-01-18,20000.00,EUR,credit,{ref_a},Ana Example,,,false"
    with pytest.raises(ValidationFailed) as refused:
        c.payments.import_statement(world.manager, pool, _csv(row, good))
    assert refused.value.field == "content_base64" and where in refused.value.detail
    assert c.payments.statement_lines(world.manager, pool) == []  # nothing of the file, not even line 3
    with pytest.raises(ValidationFailed):
        c.payments.import_statement(
            world.manager,
            pool,
            StatementUpload(format=StatementFormat.CSV, filename="x.csv", content_base64="not base64!"),
        )


def test_a_manual_match_needs_a_second_person(world: World) -> None:
    pool, a, _, _, _ = _call(world)
    c = world.container
    out = c.payments.import_statement(
        world.manager,
        pool,
        _csv("2025-01-18,2025-01-18,20000.00,EUR,credit,January call,A. Example Trust,,,false"),
    )
    line = out.results[0]
    assert line.status is LineStatus.UNMATCHED
    request = c.payments.list_requests(world.investor)[0]
    with pytest.raises(NotFound):
        c.payments.match_statement_line(world.other_manager, line.id, ManualMatchIn(request_id=request.id))
    proposed = c.payments.match_statement_line(world.manager, line.id, ManualMatchIn(request_id=request.id))
    assert proposed.status.value == "pending" and _contributed(world, pool, a) == 0
    with pytest.raises(Conflict):  # matched once already
        c.payments.match_statement_line(world.manager, line.id, ManualMatchIn(request_id=request.id))
    with pytest.raises(PermissionDenied):
        c.payments.decide_wire(world.manager, proposed.id, WireApproval(approve=True))
    co = create_user(c, "co@pools.test", Role.MANAGER)
    c.pools.add_manager(world.manager, pool, co)
    approved = c.payments.decide_wire(
        Actor(user_id=co, role=Role.MANAGER, label="co@pools.test"), proposed.id, WireApproval(approve=True)
    )
    assert approved.status.value == "succeeded" and _contributed(world, pool, a) == D("20000.00")
    assert c.payments.statement_lines(world.manager, pool)[0].status is LineStatus.MATCHED


def test_a_rejected_match_goes_back_to_the_queue(world: World) -> None:
    pool, _, _, _, _ = _call(world)
    c = world.container
    out = c.payments.import_statement(
        world.manager, pool, _csv("2025-01-18,2025-01-18,20000.00,EUR,credit,January call,Unknown,,,false")
    )
    request = c.payments.list_requests(world.investor)[0]
    proposed = c.payments.match_statement_line(
        world.manager, out.results[0].id, ManualMatchIn(request_id=request.id)
    )
    c.payments.decide_wire(world.admin, proposed.id, WireApproval(approve=False, reason="not this investor"))
    line = c.payments.statement_lines(world.manager, pool)[0]
    assert line.status is LineStatus.UNMATCHED and line.payment_id is None


def test_outsiders_neither_import_nor_see_statements(world: World) -> None:
    pool, _, _, ref_a, _ = _call(world)
    c = world.container
    upload = _csv(f"2025-01-18,2025-01-18,20000.00,EUR,credit,{ref_a},Ana Example,,,false")
    for outsider in (world.other_manager, world.analyst, world.investor):
        with pytest.raises(NotFound):
            c.payments.import_statement(outsider, pool, upload)
        with pytest.raises(NotFound):
            c.payments.statement_lines(outsider, pool)
    # A statement of another pool naming this pool's reference matches nothing there.
    other = c.pools.create_pool(world.manager, closed_pool(name="Another Fund")).id
    out = c.payments.import_statement(world.manager, other, upload)
    assert out.unmatched == 1 and "no payment request of this pool" in out.results[0].reason
