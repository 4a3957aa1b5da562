"""Pool transactions end to end through the service and the REST API, on SQLite and MariaDB:
the reference cases, bad input refused with the field named and nothing written, who may
post and read what, and the Idempotency-Key header."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from backend.composition.container import Container
from backend.platform.errors import NotFound, PermissionDenied, ValidationFailed
from backend.platform.unit_of_work import UnitOfWork
from ledger.interface import (
    CapitalCallRequest,
    DistributionMode,
    DistributionRequest,
    EntryType,
    ReversalRequest,
    TransactionRequest,
    ValuationRequest,
)
from tests.integration.pools_support import (
    Api,
    World,
    closed_pool,
    make_world,
    open_pool,
    problem_fields,
)

D = Decimal
pytestmark = pytest.mark.over_grpc("transactions")


def key() -> str:
    return str(uuid.uuid4())


def tx(**fields: Any) -> TransactionRequest:
    return TransactionRequest.model_validate(fields)


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _open_pool(world: World, **overrides: Any) -> int:
    body = {"minimum_subscription": "0.00", **overrides}
    return world.container.pools.create_pool(world.manager, open_pool(**body)).id


def test_unitised_reference_case_end_to_end(world: World) -> None:
    """Reference case unitised_fund_subscription_redemption_computed, through the service."""
    c, m = world.container, world.manager
    pool = _open_pool(world, performance_fee=None, management_fee=None)  # the case has no fee terms
    a, b = world.investor_profile(world.investor), world.investor_profile(world.other_investor, name="Bo")
    t = c.transactions
    t.record(
        m,
        pool,
        tx(type="subscription", investor_id=a, amount="1000000.00", effective_date="2025-01-02"),
        key(),
    )
    t.record(m, pool, tx(type="purchase", amount="1000000.00", effective_date="2025-01-02"), key())
    t.record_valuation(
        m, pool, ValuationRequest(as_of=date(2025, 6, 30), net_asset_value=D("1050000.00")), key()
    )
    sub = t.record(
        m,
        pool,
        tx(type="subscription", investor_id=b, amount="210000.00", effective_date="2025-06-30"),
        key(),
    )
    assert sub.details["units"] == "200000.000000" and sub.details["nav_per_unit"] == "1.050000"
    valued = t.record_valuation(
        m, pool, ValuationRequest(as_of=date(2025, 12, 31), net_asset_value=D("1197000.00")), key()
    )
    assert valued.nav_per_unit == D("0.997500")
    red = t.record(
        m, pool, tx(type="redemption", investor_id=a, units="100000", effective_date="2025-12-31"), key()
    )
    assert red.details["proceeds"] == "99750.00"
    positions = t.pool_positions(m, pool)
    assert positions.net_asset_value == D("1097250.00")
    assert positions.units_outstanding == D("1100000.000000")
    assert positions.nav_per_unit == D("0.997500")
    by_investor = {p.investor_id: p for p in positions.positions}
    assert by_investor[a].value == D("897750.00") and by_investor[b].value == D("199500.00")
    assert by_investor[a].contributed == D("1000000.00") and by_investor[a].distributed == D("99750.00")
    assert (
        sum((p.value for p in positions.positions), D(0)) + positions.rounding_residue
        == positions.net_asset_value
    )
    assert c.ledger.verify(pool).ok


def test_european_waterfall_reference_case_end_to_end(world: World) -> None:
    """Reference case waterfall_european_schweser_simple: 100 distributed -> LP 90, GP 10."""
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, closed_pool(base_currency="USD")).id
    lp = world.investor_profile(world.investor)
    world.commit(pool, lp, "50.00")
    t = c.transactions
    call = t.capital_call(
        m,
        pool,
        CapitalCallRequest(amount=D(50), due_date=date(2025, 1, 15), effective_date=date(2025, 1, 1)),
        key(),
    )
    assert call.details["allocation"] == {str(lp): "50.00"}
    t.record(
        m, pool, tx(type="contribution", investor_id=lp, amount="50.00", effective_date="2025-01-01"), key()
    )
    t.record(m, pool, tx(type="purchase", amount="50.00", effective_date="2025-01-01"), key())
    t.record_valuation(m, pool, ValuationRequest(as_of=date(2025, 12, 31), net_asset_value=D(100)), key())
    t.record(m, pool, tx(type="sale", amount="100.00", cost="100.00", effective_date="2026-01-01"), key())
    dist = t.distribute(
        m,
        pool,
        DistributionRequest(amount=D(100), effective_date=date(2026, 1, 1), mode=DistributionMode.WATERFALL),
        key(),
    )
    tiers = dist.details["tiers"]
    assert tiers["return_of_capital"]["lp"] == "50.00" and tiers["preferred_return"]["lp"] == "4.00"
    assert tiers["catch_up"]["gp"] == "1.00" and tiers["carried_interest"]["gp"] == "9.00"
    assert (dist.details["lp_total"], dist.details["gp_total"]) == ("90.00", "10.00")
    position = t.pool_positions(m, pool).positions[0]
    assert (position.contributed, position.distributed, position.unfunded_commitment) == (D(50), D(90), D(0))
    assert c.ledger.verify(pool).ok


def test_fee_reference_case_end_to_end(world: World) -> None:
    """Reference case fee_hwm_ift: performance fee 2.00 above the HWM, management fee 4.20."""
    c, m = world.container, world.manager
    pool = _open_pool(world, initial_nav_per_unit="2.000000")
    inv = world.investor_profile(world.investor)
    t = c.transactions
    t.record(
        m, pool, tx(type="subscription", investor_id=inv, amount="200.00", effective_date="2025-01-02"), key()
    )
    t.record(m, pool, tx(type="purchase", amount="200.00", effective_date="2025-01-02"), key())
    t.record_valuation(m, pool, ValuationRequest(as_of=date(2025, 6, 30), net_asset_value=D(180)), key())
    t.record_valuation(m, pool, ValuationRequest(as_of=date(2025, 12, 31), net_asset_value=D(210)), key())
    perf = t.record(m, pool, tx(type="performance_fee", effective_date="2025-12-31"), key())
    assert perf.details["amount"] == "2.00" and perf.details["high_water_mark_after"] == "2.080000"
    # The reference case charges 2% of the year-end value before either fee ("independent"):
    # 4.20 on 210, where the terms (on the NAV after the incentive fee) would give less.
    t.record(
        m,
        pool,
        tx(
            type="management_fee",
            amount="4.20",
            effective_date="2025-12-31",
            override_reason="2% of the value before fees, independent of the incentive fee (IFT concept 97)",
        ),
        key(),
    )
    positions = t.pool_positions(m, pool)
    assert positions.net_asset_value == D("203.80")
    assert positions.positions[0].fees == D("6.20")
    # The high-water mark moved: no second performance fee at the same NAV per unit.
    with pytest.raises(ValidationFailed) as error:
        t.record(m, pool, tx(type="performance_fee", effective_date="2025-12-31"), key())
    assert error.value.field == "type"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "subscription", "investor_id": 0, "amount": "10.001"}, "amount"),
        ({"type": "subscription", "amount": "-5.00"}, "amount"),
        ({"type": "subscription", "amount": "1000000000000.01"}, "amount"),
        ({"type": "redemption", "units": "999"}, "units"),
        ({"type": "subscription", "amount": "10.00", "effective_date": "2024-12-31"}, "effective_date"),
        ({"type": "contribution", "amount": "10.00"}, "type"),
        ({"type": "expense", "amount": "10.00"}, "cash"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    world: World, fields: dict[str, Any], field: str
) -> None:
    c, m = world.container, world.manager
    pool = _open_pool(world)
    inv = world.investor_profile(world.investor)
    c.transactions.record(
        m, pool, tx(type="subscription", investor_id=inv, amount="100.00", effective_date="2025-01-02"), key()
    )
    c.transactions.record(m, pool, tx(type="purchase", amount="100.00", effective_date="2025-01-02"), key())
    c.transactions.record_valuation(  # deals of 1 Feb are struck at this price
        m, pool, ValuationRequest(as_of=date(2025, 2, 1), net_asset_value=D(100)), key()
    )
    before = c.ledger.ledger_version(pool)
    body = {"investor_id": inv, "effective_date": "2025-02-01", **fields}
    if body.get("investor_id") == 0:
        body["investor_id"] = inv
    with pytest.raises(ValidationFailed) as error:
        c.transactions.record(m, pool, tx(**body), key())
    assert error.value.field == field, error.value.detail
    assert c.ledger.ledger_version(pool) == before


def test_only_kyc_approved_investors_put_money_in(world: World) -> None:
    c = world.container
    pool = _open_pool(world)
    pending = world.investor_profile(world.investor, approved=False)
    with pytest.raises(ValidationFailed) as error:
        c.transactions.record(
            world.manager,
            pool,
            tx(type="subscription", investor_id=pending, amount="10.00", effective_date="2025-01-02"),
            key(),
        )
    assert error.value.field == "investor_id"
    assert not c.ledger.has_entries(pool)


def test_who_may_post_and_read(world: World) -> None:
    c = world.container
    pool = _open_pool(world)
    mine, theirs = (
        world.investor_profile(world.investor),
        world.investor_profile(world.other_investor, name="Bo"),
    )
    c.transactions.record(
        world.manager,
        pool,
        tx(type="subscription", investor_id=mine, amount="10.00", effective_date="2025-01-02"),
        key(),
    )
    c.transactions.record(
        world.manager,
        pool,
        tx(type="subscription", investor_id=theirs, amount="20.00", effective_date="2025-01-02"),
        key(),
    )
    request = tx(type="income", amount="1.00", effective_date="2025-01-03")
    with pytest.raises(NotFound):
        c.transactions.record(world.other_manager, pool, request, key())
    # The investor holds units here, so sees the pool: refused as read-only, not hidden.
    with pytest.raises(PermissionDenied):
        c.transactions.record(world.investor, pool, request, key())
    # An investor reads their own holdings and entries only.
    holdings = c.transactions.holdings(world.investor, mine)
    assert [h.value for h in holdings] == [D("10.00")]
    with pytest.raises(NotFound):
        c.transactions.holdings(world.investor, theirs)
    page = c.transactions.list_transactions(world.investor, pool)
    assert [e.details["investor_id"] for e in page.entries] == [mine]
    with pytest.raises(NotFound):
        c.transactions.pool_positions(world.investor, pool)
    with pytest.raises(NotFound):
        c.transactions.pool_positions(world.other_manager, pool)
    assert len(c.transactions.pool_positions(world.admin, pool).positions) == 2


def test_reversal_restores_the_books(world: World) -> None:
    c, m = world.container, world.manager
    pool = _open_pool(world)
    inv = world.investor_profile(world.investor)
    entry = c.transactions.record(
        m, pool, tx(type="subscription", investor_id=inv, amount="10.00", effective_date="2025-01-02"), key()
    )
    reversal = c.transactions.reverse(m, entry.id, ReversalRequest(), key())
    assert reversal.reverses_entry_id == entry.id
    positions = c.transactions.pool_positions(m, pool)
    assert positions.net_asset_value == 0 and positions.positions[0].contributed == 0
    assert c.ledger.verify(pool).ok


def test_api_idempotency_and_problems(world: World) -> None:
    api = Api(world)
    pool = _open_pool(world)
    inv = world.investor_profile(world.investor)
    body = {"type": "subscription", "investor_id": inv, "amount": "10.00", "effective_date": "2025-01-02"}
    path = f"/pools/{pool}/transactions"
    headers = {**api.headers("manager"), "Idempotency-Key": "sub-1"}
    first = api.client.post("/api/v1" + path, json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    again = api.client.post("/api/v1" + path, json=body, headers=headers)
    assert again.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]
    changed = api.client.post("/api/v1" + path, json={**body, "amount": "11.00"}, headers=headers)
    assert changed.status_code == 422 and problem_fields(changed) == ["Idempotency-Key"]
    missing = api.call("POST", "manager", path, body)
    assert missing.status_code == 422 and problem_fields(missing) == ["Idempotency-Key"]
    as_float = api.client.post(
        "/api/v1" + path, json={**body, "amount": 10.5}, headers={**headers, "Idempotency-Key": "sub-2"}
    )
    assert as_float.status_code == 422 and problem_fields(as_float) == ["amount"]
    malformed = api.client.post(
        "/api/v1" + path,
        data="{not json",
        content_type="application/json",
        headers={**headers, "Idempotency-Key": "sub-3"},
    )
    assert malformed.status_code == 400
    unknown = api.client.post(
        "/api/v1/pools/999999/transactions", json=body, headers={**headers, "Idempotency-Key": "sub-4"}
    )
    assert unknown.status_code == 404
    listed = api.call("GET", "manager", path)
    assert listed.status_code == 200 and len(listed.get_json()["entries"]) == 1
    positions = api.call("GET", "manager", f"/pools/{pool}/positions")
    assert positions.get_json()["positions"][0]["value"] == "10.00"
    holdings = api.call("GET", "investor", f"/investors/{inv}/holdings")
    assert holdings.status_code == 200 and holdings.get_json()[0]["units"] == "10.000000"


def test_an_investor_sees_an_open_ended_pool_they_subscribed_to(world: World) -> None:
    c = world.container
    pool = _open_pool(world)
    inv = world.investor_profile(world.investor)
    with pytest.raises(NotFound):
        c.pools.get_pool(world.investor, pool)
    c.transactions.record(
        world.manager,
        pool,
        tx(type="subscription", investor_id=inv, amount="10.00", effective_date="2025-01-02"),
        key(),
    )
    assert c.pools.get_pool(world.investor, pool).id == pool
    with pytest.raises(NotFound):
        c.pools.get_pool(world.other_investor, pool)


def _two_holders(world: World) -> tuple[int, int, int]:
    """An open-ended pool with two investors subscribed: (pool, the world's investor's
    profile, the other's)."""
    c, m = world.container, world.manager
    pool = _open_pool(world)
    mine, theirs = (
        world.investor_profile(world.investor),
        world.investor_profile(world.other_investor, name="Bo"),
    )
    for investor, amount in ((mine, "100.00"), (theirs, "300.00")):
        c.transactions.record(
            m,
            pool,
            tx(type="subscription", investor_id=investor, amount=amount, effective_date="2025-01-02"),
            key(),
        )
    return pool, mine, theirs


def test_an_investor_never_sees_another_investors_lines_or_shares(world: World) -> None:
    c, m = world.container, world.manager
    pool, mine, theirs = _two_holders(world)
    c.transactions.record(m, pool, tx(type="purchase", amount="400.00", effective_date="2025-01-02"), key())
    c.transactions.record_valuation(
        m, pool, ValuationRequest(as_of=date(2025, 2, 3), net_asset_value=D(440)), key()
    )
    # The manager sees the valuation's whole allocation; the investor only their own share.
    managers = c.transactions.list_transactions(m, pool, entry_type=EntryType.VALUATION).entries[0]
    assert set(managers.details["allocation"]) == {str(mine), str(theirs)}
    page = c.transactions.list_transactions(world.investor, pool)
    seen = {p.investor_id for e in page.entries for p in e.postings}
    assert seen == {None, mine}
    valuation = next(e for e in page.entries if e.entry_type is EntryType.VALUATION)
    assert valuation.details["allocation"] == {str(mine): "10.00"}
    # The same through the API and the export.
    api = Api(world)
    body = api.call("GET", "investor", f"/pools/{pool}/transactions").get_data(as_text=True)
    assert f'"investor_id":{theirs}' not in body and '"30.00"' not in body
    csv_text = api.call("GET", "investor", f"/exports/transactions.csv?pool_id={pool}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert rows and {row["investor_id"] for row in rows} == {"", str(mine)}


def test_an_investors_lines_are_left_in_the_database_not_filtered_after(world: World) -> None:
    """The entries an investor's pages list carry only the pool's lines and theirs from the
    query itself: the same lines, in the same order, as the whole entry filtered."""
    c, m = world.container, world.manager
    pool, mine, theirs = _two_holders(world)
    c.transactions.record_valuation(
        m, pool, ValuationRequest(as_of=date(2025, 2, 3), net_asset_value=D(440)), key()
    )
    whole = c.ledger.list_entries(pool).entries
    own = c.ledger.list_entries(pool, lines_of=mine).entries
    assert [e.id for e in own] == [e.id for e in whole]
    assert [e.postings for e in own] == [
        [p for p in e.postings if p.investor_id in (None, mine)] for e in whole
    ]
    assert {p.investor_id for e in whole for p in e.postings} == {None, mine, theirs}
    assert {p.investor_id for e in own for p in e.postings} == {None, mine}


def test_an_entrys_workings_cannot_be_rewritten(world: World) -> None:
    """The workings investor flows are read from are append-only, like the postings."""
    c, m = world.container, world.manager
    pool = _open_pool(world)
    a = world.investor_profile(world.investor)
    out = c.transactions.record(
        m, pool, tx(type="subscription", investor_id=a, amount="1000.00", effective_date="2025-01-02"), key()
    )
    for sql in ("UPDATE ledger_entry_details SET details = '{}'", "DELETE FROM ledger_entry_details"):
        with UnitOfWork(c.db) as uow, pytest.raises(DBAPIError, match="append-only"):
            uow.session.execute(text(sql))
    assert c.ledger.get_entry(out.id).details["amount"] == "1000.00"
