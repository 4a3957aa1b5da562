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
REUSE_SECONDS = LIFETIME_SECONDS // 2
"""A minted token is sent again on later calls for this long: it still has half its life
left when the last of them is checked, ample for any deadline and skew."""
REMEMBERED_TOKENS = 4096
"""At most this many minted (per audience and actor) and verified tokens remembered."""


@dataclass(frozen=True)
class Caller:
    service: str  # the calling process's service name
    actor: Actor | None  # the user the call acts for; None for a service acting as the system


class InternalTokens:
    """Mints and verifies the tokens. Signing and checking one costs about as much as the rest
    of a call's own work on either side, so both are remembered: a token minted for an
    audience and actor is sent again for REUSE_SECONDS, and a token verified once is
    accepted again, from memory, until it expires. Only an identical token string (its
    signature included) matches a remembered one, and its expiry is checked on every use,
    so what is accepted is exactly what verifying it again would accept."""

    def __init__(self, key: str, issuer: str) -> None:
        if len(key) < 32:
            raise ValueError("the internal token key must be at least 32 characters")
        self._key = key
        self.issuer = issuer
        # Plain dicts: a race between threads costs at most one extra mint or check.
        self._minted: dict[tuple[str, Actor | None], tuple[str, float]] = {}
        self._verified: dict[tuple[str, str], tuple[Caller, int]] = {}

    def mint(self, audience: str, actor: Actor | None) -> str:
        key = (audience, actor)
        remembered = self._minted.get(key)
        if remembered is not None and time.time() < remembered[1]:
            return remembered[0]
        token = self._sign(audience, actor)
        if len(self._minted) >= REMEMBERED_TOKENS:
            self._minted.clear()
        self._minted[key] = (token, time.time() + REUSE_SECONDS)
        return token

    def _sign(self, audience: str, actor: Actor | None) -> str:
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
        remembered = self._verified.get((token, audience))
        if remembered is not None and time.time() < remembered[1] + LEEWAY_SECONDS:
            return remembered[0]
        caller, expires = self._check(token, audience)
        if len(self._verified) >= REMEMBERED_TOKENS:
            self._verified.clear()
        self._verified[(token, audience)] = (caller, expires)
        return caller

    def _check(self, token: str, audience: str) -> tuple[Caller, int]:
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
        return Caller(service=str(claims["iss"]), actor=actor), int(claims["exp"])
