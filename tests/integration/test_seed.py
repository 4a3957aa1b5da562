"""`python app.py seed`: the demo data set on SQLite and MariaDB, books that verify and tie
out, determinism by --seed, and the progress bar."""

from __future__ import annotations

import functools
import io
import json
import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

import app as cli
from backend.composition.container import Container
from backend.investors.interface import KycStatus
from backend.platform.actors import Actor, Role
from backend.platform.config import load_settings
from backend.pools.interface import PoolKind
from backend.seed.demo_calls import open_demo_calls
from backend.seed.demo_logins import seed_demo_users
from backend.seed.demo_share_classes import open_demo_share_classes
from backend.seed.loader import SeedReport, needs_seed, seed
from backend.seed.market import Walk
from backend.seed.plan import PoolProfile, plan_open_ended
from backend.seed.pool_books import BooksApart, Poster
from backend.seed.progress import Progress
from backend.seed.scales import ANCHOR, Scale
from backend.seed.world import OPERATOR
from ledger.interface import ValuationRequest
from ledger.models import JournalEntry
from sql.migrate import upgrade
from tests.conftest import mariadb_database_url
from tests.integration.pools_support import make_world, open_pool

TINY = Scale(
    "tiny", open_pools=2, closed_pools=1, investors=6, managers=2, history_weeks=16, holders_per_pool=3
)


def _fresh_container(tmp_path: Path, name: str, *, mariadb: bool = False) -> Container:
    url = {"DATABASE_URL": mariadb_database_url(f"seed_{name}")} if mariadb else {}
    settings = load_settings(VAR_DIR=str(tmp_path / name), **url)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.primary_url)
    return Container(settings)


def _fingerprint(container: Container) -> list[tuple[str, str, str, Decimal, int]]:
    out = []
    for pool in container.pools.list_pools(OPERATOR).items:
        books = container.transactions.pool_positions(OPERATOR, pool.id)
        out.append(
            (
                pool.name,
                pool.base_currency,
                pool.inception_date.isoformat(),
                books.net_asset_value,
                container.ledger.ledger_version(pool.id),
            )
        )
    return out


def _journals(container: Container) -> list[tuple[object, ...]]:
    """Every entry of every pool as the books read it: type, date, memo, each posting's
    account and amount, and the rule's workings (not the hash: it covers the time of writing)."""
    out: list[tuple[object, ...]] = []
    for pool in container.pools.list_pools(OPERATOR).items:
        cursor = None
        while True:
            page = container.ledger.list_entries(pool.id, cursor=cursor, limit=500)
            out += [
                (
                    pool.name,
                    e.seq,
                    e.entry_type,
                    e.effective_date,
                    e.memo,
                    tuple((p.account, p.investor_id, p.commodity, p.amount) for p in e.postings),
                    json.dumps(e.details, sort_keys=True, default=str),
                )
                for e in page.entries
            ]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    return out


def _entry_types(container: Container) -> Counter[str]:
    with container.db.primary.connect() as conn:
        rows = conn.execute(
            select(JournalEntry.entry_type, func.count()).group_by(JournalEntry.entry_type)
        ).all()
    return Counter({kind: int(n) for kind, n in rows})


@pytest.mark.parametrize("backend", ["sqlite", "mariadb"])
def test_demo_seed_builds_books_that_verify_and_tie_out(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    if backend == "mariadb":
        monkeypatch.setenv("DATABASE_URL", mariadb_database_url("seed"))
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    assert cli.main(["migrate"]) == 0
    assert cli.main(["seed", "--scale", "demo", "--seed", "3"]) == 0
    captured = capsys.readouterr()
    assert "seeded scale=demo seed=3: 5 pools, 12 investors" in captured.out
    # Not a terminal: each progress bar prints only its final line.
    final_lines = [line for line in captured.err.splitlines() if line.startswith("seed demo")]
    assert [line.split(":")[1].strip() for line in final_lines] == ["people", "pools", "planning", "posting"]
    assert "\r" not in captured.err

    container = Container(load_settings())
    assert not needs_seed(container)
    assert cli.main(["seed", "--scale", "demo"]) == 1  # never on top of existing data
    assert "already has pools" in capsys.readouterr().err
    # `run` (make run) seeds only an empty database: here it goes straight to serving.
    served: list[str] = []
    monkeypatch.setattr(cli, "_serve_embedded", lambda _: served.append("run"))
    assert cli.main(["run"]) == 0
    out = capsys.readouterr().out
    assert served == ["run"] and "seeded" not in out and "investor@demo.local" in out

    pools = container.pools.list_pools(OPERATOR).items
    assert {p.kind for p in pools} == {PoolKind.OPEN_ENDED, PoolKind.CLOSED_ENDED}
    assert {"USD", "EUR", "GBP", "JPY"} <= {p.base_currency for p in pools}
    assert any(len(p.manager_ids) == 2 for p in pools)
    demo_manager = container.users.find_id_by_email("manager@demo.local")
    assert all(demo_manager in p.manager_ids for p in pools)
    analyst_id = container.users.find_id_by_email("analyst@demo.local")
    assert analyst_id is not None
    analyst = Actor(user_id=analyst_id, role=Role.ANALYST, label="analyst")
    assert 0 < len(container.pools.list_pools(analyst).items) < len(pools)

    investors = container.investors.list_investors(OPERATOR, limit=200).items
    assert len(investors) == 12
    assert {i.kyc_status for i in investors} == set(KycStatus)
    demo_user = container.users.find_id_by_email("investor@demo.local")
    assert demo_user is not None
    demo_investor = container.investors.investor_for_user(demo_user)
    assert demo_investor is not None and demo_investor.kyc_status is KycStatus.APPROVED
    holdings = [h for h in container.transactions.holdings(OPERATOR, demo_investor.id) if h.value > 0]
    assert len({h.pool_id for h in holdings}) >= 2

    report = container.ledger.verify()
    assert report.ok, report.describe()
    assert report.pools == 5 and report.postings > 3000
    today = date.today()
    for pool in pools:
        books = container.transactions.pool_positions(OPERATOR, pool.id)
        assert books.net_asset_value > 0
        assert sum((p.value for p in books.positions), Decimal(0)) + books.rounding_residue == (
            books.net_asset_value
        )
        if pool.kind is PoolKind.OPEN_ENDED:
            assert sum((p.units for p in books.positions), Decimal(0)) == books.units_outstanding
        with container.db.primary.connect() as conn:
            first, last = conn.execute(
                select(func.min(JournalEntry.effective_date), func.max(JournalEntry.effective_date)).where(
                    JournalEntry.pool_id == pool.id
                )
            ).one()
        assert first == pool.inception_date and last <= min(ANCHOR, today)
    kinds = _entry_types(container)
    for kind in (
        "subscription",
        "redemption",
        "capital_call",
        "contribution",
        "distribution",
        "valuation",
        "management_fee",
        "performance_fee",
        "fee_payment",
        "income",
        "expense",
        "purchase",
        "sale",
    ):
        assert kinds[kind] > 0, kind
    assert kinds["valuation"] > 300  # weekly marks over one to four years, five pools

    # Its distributions and redemptions are history: recorded as paid, none waiting to be paid.
    payouts = container.payments.list_payouts(OPERATOR)
    assert payouts and {p.status.value for p in payouts} == {"paid"}
    assert all("seeded history" in p.hold_reason for p in payouts)

    # FX rates cover every pool currency from the first inception to the anchor (and today),
    # so the portal can total the pools in any user's reporting currency.
    wanted = [(p.base_currency, d) for p in pools for d in (p.inception_date, min(ANCHOR, today), today)]
    quotes = container.reports.fx_quotes(OPERATOR, wanted, "USD")
    assert len(quotes.quotes) == len(set(wanted)) and not [q for q in quotes.quotes if q.missing]

    # `make run` then opens a call in each closed-ended pool, for the demo investor to pay.
    calls = open_demo_calls(container, seed_demo_users(container), today)
    closed = [p for p in pools if p.kind is PoolKind.CLOSED_ENDED]
    assert len(calls) == len(closed) and all("of commitments called" in line for line in calls), calls
    payer = Actor(user_id=demo_user, role=Role.INVESTOR, label="investor")
    due = [r for r in container.payments.list_requests(payer) if r.status.value == "open"]
    assert due and all(r.due_date == today + timedelta(days=21) and not r.overdue for r in due)

    # ... and adds the worked example of share classes as a live pool, the demo investor in A
    # (91 days of fee to the mark here: 2,056.85; A at 109.588630, then 107.670904 after its fee).
    lines = open_demo_share_classes(container, seed_demo_users(container), today)
    assert len(lines) == 1 and "class A's performance fee crystallised" in lines[0], lines
    held = [h for h in container.transactions.holdings(payer, demo_investor.id) if h.share_class]
    assert [(h.share_class, h.nav_per_unit) for h in held] == [("A", Decimal("107.670904"))]
    assert container.ledger.verify().ok


def test_same_seed_same_books_and_another_seed_differs(tmp_path: Path) -> None:
    reports: list[SeedReport] = []
    prints = []
    for name, number in (("a", 11), ("b", 11), ("c", 12)):
        container = _fresh_container(tmp_path, name)
        reports.append(seed(container, TINY, seed=number, stream=io.StringIO(), batch=False))
        prints.append(_fingerprint(container))
        assert container.ledger.verify().ok
    assert prints[0] == prints[1]
    assert (reports[0].entries, reports[0].postings) == (reports[1].entries, reports[1].postings)
    assert prints[2] != prints[0]
    assert reports[0].pools == 3 and reports[0].investors == 6 and reports[0].entries > 50


def test_batched_posting_leaves_the_same_books_as_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _fresh_container(tmp_path, "one")
    single = seed(one, TINY, seed=5, stream=io.StringIO(), batch=False)
    many = _fresh_container(tmp_path, "many")
    one_at_a_time: list[date] = []
    record_valuation = type(many.transactions).record_valuation

    def counted(self: object, actor: Actor, pool_id: int, request: ValuationRequest, key: str) -> object:
        one_at_a_time.append(request.as_of)
        return record_valuation(self, actor, pool_id, request, key)  # type: ignore[arg-type]

    monkeypatch.setattr(type(many.transactions), "record_valuation", counted)
    batched = seed(many, TINY, seed=5, stream=io.StringIO(), batch=True)
    assert batched.batched and not single.batched
    assert _fingerprint(one) == _fingerprint(many)
    # Transactions and valuations went in batches: entry for entry, the same books.
    assert _journals(one) == _journals(many)
    valuations = sum(1 for entry in _journals(many) if entry[2] == "valuation")
    assert valuations > 20 and len(one_at_a_time) < valuations / 2


def test_pools_posted_side_by_side_are_the_pools_posted_one_after_another(tmp_path: Path) -> None:
    """On MariaDB the seed posts two pools at a time: each pool's books, entry for entry,
    are the ones a single thread writes."""
    alone = _fresh_container(tmp_path, "alone", mariadb=True)
    seed(alone, TINY, seed=9, stream=io.StringIO())
    together = _fresh_container(tmp_path, "together", mariadb=True)
    report = seed(together, TINY, seed=9, stream=io.StringIO(), workers=2)
    assert _journals(alone) == _journals(together)
    assert _fingerprint(alone) == _fingerprint(together)
    assert together.ledger.verify().ok and report.pools == 3
    for container in (alone, together):
        container.db.dispose()


def test_pools_planned_and_posted_in_child_processes_are_the_pools_this_one_writes(tmp_path: Path) -> None:
    """On MariaDB `app.py seed` plans and posts each pool in a child process with services of
    its own: each pool's books, entry for entry, are the ones this process writes."""
    here = _fresh_container(tmp_path, "here_alone", mariadb=True)
    seed(here, TINY, seed=7, stream=io.StringIO())
    apart = _fresh_container(tmp_path, "children", mariadb=True)
    progress = io.StringIO()
    report = seed(
        apart,
        TINY,
        seed=7,
        stream=progress,
        books_apart=BooksApart(2, functools.partial(Container, apart.settings), from_pools=1),
    )
    assert _journals(here) == _journals(apart)
    assert _fingerprint(here) == _fingerprint(apart)
    assert apart.ledger.verify().ok
    assert (report.pools, report.entries) == (3, sum(1 for _ in _journals(apart)))
    assert "pools opened, planned and posted: 3 pools" in progress.getvalue()
    for container in (here, apart):
        container.db.dispose()


def test_pools_planned_in_child_processes_are_the_pools_planned_in_this_one(tmp_path: Path) -> None:
    """The medium and large sets plan their pools in two child processes: the plans, and so
    the books, are the ones this process makes."""
    here = _fresh_container(tmp_path, "here")
    seed(here, TINY, seed=4, stream=io.StringIO(), plan_processes=1)
    apart = _fresh_container(tmp_path, "apart")
    seed(apart, TINY, seed=4, stream=io.StringIO(), plan_processes=2)
    assert _journals(here) == _journals(apart)
    assert _fingerprint(here) == _fingerprint(apart)


def test_progress_bar_redraws_on_a_terminal_and_prints_one_line_otherwise() -> None:
    ticks = iter(float(t) for t in range(100))
    quiet = io.StringIO()
    with Progress(4, "load", stream=quiet, unit="ops", clock=lambda: next(ticks), tty=False) as bar:
        for _ in range(4):
            bar.advance()
    assert quiet.getvalue().count("\n") == 1
    assert quiet.getvalue().startswith("load: 4 ops in ")

    ticks = iter(float(t) for t in range(100))
    live = io.StringIO()
    with Progress(4, "load", stream=live, unit="ops", clock=lambda: next(ticks), tty=True) as bar:
        bar.advance(2)
        assert "50%" in bar.line() and "ETA" in bar.line() and "/s" in bar.line()
        bar.advance(2)
    text = live.getvalue()
    assert text.count("\r") >= 3 and "100%" in text and text.endswith("\n")
    assert "load: 4 ops in" in text


@pytest.mark.parametrize("gain_basis", ["net_of_management_fee", "gross_of_management_fee"])
def test_a_planned_pool_with_a_hurdle_posts_as_planned(tmp_path: Path, gain_basis: str) -> None:
    """The shadow strikes a performance fee as the service does: the hurdle grows from the
    day the high-water mark was set, and a fee gross of the management fee adds back what
    was charged since. (It once left both out, planned a larger fee than the books charged,
    and the small scale failed paying it.)"""
    container = _fresh_container(tmp_path, "hurdle")
    world = make_world(container)
    body = open_pool(
        name="Hurdle Growth Fund",
        inception_date="2023-01-02",
        minimum_subscription="0.00",
        performance_fee={
            "rate": "0.2",
            "high_water_mark": True,
            "hurdle_rate": "0.05",
            "gain_basis": gain_basis,
        },
    )
    pool = container.pools.create_pool(world.manager, body)
    holders = [world.named_investor(f"Holder {i}") for i in range(3)]
    profile = PoolProfile(
        pool=pool, walk=Walk(drift=0.25, volatility=0.05), currency_factor=1, holders=holders
    )
    plan = plan_open_ended(profile, random.Random(7), date(2025, 12, 31))
    Poster(container.transactions).post(world.manager, pool.id, plan.operations, "hurdle", lambda _: None)
    books = container.transactions.pool_positions(world.manager, pool.id)
    assert books.net_asset_value == plan.net_asset_value
    fees = [
        e
        for e in container.ledger.list_entries(pool.id, limit=500).entries
        if e.entry_type == "performance_fee"
    ]
    assert fees and all(e.details["hurdle_period_start"] for e in fees)
    assert container.ledger.verify(pool.id).ok
