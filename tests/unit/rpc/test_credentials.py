"""The internal tokens: minted ones are sent again for a while, verified ones accepted again
from memory, and neither memory accepts anything a fresh check would refuse."""

from __future__ import annotations

import time
from datetime import datetime, tzinfo

import jwt
import jwt.api_jwt
import pytest

from backend.platform.actors import Actor, Role
from backend.platform.errors import Unauthenticated
from backend.platform.rpc import credentials
from backend.platform.rpc.credentials import InternalTokens

KEY = "a test key for internal tokens, long enough"
ALICE = Actor(user_id=7, role=Role.MANAGER, label="alice@example.test")
BOB = Actor(user_id=8, role=Role.INVESTOR, label="bob@example.test")


class Clock:
    """One clock for the memories and for PyJWT's own checks, moved by hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)
        clock = self

        class FrozenDatetime(datetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> FrozenDatetime:
                return cls.fromtimestamp(clock.now, tz)

        monkeypatch.setattr(jwt.api_jwt, "datetime", FrozenDatetime)


def test_a_minted_token_is_sent_again_for_half_its_life_then_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock(monkeypatch)
    tokens = InternalTokens(KEY, issuer="gateway")
    first = tokens.mint("pools", ALICE)
    clock.now += credentials.REUSE_SECONDS - 1
    assert tokens.mint("pools", ALICE) == first
    # another audience or another actor never gets it
    assert tokens.mint("users", ALICE) != first
    assert tokens.mint("pools", BOB) != first
    assert tokens.mint("pools", None) != first
    clock.now += 2
    renewed = tokens.mint("pools", ALICE)
    assert renewed != first
    claims = jwt.decode(renewed, KEY, algorithms=["HS256"], audience="pools")
    assert claims["exp"] - clock.now >= credentials.LIFETIME_SECONDS - 1
    assert claims["act"] == {"uid": 7, "role": "manager", "label": "alice@example.test"}


def test_a_remembered_token_is_refused_once_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    minting, checking = InternalTokens(KEY, issuer="gateway"), InternalTokens(KEY, issuer="pools")
    token = minting.mint("pools", ALICE)
    assert checking.verify(token, "pools").actor == ALICE
    clock.now += credentials.LIFETIME_SECONDS + credentials.LEEWAY_SECONDS - 1
    assert checking.verify(token, "pools").actor == ALICE  # within the tolerated skew
    clock.now += 2
    with pytest.raises(Unauthenticated, match="internal token refused: Signature has expired"):
        checking.verify(token, "pools")


def test_remembering_a_token_accepts_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    Clock(monkeypatch)
    minting, checking = InternalTokens(KEY, issuer="gateway"), InternalTokens(KEY, issuer="pools")
    token = minting.mint("pools", ALICE)
    assert checking.verify(token, "pools") == credentials.Caller(service="gateway", actor=ALICE)
    # the same token for another audience, as a service that logged it might replay it
    with pytest.raises(Unauthenticated, match="internal token refused: Audience doesn't match"):
        checking.verify(token, "users")
    # the remembered token with its actor swapped keeps the old signature: refused
    header, _, signature = token.split(".")
    forged_claims = jwt.encode(
        {
            **jwt.decode(token, KEY, algorithms=["HS256"], audience="pools"),
            "act": {"uid": 8, "role": "admin", "label": "x"},
        },
        "another key, long enough to be a key of its own",
        algorithm="HS256",
    ).split(".")[1]
    with pytest.raises(Unauthenticated, match="internal token refused: Signature verification failed"):
        checking.verify(f"{header}.{forged_claims}.{signature}", "pools")
    with pytest.raises(Unauthenticated, match="internal token refused"):
        InternalTokens("a different platform key, long enough too", issuer="x").verify(token, "pools")


def test_the_memories_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    Clock(monkeypatch)
    monkeypatch.setattr(credentials, "REMEMBERED_TOKENS", 10)
    minting, checking = InternalTokens(KEY, issuer="gateway"), InternalTokens(KEY, issuer="pools")
    for uid in range(25):
        actor = Actor(user_id=uid, role=Role.INVESTOR, label=f"{uid}@example.test")
        assert checking.verify(minting.mint("pools", actor), "pools").actor == actor
    assert len(minting._minted) <= 10 and len(checking._verified) <= 10
