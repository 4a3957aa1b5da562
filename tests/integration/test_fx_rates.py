"""FX reference rates and each user's reporting currency, on SQLite and MariaDB: loading the
ECB's CSV (replacing a stored rate is a correction, audited), the lookup rule (the latest
rate on or before a date, at most 7 days old, else missing), cross rates through the euro,
who may load, the CLI, the API, and the reporting-currency preference.

The worked example of docs/business-logic.md, "Reporting currency and FX rates", is
test_the_worked_example_converts_a_million_dollars (and, as pure maths, tests/unit/reports/
test_fx.py::test_the_worked_example_usd_to_eur_and_to_gbp)."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import app as cli
from backend.composition.container import Container
from backend.platform.actors import Role
from backend.platform.config import load_settings
from backend.platform.errors import NotFound, PermissionDenied, ValidationFailed
from reports.interface import FxRatesIn, convert
from tests.conftest import mariadb_database_url
from tests.integration.auth_support import OPERATOR, create_user
from tests.integration.pools_support import Api, make_world, problem_fields

# Every test here runs in process and again with the report service behind gRPC (returns and
# ratios as doubles, workbooks as bytes, refusals as the same errors).
pytestmark = pytest.mark.over_grpc("reports")

THU, FRI, SAT = date(2026, 9, 24), date(2026, 9, 25), date(2026, 9, 26)
SEP_30 = date(2026, 9, 30)

RATES = (
    "Date,USD,JPY,BGN,GBP,\n"
    "2026-09-30,1.0850,160.12,1.9558,0.8420,\n"
    "2026-09-25,1.0800,159.50,1.9558,0.8400,\n"
    "2026-09-24,1.0790,159.40,1.9558,N/A,\n"
)
"""The ECB's history shape: newest first, a currency the platform does not know (BGN), a day
without GBP, and nothing on the weekend of the 26th and 27th."""


def _fx_events(container: Container) -> list[tuple[str, str, object, object]]:
    events = container.audit.list_events(OPERATOR, limit=1000)
    return [(e.action, e.object_id, e.before, e.after) for e in events if e.object_type.startswith("fx_rate")]


# -- loading ---------------------------------------------------------------------------------


def test_a_load_stores_new_rates_and_a_reload_replaces_only_what_changed_audited(
    container: Container,
) -> None:
    first = container.reports.load_fx_rates(OPERATOR, RATES)
    assert (first.new, first.replaced, first.unchanged) == (8, 0, 0)
    assert first.ignored_currencies == ["BGN"]
    assert (first.first_date, first.last_date) == (THU, SEP_30)

    corrected = RATES.replace("2026-09-30,1.0850", "2026-09-30,1.0855")
    again = container.reports.load_fx_rates(OPERATOR, corrected)
    assert (again.new, again.replaced, again.unchanged) == (0, 1, 7)
    stored = container.reports.list_fx_rates(OPERATOR, SEP_30, SEP_30, ["USD"])
    assert [(r.date, r.currency, r.rate) for r in stored] == [(SEP_30, "USD", Decimal("1.08550000"))]

    events = _fx_events(container)
    corrections = [e for e in events if e[0] == "fx_rate.corrected"]
    assert corrections == [
        ("fx_rate.corrected", "USD:2026-09-30", {"rate": "1.08500000"}, {"rate": "1.08550000"})
    ]
    assert sum(1 for e in events if e[0] == "fx_rates.loaded") == 2


def test_a_bad_line_anywhere_loads_nothing(container: Container) -> None:
    bad = RATES + "2026-09-23,1.0780,0,1.9558,0.8390,\n"
    with pytest.raises(ValidationFailed) as refused:
        container.reports.load_fx_rates(OPERATOR, bad)
    assert refused.value.field == "csv"
    assert "line 5: JPY: must be above 0" in refused.value.detail
    assert container.reports.list_fx_rates(OPERATOR) == []
    assert _fx_events(container) == []


def test_only_an_admin_loads_rates_and_everyone_reads_them(container: Container) -> None:
    world = make_world(container)
    for who in (world.manager, world.analyst, world.investor):
        with pytest.raises(PermissionDenied):
            container.reports.load_fx_rates(who, RATES)
    assert container.reports.list_fx_rates(world.admin) == []
    container.reports.load_fx_rates(world.admin, RATES)
    for who in (world.manager, world.analyst, world.investor):
        assert len(container.reports.list_fx_rates(who, currencies=["GBP"])) == 2
        assert container.reports.fx_quotes(who, [("USD", SEP_30)], "EUR").quotes[0].rate is not None


def test_json_rows_refuse_an_unknown_currency_by_its_field(container: Container) -> None:
    body = FxRatesIn.model_validate({"rates": [{"date": "2026-09-30", "currency": "XYZ", "rate": "1.5"}]})
    with pytest.raises(ValidationFailed) as refused:
        container.reports.load_fx_rates(OPERATOR, body)
    assert refused.value.field == "rates[0].currency"


# -- the lookup rule and cross rates ---------------------------------------------------------


def test_the_worked_example_converts_a_million_dollars(container: Container) -> None:
    """docs/business-logic.md: on 2026-09-30, USD 1.0850 and GBP 0.8420 per euro; USD
    1,000,000.00 is EUR 921,658.99 and GBP 776,036.87."""
    container.reports.load_fx_rates(OPERATOR, RATES)
    million = Decimal("1000000.00")
    to_eur = container.reports.fx_quotes(OPERATOR, [("USD", SEP_30)], "EUR").quote("USD", SEP_30)
    to_gbp = container.reports.fx_quotes(OPERATOR, [("USD", SEP_30)], "GBP").quote("USD", SEP_30)
    assert to_eur is not None and to_gbp is not None
    assert convert(million, to_eur) == Decimal("921658.99")
    assert convert(million, to_gbp) == Decimal("776036.87")
    assert to_gbp.rate == Decimal("0.7760368664")
    assert (to_gbp.from_per_eur, to_gbp.to_per_eur) == (Decimal("1.0850"), Decimal("0.8420"))
    assert (to_gbp.from_rate_date, to_gbp.to_rate_date) == (SEP_30, SEP_30)


def test_a_weekend_uses_friday_and_eight_days_old_is_missing(container: Container) -> None:
    container.reports.load_fx_rates(OPERATOR, RATES.split("\n", 2)[0] + "\n" + RATES.split("\n", 2)[2])
    wanted = [("USD", SAT), ("USD", date(2026, 10, 2)), ("USD", date(2026, 10, 3)), ("GBP", THU)]
    quotes = container.reports.fx_quotes(OPERATOR, wanted, "EUR")
    saturday = quotes.quote("USD", SAT)
    assert (
        saturday is not None and saturday.from_rate_date == FRI and saturday.from_per_eur == Decimal("1.08")
    )
    a_week = quotes.quote("USD", date(2026, 10, 2))
    assert a_week is not None and a_week.from_rate_date == FRI  # 7 days old: still in force
    eight = quotes.quote("USD", date(2026, 10, 3))
    assert eight is not None and eight.missing and eight.rate is None and eight.from_rate_date is None
    assert convert(Decimal("100.00"), eight) is None
    no_gbp = quotes.quote("GBP", THU)  # N/A that day, nothing before: missing, not 0
    assert no_gbp is not None and no_gbp.missing


def test_eur_to_eur_is_one_and_needs_no_rate(container: Container) -> None:
    quotes = container.reports.fx_quotes(OPERATOR, [("EUR", SEP_30), ("USD", SEP_30)], "EUR")
    same = quotes.quote("EUR", SEP_30)
    assert same is not None and same.rate == 1 and convert(Decimal("12.34"), same) == Decimal("12.34")
    assert (same.from_rate_date, same.to_rate_date) == (None, None)
    usd = quotes.quote("USD", SEP_30)
    assert usd is not None and usd.missing  # nothing loaded


def test_a_cross_rate_needs_both_legs_in_force(container: Container) -> None:
    container.reports.load_fx_rates(OPERATOR, RATES)
    quote = container.reports.fx_quotes(OPERATOR, [("JPY", THU)], "GBP").quote("JPY", THU)
    assert quote is not None and quote.from_per_eur == Decimal("159.4") and quote.to_per_eur is None
    assert quote.rate is None and convert(Decimal("1000"), quote) is None
    with pytest.raises(ValidationFailed) as refused:
        container.reports.fx_quotes(OPERATOR, [("USD", SEP_30)], "ABC")
    assert refused.value.field == "to_currency"


def test_the_rates_in_force_on_a_sunday_are_fridays(container: Container) -> None:
    container.reports.load_fx_rates(OPERATOR, RATES)
    shown = container.reports.fx_rates_in_force(OPERATOR, date(2026, 9, 27))
    assert [(r.currency, r.date, r.rate) for r in shown] == [
        ("GBP", FRI, Decimal("0.84")),
        ("JPY", FRI, Decimal("159.5")),
        ("USD", FRI, Decimal("1.08")),
    ]


# -- the reporting currency ------------------------------------------------------------------


def test_a_user_chooses_their_reporting_currency_and_an_admin_anyones(container: Container) -> None:
    world = make_world(container)
    assert world.investor.user_id is not None and world.manager.user_id is not None
    me = container.users.get_user(world.investor, world.investor.user_id)
    assert (me.reporting_currency, me.reporting_currency_chosen) == ("EUR", False)

    chosen = container.users.set_reporting_currency(world.investor, world.investor.user_id, "gbp")
    assert (chosen.reporting_currency, chosen.reporting_currency_chosen) == ("GBP", True)
    with pytest.raises(NotFound):  # someone else's: as if they did not exist
        container.users.set_reporting_currency(world.investor, world.manager.user_id, "USD")
    with pytest.raises(ValidationFailed) as refused:
        container.users.set_reporting_currency(world.investor, world.investor.user_id, "XYZ")
    assert refused.value.field == "currency"
    by_admin = container.users.set_reporting_currency(world.admin, world.manager.user_id, "JPY")
    assert by_admin.reporting_currency == "JPY"
    back = container.users.set_reporting_currency(world.investor, world.investor.user_id, None)
    assert (back.reporting_currency, back.reporting_currency_chosen) == ("EUR", False)

    changes = [
        (e.object_id, e.before, e.after)
        for e in container.audit.list_events(OPERATOR, action="user.reporting_currency_changed")
    ]
    investor = str(world.investor.user_id)
    assert changes == [
        (investor, {"reporting_currency": "GBP"}, {"reporting_currency": None}),
        (str(world.manager.user_id), {"reporting_currency": None}, {"reporting_currency": "JPY"}),
        (investor, {"reporting_currency": None}, {"reporting_currency": "GBP"}),
    ]


def test_the_default_reporting_currency_comes_from_settings_per_role(
    container: Container, tmp_path: Path
) -> None:
    settings = load_settings(VAR_DIR=str(tmp_path / "other"), REPORTING_CURRENCY_MANAGER="USD")
    configured = Container(settings, db=container.db, cache=container.cache)
    manager = create_user(configured, "pm@pools.test", Role.MANAGER)
    analyst = create_user(configured, "an@pools.test", Role.ANALYST)
    assert configured.users.get_user(OPERATOR, manager).reporting_currency == "USD"
    assert configured.users.get_user(OPERATOR, analyst).reporting_currency == "EUR"
    misspelt = Container(
        load_settings(VAR_DIR=str(tmp_path), REPORTING_CURRENCY_ANALYST="XYZ"), db=container.db
    )
    with pytest.raises(ValueError, match="REPORTING_CURRENCY_ANALYST"):
        assert misspelt.users is None  # built on first use: refused there


# -- the API ---------------------------------------------------------------------------------


def test_the_api_loads_lists_and_sets_the_reporting_currency(container: Container) -> None:
    api = Api(make_world(container))
    refused = api.call("POST", "manager", "/fx-rates", {"csv": RATES})
    assert refused.status_code == 403
    loaded = api.call("POST", "admin", "/fx-rates", {"csv": RATES})
    assert loaded.status_code == 201, loaded.get_json()
    assert loaded.get_json()["new"] == 8 and loaded.get_json()["ignored_currencies"] == ["BGN"]
    bad = api.call("POST", "admin", "/fx-rates", {"csv": "Date,USD\n2026-09-30,abc\n"})
    assert bad.status_code == 422 and problem_fields(bad) == ["csv"]
    assert "line 2: USD" in bad.get_data(as_text=True)

    listed = api.call("GET", "investor", "/fx-rates?start=2026-09-25&end=2026-09-30&currency=USD,GBP")
    assert listed.status_code == 200
    assert listed.get_json() == [
        {"date": "2026-09-25", "currency": "GBP", "rate": "0.84000000"},
        {"date": "2026-09-25", "currency": "USD", "rate": "1.08000000"},
        {"date": "2026-09-30", "currency": "GBP", "rate": "0.84200000"},
        {"date": "2026-09-30", "currency": "USD", "rate": "1.08500000"},
    ]
    assert api.call("GET", "analyst", "/fx-rates?currency=usd").status_code == 422

    put = api.call("PUT", "investor", "/me/reporting-currency", {"currency": "CHF"})
    assert put.status_code == 200 and put.get_json()["reporting_currency"] == "CHF"
    assert api.call("GET", "investor", "/me").get_json()["reporting_currency"] == "CHF"
    unknown = api.call("PUT", "investor", "/me/reporting-currency", {"currency": "XYZ"})
    assert unknown.status_code == 422 and problem_fields(unknown) == ["currency"]


# -- the CLI ---------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "mariadb"])
def cli_env(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    if request.param == "mariadb":
        monkeypatch.setenv("DATABASE_URL", mariadb_database_url("fx_cli"))
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    assert cli.main(["migrate"]) == 0
    return tmp_path


def test_the_cli_loads_the_ecb_file_and_shows_the_rates_in_force(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    file = cli_env / "eurofxref-hist.csv"
    file.write_text("\ufeff" + RATES, encoding="utf-8")
    assert cli.main(["fx", "load", str(file)]) == 0
    assert cli.main(["fx", "show", "--date", "2026-09-27"]) == 0
    out = capsys.readouterr().out
    assert "loaded FX rates 2026-09-24 to 2026-09-30: 8 new, 0 replaced, 0 unchanged" in out
    assert "ignored (not platform currencies): BGN" in out
    assert "USD\t1.08000000\t(2026-09-25)" in out and "GBP\t0.84000000\t(2026-09-25)" in out

    settings = load_settings()
    create_user(Container(settings), "pm@pools.test", Role.MANAGER)
    assert cli.main(["fx", "load", str(file), "--as", "pm@pools.test"]) == 1
    assert "only an admin loads FX rates" in capsys.readouterr().err
    (cli_env / "bad.csv").write_text("Date,USD\n2026-10-01,1.08\n2026-10-02,x\n", encoding="utf-8")
    assert cli.main(["fx", "load", str(cli_env / "bad.csv")]) == 1
    assert "csv: line 3: USD" in capsys.readouterr().err
    assert cli.main(["fx", "show", "--date", "2026-10-01"]) == 0
    assert "USD\t1.08500000\t(2026-09-30)" in capsys.readouterr().out  # the bad file left nothing
