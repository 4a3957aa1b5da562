"""The American (deal-by-deal) waterfall and the GP clawback in the books, on SQLite and
MariaDB: each distribution pays one investment's proceeds through the tiers worked on that
deal alone, and the clawback gives back what the GP took beyond the whole fund's figure.

The figures are the CFA Institute's three projects (docs/business-logic.md sections 16-17,
worked examples 3 and 5), in millions, now posted: LPs funding 60/40, projects of 20, 45 and
50 realised for 25, 35 and 65, 20% carry and no hurdle. Deal by deal the GP takes 1, 0 and 3;
the whole fund gives it 20% x 10 = 2, so the clawback is the published 2, borne back 1.20 /
0.80."""

from __future__ import annotations

import io
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader

from backend.composition.container import Container
from backend.platform.actors import Actor, Role
from ledger.interface import CapitalCallRequest, ClawbackRequest, TransactionRequest
from notifications.interface import ReadAction
from tests.integration.pools_support import Api, World, closed_pool, make_world, problem_fields

D = Decimal
M = D(1_000_000)
NO_HURDLE = {
    "style": "american",
    "preferred_return_rate": "0",
    "catch_up_rate": "0",
    "carried_interest_rate": "0.2",
    "compounding": "simple",
}
PROJECTS = (("Project 1", "20", "25"), ("Project 2", "45", "35"), ("Project 3", "50", "65"))


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def money(millions: str) -> str:
    return str((D(millions) * M).quantize(D("0.01")))


class Fund:
    """LP A commits 72m and LP B 48m (60/40); 115m called and paid on 2020-01-01 and the three
    projects bought the same day."""

    def __init__(self, world: World, waterfall: dict[str, Any] | None = None) -> None:
        self.world, c, m = world, world.container, world.manager
        body = closed_pool(
            base_currency="USD",
            inception_date="2020-01-01",
            management_fee=None,
            waterfall=waterfall or NO_HURDLE,
        )
        self.id = c.pools.create_pool(m, body).id
        self.a, self.b = world.named_investor("LP A"), world.named_investor("LP B")
        world.commit(self.id, self.a, money("72"))
        world.commit(self.id, self.b, money("48"))
        call = {"amount": money("115"), "due_date": "2020-01-01", "effective_date": "2020-01-01"}
        c.transactions.capital_call(m, self.id, CapitalCallRequest.model_validate(call), str(uuid.uuid4()))
        for investor, part in ((self.a, "69"), (self.b, "46")):
            self.tx(
                type="contribution", investor_id=investor, amount=money(part), effective_date="2020-01-01"
            )
        for name, cost, _ in PROJECTS:
            self.tx(type="purchase", investment=name, amount=money(cost), effective_date="2020-01-01")
        self.api = Api(world)

    def tx(self, **fields: Any) -> Any:
        return self.world.container.transactions.record(
            self.world.manager, self.id, TransactionRequest.model_validate(fields), str(uuid.uuid4())
        )

    def sell(self, k: int, on: str) -> None:
        name, cost, proceeds = PROJECTS[k]
        self.tx(type="sale", investment=name, amount=money(proceeds), cost=money(cost), effective_date=on)

    def post(self, path: str, body: dict[str, Any], who: str = "manager") -> Any:
        headers = {**self.api.headers(who), "Idempotency-Key": str(uuid.uuid4())}
        return self.api.client.post(f"/api/v1/pools/{self.id}/{path}", headers=headers, json=body)

    def distribute(self, k: int, on: str, **extra: Any) -> Any:
        name, _, proceeds = PROJECTS[k]
        body = {"amount": money(proceeds), "effective_date": on, "mode": "waterfall", "investment": name}
        return self.post("distributions", body | {"final_realisation": True} | extra)

    def capital(self) -> dict[int, Decimal]:
        balances = self.world.container.ledger.balances(self.id)
        return {i: -balances.get(f"capital/{i}", D(0)) for i in (self.a, self.b)}


def realise_all(fund: Fund) -> list[dict[str, Any]]:
    entries = []
    for k, on in enumerate(("2021-01-01", "2022-01-01", "2023-01-01")):
        fund.sell(k, on)
        answer = fund.distribute(k, on)
        assert answer.status_code == 201, answer.get_json()
        entries.append(answer.get_json())
    return entries


def test_deal_by_deal_then_clawback_cfa_three_projects(world: World) -> None:
    fund = Fund(world)
    entries = realise_all(fund)
    gp = [D(e["details"]["gp_total"]) for e in entries]
    assert gp == [1 * M, 0, 3 * M]  # 20% of each deal's own profit: 4m in all
    first = entries[0]["details"]
    assert first["style"] == "american" and first["investment"] == "Project 1"
    assert first["tiers"]["return_of_capital"] == {"lp": money("20"), "gp": "0.00"}
    assert first["tiers"]["carried_interest"] == {"lp": money("4"), "gp": money("1")}
    borne = {int(i): s["gp_share_borne"] for i, s in entries[2]["details"]["investors"].items()}
    assert borne == {fund.a: money("1.8"), fund.b: money("1.2")}
    assert fund.capital() == {fund.a: D("0.00"), fund.b: D("0.00")}

    request = ClawbackRequest.model_validate({"effective_date": "2023-06-30"})
    preview = world.container.previews.clawback(world.manager, fund.id, request)
    answer = fund.post("clawbacks", {"effective_date": "2023-06-30"})
    assert answer.status_code == 201, answer.get_json()
    entry = answer.get_json()
    details = entry["details"]
    assert preview.details == details  # what the portal shows before posting is what is posted
    assert entry["entry_type"] == "clawback"
    assert (details["carry_received"], details["whole_fund_carry"], details["amount"]) == (
        money("4"),
        money("2"),
        money("2"),
    )
    assert {int(i): s["clawback"] for i, s in details["investors"].items()} == {
        fund.a: money("1.2"),
        fund.b: money("0.8"),
    }
    # The GP pays in and the investors are paid out in the same entry: no balance moves, and
    # every figure is in the hashed lines.
    lines = [(p["account"], p["investor_id"], D(p["amount"])) for p in entry["postings"]]
    assert (("cash", None, 2 * M) in lines) and (("cash", None, -2 * M) in lines)
    assert ("capital", fund.a, D("-1200000.00")) in lines and ("capital", fund.a, D("1200000.00")) in lines
    assert fund.capital() == {fund.a: D("0.00"), fund.b: D("0.00")}
    assert world.container.ledger.balances(fund.id)["cash"] == D("0.00")
    # The investors were paid it: their cash received, and their statement for 2023 shows
    # the clawback as cash distributed and as carry the GP no longer keeps.
    positions = world.container.transactions.pool_positions(world.manager, fund.id).positions
    assert {p.investor_id: p.distributed for p in positions} == {
        fund.a: D(money("73.8")),  # 14.4 + 21 + 37.2 from the deals, 1.2 given back
        fund.b: D(money("49.2")),  # 9.6 + 14 + 24.8, and 0.8
    }
    statement = world.container.reports.statement(world.manager, fund.a, fund.id, period="2023")
    assert (statement.distributions, statement.carried_interest_paid) == (
        -(D(money("37.2")) + D(money("1.2"))),
        -D(money("1.8")) + D(money("1.2")),
    )
    # The payment service pays each investor its part, as it pays a distribution.
    payouts = world.container.payments.list_payouts(world.manager, pool_id=fund.id)
    assert {p.investor_id: p.amount for p in payouts if p.kind.value == "clawback"} == {
        fund.a: D(money("1.2")),
        fund.b: D(money("0.8")),
    }
    assert world.container.ledger.verify(fund.id).ok
    # Each investor is told, as of a distribution, with its own part.
    user = world.container.investors.get_investor(Actor.operator("test"), fund.a).user_id
    assert user is not None
    told = world.container.notifications.list_for_user(Actor(user, Role.INVESTOR, "lp-a")).items
    clawback_notice = next(n for n in told if n.title.startswith("Carried interest given back"))
    assert "You receive USD 1,200,000.00." in clawback_notice.body
    lp_a = Actor(user, Role.INVESTOR, "lp-a")
    (document,) = [
        d
        for d in world.container.notifications.documents(lp_a, pool_id=fund.id)
        if d.reference == f"D-{entry['id']}"
    ]
    _, pdf = world.container.notifications.open_document(lp_a, document.id, ReadAction.VIEW)
    said = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "is paying out carried interest the manager gave back" in said
    line = "Carried interest the manager gave back (clawback) USD 1,200,000.00"
    assert f"Your share of the clawback {line}" in said
    assert "waterfall" not in said
    # Nothing more to give back at a second test.
    again = fund.post("clawbacks", {"effective_date": "2023-07-31"})
    assert again.status_code == 422 and problem_fields(again) == ["effective_date"]
    assert "nothing to claw back" in again.get_json()["detail"]


def test_tax_offset_caps_the_clawback_at_the_after_tax_carry(world: World) -> None:
    """Net of an assumed 30% tax on the 4m of carry (1.2m): the excess of 2m less the tax is
    0.8m, split 60/40."""
    fund = Fund(world, NO_HURDLE | {"clawback_tax_offset": "net_of_tax", "clawback_tax_rate": "0.3"})
    realise_all(fund)
    details = fund.post("clawbacks", {"effective_date": "2023-06-30"}).get_json()["details"]
    assert (details["assumed_tax"], details["amount"]) == (money("1.2"), money("0.8"))
    assert {int(i): s["clawback"] for i, s in details["investors"].items()} == {
        fund.a: money("0.48"),
        fund.b: money("0.32"),
    }


def test_interim_clawback_only_where_the_terms_allow_it(world: World) -> None:
    """After projects 1 and 2 the GP holds 1m and the whole fund (65 + 0 back of 65 in the two
    deals, 50 still in project 3) gives it nothing: an interim test takes the 1m back, and the
    final test after project 3 takes the other 1m, leaving the GP the whole fund's 2m."""
    plain = Fund(world)
    for k, on in enumerate(("2021-01-01", "2022-01-01")):
        plain.sell(k, on)
        assert plain.distribute(k, on).status_code == 201
    refused = plain.post("clawbacks", {"effective_date": "2022-06-30", "interim": True})
    assert refused.status_code == 422 and problem_fields(refused) == ["interim"]
    final_too_soon = plain.post("clawbacks", {"effective_date": "2022-06-30"})
    assert final_too_soon.status_code == 422 and problem_fields(final_too_soon) == ["interim"]
    assert "Project 3" in final_too_soon.get_json()["detail"]

    fund = Fund(world, NO_HURDLE | {"interim_clawback": True})
    for k, on in enumerate(("2021-01-01", "2022-01-01")):
        fund.sell(k, on)
        assert fund.distribute(k, on).status_code == 201
    interim = fund.post("clawbacks", {"effective_date": "2022-06-30", "interim": True}).get_json()
    assert interim["details"]["amount"] == money("1")
    fund.sell(2, "2023-01-01")
    assert fund.distribute(2, "2023-01-01").status_code == 201
    final = fund.post("clawbacks", {"effective_date": "2023-06-30"}).get_json()["details"]
    assert (final["carry_received"], final["whole_fund_carry"], final["amount"]) == (
        money("3"),
        money("2"),
        money("1"),
    )


def test_accrued_carry_is_what_the_gp_keeps_after_the_final_clawback(world: World) -> None:
    """A liquidation at value ends the fund, so the final clawback caps what the GP would keep
    at the whole fund's figure. After projects 1 and 2 the GP holds 1m and project 3 stands at
    its 50m cost: the whole fund (110 back of 115) gives it nothing, so the accrual is -1m, a
    clawback receivable borne back 60/40. With project 3 sold for 65m (not yet paid out) the
    whole fund gives 2m: 1m more to come. Paid out, the GP holds 4m: -2m until the clawback
    is posted, then nothing."""
    fund = Fund(world)
    reports = world.container.reports
    for k, on in enumerate(("2021-01-01", "2022-01-01")):
        fund.sell(k, on)
        assert fund.distribute(k, on).status_code == 201

    def accrued(on: str) -> tuple[Decimal, Decimal, Decimal]:
        day = date.fromisoformat(on)
        pool = reports.pool_performance(world.manager, fund.id, as_of=day).accrued_carried_interest
        mine = [
            reports.statement(world.manager, who, fund.id, start=day, end=day).accrued_carried_interest_end
            for who in (fund.a, fund.b)
        ]
        return pool, mine[0], mine[1]

    assert accrued("2022-06-30") == (-D(money("1")), -D(money("0.6")), -D(money("0.4")))
    performance = reports.pool_performance(world.manager, fund.id, as_of=date(2022, 6, 30))
    assert performance.value == D(money("50")) + D(money("1"))  # the LPs' value includes it
    fund.sell(2, "2023-01-01")
    assert accrued("2023-01-01") == (D(money("1")), D(money("0.6")), D(money("0.4")))
    assert fund.distribute(2, "2023-01-01").status_code == 201
    assert accrued("2023-03-31") == (-D(money("2")), -D(money("1.2")), -D(money("0.8")))
    assert fund.post("clawbacks", {"effective_date": "2023-06-30"}).status_code == 201
    assert accrued("2023-06-30") == (D(0), D(0), D(0))


def test_deal_distributions_refuse_what_does_not_fit_the_deal(world: World) -> None:
    fund = Fund(world)
    body = {"amount": money("1"), "effective_date": "2021-01-01", "mode": "waterfall"}
    cases = [
        (body, "investment"),  # which deal?
        (body | {"investment": "Project 9"}, "investment"),
        (body | {"investment": "Project 1"}, "amount"),  # nothing sold yet
    ]
    for sent, field in cases:
        answer = fund.post("distributions", sent)
        assert answer.status_code == 422 and problem_fields(answer) == [field], (sent, answer.get_json())
    fund.tx(
        type="sale", investment="Project 1", amount=money("10"), cost=money("8"), effective_date="2021-01-01"
    )
    partial = fund.post("distributions", body | {"investment": "Project 1", "final_realisation": True})
    assert partial.status_code == 422 and problem_fields(partial) == ["final_realisation"]
    too_much = fund.post("distributions", body | {"investment": "Project 1", "amount": money("10.5")})
    assert too_much.status_code == 422 and problem_fields(too_much) == ["amount"]
    # A deal's distribution is posted on its own: not as a recorded transaction, not in a batch.
    row = {"type": "distribution", "amount": money("1"), "effective_date": "2021-01-01"}
    single = fund.post("transactions", row)
    assert single.status_code == 422 and problem_fields(single) == ["type"], single.get_json()
    batch = fund.post("transactions/batch", {"transactions": [row]})
    assert batch.status_code == 422, batch.get_json()
    assert "deal-by-deal distribution is recorded on its own" in str(batch.get_json())
    # An investor cannot post one, nor can the pool be switched to the European waterfall now.
    forged = fund.post("distributions", body | {"investment": "Project 1"}, who="investor")
    assert forged.status_code in (403, 404)
    assert fund.capital() == {fund.a: D(money("70.2")), fund.b: D(money("46.8"))}  # the 2m gain, 60/40
    switched = fund.api.client.patch(
        f"/api/v1/pools/{fund.id}",
        headers=fund.api.headers("manager"),
        json={"waterfall": NO_HURDLE | {"style": "european"}},
    )
    assert switched.status_code == 409 and problem_fields(switched) == ["waterfall.style"]
    # Nothing was written by the refusals: the first real distribution pays 10m through the tiers.
    ok = fund.post("distributions", body | {"investment": "Project 1", "amount": money("10")})
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["details"]["tiers"]["return_of_capital"]["lp"] == money("10")


def test_european_pools_take_no_deal_or_clawback(world: World) -> None:
    european = Fund(world, NO_HURDLE | {"style": "european"})
    european.sell(0, "2021-01-01")
    named = european.distribute(0, "2021-01-01")
    assert named.status_code == 422 and problem_fields(named) == ["investment"]
    clawback = european.post("clawbacks", {"effective_date": "2021-06-30"})
    assert clawback.status_code == 422 and problem_fields(clawback) == ["type"]
    terms = european.api.client.patch(
        f"/api/v1/pools/{european.id}",
        headers=european.api.headers("manager"),
        json={"waterfall": NO_HURDLE | {"style": "european", "interim_clawback": True}},
    )
    assert terms.status_code == 422 and problem_fields(terms) == ["waterfall.interim_clawback"]


def test_the_portal_previews_a_deal_distribution_and_the_clawback(world: World) -> None:
    """The manager's distribution form names the investment on an American pool and previews
    that deal's tiers; the "GP clawback" form previews the test investor by investor and posts
    it on confirmation."""
    from tests.integration.test_portal_manager import _act, _client

    fund = Fund(world)
    client = _client(world)
    for k, on in enumerate(("2021-01-01", "2022-01-01")):
        fund.sell(k, on)
        assert fund.distribute(k, on).status_code == 201
    fund.sell(2, "2023-01-01")
    fields = {
        "amount": "65000000",
        "mode": "waterfall",
        "investment": "Project 3",
        "final_realisation": "true",
        "effective_date": "2023-01-01",
        "recallable": "false",
        "deemed_contribution": "false",
        "memo": "",
    }
    preview = _act(client, "distribution", fields, pool_id=fund.id)
    assert "Deal by deal: Project 3, $50,000,000.00 of capital" in preview["panel"], preview["panel"][:2000]
    assert "$3,000,000.00" in preview["panel"]
    posted = _act(client, "distribution", fields, pool_id=fund.id, confirm=True, pending=preview["pending"])
    assert "posted as entry" in posted["result"]

    claw = {"effective_date": "2023-06-30", "interim": "false", "memo": ""}
    preview = _act(client, "clawback", claw, pool_id=fund.id)
    panel = preview["panel"]
    assert "received $4,000,000.00 of carry deal by deal" in panel and "gives it $2,000,000.00" in panel
    assert "LP A" in panel and "$1,200,000.00" in panel and "$800,000.00" in panel
    done = _act(client, "clawback", claw, pool_id=fund.id, confirm=True, pending=preview["pending"])
    assert "Clawback of $2,000,000.00 posted as entry" in done["result"]


def test_a_deals_purchase_is_reversed_only_after_what_was_worked_on_its_cost(world: World) -> None:
    """Project 1's distribution was worked on the 20m its purchase cost: reversing the purchase
    first would change that deal's capital under a posted distribution (409 naming entry_id,
    the later entry to reverse first); reversed in order, it goes through."""
    fund = Fund(world)
    purchase = next(
        e.id
        for e in world.container.transactions.list_transactions(world.manager, fund.id).entries
        if e.entry_type.value == "purchase" and e.details.get("investment") == "Project 1"
    )
    fund.sell(0, "2021-01-01")
    paid = fund.distribute(0, "2021-01-01").get_json()["id"]
    headers = {**fund.api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
    refused = fund.api.client.post(
        f"/api/v1/transactions/{purchase}/reversal", headers=headers, json={"memo": "keyed twice"}
    )
    assert refused.status_code == 409 and problem_fields(refused) == ["entry_id"], refused.get_json()
    assert f"reverse entry {paid} first" in refused.get_json()["detail"]
    for entry in (paid,):
        headers = {**fund.api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
        undone = fund.api.client.post(
            f"/api/v1/transactions/{entry}/reversal", headers=headers, json={"memo": "wrong deal"}
        )
        assert undone.status_code == 201, undone.get_json()
