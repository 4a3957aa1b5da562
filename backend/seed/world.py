"""The people and pools of a seeded data set, created through the services.

Managers create their own pools (the first manager is whoever creates it), add a co-manager
to some and grant the demo analyst read access to some; investors get a profile and a KYC
decision; closed-ended pools take their commitments. Only the books are left to the planner.
Pools are drawn first (`draft_pools`, no database) and opened one by one (`open_pool`), so
the seed can post the first pools while later ones are still being opened.
"""

from __future__ import annotations

import contextlib
import random
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from argon2 import PasswordHasher, Type

from backend.investors.interface import (
    CommitmentCreate,
    InvestorCreate,
    InvestorType,
    InvestorUpdate,
    KycStatus,
)
from backend.platform import passwords
from backend.platform.actors import Actor, Role
from backend.platform.errors import Conflict
from backend.pools.interface import PoolCreate
from backend.seed.demo_logins import DemoLogin
from backend.seed.market import CURRENCIES, Person, Walk, person, pool_name, round_amount, walk_for
from backend.seed.plan import PoolProfile
from backend.seed.scales import Scale
from backend.service_directory import Services
from backend.users.interface import UserCreate

OPERATOR = Actor.operator("seed")


@dataclass
class World:
    managers: list[Actor]
    analyst: Actor | None
    investor_ids: list[int]
    """Every investor profile created, the demo investor's first."""
    approved: list[int]
    demo_investor_id: int | None
    profiles: list[PoolProfile] = field(default_factory=list)
    pool_managers: dict[int, Actor] = field(default_factory=dict)
    """Who records each pool's transactions: its first manager."""


@contextlib.contextmanager
def _throwaway_password_hashing() -> Iterator[None]:
    """Seeded users other than the demo logins never log in: each gets a random password
    that is thrown away at once, so the production argon2 profile (a quarter of a second per
    hash) would buy nothing but minutes of seeding. Their hashes use a cheap profile instead;
    a random 144-bit password is out of reach of any guessing either way, and a login would
    upgrade the hash (needs_rehash)."""
    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1, type=Type.ID)
    try:
        yield
    finally:
        passwords._hasher = original


def _user(container: Services, email: str, role: Role, name: str) -> Actor:
    found = container.users.find_id_by_email(email)
    if found is None:
        found = container.users.create_user(
            OPERATOR,
            UserCreate(email=email, role=role, password=secrets.token_urlsafe(18), display_name=name),
        ).id
    return Actor(user_id=found, role=role, label=email)


_CHUNK = 500
"""Investors (users, profiles, a pool's commitments) created per call: a few statements for
each 500, not a handful per investor."""


def _investor_users(container: Services, chunk: list[tuple[str, Person]]) -> list[Actor]:
    """The chunk's investor-role users, made in one call; one by one (finding any made by an
    earlier, interrupted run) if that call is refused."""
    requests = [
        UserCreate(
            email=email, role=Role.INVESTOR, password=secrets.token_urlsafe(18), display_name=who.legal_name
        )
        for email, who in chunk
    ]
    try:
        made = container.users.create_users(OPERATOR, requests)
    except Conflict:
        return [_user(container, email, Role.INVESTOR, who.legal_name) for email, who in chunk]
    return [Actor(user_id=u.id, role=Role.INVESTOR, label=u.email) for u in made]


def _profiles(container: Services, chunk: list[tuple[Actor, Person]], demo: Actor | None) -> list[int]:
    """The chunk's investor profiles, made in one call, with the KYC status each was given
    (reviewed before it came here, as a book taken over from another administrator is: no
    KYC decision notice per seeded investor); one by one if that call is refused (the demo
    login's profile, or profiles an earlier, interrupted run made)."""
    requests = [
        InvestorCreate(
            user_id=_id_of(user),
            legal_name=who.legal_name,
            investor_type=who.investor_type,
            country=who.country,
            contact_email=user.label,
            kyc_status=who.kyc,
        )
        for user, who in chunk
    ]
    if chunk and chunk[0][0] is demo:  # the demo login may have its profile already
        return _one_by_one(container, requests[:1], chunk[:1]) + _profiles(container, chunk[1:], None)
    try:
        return [p.id for p in container.investors.create_investors(OPERATOR, requests)]
    except Conflict:
        return _one_by_one(container, requests, chunk)


def _one_by_one(
    container: Services, requests: list[InvestorCreate], chunk: list[tuple[Actor, Person]]
) -> list[int]:
    ids = []
    for request, (user, who) in zip(requests, chunk, strict=True):
        existing = container.investors.investor_for_user(_id_of(user))
        if existing is None:
            existing = container.investors.create_investor(OPERATOR, request)
        if existing.kyc_status is not who.kyc:
            container.investors.update_investor(OPERATOR, existing.id, InvestorUpdate(kyc_status=who.kyc))
        ids.append(existing.id)
    return ids


def _id_of(user: Actor) -> int:
    if user.user_id is None:  # pragma: no cover - users made here all have ids
        raise RuntimeError(f"{user.label} has no user id")
    return user.user_id


def demo_actor(logins: list[DemoLogin], container: Services, role: Role) -> Actor | None:
    for login in logins:
        if login.role is role:
            user_id = container.users.find_id_by_email(login.email)
            if user_id is not None:
                return Actor(user_id=user_id, role=role, label=login.email)
    return None


def build_world(
    container: Services,
    *,
    scale: Scale,
    rng: random.Random,
    anchor: date,
    logins: list[DemoLogin],
    tick: Callable[[int], None],
) -> World:
    demo_manager = demo_actor(logins, container, Role.MANAGER)
    demo_investor = demo_actor(logins, container, Role.INVESTOR)
    analyst = demo_actor(logins, container, Role.ANALYST)
    with _throwaway_password_hashing():
        managers = [demo_manager] if demo_manager else []
        for k in range(len(managers), scale.managers):
            managers.append(_user(container, f"manager{k:03d}@seed.local", Role.MANAGER, f"Manager {k}"))
            tick(1)
        people: list[tuple[Actor, Person]] = []
        if demo_investor is not None:
            people.append(
                (demo_investor, Person("Demo Investor", InvestorType.INDIVIDUAL, "GB", KycStatus.APPROVED))
            )
        named: dict[str, int] = {}
        wanted: list[tuple[str, Person]] = []
        for k in range(len(people), scale.investors):
            who = person(rng)
            # Names repeat in a large book; the repeats get a generation, never a number that
            # reads like an investor id ("Alder Foundation (1)" was investor 2).
            seen = named[who.legal_name] = named.get(who.legal_name, 0) + 1
            if seen > 1:
                who = Person(f"{who.legal_name} {_generation(seen)}", who.investor_type, who.country, who.kyc)
            if k >= scale.investors - 2 and scale.investors >= 6:
                # Always a few whose KYC is still open or was refused: they never put money in.
                kyc = KycStatus.PENDING if k == scale.investors - 2 else KycStatus.REJECTED
                who = Person(who.legal_name, who.investor_type, who.country, kyc)
            wanted.append((f"investor{k:05d}@seed.local", who))
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            people += zip(_investor_users(container, chunk), (who for _, who in chunk), strict=True)
            tick(len(chunk))
    investor_ids: list[int] = []
    approved: list[int] = []
    for start in range(0, len(people), _CHUNK):
        some = people[start : start + _CHUNK]
        investor_ids += _profiles(container, some, demo_investor)
        approved += [
            i for i, (_, who) in zip(investor_ids[start:], some, strict=True) if who.kyc is KycStatus.APPROVED
        ]
        tick(len(some))
    world = World(
        managers=managers,
        analyst=analyst,
        investor_ids=investor_ids,
        approved=approved,
        demo_investor_id=investor_ids[0] if demo_investor is not None else None,
    )
    return world


@dataclass(frozen=True)
class PoolDraft:
    """A pool as drawn before it exists: everything the random draws decide, so that pools
    can be opened (in the database) one at a time while earlier ones are already posting,
    with the same draws in the same order as when all were opened first."""

    manager: Actor
    co_manager: Actor | None
    analyst_granted: bool
    terms: dict[str, object]
    currency_factor: int
    holders: list[int]
    keep: frozenset[int]
    walk: Walk
    income_yield: float
    distributing: bool
    valuation_every_weeks: int
    commitments: list[CommitmentCreate]


def draft_pools(*, scale: Scale, rng: random.Random, anchor: date, world: World) -> list[PoolDraft]:
    kinds = [True] * scale.open_pools + [False] * scale.closed_pools
    demo = world.demo_investor_id
    others = [i for i in world.approved if i != demo]
    drafts = []
    for index, open_ended in enumerate(kinds):
        # The first pools cover every currency; later ones draw one.
        code, factor = CURRENCIES[index] if index < len(CURRENCIES) else rng.choice(CURRENCIES)
        history = timedelta(weeks=scale.history_weeks)
        if open_ended:
            inception = anchor - history * rng.uniform(0.8, 1.0)
        else:
            # The first closed-ended pool is old enough to be distributing through its waterfall.
            stretch = 2.0 if index == scale.open_pools else rng.uniform(1.0, 2.0)
            inception = anchor - history * stretch
        manager = world.managers[0] if scale.name == "demo" else world.managers[index % len(world.managers)]
        terms = _terms(rng, open_ended=open_ended, code=code, factor=factor, inception=inception, index=index)
        co = None
        if len(world.managers) > 1 and index % 4 == 1:
            co = world.managers[(world.managers.index(manager) + 1) % len(world.managers)]
        count = max(2, min(len(others), int(scale.holders_per_pool * rng.uniform(0.6, 1.4))))
        holders = rng.sample(others, count) if others else []
        # The demo investor is in the first pools of both kinds, so their dashboard has data.
        if demo is not None and (index < 3 or index == scale.open_pools):
            holders.insert(0, demo)
        drafts.append(
            PoolDraft(
                manager=manager,
                co_manager=co,
                analyst_granted=world.analyst is not None and index % 2 == 0,
                terms=terms,
                currency_factor=factor,
                holders=holders,
                keep=frozenset({demo}) if demo is not None else frozenset(),
                walk=walk_for(rng, open_ended),
                income_yield=rng.choice((0.0, 0.01, 0.02, 0.035)) if open_ended else 0.0,
                distributing=open_ended and index % 3 == 1,
                valuation_every_weeks=scale.valuation_every_weeks,
                commitments=[] if open_ended else _commitments(holders, rng=rng, factor=factor, on=inception),
            )
        )
    return drafts


def open_pool(container: Services, world: World, draft: PoolDraft) -> PoolProfile:
    """The drafted pool created by its manager, with its co-manager, the analyst's grant and
    its commitments; recorded in `world` and returned as the planner needs it."""
    manager = draft.manager
    pool = container.pools.create_pool(manager, PoolCreate.model_validate(draft.terms))
    world.pool_managers[pool.id] = manager
    if draft.co_manager is not None and draft.co_manager.user_id is not None:
        pool = container.pools.add_manager(manager, pool.id, draft.co_manager.user_id)
    if draft.analyst_granted and world.analyst is not None and world.analyst.user_id is not None:
        container.pools.grant_analyst(manager, pool.id, world.analyst.user_id)
    commitments: dict[int, Decimal] = {}
    for request in draft.commitments:
        commitments[request.investor_id] = commitments.get(request.investor_id, Decimal(0)) + request.amount
    for at in range(0, len(draft.commitments), _CHUNK):
        container.investors.create_commitments(manager, pool.id, draft.commitments[at : at + _CHUNK])
    profile = PoolProfile(
        pool=pool,
        walk=draft.walk,
        currency_factor=draft.currency_factor,
        holders=draft.holders,
        commitments=commitments,
        keep=draft.keep,
        income_yield=draft.income_yield,
        distributing=draft.distributing,
        valuation_every_weeks=draft.valuation_every_weeks,
    )
    world.profiles.append(profile)
    return profile


def _terms(
    rng: random.Random, *, open_ended: bool, code: str, factor: int, inception: date, index: int
) -> dict[str, object]:
    body: dict[str, object] = {
        "name": pool_name(rng, open_ended, index),
        "kind": "open_ended" if open_ended else "closed_ended",
        "base_currency": code,
        "inception_date": inception.isoformat(),
    }
    if open_ended:
        body["initial_nav_per_unit"] = rng.choice(("1.000000", "10.000000", "100.000000"))
        body["management_fee"] = {"rate": rng.choice(("0.0075", "0.01", "0.015", "0.02")), "basis": "nav"}
        body["performance_fee"] = {
            "rate": rng.choice(("0.1", "0.15", "0.2")),
            "high_water_mark": True,
            "hurdle_rate": rng.choice(("0", "0", "0.05")),
        }
        body["minimum_subscription"] = str(10_000 * factor)
    else:
        body["management_fee"] = {
            "rate": rng.choice(("0.015", "0.0175", "0.02")),
            "basis": rng.choice(("committed", "committed", "invested")),
        }
        body["waterfall"] = {
            "preferred_return_rate": rng.choice(("0.06", "0.07", "0.08")),
            "catch_up_rate": rng.choice(("1", "1", "0.8")),
            "carried_interest_rate": rng.choice(("0.15", "0.2", "0.2")),
        }
    return body


def _commitments(holders: list[int], *, rng: random.Random, factor: int, on: date) -> list[CommitmentCreate]:
    return [
        CommitmentCreate(
            investor_id=investor,
            amount=round_amount(rng, 250_000, 10_000_000, factor, 50_000),
            effective_date=on,
        )
        for investor in holders
    ]


def _generation(n: int) -> str:
    """The n-th bearer of a name (n >= 2): II, III, IV ... XXXIX, then "no. 40"."""
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    if n > 39:
        return f"no. {n}"
    out = ""
    for value, letters in numerals:
        while n >= value:
            out, n = out + letters, n - value
    return out
