"""The sandbox's objects and events, behind one lock, with Stripe's list pagination and `expand`.

Every operation runs under `Store.lock` (the server takes it around each handler), so the
operations themselves are plain code. Objects leave the store only as deep copies: an event's
`data.object` is the object as it was when the event happened, never a live reference."""

from __future__ import annotations

import contextvars
import copy
import secrets
import string
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from backend.payments.sandbox.wire import ApiError, Obj, integer, text

API_VERSION = "2026-10-28.endive"
_ALPHABET = string.ascii_letters + string.digits
_MAX_LIMIT = 100


@dataclass(frozen=True)
class RequestContext:
    """Which API request caused an event (Stripe's `event.request`); none for the test controls."""

    request_id: str | None
    idempotency_key: str | None


CURRENT_REQUEST: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "sandbox_request", default=None
)


class Clock:
    """Real time plus an offset that `advance` moves forward, so tests can age objects and keys."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> int:
        return int(time.time() + self._offset)

    def advance(self, seconds: float) -> int:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()


def new_id(prefix: str, length: int = 24) -> str:
    # Random, not sequential: ids from two sandboxes (or two test runs) must never collide.
    return f"{prefix}_" + "".join(_ALPHABET[byte % len(_ALPHABET)] for byte in secrets.token_bytes(length))


class Store:
    def __init__(self, clock: Clock, on_event: Callable[[Obj], None]) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self._on_event = on_event
        self._objects: dict[str, Obj] = {}
        self._by_kind: dict[str, list[str]] = {}
        self._renderers: dict[str, Callable[[Obj], None]] = {}

    # -- objects ---------------------------------------------------------------------------------
    def create(self, kind: str, prefix: str, fields: Obj) -> Obj:
        """A new object with Stripe's common fields; `fields` may override `metadata`."""
        obj: Obj = {"id": new_id(prefix), "object": kind, "created": self.clock.now(), "livemode": False,
                    "metadata": {}}
        obj.update(fields)
        self._objects[obj["id"]] = obj
        self._by_kind.setdefault(kind, []).append(obj["id"])
        return obj

    def get(self, kind: str, obj_id: str, param: str = "id") -> Obj:
        obj = self._objects.get(obj_id)
        if obj is None or obj["object"] != kind:
            raise ApiError.missing(kind, obj_id, param)
        return obj

    def find(self, obj_id: str) -> Obj | None:
        return self._objects.get(obj_id)

    def all(self, kind: str) -> list[Obj]:
        """Oldest first, as created."""
        return [self._objects[i] for i in self._by_kind.get(kind, [])]

    def on_render(self, kind: str, renderer: Callable[[Obj], None]) -> None:
        """A hook that refreshes a time-dependent field (a balance transaction's status) before reading."""
        self._renderers[kind] = renderer

    def render(self, obj: Obj) -> Obj:
        """A deep copy to send out; a list or search result renders each of its items."""
        items = obj["data"] if obj["object"] in ("list", "search_result") else [obj]
        for item in items:
            renderer = self._renderers.get(item["object"])
            if renderer is not None:
                renderer(item)
        return copy.deepcopy(obj)

    # -- events ----------------------------------------------------------------------------------
    def emit(self, event_type: str, obj: Obj, previous: Obj | None = None) -> Obj:
        request = CURRENT_REQUEST.get()
        data: Obj = {"object": self.render(obj)}
        if previous:
            data["previous_attributes"] = previous
        event = self.create("event", "evt", {
            "api_version": API_VERSION,
            "data": data,
            "pending_webhooks": 1,
            "request": {"id": request.request_id if request else None,
                        "idempotency_key": request.idempotency_key if request else None},
            "type": event_type,
        })
        del event["metadata"]  # events are the one object without metadata
        self._on_event(event)  # the listener serialises it at once and keeps no reference
        return event

    # -- lists -----------------------------------------------------------------------------------
    def page(self, kind: str, params: Obj, url: str, where: Callable[[Obj], bool] | None = None) -> Obj:
        """Stripe's list: newest first, `limit`, `starting_after`/`ending_before`, `created[...]`."""
        items = [o for o in reversed(self.all(kind))
                 if (where is None or where(o)) and _created_ok(o, params)]
        limit = integer(params, "limit", minimum=1) or 10
        if limit > _MAX_LIMIT:
            raise ApiError.invalid(f"This value must be less than or equal to {_MAX_LIMIT}.", param="limit")
        after, before = text(params, "starting_after"), text(params, "ending_before")
        if after is not None:
            items = items[_position(items, after, "starting_after") + 1:]
            chosen, has_more = items[:limit], len(items) > limit
        elif before is not None:
            items = items[:_position(items, before, "ending_before")]
            chosen, has_more = items[-limit:], len(items) > limit
        else:
            chosen, has_more = items[:limit], len(items) > limit
        return {"object": "list", "data": chosen, "has_more": has_more, "url": url}

    def expand(self, obj: Obj, params: Obj) -> Obj:
        """Replace ids by the objects they name along each `expand[]` path
        (`latest_charge.balance_transaction`)."""
        raw = params.get("expand", [])
        for path in raw if isinstance(raw, list) else [raw]:
            if isinstance(path, str):
                self._expand_path(obj, path.split("."))
        return obj

    def _expand_path(self, node: Any, parts: list[str]) -> None:
        if not parts or not isinstance(node, dict):
            return
        head, rest = parts[0], parts[1:]
        value = node.get(head)
        if head == "data" and isinstance(value, list):
            for item in value:
                self._expand_path(item, rest)
            return
        if isinstance(value, str) and (target := self._objects.get(value)) is not None:
            node[head] = value = self.render(target)
        self._expand_path(value, rest)


def _position(items: Iterable[Obj], cursor: str, param: str) -> int:
    for index, item in enumerate(items):
        if item["id"] == cursor:
            return index
    raise ApiError.invalid(f"No such object: '{cursor}'", param=param, code="resource_missing")


def _created_ok(obj: Obj, params: Obj) -> bool:
    created = params.get("created")
    if created is None:
        return True
    if isinstance(created, str):
        return bool(obj["created"] == integer(params, "created"))
    bounds = {op: integer(created, op) for op in ("gt", "gte", "lt", "lte")}
    stamp: int = obj["created"]
    return all((
        bounds["gt"] is None or stamp > bounds["gt"],
        bounds["gte"] is None or stamp >= bounds["gte"],
        bounds["lt"] is None or stamp < bounds["lt"],
        bounds["lte"] is None or stamp <= bounds["lte"],
    ))
