"""Share class performance in the portal, on SQLite and MariaDB: the manager's pool page charts
each class's NAV per unit (not NAV / all units) and lists each class's return and its holders'
money-weighted figures; an investor sees its own class's price and returns, never another
class's nor its own class's holdings.

The figures are those of test_portal_share_classes.py's worked example: A (retail) 5,000 units
at 100 on 2 January 2025, 109.597672 after the mark of 31 March; I (institutional) 15,000
units, 109.798835."""

from __future__ import annotations

import json
from typing import Any

import pytest

from backend.composition.container import Container
from tests.integration.pools_support import World, make_world
from tests.integration.portal_support import components
from tests.integration.test_portal_share_classes import _body, _dashboard, _launched, _row


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _figure(text: str, ident: str) -> dict[str, Any]:
    graph = next(c for c in components(json.loads(text)) if c["props"].get("id") == ident)
    return dict(graph["props"]["figure"])


def test_the_pool_page_charts_each_classs_price_and_its_performance(world: World) -> None:
    pool, _, _ = _launched(world)
    text = _body(world, pool)
    nav = _figure(text, "fig-nav")
    lines = {t["name"]: t["y"] for t in nav["data"]}
    assert list(lines) == ["A — Retail (USD)", "I — Institutional (USD)"]
    assert lines["A — Retail (USD)"][0] == 100.0 and lines["A — Retail (USD)"][-1] == 109.597672
    assert lines["I — Institutional (USD)"][-1] == 109.798835
    assert "NAV per unit of each class" in nav["layout"]["title"]["text"]
    a = _row(text, "class-performance-A")
    assert a[:3] == ["A", "109.597672 USD", "+9.60%"]  # 109.597672 / 100 - 1
    assert a[4].startswith("+")  # the page is as of today: more than a year since 2 January 2025
    assert a[6:] == ["1.10x", "0.00x", "$500,000.00"]  # 547,988.36 / 500,000.00; nothing paid out
    assert _row(text, "class-performance-I")[2] == "+9.80%"
    assert a[5].startswith("+")  # the IRR of a gain


def test_an_investor_sees_its_own_classs_price_and_returns_only(world: World) -> None:
    pool, _, _ = _launched(world)
    mine = _dashboard(world, "investor")
    assert "investor-classes-card" in mine and f"class-{pool}" in mine
    assert "109.597672 USD" in mine and "+9.60%" in mine
    assert "Institutional" not in mine and "109.798835" not in mine
    tree = json.loads(mine)["investor-content"]["children"]
    table = next(c for c in components(tree) if c["props"].get("id") == "investor-classes")
    heads = [c["props"]["children"] for c in components(table) if c["type"] == "Th"]
    assert heads == ["Pool", "Class", "NAV per unit", "MTD", "QTD", "YTD", "1Y", "SI"]  # no class holdings
    chart = _figure(json.dumps(tree), "investor-class-chart")
    assert [(t["name"], t["y"]) for t in chart["data"]] == [
        ("Harbour Growth Fund · A — Retail (USD)", [109.597672])
    ]
    theirs = _dashboard(world, "other_investor")
    assert "109.798835 USD" in theirs and "Retail" not in theirs
