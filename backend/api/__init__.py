"""REST gateway at /api/v1: stateless, pydantic models in and out, problem+json errors."""

from __future__ import annotations

from flask import Blueprint, Response, json

from backend.api import (
    auth_routes,
    batch_routes,
    documents_routes,
    exports_routes,
    investors_routes,
    ledger_routes,
    notifications_routes,
    payments_routes,
    payouts_routes,
    pools_routes,
    reports_routes,
    users_routes,
)
from backend.api.identity import resolve_actor
from backend.api.routing import ApiRouter, openapi_document
from backend.service_directory import Services

API_PREFIX = "/api/v1"
API_VERSION = "1.0.0"


def build_router(container: Services) -> ApiRouter:
    router = ApiRouter(API_PREFIX)
    for module in (
        auth_routes,
        users_routes,
        pools_routes,
        investors_routes,
        ledger_routes,
        batch_routes,
        exports_routes,
        reports_routes,
        notifications_routes,
        documents_routes,
        payments_routes,
        payouts_routes,
    ):
        module.register(router, container)
    return router


def create_api_blueprint(container: Services) -> Blueprint:
    router = build_router(container)
    blueprint = Blueprint("api", __name__, url_prefix=API_PREFIX)
    router.install(blueprint, lambda: resolve_actor(container))
    document: list[str] = []

    @blueprint.get("/openapi.json")
    def openapi() -> Response:
        # Built on first request, not with the app: it is most of the cost of building one
        # (0.4 s of 0.5 s), and most app instances (tests, short-lived workers) never serve it.
        if not document:
            document.append(
                json.dumps(openapi_document(router, title="Investment pools API", version=API_VERSION))
            )
        return Response(document[0], mimetype="application/json")

    return blueprint
