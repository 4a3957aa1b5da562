"""Who is calling the API: a bearer access token, or the portal's logged-in session."""

from __future__ import annotations

from flask import g

from backend.platform.actors import Actor
from backend.platform.errors import Unauthenticated
from backend.platform.http import bearer_token
from backend.platform.observability import bind_user_id
from backend.service_directory import Services


def resolve_actor(container: Services) -> Actor:
    token = bearer_token()
    if token is not None:
        actor = container.auth.actor_from_access_token(token)
        bind_user_id(actor.user_id)  # the rest of this request's log lines name its user
        return actor
    # The portal's session (CSRF for unsafe methods is enforced before this runs, and the
    # guard has dropped it already if its server-side session has ended).
    actor = g.get("session_actor")
    if isinstance(actor, Actor):
        bind_user_id(actor.user_id)
        return actor
    raise Unauthenticated("authentication required: send a Bearer access token")
