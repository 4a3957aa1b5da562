"""Helpers shared by the pool and investor test modules (no tests here).

`World` is one user per role the tests need, with a second manager and a second investor so
that "one manager does not see another's pool" and "one investor does not see another's
profile" can be checked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from backend.composition.container import Container
from backend.investors.interface import (
    CommitmentCreate,
    InvestorCreate,
    InvestorType,
    KycStatus,
)
from backend.platform.actors import Actor, Role
from backend.pools.interface import PoolCreate
from tests.integration.auth_support import OPERATOR, create_user

__all__ = [
    "OPERATOR",
    "PROBLEM",
    "Api",
    "World",
    "closed_pool",
    "make_world",
    "open_pool",
    "problem_fields",
]

INCEPTION = date(2025, 1, 1)


@dataclass
class World:
    container: Container
    admin: Actor
    manager: Actor
    other_manager: Actor
    analyst: Actor
    investor: Actor
    other_investor: Actor
    emails: dict[str, str]

    def investor_profile(self, actor: Actor, *, approved: bool = True, name: str = "Ana Example") -> int:
        assert actor.user_id is not None
        profile = self.container.investors.create_investor(
            self.manager,
            InvestorCreate(
                user_id=actor.user_id,
                legal_name=name,
                investor_type=InvestorType.INDIVIDUAL,
                country="GB",
                # Reviewed before: approved without a KYC decision notice in every test's mailbox.
                kyc_status=KycStatus.APPROVED if approved else KycStatus.PENDING,
            ),
        )
        return profile.id

    def named_investor(self, name: str) -> int:
        """Another KYC-approved investor, with a sign-in of its own (for pools with more
        investors than the world's two)."""
        user_id = create_user(self.container, f"investor-{uuid.uuid4().hex[:12]}@pools.test")
        return self.container.investors.create_investor(
            self.manager,
            InvestorCreate(
                user_id=user_id,
                legal_name=name,
                investor_type=InvestorType.INDIVIDUAL,
                country="GB",
                kyc_status=KycStatus.APPROVED,
            ),
        ).id

    def commit(self, pool_id: int, investor_id: int, amount: str = "1000000.00") -> int:
        return self.container.investors.create_commitment(
            self.manager,
            pool_id,
            CommitmentCreate.model_validate({"investor_id": investor_id, "amount": amount}),
        ).id


def make_world(container: Container) -> World:
    emails: dict[str, str] = {}
    actors: dict[str, Actor] = {}
    for label, role in (
        ("admin", Role.ADMIN),
        ("manager", Role.MANAGER),
        ("other_manager", Role.MANAGER),
        ("analyst", Role.ANALYST),
        ("investor", Role.INVESTOR),
        ("other_investor", Role.INVESTOR),
    ):
        emails[label] = f"{label}@pools.test"
        user_id = create_user(container, emails[label], role)
        actors[label] = Actor(user_id=user_id, role=role, label=emails[label])
    return World(container=container, emails=emails, **actors)


OPEN_NAV_FEE = {"rate": "0.015", "basis": "nav"}
"""1.5% a year on NAV, ACT/365 Fixed: the open-ended fee terms the fee tests use."""


def open_pool(**overrides: Any) -> PoolCreate:
    body: dict[str, Any] = {
        "name": "Harbour Growth Fund",
        "kind": "open_ended",
        "base_currency": "USD",
        "inception_date": INCEPTION.isoformat(),
        "initial_nav_per_unit": "1.000000",
        # No management fee unless a test asks for one (OPEN_NAV_FEE): a fee on NAV accrues at
        # every mark, which would move every other test's prices off the figures they check.
        "management_fee": None,
        "performance_fee": {"rate": "0.2", "high_water_mark": True},
        "minimum_subscription": "10000.00",
    }
    body.update(overrides)
    return PoolCreate.model_validate(body)


def closed_pool(**overrides: Any) -> PoolCreate:
    body: dict[str, Any] = {
        "name": "Harbour Private Equity I",
        "kind": "closed_ended",
        "base_currency": "EUR",
        "inception_date": INCEPTION.isoformat(),
        "management_fee": {"rate": "0.02", "basis": "committed"},
        "waterfall": {"preferred_return_rate": "0.08", "catch_up_rate": "1", "carried_interest_rate": "0.2"},
    }
    body.update(overrides)
    return PoolCreate.model_validate(body)


PROBLEM = "application/problem+json"


class Api:
    """The real server over the `container` fixture's database, called with bearer tokens."""

    def __init__(self, world: World) -> None:
        from backend.composition.web import create_app

        self.world = world
        self.client = create_app(world.container).test_client()
        self._tokens: dict[str, str] = {}

    def headers(self, who: str) -> dict[str, str]:
        if who not in self._tokens:
            from tests.integration.auth_support import PASSWORD

            response = self.client.post(
                "/api/v1/auth/token", json={"email": self.world.emails[who], "password": PASSWORD}
            )
            assert response.status_code == 200, response.get_json()
            self._tokens[who] = response.get_json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[who]}"}

    def call(self, method: str, who: str, path: str, body: Any = None) -> Any:
        kwargs: dict[str, Any] = {"headers": self.headers(who)}
        if body is not None:
            kwargs["json"] = body
        return self.client.open("/api/v1" + path, method=method, **kwargs)


def problem_fields(response: Any) -> list[str]:
    """The fields a problem+json answer names (and check it is one)."""
    assert response.mimetype == PROBLEM, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == response.status_code and body["type"].startswith("https://")
    return [e["field"] for e in body.get("errors", [])]
