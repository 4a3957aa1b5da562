"""The analyst's exports in a reporting currency: beside each amount in the pool's own
currency, the same amount in the caller's reporting currency at the ECB rate of the row's
date, with the rate and its publication date; blank (never zero) where no rate is in force;
and an unknown currency refused before the first byte."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest

from backend.composition.container import Container
from tests.integration.pools_support import Api, World, make_world, problem_fields
from tests.integration.reports_support import build_open

# Every test here runs in process and again with the report service behind gRPC (returns and
# ratios as doubles, workbooks as bytes, refusals as the same errors).
pytestmark = pytest.mark.over_grpc("reports")

D = Decimal


@pytest.fixture(params=["sqlite"])
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _csv(api: Api, who: str, path: str) -> list[dict[str, str]]:
    response = api.call("GET", who, path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_entries_and_positions_carry_the_reporting_currency_beside_the_pools_own(world: World) -> None:
    """The USD pool of the report scenarios, exported by its manager (reporting in EUR by
    default): rates of 1.25 USD per EUR from 2025-01-01 to 2025-03-31, none after. A
    subscription of USD 1,000,000.00 on 2025-01-02 is EUR 800,000.00 at 0.8000000000; the
    redemption of 2025-05-15 has no rate in force and its converted cells are blank."""
    built = build_open(world)
    start = date(2025, 1, 1)
    days = [start + timedelta(days=i) for i in range(90)]
    world.container.reports.load_fx_rates(
        world.admin, "Date,USD,\n" + "".join(f"{d.isoformat()},1.25,\n" for d in days)
    )
    api = Api(world)
    rows = _csv(api, "manager", f"/exports/entries.csv?pool_id={built.pool}")
    first = rows[0]
    assert (first["currency"], first["amount"]) == ("USD", "1000000.00")  # native kept
    assert (first["reporting_currency"], first["fx_rate"], first["fx_rate_date"]) == (
        "EUR",
        "0.8000000000",
        "2025-01-02",
    )
    assert first["amount_reporting"] == "800000.00"
    redemption = next(r for r in rows if r["type"] == "redemption")
    assert redemption["effective_date"] == "2025-05-15"
    assert (redemption["fx_rate"], redemption["amount_reporting"]) == ("", "")

    # Asked in the pool's own currency: the amount itself at a rate of 1.
    same = _csv(api, "manager", f"/exports/entries.csv?pool_id={built.pool}&reporting_currency=USD")
    assert (same[0]["fx_rate"], same[0]["amount_reporting"]) == ("1", "1000000.00")

    # Positions are as of today: no rate in force today, so the converted value is blank.
    positions = _csv(api, "manager", f"/exports/positions.csv?pool_id={built.pool}")
    assert all(p["reporting_currency"] == "EUR" and p["value_reporting"] == "" for p in positions)
    world.container.reports.load_fx_rates(world.admin, f"Date,USD,\n{date.today().isoformat()},1.10,\n")
    positions = _csv(api, "manager", f"/exports/positions.csv?pool_id={built.pool}")
    held = next(p for p in positions if D(p["value"]) > 0)
    assert D(held["value_reporting"]) == (D(held["value"]) / D("1.10")).quantize(D("0.01"))

    refused = api.call("GET", "manager", f"/exports/entries.csv?pool_id={built.pool}&reporting_currency=XXX")
    assert refused.status_code == 422 and problem_fields(refused) == ["reporting_currency"]
