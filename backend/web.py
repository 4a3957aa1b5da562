"""The Flask server every role's HTTP traffic lands on: API, portal, health and metrics.

Stateless by construction: sessions are signed cookies, rate limits and token state live in
the database, caches in Redis; any app server can answer any request.
"""

from __future__ import annotations

from flask import Flask, Response, g, json
from flask_login import LoginManager, UserMixin, current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from backend.actors import Actor
from backend.api import create_api_blueprint
from backend.container import Container
from backend.health import readiness
from backend.observability import RequestMetrics, install_request_context

# Routes that answer without a session or token. Everything else is refused by the guard.
PUBLIC_ENDPOINTS = frozenset(
    {
        "healthz",
        "readyz",
        "metrics",
        "static",
        "api.openapi",
        "api.post_issue_token",
        "api.post_refresh_token",
    }
)


class SessionUser(UserMixin):  # type: ignore[misc]
    """What flask-login keeps for a portal session: just enough to rebuild the Actor."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    def get_id(self) -> str:
        return str(self.actor.user_id)


def create_app(container: Container) -> Flask:
    server = Flask("investment_pools", static_folder=None)
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

    @server.get("/metrics", endpoint="metrics")
    def metrics_endpoint() -> Response:
        return metrics.exposition()

    server.register_blueprint(create_api_blueprint(container))

    from portal import install_portal  # the portal depends on the server, never the reverse

    install_portal(server, container)
    return server
