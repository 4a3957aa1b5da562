"""The manager pages' pure pieces: number formatting, figures, form parsing, effect panels."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from plotly.utils import PlotlyJSONEncoder

from ledger.previews import Preview, PreviewLine
from ledger.schemas import AccountCode, EntryType
from portal.components import charts
from portal.formatting import compact_money, money, multiple, pct
from portal.manager_actions import FormError, distribution_effect, pool_create_request, valuation_effect
from portal.manager_data import _filters


def test_money_is_written_in_the_pools_currency_at_its_minor_unit() -> None:
    assert money(Decimal("1234567.891"), "USD") == "$1,234,567.89"
    assert money("-20", "EUR") == "-€20.00"
    assert money(1000, "JPY") == "¥1,000"
    assert money(None, "USD") == "—"
    assert compact_money(Decimal("1250000"), "GBP") == "£1.25M"


def test_percentages_carry_their_sign() -> None:
    assert pct(0.0123) == "+1.23%"
    assert pct(-0.045) == "-4.50%"
    assert pct(0.0) == "0.00%"
    assert pct(None) == "—"
    assert multiple(1.234) == "1.23x"


def test_drawdowns_and_cumulative_returns_from_an_index() -> None:
    index = [1.0, 1.1, 0.99, 1.21]
    assert charts.drawdowns(index) == pytest.approx([0, 0, -0.1, 0])
    assert charts.cumulative_returns(index) == pytest.approx([0, 0.1, -0.01, 0.21])


def test_monthly_returns_and_heatmap() -> None:
    ends = [date(2025, 1, 1), date(2025, 1, 31), date(2025, 2, 28)]
    returns = charts.monthly_returns(ends, [1.0, 1.02, 1.071])
    assert returns == pytest.approx({(2025, 1): 0.02, (2025, 2): 0.05})
    fig = charts.monthly_heatmap(ends, [1.0, 1.02, 1.071], as_of=date(2025, 2, 28))
    assert fig.data[0].z[0][0] == pytest.approx(0.02) and fig.data[0].text[0][1] == "+5.0%"
    assert "as of 2025-02-28" in fig.layout.title.text


def test_nav_against_the_benchmark_is_rebased_to_100_at_the_first_shared_date() -> None:
    days = [date(2025, 1, d) for d in (1, 2, 3)]
    fig = charts.nav_vs_benchmark(
        days, [1.0, 1.1, 1.2], [(date(2025, 1, 2), 50.0), (date(2025, 1, 3), 55.0)], benchmark_name="Index"
    )
    assert list(fig.data[0].y) == pytest.approx([100, 1.2 / 1.1 * 100])
    assert list(fig.data[1].y) == pytest.approx([100, 110]) and fig.data[1].name == "Index"
    assert charts.nav_vs_benchmark([], []).layout.annotations[0].text == "No valuations yet"


def test_flows_bars_put_distributions_below_zero() -> None:
    fig = charts.flows_bars([date(2025, 1, 31)], [Decimal(100)], [Decimal(40)], "USD")
    assert list(fig.data[0].y) == [100.0] and list(fig.data[1].y) == [-40.0]
    assert charts.sparkline_svg([1.0, 2.0]).count(",") == 2


def test_the_create_pool_form_becomes_the_services_request() -> None:
    request = pool_create_request(
        {
            "name": " Fund ",
            "kind": "closed_ended",
            "base_currency": "EUR",
            "inception_date": "2025-01-01",
            "management_fee.rate": 0.02,
            "management_fee.basis": "committed",
            "performance_fee.rate": "0.2",
            "waterfall.preferred_return_rate": "0.08",
            "waterfall.catch_up_rate": "1",
            "waterfall.carried_interest_rate": "0.2",
        }
    )
    assert request.name == "Fund" and request.management_fee is not None
    assert request.management_fee.rate == Decimal("0.02")  # a JSON number stays exact
    assert request.performance_fee is None and request.waterfall is not None
    with pytest.raises(FormError) as caught:
        pool_create_request({"kind": "open_ended", "base_currency": "USD"})
    assert {"name", "inception_date"} <= set(caught.value.errors)


def _text(component: object) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def _preview(details: dict[str, object], kind: EntryType | None = EntryType.DISTRIBUTION) -> Preview:
    return Preview(
        pool_id=1,
        currency="EUR",
        entry_type=kind,
        effective_date=date(2025, 9, 30),
        lines=[PreviewLine(account=AccountCode.CASH, investor_id=None, amount=Decimal("-10"))],
        details=details,
        ledger_version=3,
    )


def test_the_waterfall_preview_shows_each_tier_and_each_investor() -> None:
    tiers = {
        t: {"lp": "100.00", "gp": "0.00" if t != "carried_interest" else "25.00"}
        for t in ("return_of_capital", "preferred_return", "catch_up", "carried_interest")
    }
    share = {
        "return_of_capital": "100.00",
        "preferred_return": "100.00",
        "catch_up": "100.00",
        "carried_interest": "100.00",
        "total": "400.00",
        "gp_share_borne": "25.00",
    }
    panel = distribution_effect(
        _preview(
            {
                "mode": "waterfall",
                "tiers": tiers,
                "lp_total": "400.00",
                "gp_total": "25.00",
                "investors": {"7": share},
            }
        ),
        {7: "Ana"},
    )
    text = _text(panel)
    assert "Carried interest" in text and "€25.00" in text and "Ana" in text and "€400.00" in text
    pro_rata = distribution_effect(
        _preview({"mode": "pro_rata", "amount": "10.00", "allocation": {"7": "10.00"}}), {}
    )
    assert "investor 7" in _text(pro_rata)


def test_a_valuation_the_books_already_show_posts_nothing() -> None:
    panel = valuation_effect(_preview({}, kind=None))
    assert "nothing will be posted" in _text(panel)


def test_grid_filters_become_service_filters() -> None:
    model = {
        "entry_type": {"filter": "Capital call", "type": "equals"},
        "investors": {"filter": 7, "type": "equals"},
        "effective_date": {
            "type": "inRange",
            "dateFrom": "2025-01-01 00:00:00",
            "dateTo": "2025-03-31 00:00:00",
        },
    }
    assert _filters(model) == {
        "entry_type": EntryType.CAPITAL_CALL,
        "investor_id": 7,
        "date_from": date(2025, 1, 1),
        "date_to": date(2025, 3, 31),
    }
    assert _filters({"entry_type": {"filter": "nonsense"}})["entry_type"] == "none"
