"""The platform's own HTTP surface: health, readiness, metrics, request ids, OpenAPI."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from flask import Flask

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.cache import InProcessCache
from backend.platform.config import Settings, load_settings
from ledger.interface import TransactionRequest
from tests.conftest import AMQP_URL, REDIS_URL
from tests.integration.pools_support import make_world, open_pool


@pytest.fixture
def app(container: Container) -> Flask:
    return create_app(container)


def test_healthz_needs_nothing(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_request_id_is_echoed_and_reaches_every_log_line(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    from backend.platform.observability import JsonFormatter

    with caplog.at_level(logging.INFO, logger="http"):
        response = app.test_client().get("/healthz", headers={"X-Request-ID": "trace-123"})
    assert response.headers["X-Request-ID"] == "trace-123"
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "http"]
    assert lines and all(line["request_id"] == "trace-123" for line in lines)
    assert lines[-1]["route"] == "/healthz" and lines[-1]["status"] == 200


def test_request_id_is_generated_when_absent_or_unsafe(app: Flask) -> None:
    client = app.test_client()
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    injected = client.get("/healthz", headers={"X-Request-ID": "<script> x"}).headers["X-Request-ID"]
    assert injected != "<script> x" and len(injected) == 32


def test_metrics_count_requests_by_route_template(app: Flask) -> None:
    client = app.test_client()
    client.get("/healthz")
    client.get("/api/v1/users/123")  # unmatched paths must not create a label per id
    body = client.get("/metrics").get_data(as_text=True)
    assert 'http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in body
    assert "http_request_duration_seconds_bucket" in body
    assert "/api/v1/users/123" not in body
    assert "process_resident_memory_bytes" in body  # process-wide metrics too (default registry)


def test_metrics_answer_only_loopback_without_a_token(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert outside.status_code == 404 and "http_requests_total" not in outside.get_data(as_text=True)
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
    assert proxied.status_code == 404  # a proxy on this host makes everyone look like loopback


def test_metrics_need_the_scrape_token_when_one_is_set(container: Container) -> None:
    token = "a-scrape-token-of-some-length"
    container.settings = container.settings.model_copy(update={"metrics_token": token})
    client = create_app(container).test_client()
    assert client.get("/metrics").status_code == 404  # loopback is not enough now
    wrong = client.get("/metrics", headers={"Authorization": "Bearer wrong-token-of-length"})
    assert wrong.status_code == 404
    scraped = client.get(
        "/metrics", headers={"Authorization": f"Bearer {token}"}, environ_base={"REMOTE_ADDR": "203.0.113.7"}
    )
    assert scraped.status_code == 200 and "http_requests_total" in scraped.get_data(as_text=True)


def test_openapi_document_is_3_1_with_problem_responses(app: Flask) -> None:
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    create_user = doc["paths"]["/api/v1/users"]["post"]
    assert create_user["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/UserCreate")
    assert "application/problem+json" in create_user["responses"]["422"]["content"]
    assert "UserCreate" in doc["components"]["schemas"]


def test_openapi_component_names_do_not_depend_on_which_file_defines_a_model(app: Flask) -> None:
    # Two services each have a NavPoint and a StatementFormat, so their components are
    # named after the module; reports' schemas are a package of files, and the names a
    # client generates code from say the package, as they did when it was one file.
    names = set(app.test_client().get("/api/v1/openapi.json").get_json()["components"]["schemas"])
    qualified = {name for name in names if "__" in name}
    assert qualified == {
        "backend__payments__schemas__StatementFormat",
        "backend__pools__schemas__NavPoint",
        "reports__schemas__NavPoint",
        "reports__schemas__StatementFormat",
    }


def _real_services_settings(tmp: str, **overrides: str) -> Settings:
    values = {"VAR_DIR": tmp, "REDIS_URL": REDIS_URL, "CELERY_BROKER_URL": AMQP_URL, **overrides}
    return load_settings(**values)


@pytest.mark.parametrize("backend_name", ["mariadb"])
def test_readyz_ok_against_real_redis_and_rabbitmq(container: Container, tmp_path: object) -> None:
    real = Container(_real_services_settings(str(tmp_path)), db=container.db)
    response = create_app(real).test_client().get("/readyz")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["checks"]["cache"] == {"ok": True, "detail": "redis"}
    assert body["checks"]["broker"] == {"ok": True, "detail": "amqp"}


@pytest.mark.parametrize("backend_name", ["sqlite"])
def test_readyz_names_what_is_unreachable(container: Container, tmp_path: object) -> None:
    # Port 1 on loopback: nothing listens there, so both connections are refused at once.
    broken = Container(
        _real_services_settings(
            str(tmp_path),
            REDIS_URL="redis://127.0.0.1:1/0",
            CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:1//",
        ),
        db=container.db,
    )
    response = create_app(broken).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["cache", "broker"]


def test_embedded_container_defaults(tmp_path: object) -> None:
    settings = load_settings(VAR_DIR=str(tmp_path))
    embedded = Container(settings)
    assert settings.embedded and embedded.db.primary.dialect.name == "sqlite"
    assert isinstance(embedded.cache, InProcessCache)
    # Secrets are generated once and then stable across restarts.
    assert embedded.secret_key == Container(settings).secret_key and len(embedded.secret_key) > 40
    assert list(embedded.jwt_keys_dir.glob("*.pem"))


@pytest.mark.parametrize(("hops", "expected"), [(0, "10.0.0.1"), (1, "203.0.113.9")])
@pytest.mark.parametrize("backend_name", ["sqlite"])
def test_client_address_trusts_exactly_the_configured_proxy_hops(
    container: Container, tmp_path: object, caplog: pytest.LogCaptureFixture, hops: int, expected: str
) -> None:
    settings = load_settings(VAR_DIR=str(tmp_path), TRUSTED_PROXY_HOPS=str(hops))
    client = create_app(Container(settings, db=container.db)).test_client()
    with caplog.at_level(logging.INFO, logger="http"):
        client.get(
            "/healthz",
            headers={"X-Forwarded-For": "203.0.113.9"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
    assert [r.client for r in caplog.records if r.name == "http"] == [expected]  # type: ignore[attr-defined]


def test_log_lines_follow_stdout_after_it_is_replaced_and_the_old_one_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server thread outliving a redirected stdout kept writing to the closed stream."""
    import io
    import sys

    from backend.platform.observability import StdoutHandler

    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", first)
    handler = StdoutHandler()
    log = logging.getLogger("test.stdout-handler")
    monkeypatch.setattr(log, "handlers", [handler])
    monkeypatch.setattr(log, "propagate", False)
    log.warning("before")
    monkeypatch.setattr(sys, "stdout", second)
    first.close()
    monkeypatch.setattr(logging, "raiseExceptions", True)
    failures: list[logging.LogRecord] = []
    monkeypatch.setattr(handler, "handleError", failures.append)
    log.warning("after")
    assert failures == [] and second.getvalue() == "after\n"


def _sample(body: str, name: str) -> float | None:
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.split(" ")[-1])
    return None


def test_metrics_report_the_outbox_backlog_and_the_entries_posted(container: Container) -> None:
    # A broker is configured, so the relay is a process of its own, not running here: the
    # events of what is posted wait in the outbox.
    settings = container.settings.model_copy(update={"celery_broker_url": AMQP_URL})
    world = make_world(Container(settings, db=container.db, cache=container.cache))
    client = create_app(world.container).test_client()
    posted = 'ledger_entries_posted_total{path="single"}'
    unpublished = "ledger_outbox_unpublished_events"
    first = client.get("/metrics").get_data(as_text=True)
    before, waiting = _sample(first, posted) or 0.0, _sample(first, unpublished)
    assert waiting is not None
    pool = world.container.pools.create_pool(world.manager, open_pool(minimum_subscription="0.00")).id
    subscription = {
        "type": "subscription",
        "investor_id": world.investor_profile(world.investor),
        "amount": "1000.00",
        "effective_date": "2025-01-02",
    }
    world.container.transactions.record(
        world.manager, pool, TransactionRequest.model_validate(subscription), str(uuid.uuid4())
    )
    body = client.get("/metrics").get_data(as_text=True)
    assert _sample(body, posted) == before + 1
    assert (_sample(body, unpublished) or 0) >= waiting + 1  # the entry's events
    waited = _sample(body, "ledger_outbox_oldest_unpublished_age_seconds")
    assert waited is not None and waited >= 0


def test_dash_first_request_set_up_is_done_before_the_server_takes_requests(app: Flask) -> None:
    # Dash finishes its set-up in first-request hooks behind a check-then-set flag: two
    # requests arriving together at a fresh threaded worker once ran it twice and one
    # answered 500. Done at start-up, the first requests change nothing and all succeed.
    import threading

    dash_app = app.extensions["portal_dash"]
    callbacks = set(dash_app.callback_map)
    assert callbacks, "start-up moved no callback into Dash's map"
    clients = 8
    barrier = threading.Barrier(clients)
    statuses: list[int] = []

    def first_request() -> None:
        barrier.wait()
        statuses.append(app.test_client().get("/healthz").status_code)
        statuses.append(app.test_client().get("/login").status_code)

    threads = [threading.Thread(target=first_request) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(200) == 2 * clients
    assert set(dash_app.callback_map) == callbacks
