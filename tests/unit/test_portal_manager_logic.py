"""The manager pages' pure pieces: number formatting, figures, form parsing, effect panels."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import plotly.graph_objects as go
import pytest
from plotly.utils import PlotlyJSONEncoder

from backend.pools.interface import ManagementFeeTerms, PoolSettings
from ledger.interface import AccountCode, EntryType, Preview, PreviewLine
from portal.components import charts
from portal.formatting import compact_money, money, multiple, pct
from portal.manager import figures as manager_figures
from portal.manager.actions.callbacks import ACTIONS
from portal.manager.actions.distribution import distribution_effect
from portal.manager.actions.forms import settings_values
from portal.manager.actions.parsing import FormError, fraction_of_percent, percent_of_fraction
from portal.manager.actions.picker import holder_matches
from portal.manager.actions.pool_create import pool_create_request
from portal.manager.actions.pool_settings import SettingsEdit
from portal.manager.actions.pool_terms import setting_changes, terms_text
from portal.manager.actions.valuation import valuation_effect
from portal.manager.data import _filters


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
    assert manager_figures.drawdowns(index) == pytest.approx([0, 0, -0.1, 0])
    assert manager_figures.cumulative_returns(index) == pytest.approx([0, 0.1, -0.01, 0.21])


def test_monthly_returns_and_heatmap() -> None:
    ends = [date(2025, 1, 1), date(2025, 1, 31), date(2025, 2, 28)]
    returns = manager_figures.monthly_returns(ends, [1.0, 1.02, 1.071])
    assert returns == pytest.approx({(2025, 1): 0.02, (2025, 2): 0.05})
    fig = manager_figures.monthly_heatmap(
        ends, [1.0, 1.02, 1.071], as_of=date(2025, 2, 28), valued_to=date(2025, 2, 28)
    )
    heat = fig["data"][0]
    assert heat["z"][0][0] == pytest.approx(0.02) and heat["text"][0][1] == "+5.0%"
    assert "as of 2025-02-28" in fig["layout"]["title"]["text"]


def test_months_after_the_last_valuation_are_blank_not_zero() -> None:
    """Valued last on 2025-01-20: February's index did not move (no valuation), and the
    heatmap says so instead of drawing 0.0%; a pool never valued has no heatmap at all."""
    ends = [date(2025, 1, 1), date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)]
    index = [1.0, 1.02, 1.02, 1.02]
    fig = manager_figures.monthly_heatmap(ends, index, as_of=date(2025, 3, 31), valued_to=date(2025, 1, 20))
    heat = fig["data"][0]
    assert heat["z"][0][:3] == [pytest.approx(0.02), None, None]
    assert heat["text"][0][:4] == ["+2.0%", "no val.", "no val.", ""]
    assert fig["layout"]["annotations"][0]["text"] == "Months after 2025-01-20: no valuation yet"
    never = manager_figures.monthly_heatmap(ends, index, as_of=date(2025, 3, 31), valued_to=None)
    assert never["layout"]["annotations"][0]["text"] == "Monthly returns appear after the first valuation"


def test_nav_against_the_benchmark_is_rebased_to_100_at_the_first_shared_date() -> None:
    days = [date(2025, 1, d) for d in (1, 2, 3)]
    fig = manager_figures.nav_vs_benchmark(
        days, [1.0, 1.1, 1.2], [(date(2025, 1, 2), 50.0), (date(2025, 1, 3), 55.0)], benchmark_name="Index"
    )
    assert fig["data"][0]["y"] == pytest.approx([100, 1.2 / 1.1 * 100])
    assert fig["data"][1]["y"] == pytest.approx([100, 110]) and fig["data"][1]["name"] == "Index"
    assert manager_figures.nav_vs_benchmark([], [])["layout"]["annotations"][0]["text"] == "No valuations yet"


def test_flows_bars_put_distributions_below_zero() -> None:
    fig = manager_figures.flows_bars([date(2025, 1, 31)], [Decimal(100)], [Decimal(40)], "USD")
    assert fig["data"][0]["y"] == [100.0] and fig["data"][1]["y"] == [-40.0]
    assert manager_figures.sparkline_svg([1.0, 2.0]).count(",") == 2


def test_every_chart_is_a_figure_plotly_accepts() -> None:
    """The charts are plain JSON for speed; plotly's own validator still accepts each one
    (a misspelt property would raise here instead of silently not drawing)."""
    days = [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)]
    index = [1.0, 1.02, 0.99]
    inflows, outflows = [Decimal(5), Decimal(0), Decimal(1)], [Decimal(0), Decimal(2), Decimal(0)]
    figures = [
        manager_figures.nav_vs_benchmark(days, index, [(days[0], 10.0), (days[2], 11.0)], as_of=days[-1]),
        manager_figures.cumulative_return(days, index, as_of=days[-1]),
        manager_figures.drawdown(days, index, as_of=days[-1]),
        manager_figures.monthly_heatmap(days, index, as_of=days[-1], valued_to=days[-1]),
        manager_figures.flows_bars(days, inflows, outflows, "EUR"),
        manager_figures.waterfall_split({"return_of_capital": {"lp": "90.00", "gp": "0.00"}}, "USD"),
        charts.empty_figure(),
    ]
    for fig in figures:
        validated = go.Figure(fig)
        assert validated.layout.plot_bgcolor == "white"
        assert len(validated.data) == len(fig["data"])


def test_the_create_pool_form_becomes_the_services_request() -> None:
    request = pool_create_request(
        {
            "name": " Fund ",
            "kind": "closed_ended",
            "base_currency": "EUR",
            "inception_date": "2025-01-01",
            "management_fee.rate": 2,
            "management_fee.basis": "committed",
            "performance_fee.rate": "20",
            "waterfall.preferred_return_rate": 7.5,
            "waterfall.catch_up_rate": "100",
            "waterfall.carried_interest_rate": "20",
        }
    )
    assert request.name == "Fund" and request.management_fee is not None
    # Rates are typed in percent; the service gets the exact fraction (a JSON number stays exact).
    assert request.management_fee.rate == Decimal("0.02")
    assert request.waterfall is not None and request.waterfall.preferred_return_rate == Decimal("0.075")
    assert request.waterfall.catch_up_rate == 1 and request.waterfall.carried_interest_rate == Decimal("0.2")
    assert request.performance_fee is None and request.waterfall is not None
    assert request.waterfall.day_count.value == "ACT/365F"  # not chosen: what most agreements say
    thirty = pool_create_request(
        {
            "name": "Fund",
            "kind": "closed_ended",
            "base_currency": "EUR",
            "inception_date": "2025-01-01",
            "waterfall.preferred_return_rate": "8",
            "waterfall.catch_up_rate": "100",
            "waterfall.carried_interest_rate": "20",
            "waterfall.day_count": "30/360",
        }
    )
    assert thirty.waterfall is not None and thirty.waterfall.day_count.value == "30/360"
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
    assert "counted" not in text  # an entry posted before its workings were recorded
    workings = distribution_effect(
        _preview(
            {
                "mode": "waterfall",
                "tiers": tiers,
                "lp_total": "400.00",
                "gp_total": "25.00",
                "investors": {"7": share},
                "terms": {
                    "preferred_return_rate": "0.08",
                    "compounding": "annual",
                    "day_count": "ACT/ACT",
                    "catch_up_rate": "1",
                    "carried_interest_rate": "0.2",
                },
                "gp_entitlement_to_date": "25.00",
                "profit_distributed_to_date": "125.00",
            }
        ),
        {7: "Ana"},
    )
    assert (
        "Preferred return 8.00% a year, annual, counted ACT/ACT; catch-up 100.00%; carried interest "
        "20.00%. After this distribution the GP's share at the pool's terms is €25.00 of the €125.00 of "
        "profit distributed to date."
    ) in _text(workings)
    pro_rata = distribution_effect(
        _preview({"mode": "pro_rata", "amount": "10.00", "allocation": {"7": "10.00"}}), {}
    )
    assert "investor 7" in _text(pro_rata)


def test_a_valuation_the_books_already_show_is_kept_as_the_days_mark() -> None:
    confirmed = _preview(
        {"previous_net_asset_value": "100.00", "net_asset_value": "100.00", "change": "0.00"},
        kind=EntryType.VALUATION,
    ).model_copy(update={"lines": []})
    text = _text(valuation_effect(confirmed))
    assert "recorded as this day's mark" in text and "struck at its NAV per unit" in text


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


# -- editing a pool's settings ------------------------------------------------------------------


def _settings(**overrides: object) -> PoolSettings:
    body: dict[str, object] = {
        "name": "Harbour Growth Fund",
        "kind": "open_ended",
        "base_currency": "USD",
        "inception_date": "2025-01-01",
        "initial_nav_per_unit": "1.000000",
        "management_fee": {"rate": "0.015", "basis": "nav", "day_count": "ACT/360"},
        "performance_fee": {"rate": "0.2", "high_water_mark": True},
        "minimum_subscription": "10000.00",
    }
    body.update(overrides)
    return PoolSettings.model_validate(body)


def _edit(baseline: PoolSettings, **form: object) -> SettingsEdit:
    values = {**settings_values(baseline), "baseline": baseline.model_dump_json(), **form}
    edit: SettingsEdit = ACTIONS["pool_settings"].parse(values)
    return edit


def test_the_settings_form_opens_with_the_pools_settings_and_changes_nothing() -> None:
    current = _settings()
    values = settings_values(current)
    assert values["management_fee.rate"] == "1.5" and values["minimum_subscription"] == "10000.00"
    assert values["performance_fee.high_water_mark"] == "true" and values["waterfall.catch_up_rate"] == "100"
    edit = _edit(current)
    assert edit.edited == current and edit.changes(current) == []
    # The day count is not on the form: it stays as the pool has it.
    assert edit.edited.management_fee is not None and edit.edited.management_fee.day_count.value == "ACT/360"


def test_a_closed_ended_pools_waterfall_terms_survive_an_edit_of_something_else() -> None:
    """The equalisation interest and the American waterfall's clawback terms are on the form:
    renaming the pool leaves them as they are (the form once dropped the equalisation rate)."""
    waterfall = {
        "style": "american",
        "preferred_return_rate": "0.08",
        "catch_up_rate": "1",
        "carried_interest_rate": "0.2",
        "equalisation_interest_rate": "0.06",
        "clawback_tax_offset": "net_of_tax",
        "clawback_tax_rate": "0.3",
        "interim_clawback": True,
    }
    current = _settings(kind="closed_ended", performance_fee=None, management_fee=None, waterfall=waterfall)
    values = settings_values(current)
    assert (
        values["waterfall.equalisation_interest_rate"] == "6"
        and values["waterfall.clawback_tax_rate"] == "30"
    )
    edit = _edit(current, name="Harbour Buyout II")
    assert edit.changes(current) == ["name"]
    assert edit.edited.waterfall == current.waterfall


def test_the_fee_timing_is_on_the_settings_form() -> None:
    current = _settings(management_fee={"rate": "0.015", "basis": "nav", "timing": "in_advance"})
    assert settings_values(current)["management_fee.timing"] == "in_advance"
    edit = _edit(current, **{"management_fee.timing": "in_arrears"})
    assert edit.changes(current) == ["management_fee"]
    assert edit.edited.management_fee is not None and edit.edited.management_fee.timing.value == "in_arrears"


def test_a_settings_edit_sends_only_what_changed() -> None:
    current = _settings()
    edit = _edit(current, **{"management_fee.rate": 1.75, "name": "Harbour Growth Fund II"})
    assert edit.changes(current) == ["name", "management_fee"]
    update = edit.update(current)
    assert update.model_fields_set == {"name", "management_fee"}
    assert update.management_fee is not None and update.management_fee.rate == Decimal("0.0175")
    assert update.management_fee.day_count.value == "ACT/360"
    rows = setting_changes(current, edit.edited, edit.changes(current))
    assert rows == [
        ("Name", "Harbour Growth Fund", "Harbour Growth Fund II"),
        ("Management fee rate", "1.5%", "1.75%"),
    ]


def test_removing_a_fee_is_a_null_in_the_update() -> None:
    current = _settings()
    edit = _edit(current, **{"performance_fee.rate": ""})
    update = edit.update(current)
    assert update.model_fields_set == {"performance_fee"} and update.performance_fee is None
    assert setting_changes(current, edit.edited, ["performance_fee"]) == [
        ("Performance fee", "20% with high-water mark, hard hurdle 0%", "none")
    ]


def test_a_setting_someone_else_changed_meanwhile_is_a_conflict_only_if_edited_here() -> None:
    opened = _settings()
    edit = _edit(opened, **{"minimum_subscription": "5000"})
    meanwhile = opened.model_copy(update={"name": "Renamed", "minimum_subscription": Decimal("20000.00")})
    assert edit.conflicts(meanwhile) == ["minimum_subscription"]
    # The rename is not on this edit's list, so it is never put back.
    assert "name" not in edit.update(meanwhile).model_fields_set
    # Already what the form says (posted from this form a moment ago): nothing left to do.
    done = opened.model_copy(update={"minimum_subscription": Decimal("5000.00")})
    assert edit.changes(done) == [] and edit.conflicts(done) == []


def test_an_out_of_date_settings_form_is_refused_as_a_whole() -> None:
    with pytest.raises(FormError) as caught:
        ACTIONS["pool_settings"].parse({"baseline": "{}", "name": "x"})
    assert set(caught.value.errors) == {"form"}
    with pytest.raises(FormError) as caught:
        _edit(_settings(), **{"management_fee.rate": "lots"})
    assert set(caught.value.errors) == {"management_fee.rate"}


def test_the_status_form_offers_only_the_changes_the_lifecycle_allows() -> None:
    assert ACTIONS["pool_status"].parse({"status": "liquidate"}).transition == "liquidate"
    with pytest.raises(FormError) as caught:
        ACTIONS["pool_status"].parse({"status": "finish_liquidation"})
    assert set(caught.value.errors) == {"status"}


# -- the investor picker ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("harbour", True),
        ("  HARBOUR  ", True),
        ("ily off", True),
        ("#42", True),
        ("# 42", True),
        ("42", True),
        ("2020", True),  # the name's digits
        ("#2020", False),  # an id only
        ("meridian", False),
        ("", True),
    ],
)
def test_a_holder_matches_a_search_as_the_service_matches_it(search: str, expected: bool) -> None:
    assert holder_matches(search, 42, "Harbour Family Office 2020") is expected


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        (2, "0.02"),
        ("2", "0.02"),
        (1.75, "0.0175"),
        ("0.5", "0.005"),
        ("200", "2.00"),
        ("0", "0.00"),
        ("x", "x"),
    ],
)
def test_a_rate_typed_in_percent_is_sent_as_the_exact_fraction(typed: object, sent: str) -> None:
    assert fraction_of_percent(typed) == sent
    if sent != "x":
        assert percent_of_fraction(Decimal(sent)) == format(Decimal(sent).scaleb(2).normalize(), "f")
    assert fraction_of_percent("") == "" and fraction_of_percent(None) is None


def test_a_fee_step_down_is_named_where_the_terms_are_shown() -> None:
    terms = ManagementFeeTerms.model_validate(
        {"rate": "0.02", "basis": "committed", "step_down_on": "2030-01-01", "step_down_rate": "0.015"}
    )
    assert terms_text(terms) == (
        "2% p.a. on committed, accrued quarterly; from 2030-01-01 1.5% on invested capital"
    )
