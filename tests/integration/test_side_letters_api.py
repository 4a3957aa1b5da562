"""Side letters over REST, on SQLite and MariaDB: recorded by the pool's managers, seen by
them and by each investor (their own), refused to everyone else, audited, and applied by the
management fee and the waterfall distribution that follow."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from backend.audit.models import AuditEvent
from backend.composition.container import Container
from ledger.interface import CapitalCallRequest, DistributionMode, DistributionRequest, TransactionRequest
from tests.integration.pools_support import Api, World, closed_pool, make_world, open_pool, problem_fields

D = Decimal


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


class Fund:
    """A closed-ended USD pool (2% on commitments, 8% pref, full catch-up, 20% carry) with
    investors A and B committed 100,000 each."""

    def __init__(self, world: World) -> None:
        self.world, c, m = world, world.container, world.manager
        self.id = c.pools.create_pool(m, closed_pool(base_currency="USD", inception_date="2021-01-01")).id
        self.a = world.investor_profile(world.investor, name="Investor A")
        self.b = world.investor_profile(world.other_investor, name="Investor B")
        for investor in (self.a, self.b):
            world.commit(self.id, investor, "100000.00")
        self.api = Api(world)

    def letter(self, investor: int, body: dict[str, Any], who: str = "manager") -> Any:
        return self.api.call("PUT", who, f"/pools/{self.id}/side-letters/{investor}", body)

    def tx(self, **fields: Any) -> Any:
        return self.world.container.transactions.record(
            self.world.manager, self.id, TransactionRequest.model_validate(fields), str(uuid.uuid4())
        )


def test_managers_record_side_letters_and_each_investor_sees_only_their_own(world: World) -> None:
    fund = Fund(world)
    made = fund.letter(
        fund.b, {"reference": "Side letter of 1 March 2025, clause 3", "carried_interest_rate": "0.1"}
    )
    assert made.status_code == 200, made.get_json()
    assert made.get_json()["carried_interest_rate"] == "0.1" and made.get_json()["gp_commitment"] is False
    fund.letter(fund.a, {"reference": "GP commitment", "gp_commitment": True})

    listed = fund.api.call("GET", "manager", f"/pools/{fund.id}/side-letters").get_json()["items"]
    assert [(x["investor_id"], x["reference"]) for x in listed] == [
        (fund.a, "GP commitment"),
        (fund.b, "Side letter of 1 March 2025, clause 3"),
    ]
    own = fund.api.call("GET", "other_investor", f"/pools/{fund.id}/side-letters").get_json()["items"]
    assert [x["investor_id"] for x in own] == [fund.b]
    # Replacing a letter keeps one per investor; withdrawing it puts the pool's terms back.
    assert fund.letter(fund.b, {"reference": "Amended", "management_fee_waiver": "0.25"}).status_code == 200
    listed = fund.api.call("GET", "manager", f"/pools/{fund.id}/side-letters").get_json()["items"]
    assert [(x["reference"], x["carried_interest_rate"], x["management_fee_waiver"]) for x in listed][1] == (
        "Amended",
        None,
        "0.25",
    )
    assert fund.api.call("DELETE", "manager", f"/pools/{fund.id}/side-letters/{fund.b}").status_code == 204
    assert fund.api.call("DELETE", "manager", f"/pools/{fund.id}/side-letters/{fund.b}").status_code == 404
    with world.container.db.writer_session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "side_letter").order_by(AuditEvent.id)
        ).all()
    assert actions == ["side_letter.recorded"] * 3 + ["side_letter.withdrawn"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reference": "x", "carried_interest_rate": "0.25"}, "carried_interest_rate"),  # above the pool's
        ({"reference": "x", "management_fee_waiver": "1.5"}, "management_fee_waiver"),
        ({"reference": "x", "management_fee_rate": "0.0000001"}, "management_fee_rate"),
        ({"reference": ""}, "reference"),
        ({"reference": "x", "gp_commitment": "yes"}, "gp_commitment"),
        ({"reference": "x", "management_fee_holiday_until": "2020-12-31"}, "management_fee_holiday_until"),
        ({"reference": "x", "management_fee_holiday_until": "31/12/2021"}, "management_fee_holiday_until"),
    ],
)
def test_bad_letters_are_refused_naming_the_field(world: World, body: dict[str, Any], field: str) -> None:
    fund = Fund(world)
    answer = fund.letter(fund.b, body)
    assert answer.status_code == 422 and field in problem_fields(answer), answer.get_json()
    assert fund.api.call("GET", "manager", f"/pools/{fund.id}/side-letters").get_json()["items"] == []


def test_only_committed_investors_of_closed_ended_pools_get_letters(world: World) -> None:
    fund = Fund(world)
    other = world.container.pools.create_pool(world.manager, closed_pool(name="Second fund")).id
    world.commit(other, fund.a, "1000.00")
    answer = fund.api.call("PUT", "manager", f"/pools/{other}/side-letters/{fund.b}", {"reference": "x"})
    assert answer.status_code == 422 and problem_fields(answer) == ["investor_id"]
    open_id = world.container.pools.create_pool(world.manager, open_pool()).id
    answer = fund.api.call("PUT", "manager", f"/pools/{open_id}/side-letters/{fund.a}", {"reference": "x"})
    assert answer.status_code == 422 and problem_fields(answer) == ["pool_id"]
    for who in ("other_manager", "investor", "analyst"):
        assert fund.letter(fund.b, {"reference": "mine"}, who).status_code in (403, 404), who
    assert fund.api.call("GET", "analyst", f"/pools/{fund.id}/side-letters").status_code in (403, 404)
    assert fund.api.call("GET", "manager", f"/pools/{fund.id}/side-letters").get_json()["items"] == []


def test_the_management_fee_applies_the_letters(world: World) -> None:
    """2% a year on commitments of 100,000 each for 2021: A is the GP's commitment (no fee),
    B's letter sets 1.5%: the fee is B's 1,500.00 alone (without letters 2,000.00 each)."""
    fund = Fund(world)
    fund.letter(fund.a, {"reference": "GP commitment", "gp_commitment": True})
    fund.letter(fund.b, {"reference": "LPA side letter", "management_fee_rate": "0.015"})
    fee = fund.tx(
        type="management_fee", effective_date="2021-12-31", period_start="2021-01-01", period_end="2021-12-31"
    )
    assert fee.details["amount"] == "1500.00"
    assert fee.details["allocation"] == {str(fund.b): "1500.00"}
    assert fee.details["side_letters"] == {str(fund.a): "0", str(fund.b): "0.015"}


def test_a_fee_holiday_charges_the_investor_only_after_it(world: World) -> None:
    """2% a year on commitments of 100,000 each for 2021 (ACT/365F): A, an early closer, pays
    no fee to 30 June, so 100,000 x 2% x 184/365 = 1,008.22; B pays 2,000.00: 3,008.22 in all.
    The letter is audited with the holiday, and the investor sees it among their own terms."""
    fund = Fund(world)
    answer = fund.letter(fund.a, {"reference": "Early closer", "management_fee_holiday_until": "2021-06-30"})
    assert answer.status_code == 200 and answer.get_json()["management_fee_holiday_until"] == "2021-06-30"
    fee = fund.tx(
        type="management_fee", effective_date="2021-12-31", period_start="2021-01-01", period_end="2021-12-31"
    )
    assert fee.details["amount"] == "3008.22"
    assert fee.details["allocation"] == {str(fund.a): "1008.22", str(fund.b): "2000.00"}
    assert fee.details["fee_holidays_until"] == {str(fund.a): "2021-06-30"}
    own = fund.api.call("GET", "investor", f"/pools/{fund.id}/side-letters").get_json()["items"]
    assert [x["management_fee_holiday_until"] for x in own] == ["2021-06-30"]


def test_the_waterfall_gives_back_the_carry_a_letter_lowers(world: World) -> None:
    """A is the GP's commitment (no carry); B bears 10%. 50,000 each paid in on 1 January
    2021, the pool doubles, 200,000 is distributed a year later. At the pool's terms each
    would get 50,000 + 4,000 + 36,000 and bear 10,000 of catch-up and carry; A bears none
    and receives 100,000.00, B bears 5,000.00 and receives 95,000.00; the GP has 5,000.00
    (15,000.00 given back); both capital accounts end at zero. The preview says so first."""
    fund = Fund(world)
    fund.letter(fund.a, {"reference": "GP commitment", "gp_commitment": True})
    fund.letter(fund.b, {"reference": "LPA side letter", "carried_interest_rate": "0.1"})
    c, m = world.container, world.manager
    c.transactions.capital_call(
        m,
        fund.id,
        CapitalCallRequest(amount=D("100000.00"), due_date=date(2021, 1, 1), effective_date=date(2021, 1, 1)),
        str(uuid.uuid4()),
    )
    for investor in (fund.a, fund.b):
        fund.tx(type="contribution", investor_id=investor, amount="50000.00", effective_date="2021-01-01")
    fund.tx(type="purchase", amount="100000.00", effective_date="2021-01-01")
    fund.tx(type="sale", amount="200000.00", cost="100000.00", effective_date="2022-01-01")
    request = DistributionRequest(
        amount=D("200000.00"), effective_date=date(2022, 1, 1), mode=DistributionMode.WATERFALL
    )
    preview = c.previews.distribution(m, fund.id, request)
    entry = c.transactions.distribute(m, fund.id, request, str(uuid.uuid4()))
    for details in (preview.details, entry.details):
        shares = details["investors"]
        assert (shares[str(fund.a)]["total"], shares[str(fund.a)]["gp_share_borne"]) == ("100000.00", "0.00")
        assert (shares[str(fund.b)]["total"], shares[str(fund.b)]["gp_share_borne"]) == (
            "95000.00",
            "5000.00",
        )
        assert (shares[str(fund.a)]["carry_rebate"], shares[str(fund.b)]["carry_rebate"]) == (
            "10000.00",
            "5000.00",
        )
        assert (details["gp_total"], details["lp_total"], details["side_letter_rebates"]) == (
            "5000.00",
            "195000.00",
            "15000.00",
        )
        # The tiers stay at the pool's terms: the running record the next distribution uses.
        assert details["tiers"]["carried_interest"] == {"lp": "72000.00", "gp": "18000.00"}
    positions = c.transactions.pool_positions(m, fund.id).positions
    assert {p.investor_id: p.value for p in positions} == {fund.a: 0, fund.b: 0}
    assert c.ledger.verify(fund.id).ok
