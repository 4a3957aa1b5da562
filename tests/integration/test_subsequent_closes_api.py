"""Subsequent closes in the books, on SQLite and MariaDB: an investor committed after capital
was called pays its share of every earlier call plus equalisation interest, the investors
already in get back what they overpaid and the interest, and from then on every capital
account, call and distribution is as if everyone had been in from the first close.

The figures are Fundwave's published "Carol" example (docs/business-logic.md section 18,
worked example 2), now posted."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from ledger.interface import CapitalCallRequest, EntryType, SubsequentCloseRequest, TransactionRequest
from tests.integration.pools_support import Api, World, closed_pool, make_world, open_pool, problem_fields

pytestmark = pytest.mark.over_grpc("transactions")

D = Decimal
WATERFALL = {
    "preferred_return_rate": "0.08",
    "catch_up_rate": "1",
    "carried_interest_rate": "0.2",
    "compounding": "simple",
    "equalisation_interest_rate": "0.08",
}


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


class Fund:
    """Fundwave's fund: the GP's commitment 1m, Alice 4m, Bob 5m; 1m called and paid on
    1 January 2019; Carol (2.5m) committed since."""

    def __init__(
        self, world: World, *, paid: bool = True, fee: dict[str, Any] | None = None, carol: bool = True
    ) -> None:
        self.world, c, m = world, world.container, world.manager
        body = closed_pool(
            base_currency="USD", inception_date="2019-01-01", management_fee=fee, waterfall=WATERFALL
        )
        self.id = c.pools.create_pool(m, body).id
        self.gp, self.alice, self.bob = (world.named_investor(f"{n} Capital") for n in ("GP", "Alice", "Bob"))
        for investor, amount in (
            (self.gp, "1000000.00"),
            (self.alice, "4000000.00"),
            (self.bob, "5000000.00"),
        ):
            world.commit(self.id, investor, amount)
        call = {"amount": "1000000.00", "due_date": "2019-01-10", "effective_date": "2019-01-01"}
        c.transactions.capital_call(m, self.id, CapitalCallRequest.model_validate(call), str(uuid.uuid4()))
        if paid:
            for investor, part in (
                (self.gp, "100000.00"),
                (self.alice, "400000.00"),
                (self.bob, "500000.00"),
            ):
                self.tx(type="contribution", investor_id=investor, amount=part, effective_date="2019-01-01")
        self.carol = world.named_investor("Carol Capital")
        if carol:
            world.commit(self.id, self.carol, "2500000.00")
        self.api = Api(world)

    def tx(self, **fields: Any) -> Any:
        return self.world.container.transactions.record(
            self.world.manager, self.id, TransactionRequest.model_validate(fields), str(uuid.uuid4())
        )

    def close(self, body: dict[str, Any], who: str = "manager") -> Any:
        headers = {**self.api.headers(who), "Idempotency-Key": str(uuid.uuid4())}
        return self.api.client.post(f"/api/v1/pools/{self.id}/subsequent-closes", headers=headers, json=body)

    def capital(self) -> dict[int, Decimal]:
        balances = self.world.container.ledger.balances(self.id)
        return {i: -balances.get(f"capital/{i}", D(0)) for i in (self.gp, self.alice, self.bob, self.carol)}

    def positions(self) -> dict[int, Any]:
        listed = self.world.container.transactions.pool_positions(self.world.manager, self.id).positions
        return {p.investor_id: p for p in listed}


def test_a_later_investor_is_equalised_fundwave_carol_example(world: World) -> None:
    """Carol commits 2.5m on 31 March 2019 and pays 200,000.00 for her share of the January
    call; the GP's commitment gets back 20,000.00, Alice 80,000.00, Bob 100,000.00, and all
    four have 8% of their commitments drawn. At 8% simple for the 89 days Carol pays
    3,901.37 of interest: the GP 390.14, Alice 1,560.55, Bob 1,950.68."""
    fund = Fund(world)
    answer = fund.close({"closing_date": "2019-03-31"})
    assert answer.status_code == 201, answer.get_json()
    entry = answer.get_json()
    assert entry["entry_type"] == "subsequent_close" and entry["effective_date"] == "2019-03-31"
    figures = entry["details"]["investors"]
    assert figures[str(fund.carol)] | {"contributed": "-"} == {
        "late": True,
        "commitment": "2500000.00",
        "capital_paid_in": "200000.00",
        "capital_returned": "0.00",
        "interest_paid": "3901.37",
        "interest_received": "0.00",
        "contributed": "-",
    }
    returned = {
        int(i): (f["capital_returned"], f["interest_received"]) for i, f in figures.items() if not f["late"]
    }
    assert returned == {
        fund.gp: ("20000.00", "390.14"),
        fund.alice: ("80000.00", "1560.55"),
        fund.bob: ("100000.00", "1950.68"),
    }
    # Capital accounts as if all four had been in from the first close: 8% of each commitment.
    assert fund.capital() == {
        fund.gp: D("80000.00"),
        fund.alice: D("320000.00"),
        fund.bob: D("400000.00"),
        fund.carol: D("200000.00"),
    }
    # The pool's cash does not move: what Carol paid went straight back.
    assert world.container.ledger.balances(fund.id)["cash"] == D("1000000.00")
    positions = fund.positions()
    assert {i: (p.called, p.unfunded_commitment) for i, p in positions.items()} == {
        fund.gp: (D("80000.00"), D("920000.00")),
        fund.alice: (D("320000.00"), D("3680000.00")),
        fund.bob: (D("400000.00"), D("4600000.00")),
        fund.carol: (D("200000.00"), D("2300000.00")),
    }
    assert (positions[fund.carol].contributed, positions[fund.alice].distributed) == (
        D("203901.37"),
        D("81560.55"),
    )
    assert world.container.ledger.verify(fund.id).ok


def test_after_the_close_calls_and_the_waterfall_treat_everyone_alike(world: World) -> None:
    """The next call of 10% asks each for 10% of its commitment (Carol is not charged her
    catch-up again); a distribution a year on pays each LP in proportion to its commitment:
    capital 1,000,000, preferred return 80,000 (8% from 1 January 2019 for everyone), catch-up
    20,000 to the GP, then 80/20: the LPs get 1,160,000, Carol a fifth of it."""
    fund = Fund(world)
    assert fund.close({"closing_date": "2019-03-31"}).status_code == 201
    call = world.container.transactions.capital_call(
        world.manager,
        fund.id,
        CapitalCallRequest.model_validate(
            {"amount": "1250000.00", "due_date": "2019-04-15", "effective_date": "2019-04-01"}
        ),
        str(uuid.uuid4()),
    )
    assert call.details["allocation"] == {
        str(fund.gp): "100000.00",
        str(fund.alice): "400000.00",
        str(fund.bob): "500000.00",
        str(fund.carol): "250000.00",
    }
    for investor, part in call.details["allocation"].items():
        fund.tx(type="contribution", investor_id=int(investor), amount=part, effective_date="2019-04-01")

    other = Fund(world)  # the same, distributing a year after the close instead
    assert other.close({"closing_date": "2019-03-31"}).status_code == 201
    other.tx(type="income", amount="200000.00", effective_date="2020-01-01")
    headers = {**other.api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
    body = {"amount": "1200000.00", "effective_date": "2020-01-01", "mode": "waterfall"}
    paid = other.api.client.post(f"/api/v1/pools/{other.id}/distributions", headers=headers, json=body)
    assert paid.status_code == 201, paid.get_json()
    shares = {int(i): D(s["total"]) for i, s in paid.get_json()["details"]["investors"].items()}
    assert shares == {
        other.gp: D("92800.00"),
        other.alice: D("371200.00"),
        other.bob: D("464000.00"),
        other.carol: D("232000.00"),
    }
    assert world.container.ledger.verify(other.id).ok


def test_reversing_the_close_restores_the_books_as_they_were(world: World) -> None:
    fund = Fund(world)
    before = (fund.capital(), {i: p.called for i, p in fund.positions().items()})
    close = fund.close({"closing_date": "2019-03-31"}).get_json()
    headers = {**fund.api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
    undone = fund.api.client.post(
        f"/api/v1/transactions/{close['id']}/reversal", headers=headers, json={"memo": "admitted in error"}
    )
    assert undone.status_code == 201, undone.get_json()
    assert (fund.capital(), {i: p.called for i, p in fund.positions().items()}) == before
    again = fund.close({"closing_date": "2019-03-31"}).get_json()  # and Carol can be admitted again
    assert again["details"]["investors"][str(fund.carol)]["capital_paid_in"] == "200000.00"


def test_a_close_that_cannot_be_equalised_is_refused_naming_why(world: World) -> None:
    unpaid = Fund(world, paid=False)
    refused = unpaid.close({"closing_date": "2019-03-31"})
    assert refused.status_code == 422 and problem_fields(refused) == ["closing_date"]
    assert "has not paid all it was called for" in refused.get_json()["detail"]

    fund = Fund(world)
    early = fund.close({"closing_date": "2018-12-31"})
    assert early.status_code == 422 and problem_fields(early) == ["effective_date"], early.get_json()
    assert fund.close({"closing_date": "2019-03-31", "payment_date": "2019-03-30"}).status_code == 422
    assert fund.close({"closing_date": "2019-03-31"}).status_code == 201
    nobody = fund.close({"closing_date": "2019-04-30"})
    assert nobody.status_code == 422 and "nobody to admit" in nobody.get_json()["detail"]
    listed = world.container.transactions.list_transactions(
        world.manager, fund.id, entry_type=EntryType.SUBSEQUENT_CLOSE
    ).entries
    assert len(listed) == 1  # the refused closes left no trace

    openended = world.container.pools.create_pool(world.manager, open_pool()).id
    wrong = Api(world).client.post(
        f"/api/v1/pools/{openended}/subsequent-closes",
        headers={**fund.api.headers("manager"), "Idempotency-Key": "k-open"},
        json={"closing_date": "2025-02-01"},
    )
    assert wrong.status_code == 422, wrong.get_json()


def test_a_close_after_a_distribution_is_refused(world: World) -> None:
    fund = Fund(world)
    headers = {**fund.api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
    body = {"amount": "1000.00", "effective_date": "2019-02-01", "mode": "waterfall"}
    assert (
        fund.api.client.post(f"/api/v1/pools/{fund.id}/distributions", headers=headers, json=body).status_code
        == 201
    )
    refused = fund.close({"closing_date": "2019-03-31"})
    assert refused.status_code == 422 and "distributed on 2019-02-01" in refused.get_json()["detail"]


def test_the_portal_preview_shows_the_close_before_it_is_posted(world: World) -> None:
    fund = Fund(world)
    preview = world.container.previews.subsequent_close(
        world.manager, fund.id, SubsequentCloseRequest.model_validate({"closing_date": "2019-03-31"})
    )
    assert preview.details["interest"] == "3901.37" and preview.details["capital_paid_in"] == "200000.00"
    assert (
        world.container.transactions.list_transactions(
            world.manager, fund.id, entry_type=EntryType.SUBSEQUENT_CLOSE
        ).entries
        == []
    )


def test_the_portal_form_previews_the_close_and_only_the_pools_manager_posts_it(world: World) -> None:
    """The manager's "Subsequent close" form shows each investor's figures, then posts them on
    confirmation; the same confirmation forged by another manager or an investor (a fresh
    key, the victim's pool) posts nothing."""
    from tests.integration.test_portal_manager import _act, _client

    fund = Fund(world)
    fields = {"closing_date": "2019-03-31", "payment_date": "", "memo": ""}
    client = _client(world)
    preview = _act(client, "subsequent_close", fields, pool_id=fund.id)
    panel = preview["panel"]
    assert "Carol Capital (admitted now)" in panel and "$200,000.00" in panel and "-$1,560.55" in panel
    for who in ("other_manager", "investor"):
        forged = {**preview["pending"], "key": str(uuid.uuid4())}
        out = _act(
            _client(world, who), "subsequent_close", fields, pool_id=fund.id, confirm=True, pending=forged
        )
        assert out["done"] is None and "Subsequent close posted" not in out["result"], (
            who,
            out["result"][:300],
        )
    listed = world.container.transactions.list_transactions(
        world.manager, fund.id, entry_type=EntryType.SUBSEQUENT_CLOSE
    )
    assert listed.entries == []
    posted = _act(
        client, "subsequent_close", fields, pool_id=fund.id, confirm=True, pending=preview["pending"]
    )
    assert "Subsequent close posted as entry" in posted["result"]
    assert fund.capital()[fund.carol] == D("200000.00")


def test_a_close_that_would_overdraw_a_capital_account_is_refused(world: World) -> None:
    """COMPUTED: an expense of 950,000.00 leaves the GP's commitment 5,000.00, Alice
    20,000.00 and Bob 25,000.00 of capital; Carol's close would give Bob back 100,000.00."""
    fund = Fund(world)
    fund.tx(type="expense", amount="950000.00", effective_date="2019-02-01")
    refused = fund.close({"closing_date": "2019-03-31"})
    assert refused.status_code == 422 and problem_fields(refused) == ["closing_date"]
    assert "less than the 20000.00 the close would give back" in refused.get_json()["detail"]


def test_a_later_investor_catches_up_the_management_fee_charged_before_its_close(world: World) -> None:
    """Worked example (checked by hand). The fund charges 2% a year on commitments; Q1 2019
    (1 January to 31 March, 90 days) is charged on 31 March on 10m: 49,315.07 (the GP's
    commitment 4,931.51, Alice 19,726.03, Bob 24,657.53). Carol, admitted that day, pays her
    own Q1 fee as if she had been in from the first close: 2.5m x 2% x 90/365 = 12,328.77, to
    the manager, out of her capital account. Every capital account is then 8% of its
    commitment less 0.49315% of it in fees: the GP's 75,068.49, Carol's 187,671.23."""
    fund = Fund(world, fee={"rate": "0.02", "basis": "committed"}, carol=False)
    fee = fund.tx(type="management_fee", effective_date="2019-03-31", period_start="2019-01-01")
    assert fee.details["amount"] == "49315.07"
    world.commit(fund.id, fund.carol, "2500000.00")
    from tests.integration.test_portal_manager import _act, _client

    fields = {"closing_date": "2019-03-31", "payment_date": "", "memo": ""}
    panel = _act(_client(world), "subsequent_close", fields, pool_id=fund.id)["panel"]
    assert "2019-01-01 to 2019-03-31" in panel and "$12,328.77" in panel
    answer = fund.close({"closing_date": "2019-03-31"})
    assert answer.status_code == 201, answer.get_json()
    details = answer.get_json()["details"]
    assert details["investors"][str(fund.carol)]["management_fee_catch_up"] == "12328.77"
    assert details["management_fee_catch_up"] == {
        "amount": "12328.77",
        "periods": [{"period_start": "2019-01-01", "period_end": "2019-03-31", "rate": "0.02"}],
    }
    assert fund.capital() == {
        fund.gp: D("75068.49"),
        fund.alice: D("300273.97"),
        fund.bob: D("375342.47"),
        fund.carol: D("187671.23"),
    }
    balances = world.container.ledger.balances(fund.id)
    assert -balances["fees_payable"] == D("61643.84")  # 49,315.07 + 12,328.77
    assert fund.positions()[fund.carol].fees == D("12328.77")
    statement = fund.api.client.get(
        f"/api/v1/investors/{fund.carol}/statements?pool_id={fund.id}&period=2019-Q1",
        headers=fund.api.headers("manager"),
    )
    assert statement.status_code == 200, statement.get_json()
    s = statement.get_json()
    assert (s["contributions"], s["management_fees"]) == ("200000.00", "-12328.77")


def test_a_fee_already_charged_on_a_later_investors_commitment_is_not_charged_again(world: World) -> None:
    """Carol committed before Q1's fee was charged, so it was charged on her commitment then
    (61,643.84 on 12.5m): the close charges her nothing more."""
    fund = Fund(world, fee={"rate": "0.02", "basis": "committed"})
    fee = fund.tx(type="management_fee", effective_date="2019-03-31", period_start="2019-01-01")
    assert fee.details["allocation"][str(fund.carol)] == "12328.77"
    answer = fund.close({"closing_date": "2019-03-31"})
    assert answer.status_code == 201, answer.get_json()
    details = answer.get_json()["details"]
    assert (
        "management_fee_catch_up" not in details
        and "management_fee_catch_up" not in details["investors"][str(fund.carol)]
    )
    assert fund.capital()[fund.carol] == D("187671.23")
