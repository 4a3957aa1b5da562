"""Who is calling, on every gRPC call: a short-lived internal token, signed by the calling
process and verified by the service, naming the calling service, the service called and,
when the call acts for a user, that user (id, role, label) as the gateway resolved them from
their session or API token. A service never takes a user id on trust from a request.

Signed service tokens rather than mTLS: they cross any proxy and a plain loopback channel
in the same form, need no certificate rotation, and bind the acting user to the call, which a
TLS identity alone cannot. HS256 with one platform key (INTERNAL_TOKEN_KEY; generated into
var/ for a single machine) means any process holding the key may call any service: the
network (Kubernetes NetworkPolicies, deploy/k8s) limits who can reach a service at all, and
production adds TLS on the channel for confidentiality. The algorithm is pinned on both
sides; a token lives 60 seconds and names its audience, so one taken from a log of another
service's call is refused."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from backend.platform.actors import Actor, Role
from backend.platform.errors import Unauthenticated

ALGORITHM = "HS256"
LIFETIME_SECONDS = 60
LEEWAY_SECONDS = 5
"""Clock skew between two hosts tolerated when checking a token's times."""


@dataclass(frozen=True)
class Caller:
    service: str  # the calling process's service name
    actor: Actor | None  # the user the call acts for; None for a service acting as the system


class InternalTokens:
    def __init__(self, key: str, issuer: str) -> None:
        if len(key) < 32:
            raise ValueError("the internal token key must be at least 32 characters")
        self._key = key
        self.issuer = issuer

    def mint(self, audience: str, actor: Actor | None) -> str:
        now = int(time.time())
        claims: dict[str, object] = {
            "iss": self.issuer,
            "aud": audience,
            "iat": now,
            "exp": now + LIFETIME_SECONDS,
        }
        if actor is not None:
            claims["act"] = {"uid": actor.user_id, "role": actor.role.value, "label": actor.label}
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def verify(self, token: str | None, audience: str) -> Caller:
        if not token:
            raise Unauthenticated("no internal token on the call")
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=audience,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "iat", "exp"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"internal token refused: {exc}") from exc
        acting = claims.get("act")
        actor = None
        if isinstance(acting, dict):
            try:
                uid = acting["uid"]
                actor = Actor(
                    user_id=None if uid is None else int(uid),
                    role=Role(acting["role"]),
                    label=str(acting["label"]),
                )
            except (KeyError, ValueError, TypeError) as exc:
                raise Unauthenticated("internal token names no valid actor") from exc
        return Caller(service=str(claims["iss"]), actor=actor)
