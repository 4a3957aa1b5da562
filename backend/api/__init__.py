"""REST gateway at /api/v1: stateless, pydantic models in and out, problem+json errors."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, json

from backend.api import (
    auth_routes,
    batch_routes,
    exports_routes,
    investors_routes,
    ledger_routes,
    notifications_routes,
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
    ):
        module.register(router, container)
    return router


def create_api_blueprint(container: Services) -> Blueprint:
    router = build_router(container)
    blueprint = Blueprint("api", __name__, url_prefix=API_PREFIX)
    router.install(blueprint, lambda: resolve_actor(container))
    document: dict[str, Any] = openapi_document(router, title="Investment pools API", version=API_VERSION)

    @blueprint.get("/openapi.json")
    def openapi() -> Response:
        return Response(json.dumps(document), mimetype="application/json")

    return blueprint
