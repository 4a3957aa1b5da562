"""Who a background job runs for: a signed ticket minted in the request, verified in the job.

The job body runs off the request, so it cannot ask flask-login who is signed in. When the job
is submitted, inside the request the login guard admitted, the manager mints a ticket: the
session's user id, signed with the server's secret key and stamped with the time. The
request's cookies and headers are dropped from what is sent to the job (the session cookie
never sits in a broker queue). In the job the ticket is verified and the user re-read through
the auth service: a missing, forged or expired ticket, or a disabled user, gives no actor.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import current_app, has_request_context
from itsdangerous import BadSignature, URLSafeTimedSerializer

from backend.platform.actors import Actor
from portal.context import services
from portal.jobs.dash_internals import PlotlyJSONEncoder
from portal.shell.session import current_actor

TICKET_MAX_AGE_SECONDS = 900
"""A job must start within this long of being submitted (a queue that backs up longer than
this refuses the job rather than run it on a stale authorisation)."""
IDENTITY_KEY = "portal_identity"
_TICKET_SALT = "portal.background-job"
_DROPPED_CONTEXT = ("cookies", "headers")


def _serializer(secret: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_TICKET_SALT)


def issue_ticket(secret: str | bytes, actor: Actor | None) -> str | None:
    """A signed, timestamped statement of who submitted a job; None without a signed-in user."""
    if actor is None or actor.user_id is None:
        return None
    return _serializer(secret).dumps({"u": actor.user_id})


def actor_from_ticket(
    secret: str | bytes,
    ticket: object,
    lookup: Callable[[int], Actor | None],
    *,
    max_age: int = TICKET_MAX_AGE_SECONDS,
) -> Actor | None:
    """The actor a ticket names, re-read through `lookup` (the auth service: None for a
    disabled user); None for a missing, malformed, forged or expired ticket."""
    if not isinstance(ticket, str) or not ticket:
        return None
    try:
        data = _serializer(secret).loads(ticket, max_age=max_age)
    except BadSignature:  # SignatureExpired is one
        return None
    user_id = data.get("u") if isinstance(data, dict) else None
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    return lookup(user_id)


def request_ticket() -> str | None:
    """The ticket for the request being served (the login guard has admitted it)."""
    if not has_request_context():
        return None
    return issue_ticket(current_app.secret_key or "", current_actor())


def job_actor(context: dict[str, Any]) -> Actor | None:
    """The actor the job's ticket names, read inside the job's app context."""
    custom = context.get("custom_data") or {}
    ticket = custom.get(IDENTITY_KEY) if isinstance(custom, dict) else None
    secret = current_app.secret_key
    if not secret:
        return None

    def lookup(user_id: int) -> Actor | None:  # the container is only needed for a real ticket
        return services().auth.actor_for_user_id(user_id)

    return actor_from_ticket(secret, ticket, lookup)


def for_job(context: dict[str, Any], ticket: str | None) -> dict[str, Any]:
    """What the job gets of the request's context: no cookies or headers, plus the ticket."""
    kept = {k: v for k, v in context.items() if k not in _DROPPED_CONTEXT}
    custom = dict(kept.get("custom_data") or {})
    custom[IDENTITY_KEY] = ticket
    kept["custom_data"] = custom
    # What a Celery job receives went through JSON: give the in-process job the same.
    loaded: dict[str, Any] = json.loads(json.dumps(kept, cls=PlotlyJSONEncoder))
    return loaded
