"""What the admin pages show: users, the audit log and the running system's health.

Users and the audit log come from their services as the signed-in admin (who alone may read
them). System status reuses the readiness checks and the database's replica probes, and
asks Celery and RabbitMQ only when a broker is configured ("not configured" otherwise).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from backend.audit.interface import MAX_TEXT as MAX_AUDIT_TEXT
from backend.platform.actors import Actor, Role
from backend.platform.health import readiness
from backend.users.interface import ROLE_WORDS
from portal.context import services

NOT_CONFIGURED = "not configured (embedded default)"
CELERY_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class StatusRow:
    component: str
    state: str  # "ok", "down", "not configured"
    detail: str


USER_ROWS = 1000
"""Accounts the users grid holds: a book has tens of thousands of investor accounts, and the
whole list in one page took seconds to build and send."""


def user_rows(actor: Actor, limit: int = USER_ROWS, search: str = "") -> list[dict[str, Any]]:
    return [
        {
            "id": u.id,
            "email": u.email,
            "name": u.display_name,
            "role": ROLE_WORDS[u.role],
            "active": "Active" if u.is_active else "Disabled",
            "created": u.created_at.strftime("%Y-%m-%d %H:%M"),
        }
        for u in services().users.list_users_page(actor, limit=limit, search=search)
    ]


def user_counts(actor: Actor) -> dict[str, tuple[int, int]]:
    """{role: (active, disabled)} for every role, even one nobody holds."""
    counted = {(row.role.value, row.active): row.accounts for row in services().users.count_by_role(actor)}
    return {
        role.value: (counted.get((role.value, True), 0), counted.get((role.value, False), 0)) for role in Role
    }


def audit_rows(
    actor: Actor, object_type: str | None, action: str | None, text: str | None, limit: int
) -> list[dict[str, Any]]:
    """The grid's rows, the text search done by the audit service over the whole log. Each row
    carries its change in full (`before`, `after`: pretty-printed JSON) for the detail view."""
    events = services().audit.list_events(
        actor,
        object_type=object_type or None,
        action=action or None,
        text=(text or "")[:MAX_AUDIT_TEXT] or None,
        limit=limit,
    )
    return [
        {
            "id": e.id,
            "when": e.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
            "actor": e.actor_label,
            "action": e.action,
            "object": f"{e.object_type} {e.object_id}",
            "request": e.request_id or "",
            "change": _change(e.before, e.after),
            "before": _pretty(e.before),
            "after": _pretty(e.after),
        }
        for e in events
    ]


def _change(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """One line for the grid, whole (the cell ellipsises it; the detail view shows it all)."""
    parts = []
    if before:
        parts.append("before " + ", ".join(f"{k}={v}" for k, v in sorted(before.items())))
    if after:
        parts.append("after " + ", ".join(f"{k}={v}" for k, v in sorted(after.items())))
    return " · ".join(parts)


def _pretty(values: dict[str, Any] | None) -> str:
    if values is None:
        return ""
    return json.dumps(values, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def system_status() -> list[StatusRow]:
    c = services()
    rows = [StatusRow(check.name, "ok" if check.ok else "down", check.detail) for check in readiness(c)]
    replicas = c.db.replica_statuses()
    if not replicas:
        rows.append(StatusRow("database replicas", "not configured", NOT_CONFIGURED))
    for r in replicas:
        lag = "unknown lag" if r.lag_seconds is None else f"lag {r.lag_seconds:.1f} s"
        detail = f"{r.url} · {lag}" + (f" · {r.last_error}" if r.last_error else "")
        rows.append(StatusRow("replica", "ok" if r.healthy else "down", detail))
    backlog = c.ledger_relay.backlog()
    oldest = f", oldest {backlog.oldest_created_at:%Y-%m-%d %H:%M:%S}" if backlog.oldest_created_at else ""
    rows.append(StatusRow("ledger outbox", "ok", f"{backlog.counted()} unpublished{oldest}"))
    rows += _celery()
    return rows


def _celery() -> list[StatusRow]:
    c = services()
    if not c.settings.celery_broker_url:
        return [
            StatusRow("celery workers", "not configured", NOT_CONFIGURED + ": tasks run in process"),
            StatusRow("queue depth", "not configured", NOT_CONFIGURED),
        ]
    queue = c.celery.conf.task_default_queue or "celery"
    try:
        with c.celery.connection_for_read() as conn:
            _, depth, consumers = conn.default_channel.queue_declare(queue=queue, passive=True)
    except Exception as exc:  # any broker trouble (or no queue: no worker ever started) means "cannot tell"
        problem = f"cannot read the queue {queue} ({type(exc).__name__})"
        return [StatusRow("celery workers", "down", problem), StatusRow("queue depth", "down", problem)]
    return [
        _workers(consumers, queue),
        StatusRow("queue depth", "ok", f"{queue}: {depth} waiting, {consumers} consumers"),
    ]


def _workers(consumers: int, queue: str) -> StatusRow:
    """Each worker consumes the task queue once, so the queue says how many replies to wait
    for: the ping returns as they arrive instead of always sitting out its whole timeout (a
    second on every refresh of two admin pages), and is not sent when nobody consumes."""
    if not consumers:
        return StatusRow("celery workers", "down", f"none consuming {queue}")
    try:
        replies = services().celery.control.ping(timeout=CELERY_TIMEOUT_SECONDS, limit=consumers) or []
    except Exception as exc:
        return StatusRow("celery workers", "down", f"ping failed ({type(exc).__name__})")
    names = sorted(name for reply in replies for name in reply)
    state = "ok" if names else "down"
    return StatusRow("celery workers", state, f"{len(names)} answering: {', '.join(names) or 'none'}")
