"""No input makes the server answer 5xx, and hostile input is refused, not read loosely.

From a security review: ids past their column's range, an unknown currency, dates the
calendar cannot step past, huge index levels, unknown /api/ paths, path traversal into
Dash's component suites, an unknown portal action id, loosely parsed amounts and dates,
duplicate JSON keys; and the hardening headers (no-store, HSTS over HTTPS, a Server header
that names no software). Every refusal is a 4xx problem naming the field, and leaves no
trace in the books or the tables.
"""

from __future__ import annotations

import http.client
import json
import threading
from typing import Any

import pytest
import werkzeug.serving
from flask.testing import FlaskClient

from backend.composition.container import Container
from backend.composition.web import PlatformServer, create_app
from backend.platform.config import load_settings
from backend.platform.fields import ID_MAX
from portal.components import forms
from tests.integration.auth_support import PASSWORD
from tests.integration.pools_support import (
    Api,
    make_world,
    open_pool,
    problem_fields,
)
from tests.integration.portal_support import csrf_cookie, login

HUGE = "99999999999999999999999"  # past 2^63: SQLite could not even bind it
PROBLEM = "application/problem+json"


@pytest.fixture
def api(container: Container) -> Api:
    return Api(make_world(container))


def _pool(api: Api) -> int:
    return api.world.container.pools.create_pool(
        api.world.manager, open_pool(minimum_subscription="0.00", performance_fee=None)
    ).id


def _benchmark(api: Api) -> int:
    created = api.call("POST", "manager", "/benchmarks", {"name": "World equities", "currency": "USD"})
    assert created.status_code == 201, created.get_json()
    return int(created.get_json()["id"])


def _post_raw(api: Api, path: str, raw: str, *, key: str | None = None) -> Any:
    headers = {**api.headers("manager"), "Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return api.client.post("/api/v1" + path, data=raw, headers=headers)


# -- 1. ids past their column's range ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/pools/{id}"),
        ("PATCH", "/pools/{id}"),
        ("POST", "/pools/{id}/close"),
        ("POST", "/pools/{id}/liquidate"),
        ("GET", "/pools/{id}/commitments"),
        ("GET", "/investors/{id}"),
        ("GET", "/investors/{id}/holdings"),
        ("GET", "/benchmarks/{id}"),
        ("POST", "/notifications/{id}/read"),
        ("POST", "/transactions/{id}/reversal"),
    ],
)
@pytest.mark.parametrize("ident", [HUGE, str(2**63), "0"])
def test_path_ids_out_of_range_are_404_problems(api: Api, method: str, path: str, ident: str) -> None:
    response = api.call(method, "admin", path.format(id=ident), {} if method != "GET" else None)
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM


def test_int_ids_stop_at_the_int_column_and_bigint_ids_at_bigint(api: Api) -> None:
    assert api.call("GET", "admin", f"/pools/{ID_MAX}").status_code == 404  # in range: no such pool
    assert api.call("GET", "admin", f"/pools/{ID_MAX + 1}").status_code == 404
    # Notifications are BIGINT: an id past 2^31 is a real (missing) one, not a routing miss.
    far = api.call("POST", "investor", f"/notifications/{2**40}/read")
    assert far.status_code == 404 and "notification" in far.get_json()["detail"]


@pytest.mark.parametrize("value", [int(HUGE), 2**31, 0, -1])
def test_body_ids_out_of_range_are_422_naming_the_field(api: Api, value: int) -> None:
    pool = _pool(api)
    profile = {"user_id": value, "legal_name": "X", "investor_type": "individual", "country": "GB"}
    assert problem_fields(api.call("POST", "manager", "/investors", profile)) == ["user_id"]
    commitment = {"investor_id": value, "amount": "1.00"}
    assert problem_fields(api.call("POST", "manager", f"/pools/{pool}/commitments", commitment)) == [
        "investor_id"
    ]
    tx = {"type": "subscription", "investor_id": value, "amount": "1.00", "effective_date": "2025-01-01"}
    refused = _post_raw(api, f"/pools/{pool}/transactions", json.dumps(tx), key="huge-id")
    assert refused.status_code == 422 and problem_fields(refused) == ["investor_id"]
    put = api.call("PUT", "manager", f"/pools/{pool}/benchmark", {"benchmark_id": value})
    assert problem_fields(put) == ["benchmark_id"]
    query = api.call("GET", "admin", f"/investors/1/statements?pool_id={value}&period=2025")
    assert query.status_code == 422 and problem_fields(query) == ["pool_id"]
    documents = api.call("GET", "admin", f"/documents?pool_id={value}")
    assert documents.status_code == 422 and problem_fields(documents) == ["pool_id"]
    assert api.world.container.ledger.ledger_version(pool) == 0


# -- 2. an unknown currency ---------------------------------------------------------------------


def test_an_unknown_currency_is_422_naming_currency(api: Api) -> None:
    response = api.call("POST", "manager", "/benchmarks", {"name": "Made up", "currency": "GFE"})
    assert response.status_code == 422 and problem_fields(response) == ["currency"]
    assert api.call("GET", "manager", "/benchmarks").get_json() == []  # nothing was created


# -- 3. dates past what reports support, huge levels -------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=0000", "period"),
        ("period=9999-Q4", "period"),
        ("period=9999-12", "period"),
        ("period=9999", "period"),
        ("period=1899-Q4", "period"),
        ("start=0001-01-01&end=2025-12-31", "start"),
        ("start=2025-01-01&end=9999-12-31", "end"),
    ],
)
def test_statement_periods_outside_the_calendar_are_422(api: Api, query: str, field: str) -> None:
    pool = _pool(api)
    investor = api.world.investor_profile(api.world.investor)
    response = api.call("GET", "admin", f"/investors/{investor}/statements?pool_id={pool}&{query}")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert problem_fields(response) == [field]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/pools/{pool}/performance?as_of=9999-12-31", "as_of"),
        ("/pools/{pool}/performance?start=1899-12-31", "start"),
        ("/pools/{pool}/performance?start=0", "start"),
        ("/pools/{pool}/performance?as_of=2025-06-30T00:00:00", "as_of"),
        ("/pools/{pool}/nav-history?end=9999-12-31", "end"),
        ("/pools/{pool}/transactions?date_from=20250101", "date_from"),
        ("/investors/{investor}/performance?as_of=9999-12-31", "as_of"),
        ("/exports/transactions.csv?pool_id={pool}&date_to=9999-12-31", "date_to"),
    ],
)
def test_report_dates_outside_the_supported_range_are_422(api: Api, path: str, field: str) -> None:
    pool = _pool(api)
    investor = api.world.investor_profile(api.world.investor)
    response = api.call("GET", "admin", path.format(pool=pool, investor=investor))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert problem_fields(response) == [field]


def test_the_far_end_of_the_supported_range_still_answers(api: Api) -> None:
    pool = _pool(api)
    response = api.call("GET", "admin", f"/pools/{pool}/performance?as_of=2200-12-31")
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"levels": [{"date": "2025-01-02", "level": 3.4e38}]}, "levels[0].level"),
        (
            {"levels": [{"date": "2025-01-02", "level": "340000000000000000000000000000000000000"}]},
            "levels[0].level",
        ),
        ({"levels": [{"date": "2025-01-02", "level": "3.4E+38"}]}, "levels.0.level"),
        ({"levels": [{"date": "9999-12-31", "level": "100"}]}, "levels.0.date"),
        ({"csv": "date,level\n2025-01-02,3.4e38\n"}, "csv"),
        ({"csv": "date,level\n2025-01-02,340000000000000000000000000000000000000\n"}, "levels[0].level"),
        ({"csv": "date,level\n20250102,100\n"}, "csv"),
        ({"csv": "date,level\n2025-01-02,NaN\n"}, "csv"),
    ],
)
def test_levels_out_of_range_are_422_and_load_nothing(api: Api, body: dict[str, Any], field: str) -> None:
    benchmark = _benchmark(api)
    response = api.call("POST", "manager", f"/benchmarks/{benchmark}/levels", body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert problem_fields(response) == [field]
    assert api.call("GET", "manager", f"/benchmarks/{benchmark}").get_json()["levels"] == 0


# -- 4. unknown /api/ paths ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/anything", "/api/v1/nope", "/api/v1/pools/abc"])
@pytest.mark.parametrize("who", ["nobody", "bogus", "admin"])
def test_unknown_api_paths_are_404_problems_whatever_the_headers(api: Api, path: str, who: str) -> None:
    headers = {"nobody": {}, "bogus": {"Authorization": "Bearer x"}}.get(who)
    if headers is None:
        headers = api.headers(who)
    for method in ("GET", "POST"):
        response = api.client.open(path, method=method, headers=headers)
        assert response.status_code == 404, (method, response.get_data(as_text=True)[:200])
        assert response.mimetype == PROBLEM
        assert response.headers["Cache-Control"] == "no-store"


def test_other_scripts_digits_in_a_path_name_no_pool(api: Api) -> None:
    pool = _pool(api)
    arabic = str(pool).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert api.call("GET", "admin", f"/pools/{pool}").status_code == 200
    response = api.call("GET", "admin", f"/pools/{arabic}")
    assert response.status_code == 404 and response.mimetype == PROBLEM


def test_a_known_path_with_another_method_is_a_405_problem(api: Api) -> None:
    response = api.call("DELETE", "admin", "/pools")
    assert response.status_code == 405 and response.mimetype == PROBLEM
    assert response.headers["Allow"] == "GET, POST"


def test_options_lists_only_the_api_operations_of_a_path(api: Api) -> None:
    # Dash's catch-all page route matches every path too; its GET is not the API's.
    assert api.call("OPTIONS", "admin", "/auth/logout").headers["Allow"] == "POST, OPTIONS"
    assert api.call("OPTIONS", "admin", "/pools").headers["Allow"] == "GET, POST, HEAD, OPTIONS"


def test_a_json_boolean_is_true_or_false_never_a_number(api: Api) -> None:
    body = {**open_pool().model_dump(mode="json"), "performance_fee": {"rate": "0.2", "high_water_mark": 0}}
    response = api.call("POST", "manager", "/pools", body)
    assert response.status_code == 422 and "performance_fee.high_water_mark" in problem_fields(response)


def test_known_api_paths_still_need_a_token(api: Api) -> None:
    response = api.client.get("/api/v1/pools")
    assert response.status_code == 401 and response.mimetype == PROBLEM


# -- 5 and 6. the portal: component-suite traversal, an unknown action id -----------------------


@pytest.fixture
def portal(api: Api) -> FlaskClient:
    client = api.client
    assert login(client, api.world.emails["manager"], PASSWORD).status_code == 303
    return client


@pytest.mark.parametrize("backend_name", ["sqlite"])
@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/dash/..%2f..%2fapp.py",
        "/_dash-component-suites/dash/../../app.py",
        "/_dash-component-suites/dash/dcc/..%2f..%2f..%2fbackend/config.py",
        "/_dash-component-suites/dash/no-such-file.js",
        "/_dash-component-suites/no_such_package/x.js",
    ],
)
def test_component_suite_paths_dash_did_not_register_are_404(portal: FlaskClient, path: str) -> None:
    assert portal.get(path).status_code == 404


@pytest.mark.parametrize("backend_name", ["sqlite"])
def test_the_action_callback_refuses_an_action_it_never_rendered(portal: FlaskClient) -> None:
    app = portal.application.extensions["portal_dash"]
    portal.get("/_dash-dependencies")  # Dash registers the callbacks on its first request
    output = next(k for k in app.callback_map if forms.ERROR in k and forms.PANEL in k)
    action = "no_such_action"
    one = {
        k: {"type": k, "action": action}
        for k in (forms.PREVIEW, forms.CONFIRM, forms.PANEL, forms.PENDING, forms.RESULT, forms.DONE)
    }
    field = {"type": forms.FIELD, "action": action, "field": "amount"}
    body = {
        "output": output,
        "outputs": [
            [{"id": {"type": forms.ERROR, "action": action, "field": "amount"}, "property": "children"}],
            [{"id": field, "property": "invalid"}],
            {"id": one[forms.PANEL], "property": "children"},
            {"id": one[forms.PENDING], "property": "data"},
            {"id": one[forms.RESULT], "property": "children"},
            {"id": one[forms.CONFIRM], "property": "disabled"},
            {"id": one[forms.DONE], "property": "data"},
        ],
        "inputs": [
            {"id": one[forms.PREVIEW], "property": "n_clicks", "value": 1},
            {"id": one[forms.CONFIRM], "property": "n_clicks", "value": None},
            [],
        ],
        "state": [
            [{"id": field, "property": "value", "value": "1"}],
            [{"id": field, "property": "id", "value": field}],
            {"id": one[forms.PENDING], "property": "data", "value": None},
            {"id": "pool-id", "property": "data", "value": None},
        ],
        "changedPropIds": [
            json.dumps(one[forms.PREVIEW], sort_keys=True, separators=(",", ":")) + ".n_clicks"
        ],
    }
    response = portal.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_cookie(portal)})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


# -- 7. amounts and dates are read strictly; duplicate keys are refused --------------------------


@pytest.mark.parametrize(
    "amount",
    ["١٠٠", "1E+2", "1e2", " 100", "100 ", "100.", ".5", "1_000", "1,000", "0x10", "NaN", "Infinity", ""],
)
def test_loose_amounts_are_422_naming_amount_and_post_nothing(api: Api, amount: str) -> None:
    pool = _pool(api)
    investor = api.world.investor_profile(api.world.investor)
    tx = {"type": "subscription", "investor_id": investor, "amount": amount, "effective_date": "2025-01-01"}
    response = _post_raw(api, f"/pools/{pool}/transactions", json.dumps(tx), key="loose")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert problem_fields(response) == ["amount"]
    assert api.world.container.ledger.ledger_version(pool) == 0
    # The same request with a plain amount is posted, under the same key: the refusal kept none.
    tx["amount"] = "100.00"
    assert _post_raw(api, f"/pools/{pool}/transactions", json.dumps(tx), key="loose").status_code == 201


@pytest.mark.parametrize(("amount", "contributed"), [(100, "100.00"), ("+250.50", "250.50"), ("7", "7.00")])
def test_plain_amounts_are_read_exactly(api: Api, amount: Any, contributed: str) -> None:
    pool = _pool(api)
    investor = api.world.investor_profile(api.world.investor)
    tx = {"type": "subscription", "investor_id": investor, "effective_date": "2025-01-01", "amount": amount}
    posted = _post_raw(api, f"/pools/{pool}/transactions", json.dumps(tx), key="plain")
    assert posted.status_code == 201, posted.get_json()
    positions = api.call("GET", "manager", f"/pools/{pool}/positions").get_json()
    assert positions["positions"][0]["contributed"] == contributed


@pytest.mark.parametrize("text", ["1E+2", "١٠", " 5000", "5000."])
def test_pool_terms_read_amounts_by_the_same_rule(api: Api, text: str) -> None:
    body = {
        "name": "Strict",
        "kind": "open_ended",
        "base_currency": "USD",
        "inception_date": "2025-01-01",
        "minimum_subscription": text,
    }
    response = api.call("POST", "manager", "/pools", body)
    assert response.status_code == 422 and problem_fields(response) == ["minimum_subscription"]


@pytest.mark.parametrize(
    "effective_date",
    ["2025-06-30T00:00:00", "2025-06-30 00:00", "20250630", "2025-W26-1", 0, "0", "٢٠٢٥-٠٦-٣٠"],
)
def test_a_date_field_takes_only_iso_dates(api: Api, effective_date: Any) -> None:
    pool = _pool(api)
    tx = {"type": "income", "amount": "10.00", "effective_date": effective_date}
    response = _post_raw(api, f"/pools/{pool}/transactions", json.dumps(tx), key="date")
    assert response.status_code == 422 and problem_fields(response) == ["effective_date"]
    assert api.world.container.ledger.ledger_version(pool) == 0


def test_duplicate_keys_are_refused_naming_the_key(api: Api) -> None:
    pool = _pool(api)
    investor = api.world.investor_profile(api.world.investor)
    raw = (
        f'{{"type": "subscription", "investor_id": {investor}, "amount": "1.00", '
        '"amount": "1000000000.00", "effective_date": "2025-01-01"}'
    )
    response = _post_raw(api, f"/pools/{pool}/transactions", raw, key="dup")
    assert response.status_code == 422 and problem_fields(response) == ["amount"]
    batch = (
        '{"transactions": [{"type": "income", "amount": "1.00", "effective_date": "2025-01-01", '
        '"effective_date": "2025-01-02"}]}'
    )
    refused = _post_raw(api, f"/pools/{pool}/transactions/batch", batch, key="dup-batch")
    assert refused.status_code == 422 and problem_fields(refused) == ["effective_date"]
    assert api.world.container.ledger.ledger_version(pool) == 0


def test_a_query_parameter_given_twice_is_refused(api: Api) -> None:
    pool = _pool(api)
    response = api.call("GET", "admin", f"/pools/{pool}/performance?as_of=2025-06-30&as_of=2025-12-31")
    assert response.status_code == 422 and problem_fields(response) == ["as_of"]


def test_a_body_nested_too_deeply_is_a_400_problem(api: Api) -> None:
    response = _post_raw(api, "/benchmarks", "[" * 200_000 + "]" * 200_000)
    assert response.status_code == 400 and problem_fields(response) == ["body"]


# -- 8. hardening headers -------------------------------------------------------------------------


def test_api_answers_are_not_stored_by_any_cache(api: Api) -> None:
    pool = _pool(api)
    for response in (
        api.call("GET", "admin", f"/pools/{pool}"),
        api.call("GET", "admin", "/pools/999999"),
        api.call("GET", "admin", f"/exports/transactions.csv?pool_id={pool}"),
        api.client.get("/api/v1/openapi.json"),
    ):
        assert response.headers["Cache-Control"] == "no-store", response.status_code


def test_hsts_is_sent_over_https_only(api: Api) -> None:
    over_https = api.client.get("/healthz", base_url="https://pools.example")
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in api.client.get("/healthz").headers


@pytest.mark.parametrize("backend_name", ["sqlite"])
@pytest.mark.parametrize(("hops", "expected"), [(0, False), (1, True)])
def test_hsts_behind_a_proxy_follows_the_trusted_hops(
    container: Container, tmp_path: object, hops: int, expected: bool
) -> None:
    settings = load_settings(VAR_DIR=str(tmp_path), TRUSTED_PROXY_HOPS=str(hops))
    client = create_app(Container(settings, db=container.db)).test_client()
    response = client.get(
        "/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert ("Strict-Transport-Security" in response.headers) is expected


@pytest.mark.parametrize("backend_name", ["sqlite"])
def test_the_development_server_names_no_software(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(container)
    assert isinstance(app, PlatformServer)
    handed: dict[str, Any] = {}
    monkeypatch.setattr(
        werkzeug.serving, "run_simple", lambda host, port, wsgi, **options: handed.update(options)
    )
    app.run(host="127.0.0.1", port=0, use_reloader=False)  # a developer serving it with Flask's runner
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, request_handler=handed["request_handler"])
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        assert response.status == 200
        header = response.getheader("Server") or ""
        assert "werkzeug" not in header.lower() and "python" not in header.lower(), header
        connection.close()
    finally:
        thread.join(10)
        server.server_close()


# -- the OpenAPI document resolves every $ref ------------------------------------------------------


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for escaped in ref[2:].split("/"):
        part = escaped.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve at {part!r}"
        node = node[part]
    return node


@pytest.mark.parametrize("backend_name", ["sqlite"])
def test_every_ref_in_the_openapi_document_resolves(container: Container) -> None:
    document = create_app(container).test_client().get("/api/v1/openapi.json").get_json()
    refs = _refs(document)
    assert "#/components/schemas/EntryType" in refs and "#/components/schemas/PoolStatus" in refs
    for ref in sorted(set(refs)):
        assert isinstance(_resolve(document, ref), dict), ref
    pool_id = document["paths"]["/api/v1/pools/{pool_id}"]["get"]["parameters"][0]
    assert pool_id["schema"] == {"type": "integer", "minimum": 1, "maximum": ID_MAX}
