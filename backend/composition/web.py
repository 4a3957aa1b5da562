"""The Flask server every role's HTTP traffic lands on: API, portal, health and metrics.

Stateless by construction: sessions are signed cookies, rate limits and token state live in
the database, caches in Redis; any app server can answer any request.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from dash.exceptions import DependencyException
from flask import Flask, Response, g, json, request
from flask_login import LoginManager, current_user
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import WSGIRequestHandler

from backend.api import create_api_blueprint
from backend.composition.callback_metrics import CallbackMetrics, install_callback_metrics
from backend.composition.container import Container
from backend.composition.metrics_server import scrape_allowed
from backend.payments.state_metrics import PaymentStateMetrics, payment_states
from backend.platform.health import readiness
from backend.platform.http import problem
from backend.platform.observability import RequestMetrics, install_request_context
from backend.platform.orm import utcnow
from ledger.events import Backlog
from ledger.outbox_metrics import BacklogMetrics
from ledger.verify_metrics import VerifyMetrics
from ledger.verify_runs import last_full_run
from notifications.delivery_metrics import DeliveryMetrics, delivery_states
from portal import install_portal
from portal.shell.session import SessionUser
from reports.snapshot_metrics import SnapshotMetrics, newest_snapshots

SERVER_NAME = "investment-pools"
"""What the development server says in its Server header, instead of its Werkzeug and
Python versions (gunicorn says "gunicorn", with no version)."""

HSTS = "max-age=31536000; includeSubDomains"
_API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class _RequestHandler(WSGIRequestHandler):
    def version_string(self) -> str:
        return SERVER_NAME


class PlatformServer(Flask):
    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: Any,
    ) -> None:
        """`python app.py run`'s server, whose Server header names no software version."""
        options.setdefault("request_handler", _RequestHandler)
        super().run(host, port, debug, load_dotenv, **options)


def _is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def _install_metrics(server: Flask, metrics: RequestMetrics, container: Container) -> None:
    token = container.settings.metrics_token

    def backlog() -> Backlog:  # the relay is built at the first scrape, not with the app
        return container.ledger_relay.backlog()

    metrics.read_when_scraped(BacklogMetrics(backlog, utcnow))

    # Business figures, read at each scrape like the backlog; the services they need are
    # built at the first scrape, not with the app.
    def pool_ids() -> list[int]:
        return container.pools.all_pool_ids()

    def has_entries(pool_id: int) -> bool:
        return container.ledger.has_entries(pool_id)

    metrics.read_when_scraped(PaymentStateMetrics(lambda since: payment_states(container.db, since), utcnow))
    metrics.read_when_scraped(DeliveryMetrics(lambda: delivery_states(container.db), utcnow))
    snapshots = SnapshotMetrics(lambda: newest_snapshots(container.db), pool_ids, has_entries, utcnow)
    metrics.read_when_scraped(snapshots)
    metrics.read_when_scraped(VerifyMetrics(lambda: last_full_run(container.db)))

    # RED per Dash callback; the callbacks the portal registers (once it is built, below
    # this) are the only label values.
    def callbacks() -> Collection[str]:
        return server.extensions["portal_dash"].callback_map  # type: ignore[no-any-return]

    install_callback_metrics(server, CallbackMetrics(metrics.registry, callbacks))

    @server.get("/metrics", endpoint="metrics")
    def metrics_endpoint() -> Response:
        # The one rule of every /metrics (backend/composition/metrics_server.py): the scrape
        # token, or a loopback client that came through no proxy. After ProxyFix, so
        # REMOTE_ADDR is the client the trusted hops name.
        if not scrape_allowed(request.environ, token):
            return Response("not found\n", status=404, mimetype="text/plain")
        return metrics.exposition()


def _allow_only_api_methods(response: Response, api_methods: Callable[[], list[str]]) -> None:
    """Flask's OPTIONS answer lists every rule matching the URL, Dash's catch-all GET page
    route included; an API resource allows only its own operations."""
    if request.method != "OPTIONS" or not _is_api_path(request.path) or "Allow" not in response.headers:
        return
    methods = api_methods()
    if methods:
        head = ["HEAD"] if "GET" in methods else []
        response.headers["Allow"] = ", ".join([*methods, *head, "OPTIONS"])


def create_app(container: Container) -> Flask:
    server = PlatformServer("investment_pools", static_folder=None)
    secure = container.settings.session_cookie_secure
    server.config.update(
        SECRET_KEY=container.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(secure),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=bool(secure),
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
    )
    hops = container.settings.trusted_proxy_hops
    if hops:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    server.extensions["container"] = container
    metrics = RequestMetrics()
    server.extensions["request_metrics"] = metrics
    install_request_context(server, metrics)

    login_manager = LoginManager()
    login_manager.init_app(server)
    login_manager.session_protection = "strong"

    @login_manager.user_loader  # type: ignore[untyped-decorator]
    def _load_user(user_id: str) -> SessionUser | None:
        if not user_id.isdigit():
            return None
        actor = container.auth.actor_for_user_id(int(user_id))
        return SessionUser(actor) if actor else None

    @server.before_request
    def _session_actor() -> None:
        if current_user.is_authenticated:
            g.session_actor = current_user.actor

    def _api_methods_here() -> list[str]:
        adapter = server.create_url_adapter(request)
        allowed = []
        for method in _API_METHODS:
            try:
                rule, _ = adapter.match(method=method, return_rule=True)  # type: ignore[union-attr]
            except HTTPException:
                continue
            if rule.endpoint.startswith("api."):
                allowed.append(method)
        return allowed

    @server.before_request
    def _unknown_api_path() -> Response | None:
        """A path under /api/ that no operation has is a 404 problem, token or not.

        Dash's catch-all page route matches every path, /api/... included; without this an
        unknown API path with any Bearer header (which the guard leaves to the API) would
        be answered with the portal's index page. Registered before the guard, so the
        answer is the same with or without credentials. An id out of its column's range
        does not match its route (backend.api.routing) and lands here too, as do other
        scripts' digits, which Flask's int converter would read as ASCII ones."""
        if not _is_api_path(request.path):
            return None
        if request.blueprint == "api" and request.path.isascii():
            return None
        allowed = _api_methods_here() if request.path.isascii() else []
        if allowed:
            return problem(
                405,
                "Method not allowed",
                f"{request.method} is not an operation here; {', '.join(allowed)} are",
                type_slug="method-not-allowed",
                headers={"Allow": ", ".join(allowed)},
            )
        detail = f"no API operation or object at {request.path}"
        return problem(404, "Not found", detail, type_slug="not-found")

    @server.after_request
    def _transport_headers(response: Response) -> Response:
        _allow_only_api_methods(response, _api_methods_here)
        if _is_api_path(request.path):
            # Every API answer is someone's data (positions, statements, tokens): no cache,
            # shared or the browser's, may keep one.
            response.headers.setdefault("Cache-Control", "no-store")
        if request.is_secure:
            # is_secure honours X-Forwarded-Proto from the configured proxy hops (ProxyFix
            # above), so behind nginx this is the client's scheme, not the hop's.
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    @server.errorhandler(DependencyException)
    def _no_such_component_file(_exc: DependencyException) -> Response:
        # Dash serves only the files its components registered and raises for any other
        # path under /_dash-component-suites/ ("..%2f..%2fapp.py" included): not found.
        return Response("Not found\n", status=404, mimetype="text/plain")

    @server.get("/healthz")
    def healthz() -> Response:
        return Response(json.dumps({"status": "ok"}), mimetype="application/json")

    @server.get("/readyz")
    def readyz() -> Response:
        checks = readiness(container)
        failing = [c.name for c in checks if not c.ok]
        body = {
            "status": "ok" if not failing else "unavailable",
            "failing": failing,
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
        }
        return Response(json.dumps(body), status=503 if failing else 200, mimetype="application/json")

    _install_metrics(server, metrics, container)

    server.register_blueprint(create_api_blueprint(container))
    install_portal(server, container)
    return server
