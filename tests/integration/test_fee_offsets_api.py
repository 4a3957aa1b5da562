"""Management fee offsets in the books, on SQLite and MariaDB: the fees the manager receives
from portfolio companies are recorded (a memorandum entry, no money of the pool moves) and
reduce the management fees after them by the terms' offset rate, carried forward when the fee
cannot absorb them; the GP's commitment, which bears no fee, gets none of the offset.

The figures are the worked examples of docs/business-logic.md section 15, now posted."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from backend.platform.errors import ValidationFailed
from ledger.interface import BatchRequest, EntryType, TransactionRequest
from tests.integration.pools_support import Api, World, closed_pool, make_world, problem_fields

D = Decimal


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


class Fund:
    """A closed-ended EUR pool, 2% a year on commitments (30/360, so a quarter is exactly a
    quarter of the year's fee) with an offset of ``offset_rate``; A, B and C commit 60m, 30m
    and 10m, and ``gp`` (if asked) the GP's 20m commitment, which bears no fee."""

    def __init__(self, world: World, offset_rate: str | None, *, gp: bool = False) -> None:
        self.world, c, m = world, world.container, world.manager
        fee: dict[str, Any] = {"rate": "0.02", "basis": "committed", "day_count": "30/360"}
        if offset_rate is not None:
            fee["offset_rate"] = offset_rate
        self.id = c.pools.create_pool(m, closed_pool(inception_date="2025-01-01", management_fee=fee)).id
        self.a = world.investor_profile(world.investor, name="Investor A")
        self.b = world.investor_profile(world.other_investor, name="Investor B")
        self.c = world.named_investor("Investor C")
        committed = {self.a: "60000000.00", self.b: "30000000.00", self.c: "10000000.00"}
        if gp:
            self.gp = world.named_investor("GP")
            committed[self.gp] = "20000000.00"
        for investor, amount in committed.items():
            world.commit(self.id, investor, amount)
        self.api = Api(world)
        if gp:
            letter = {"reference": "GP commitment", "gp_commitment": True}
            answer = self.api.call("PUT", "manager", f"/pools/{self.id}/side-letters/{self.gp}", letter)
            assert answer.status_code == 200, answer.get_json()

    def post(self, body: dict[str, Any], who: str = "manager", path: str | None = None) -> Any:
        headers = {**self.api.headers(who), "Idempotency-Key": str(uuid.uuid4())}
        path = path or f"/api/v1/pools/{self.id}/transactions"
        return self.api.client.post(path, headers=headers, json=body)

    def portfolio_fee(self, amount: str, on: str, kind: str = "transaction", **more: Any) -> Any:
        body = {"type": "portfolio_company_fee", "amount": amount, "fee_kind": kind, "effective_date": on}
        return self.post(body | more)

    def fee(self, first: str, last: str) -> Any:
        return self.post(
            {"type": "management_fee", "period_start": first, "period_end": last, "effective_date": last}
        )

    def fees_payable(self) -> Decimal:
        return -self.world.container.ledger.balances(self.id).get("fees_payable", D(0))


def test_an_80_percent_offset_reduces_the_fee_and_the_gp_commitment_gets_none(world: World) -> None:
    """Section 15's first example, posted: a year's fee of 2,000,000.00 (A 1,200,000, B
    600,000, C 200,000, the GP's commitment nothing), transaction fees of 500,000.00 received
    at an 80% offset: 400,000.00 of offset, the fee charged 1,600,000.00, A pays 960,000.00."""
    fund = Fund(world, "0.8", gp=True)
    received = fund.portfolio_fee("500000.00", "2025-06-30", investment="Acme Robotics")
    assert received.status_code == 201, received.get_json()
    entry = received.get_json()
    assert entry["postings"] == [] and entry["details"]["offset_rate"] == "0.8"
    assert entry["memo"] == "transaction fee of 500000.00 EUR received by the manager from Acme Robotics"
    assert fund.fees_payable() == 0  # no money of the pool moved

    charged = fund.fee("2025-01-01", "2025-12-31")
    assert charged.status_code == 201, charged.get_json()
    details = charged.get_json()["details"]
    assert details["computed_amount"] == "2000000.00" and details["amount"] == "1600000.00"
    offset = details["fee_offset"]
    assert (offset["earned_to_date"], offset["used"], offset["carried_forward"]) == (
        "400000.00",
        "400000.00",
        "0.00",
    )
    assert offset["by_investor"] == {
        str(fund.a): "240000.00",
        str(fund.b): "120000.00",
        str(fund.c): "40000.00",
    }
    assert details["allocation"] == {
        str(fund.a): "960000.00",
        str(fund.b): "480000.00",
        str(fund.c): "160000.00",
    }
    # The gross fee and the offset are both in the hashed postings, on the fee payable.
    payable = sorted(D(p["amount"]) for p in charged.get_json()["postings"] if p["account"] == "fees_payable")
    assert payable == [D("-2000000.00"), D("400000.00")]
    assert fund.fees_payable() == D("1600000.00")
    assert world.container.ledger.verify(fund.id).ok


def test_an_offset_larger_than_the_fee_is_carried_forward_and_reversals_give_it_back(world: World) -> None:
    """Section 15's second example, posted, 100% offset: Q1's fee of 500,000.00 meets a
    break-up fee of 750,000.00, so nothing is charged and 250,000.00 is carried forward; Q2's
    500,000.00 uses it and 250,000.00 is charged (A 150,000, B 75,000, C 25,000)."""
    fund = Fund(world, "1")
    assert fund.portfolio_fee("750000.00", "2025-02-15", kind="break_up").status_code == 201
    q1 = fund.fee("2025-01-01", "2025-03-31")
    assert q1.status_code == 201, q1.get_json()
    first = q1.get_json()["details"]
    assert (first["computed_amount"], first["amount"], first["fee_offset"]["carried_forward"]) == (
        "500000.00",
        "0.00",
        "250000.00",
    )
    assert fund.fees_payable() == 0
    q2 = fund.fee("2025-04-01", "2025-06-30")
    second = q2.get_json()["details"]
    assert (second["amount"], second["fee_offset"]["used"], second["fee_offset"]["carried_forward"]) == (
        "250000.00",
        "250000.00",
        "0.00",
    )
    assert second["allocation"] == {
        str(fund.a): "150000.00",
        str(fund.b): "75000.00",
        str(fund.c): "25000.00",
    }

    # Reversing Q2's fee gives its offset back: charged again, it is the same fee.
    reversal = fund.post(
        {"effective_date": "2025-06-30"}, path=f"/api/v1/transactions/{q2.get_json()['id']}/reversal"
    )
    assert reversal.status_code == 201, reversal.get_json()
    again = fund.fee("2025-04-01", "2025-06-30").get_json()["details"]
    assert (again["amount"], again["fee_offset"]["used_before"]) == ("250000.00", "500000.00")
    assert fund.fees_payable() == D("250000.00")
    assert world.container.ledger.verify(fund.id).ok


def test_fees_received_after_the_period_wait_for_the_next_fee(world: World) -> None:
    """A fee counts towards the fees whose period it was received by: one received on 2 April
    does not reduce Q1's fee charged on 5 April, and Q2's uses it."""
    fund = Fund(world, "1")
    fund.portfolio_fee("10000.00", "2025-04-02", kind="monitoring")
    q1 = fund.post(
        {
            "type": "management_fee",
            "period_start": "2025-01-01",
            "period_end": "2025-03-31",
            "effective_date": "2025-04-05",
        }
    ).get_json()["details"]
    assert (q1["amount"], q1["fee_offset"]["available"]) == ("500000.00", "0.00")
    q2 = fund.fee("2025-04-01", "2025-06-30").get_json()["details"]
    assert (q2["amount"], q2["fee_offset"]["used"]) == ("490000.00", "10000.00")


def test_without_an_offset_in_the_terms_the_fee_is_charged_in_full(world: World) -> None:
    plain = Fund(world, None)
    assert plain.portfolio_fee("10000.00", "2025-02-01").get_json()["details"]["offset_rate"] is None
    fee = plain.fee("2025-01-01", "2025-03-31").get_json()["details"]
    assert fee["amount"] == "500000.00" and "fee_offset" not in fee


def test_a_batch_offsets_the_fee_rows_after_a_portfolio_fee_row(world: World) -> None:
    fund = Fund(world, "0.8")
    rows = [
        {
            "type": "portfolio_company_fee",
            "amount": "100000.00",
            "fee_kind": "director",
            "effective_date": "2025-03-01",
        },
        {
            "type": "management_fee",
            "period_start": "2025-01-01",
            "period_end": "2025-03-31",
            "effective_date": "2025-03-31",
        },
        {
            "type": "management_fee",
            "period_start": "2025-04-01",
            "period_end": "2025-06-30",
            "effective_date": "2025-06-30",
        },
    ]
    world.container.transactions.record_batch(
        world.manager,
        fund.id,
        BatchRequest.model_validate({"transactions": rows}).transactions,
        str(uuid.uuid4()),
    )
    listed = world.container.transactions.list_transactions(
        world.manager, fund.id, entry_type=EntryType.MANAGEMENT_FEE
    ).entries
    fees = [e.details for e in listed]
    assert [(f["amount"], f["fee_offset"]["used"]) for f in fees] == [
        ("420000.00", "80000.00"),
        ("500000.00", "0.00"),
    ]
    assert fund.fees_payable() == D("920000.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "portfolio_company_fee", "amount": "100.00", "effective_date": "2025-02-01"}, "fee_kind"),
        (
            {
                "type": "portfolio_company_fee",
                "amount": "100.00",
                "fee_kind": "bonus",
                "effective_date": "2025-02-01",
            },
            "fee_kind",
        ),
        (
            {
                "type": "portfolio_company_fee",
                "amount": "-1.00",
                "fee_kind": "transaction",
                "effective_date": "2025-02-01",
            },
            "amount",
        ),
        (
            {
                "type": "portfolio_company_fee",
                "amount": "100.00",
                "fee_kind": "transaction",
                "memo": "x" * 500,
                "effective_date": "2025-02-01",
            },
            "memo",
        ),
        (
            {"type": "income", "amount": "100.00", "fee_kind": "transaction", "effective_date": "2025-02-01"},
            "fee_kind",
        ),
    ],
)
def test_a_portfolio_fee_that_means_nothing_is_refused_and_leaves_no_trace(
    world: World, body: dict[str, Any], field: str
) -> None:
    fund = Fund(world, "1")
    answer = fund.post(body)
    assert answer.status_code == 422 and problem_fields(answer) == [field], answer.get_json()
    assert world.container.transactions.list_transactions(world.manager, fund.id).entries == []


def test_an_offset_rate_outside_0_to_1_is_refused(world: World) -> None:
    api = Api(world)
    fee = {"rate": "0.02", "basis": "committed", "offset_rate": "1.5"}
    body = closed_pool(inception_date="2025-01-01", management_fee=fee).model_dump(mode="json")
    answer = api.call("POST", "manager", "/pools", body)
    assert answer.status_code == 422 and problem_fields(answer) == ["management_fee.offset_rate"]
    shown = api.call(
        "POST",
        "manager",
        "/pools",
        closed_pool(inception_date="2025-01-01", management_fee=fee | {"offset_rate": "0.8"}).model_dump(
            mode="json"
        ),
    )
    assert shown.get_json()["management_fee"]["offset_rate"] == "0.8"


def test_only_the_pools_managers_record_a_portfolio_fee(world: World) -> None:
    fund = Fund(world, "1")
    body = {
        "type": "portfolio_company_fee",
        "amount": "100.00",
        "fee_kind": "transaction",
        "effective_date": "2025-02-01",
    }
    assert fund.post(body, who="other_manager").status_code == 404
    assert fund.post(body, who="investor").status_code == 403
    with pytest.raises(ValidationFailed):
        world.container.transactions.record(
            world.manager,
            fund.id,
            TransactionRequest.model_validate(body | {"amount": "0.00"}),
            str(uuid.uuid4()),
        )


def test_the_capital_account_statement_shows_the_fee_gross_and_the_offset_on_its_own_line(
    world: World,
) -> None:
    """ILPA's layout: the management fee gross, the offset of portfolio-company fees on its own
    line; together they are what the capital account bore (A: -1,200,000.00 + 240,000.00)."""
    fund = Fund(world, "0.8", gp=True)
    fund.portfolio_fee("500000.00", "2025-06-30")
    fund.fee("2025-01-01", "2025-12-31")
    answer = fund.api.call("GET", "investor", f"/investors/{fund.a}/statements?pool_id={fund.id}&period=2025")
    assert answer.status_code == 200, answer.get_json()
    statement = answer.get_json()
    assert (statement["management_fees"], statement["management_fee_offsets"]) == ("-1200000.00", "240000.00")
    gp = fund.api.call(
        "GET", "manager", f"/investors/{fund.gp}/statements?pool_id={fund.id}&period=2025"
    ).get_json()
    assert (gp["management_fees"], gp["management_fee_offsets"]) == ("0.00", "0.00")


def test_a_received_fee_whose_offset_a_later_fee_used_cannot_be_reversed_first(world: World) -> None:
    """Reversing the portfolio-company fee after Q1's fee used its offset is refused (the
    fee entry was allocated after it); reversing the fee first, then the received fee, works."""
    fund = Fund(world, "1")
    received = fund.portfolio_fee("10000.00", "2025-02-01").get_json()["id"]
    charged = fund.fee("2025-01-01", "2025-03-31").get_json()["id"]
    first = fund.post({"effective_date": "2025-03-31"}, path=f"/api/v1/transactions/{received}/reversal")
    assert first.status_code == 409 and f"reverse entry {charged} first" in first.get_json()["detail"]
    assert (
        fund.post(
            {"effective_date": "2025-03-31"}, path=f"/api/v1/transactions/{charged}/reversal"
        ).status_code
        == 201
    )
    assert (
        fund.post(
            {"effective_date": "2025-03-31"}, path=f"/api/v1/transactions/{received}/reversal"
        ).status_code
        == 201
    )
    again = fund.fee("2025-01-01", "2025-03-31").get_json()["details"]
    assert (again["amount"], again["fee_offset"]["available"]) == ("500000.00", "0.00")
