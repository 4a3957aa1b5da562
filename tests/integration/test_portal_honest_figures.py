"""Honest figures on the pool page: the last valuation is shown prominently, periods and months
after it are blank ("no valuation yet", never 0.0%), the return charts stop at it, and a pool
with no books tells its manager what to do first instead of drawing flat lines."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from plotly.utils import PlotlyJSONEncoder

from backend.composition.container import Container
from backend.composition.web import create_app
from portal.manager.data import pool_detail
from portal.manager.pages import pool as page
from portal.manager.panels import pool_figures
from tests.integration.pools_support import World, make_world, open_pool
from tests.integration.reports_support import build_open


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _text(component: object) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def test_a_pool_last_valued_months_ago_shows_that_date_and_no_returns_after_it(world: World) -> None:
    """The report scenario's pool was last valued on 2025-06-30; seen on 2025-09-15 its
    September (MTD) and third quarter (QTD) have no valuation: blank with the reason, while
    YTD is measured (to the June valuation); July and August are "no val." in the heatmap,
    and the return lines end on 2025-06-30 instead of running flat to September."""
    built = build_open(world)
    seen = date(2025, 9, 15)
    app = create_app(world.container)
    with app.test_request_context():
        detail = pool_detail(world.manager, built.pool, seen)
        body = _text(page.pool_body(world.manager, built.pool, 1, seen))
    assert detail.perf is not None and detail.perf.last_valuation_date == date(2025, 6, 30)
    periods = {p.name: p for p in detail.perf.periods}
    assert periods["MTD"].no_valuation and periods["MTD"].cumulative is None
    assert periods["QTD"].no_valuation and periods["QTD"].cumulative is None
    assert not periods["YTD"].no_valuation and periods["YTD"].cumulative is not None
    # Volatility from month-end returns up to the valuation only: January to June, not the
    # flat July and August that would understate it.
    assert detail.perf.risk.observations == 6

    assert "Last valuation 2025-06-30" in body
    assert "77 days ago: returns after it are not measured yet" in body
    assert body.count("no valuation yet") >= 2  # MTD and QTD rows of the returns table
    assert "valued to 2025-06-30" in body

    figs = pool_figures(detail)
    assert max(figs["cumulative"]["data"][0]["x"]) == date(2025, 6, 30)
    heat = figs["heatmap"]["data"][0]
    row = heat["text"][heat["y"].index("2025")]
    assert row[5] != "no val." and row[6] == row[7] == "no val." and heat["z"][0][6] is None
    assert "Months after 2025-06-30: no valuation yet" in _text(figs["heatmap"]["layout"])


def test_a_new_pool_shows_first_steps_not_flat_charts(world: World) -> None:
    pool = world.container.pools.create_pool(world.manager, open_pool()).id
    today = date.today()
    with create_app(world.container).test_request_context():
        body = _text(page.pool_body(world.manager, pool, 1, today))
    assert "This pool has no transactions yet" in body
    assert "Record the first subscriptions" in body
    assert "Not valued yet: no returns to show" in body
    # No volatility, return or month drawn as zero (a fee of 20.00% is not one).
    zeros = [m.start() for m in re.finditer(r"(?<![\d.])[+-]?0\.0+%", body)]
    assert not zeros, [body[max(0, i - 160) : i + 10] for i in zeros]
