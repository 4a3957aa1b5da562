"""Posting a Dash callback as dash-renderer does, for the portal tests (no tests here)."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.integration.portal_support import csrf_cookie

Prop = tuple[Any, str]


def _id(ident: Any) -> str:
    return json.dumps(ident, sort_keys=True, separators=(",", ":")) if isinstance(ident, dict) else str(ident)


def post_callback(
    client: FlaskClient,
    outputs: list[Prop],
    inputs: list[tuple[Any, str, Any]],
    state: list[tuple[Any, str, Any]] = (),  # type: ignore[assignment]
) -> TestResponse:
    """POST /_dash-update-component; 204 means the callback prevented the update."""
    client.get("/_dash-dependencies")  # Dash registers the callbacks on its first request
    if len(outputs) == 1:
        ident, prop = outputs[0]
        output = f"{_id(ident)}.{prop}"
        outs: Any = {"id": ident, "property": prop}
    else:
        output = ".." + "...".join(f"{_id(i)}.{p}" for i, p in outputs) + ".."
        outs = [{"id": i, "property": p} for i, p in outputs]
    body = {
        "output": output,
        "outputs": outs,
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{_id(inputs[0][0])}.{inputs[0][1]}"] if inputs else [],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
    }
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_cookie(client)})


def response_of(response: TestResponse) -> dict[str, Any]:
    """{component id: {property: value}} of a 200 callback answer."""
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    doc: dict[str, Any] = response.get_json()["response"]
    return doc
