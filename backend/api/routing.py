"""Declare an API operation once: Flask route, request parsing, identity, and its OpenAPI entry.

A handler receives parsed pydantic models and the acting identity, and returns a pydantic
model (or a list of them). Errors are raised as DomainError and leave as problem+json.
"""

from __future__ import annotations

import inspect
import json as std_json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, get_args, get_origin

from flask import Blueprint, Response, json, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import CoreModeRef, CoreRef, DefsRef, GenerateJsonSchema, models_json_schema
from sqlalchemy.exc import SQLAlchemyError

from backend.api.problems import from_domain_error, from_validation_error
from backend.platform.db import database_unavailable
from backend.platform.errors import DependencyUnavailable, DomainError, ValidationFailed
from backend.platform.fields import ID_MAX
from backend.platform.http import PROBLEM_MIME, problem

log = logging.getLogger(__name__)

# A path id beyond its column's range names no row, so the route does not match and the
# answer is 404 (SQLite cannot even bind a number past 2^63). Most ids are INT columns; the
# journal's entries, the notifications and the payment tables are BIGINT.
_BIGINT_MAX = 2**63 - 1
_PATH_ID_MAX = {
    "entry_id": _BIGINT_MAX,
    "notification_id": _BIGINT_MAX,
    "document_id": _BIGINT_MAX,
    "request_id": _BIGINT_MAX,
    "payment_id": _BIGINT_MAX,
    "line_id": _BIGINT_MAX,
}

Handler = Callable[..., Any]
ActorResolver = Callable[[], Any]


@dataclass
class Operation:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    public: bool
    errors: tuple[int, ...] = field(default_factory=tuple)


class ApiRouter:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.operations: list[Operation] = []

    def operation(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        tag: str,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: Any = None,
        status: int = 200,
        public: bool = False,
        errors: tuple[int, ...] = (),
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.operations.append(
                Operation(
                    method.upper(), path, handler, summary, tag, body, query, response, status, public, errors
                )
            )
            return handler

        return register

    def install(self, blueprint: Blueprint, resolve_actor: ActorResolver) -> None:
        for op in self.operations:
            blueprint.add_url_rule(
                _flask_path(op.path),
                endpoint=f"{op.method.lower()}_{op.handler.__name__}",
                view_func=_view(op, resolve_actor),
                methods=[op.method],
            )


def _path_id_max(name: str) -> int:
    return _PATH_ID_MAX.get(name, ID_MAX)


def _flask_path(path: str) -> str:
    # OpenAPI writes {pool_id}; Flask writes <pool_id>. Ids are integers throughout.
    out = path
    while "{" in out:
        start, end = out.index("{"), out.index("}")
        name = out[start + 1 : end]
        out = out[:start] + f"<int(min=1, max={_path_id_max(name)}):{name}>" + out[end + 1 :]
    return out


def _problem_for(exc: Exception, op: Operation) -> Response:
    """The problem document for what an operation raised; re-raises what is a bug (a 500)."""
    if isinstance(exc, DomainError):
        return from_domain_error(exc)
    if isinstance(exc, ValidationError):
        return from_validation_error(exc)
    if isinstance(exc, _BadJson):
        return problem(
            400,
            "Malformed JSON",
            str(exc),
            type_slug="malformed-json",
            errors=[{"field": "body", "reason": str(exc)}],
        )
    if not database_unavailable(exc):
        raise exc
    # A failover or a restart. A write cut off during its COMMIT may or may not have
    # committed: the client's retry with the same Idempotency-Key settles which, so the
    # answer is "retry", not 500.
    log.warning("database unavailable", extra={"operation": op.handler.__name__, "error": type(exc).__name__})
    return from_domain_error(
        DependencyUnavailable("the database is unavailable; send the same request again shortly")
    )


def _view(op: Operation, resolve_actor: ActorResolver) -> Callable[..., Response]:
    params = inspect.signature(op.handler).parameters

    def view(**path_args: Any) -> Response:
        try:
            kwargs: dict[str, Any] = dict(path_args)
            if "actor" in params:
                kwargs["actor"] = None if op.public else resolve_actor()
            if op.body is not None:
                kwargs["body"] = _parse_body(op.body)
            if op.query is not None:
                kwargs["query"] = op.query.model_validate(_query_args())
            result = op.handler(**kwargs)
        except (DomainError, ValidationError, _BadJson, SQLAlchemyError) as exc:
            return _problem_for(exc, op)
        if isinstance(result, Response):
            return result
        if result is None:
            return Response(status=204)
        return Response(_dump(result), status=op.status, mimetype="application/json")

    view.__name__ = op.handler.__name__
    return view


class _BadJson(Exception):
    pass


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


def _query_args() -> dict[str, str]:
    # A parameter given twice would silently be read as its first value.
    for name in request.args:
        if len(request.args.getlist(name)) > 1:
            raise ValidationFailed(f"{name}: given more than once", field=name)
    return request.args.to_dict()


def _parse_body(model: type[BaseModel]) -> BaseModel:
    if not request.is_json:
        raise _BadJson("the request body must be JSON with Content-Type: application/json")
    raw = request.get_data(as_text=True)
    # Pydantic keeps the last of two equal keys: {"amount": "1.00", "amount": "1000000000.00"}
    # would post the billion that a reviewer reading the first key never saw. This pass only
    # looks for such keys; the body is validated from the raw text below as before.
    try:
        std_json.loads(raw, object_pairs_hook=_refuse_duplicate_keys)
    except _DuplicateKey as exc:
        raise ValidationFailed(f"{exc.key}: the key appears more than once", field=exc.key) from None
    except RecursionError:
        raise _BadJson("the request body is nested too deeply") from None
    except ValueError:
        pass  # not JSON at all: pydantic says so below, as for any malformed body
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise _BadJson("the request body is not valid JSON") from exc
        raise


def _dump(result: Any) -> str:
    if isinstance(result, BaseModel):
        return result.model_dump_json()
    if isinstance(result, list):
        return "[" + ",".join(_dump(item) for item in result) + "]"
    return json.dumps(result)


# -- OpenAPI ---------------------------------------------------------------------------


_FILE_IN_SCHEMAS_PACKAGE = re.compile(r"(\.schemas)\.[a-z_]+\.")


class _PublicSchemaNames(GenerateJsonSchema):
    """Where two models share a name (reports' and pools' `NavPoint`), pydantic names their
    components after their modules, and clients generate code from those names. A service's
    schemas may be a package of files; the name says the package (`reports__schemas__NavPoint`),
    as callers import it, so moving a model between its files renames nothing."""

    def get_defs_ref(self, core_mode_ref: CoreModeRef) -> DefsRef:
        core_ref, mode = core_mode_ref
        return super().get_defs_ref((CoreRef(_FILE_IN_SCHEMAS_PACKAGE.sub(r"\1.", core_ref)), mode))


def openapi_document(router: ApiRouter, *, title: str, version: str) -> dict[str, Any]:
    models: set[type[BaseModel]] = set()
    for op in router.operations:
        for candidate in (op.body, op.query, _response_model(op.response)):
            if candidate is not None:
                models.add(candidate)
    _, top = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
        schema_generator=_PublicSchemaNames,
    )
    schemas = dict(top.get("$defs", {}))
    schemas["Problem"] = {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
                },
            },
        },
    }
    paths: dict[str, dict[str, Any]] = {}
    for op in router.operations:
        paths.setdefault(router.prefix + op.path, {})[op.method.lower()] = _operation_doc(op, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _response_model(response: Any) -> type[BaseModel] | None:
    if get_origin(response) is list:
        response = get_args(response)[0]
    return response if isinstance(response, type) and issubclass(response, BaseModel) else None


def _operation_doc(op: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    """The operation's entry; the types its query parameters name are added to `schemas`."""
    doc: dict[str, Any] = {
        "summary": op.summary,
        "tags": [op.tag],
        "operationId": op.handler.__name__,
        "responses": {},
    }
    path_params = [seg[1:-1] for seg in op.path.split("/") if seg.startswith("{")]
    parameters: list[dict[str, Any]] = [
        {
            "name": p,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": _path_id_max(p)},
        }
        for p in path_params
    ]
    if op.query is not None:
        # From the model's own schema, so each parameter keeps its constraints (ge=1, a
        # maximum, a pattern): the fuzzing test holds the parser to what is documented. An
        # enum parameter's schema refers to the enum's definition: that goes with the other
        # component schemas, where its $ref can find it (a $ref into "$defs" would not).
        whole = op.query.model_json_schema(
            ref_template="#/components/schemas/{model}", schema_generator=_PublicSchemaNames
        )
        schemas.update(whole.pop("$defs", {}))
        for name, info in op.query.model_fields.items():
            param = {k: v for k, v in whole["properties"][name].items() if k != "title"}
            parameters.append({"name": name, "in": "query", "required": info.is_required(), "schema": param})
    if parameters:
        doc["parameters"] = parameters
    if op.body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}}},
        }
    model = _response_model(op.response)
    if model is not None:
        schema: dict[str, Any] = {"$ref": f"#/components/schemas/{model.__name__}"}
        if get_origin(op.response) is list:
            schema = {"type": "array", "items": schema}
        doc["responses"][str(op.status)] = {
            "description": "OK",
            "content": {"application/json": {"schema": schema}},
        }
    else:
        doc["responses"][str(op.status)] = {"description": "OK"}
    problem_ref = {PROBLEM_MIME: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    # 400: a body that is not JSON at all (Malformed JSON), before any field is read.
    malformed = (400,) if op.body is not None else ()
    for status in sorted({*op.errors, 422, *malformed, *(() if op.public else (401, 403))}):
        doc["responses"][str(status)] = {"description": "Problem", "content": problem_ref}
    if not op.public:
        doc["security"] = [{"bearer": []}]
    return doc
