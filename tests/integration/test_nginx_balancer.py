"""nginx (deploy/nginx/) in front of two `app.py serve` app servers sharing one MariaDB, one
Redis and one var/ folder (the session secret and the JWT keys):

* the edge itself: TLS with the generated dev certificate, HTTP/2 offered, gzip on JSON and
  CSS, one HSTS header, the app's own security headers kept, X-Request-ID passed through or
  made, X-Forwarded-Proto believed by the app (Secure cookies), the body size limit and the
  rate limit on the password endpoints answered by nginx as problem documents;
* what nginx resends when a server drops a request it has read (stand-in servers): reads and
  the writes the API settles by their Idempotency-Key, and no other write;
* under load (reads and keyed subscriptions from a pool of loopback clients over HTTPS), one
  app server `kill -9`ed (master and workers) part-way through: no request fails at the
  client, every key sent posted exactly one entry, the books verify, and the portal session
  the dead server opened goes on working on the other one. A write the dead server had
  claimed the key of is resent by nginx to the other server, which finds the claim's owner
  gone (its process lock died with it, ledger/claim_owners.py) and takes the key over at
  once: the client's first answer is the entry, never "in flight, retry later" (409).
"""

from __future__ import annotations

import gzip
import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from backend.composition.container import Container
from backend.platform.config import load_settings
from backend.platform.unit_of_work import UnitOfWork
from ledger.interface import TransactionRequest, ValuationRequest
from ledger.models import IdempotencyKey, JournalEntry
from sql.migrate import upgrade
from tests.conftest import AMQP_URL, REDIS_URL, mariadb_database_url
from tests.integration.auth_support import PASSWORD, use_cheap_argon2
from tests.integration.nginx_support import (
    AccessLine,
    FlakyUpstreams,
    Nginx,
    Topology,
    app_server_env,
    headers_named,
    logged_request,
    logged_since,
    start_nginx,
    start_topology,
    tls_alpn,
)
from tests.integration.pools_support import World, make_world, open_pool

# One worker runs the module: its tests share the two app servers (the kill test last).
pytestmark = pytest.mark.xdist_group("nginx_balancer")

POOLS = 4  # writers of one pool take turns on its lock: several pools let writes run side by side
CLIENT_THREADS = 8
READS = 1800
WRITES = 600
KILL_AFTER = 700  # answered requests before the kill: part-way, with requests in flight
DEAL_DATE = "2025-01-31"


@dataclass
class Stack:
    world: World
    topology: Topology
    pools: list[int]
    investors: dict[int, int]
    folder: Path

    @property
    def nginx(self) -> Nginx:
        return self.topology.nginx


def _seed_pools(world: World) -> tuple[list[int], dict[int, int]]:
    """Open-ended pools, each with an investor subscribed at launch and a mark on DEAL_DATE,
    so that every later subscription on that date deals at the mark."""
    container, manager = world.container, world.manager
    pools: list[int] = []
    investors: dict[int, int] = {}
    for n in range(POOLS):
        pool = container.pools.create_pool(
            manager, open_pool(name=f"Balancer Fund {n}", minimum_subscription="0.00")
        ).id
        investor = world.named_investor(f"Balancer holder {n}")
        launch = {"type": "subscription", "investor_id": investor, "amount": "50000.00"}
        container.transactions.record(
            manager,
            pool,
            TransactionRequest.model_validate({**launch, "effective_date": "2025-01-02"}),
            str(uuid.uuid4()),
        )
        mark = ValuationRequest.model_validate({"as_of": DEAL_DATE, "net_asset_value": "51000.00"})
        container.transactions.record_valuation(manager, pool, mark, str(uuid.uuid4()))
        pools.append(pool)
        investors[pool] = investor
    return pools, investors


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("balancer")
    url = mariadb_database_url("balancer")
    upgrade(url)
    var = folder / "var"
    settings = load_settings(
        DATABASE_URL=url, VAR_DIR=str(var), REDIS_URL=REDIS_URL, CELERY_BROKER_URL=AMQP_URL
    )
    container = Container(settings)
    # Made once, here, before either server starts: two servers making their own at the same
    # moment would sign with different keys.
    assert container.secret_key and container.jwt_keys_dir.is_dir()
    with pytest.MonkeyPatch.context() as patch:
        # The hashes made here carry their (cheap) parameters: the servers verify them as cheaply.
        use_cheap_argon2(patch)
        world = make_world(container)
        pools, investors = _seed_pools(world)
    topology = start_topology(folder, app_server_env(url, var, REDIS_URL, AMQP_URL))
    try:
        yield Stack(world=world, topology=topology, pools=pools, investors=investors, folder=folder)
    finally:
        topology.stop()
        container.db.dispose()


def _client(nginx: Nginx) -> requests.Session:
    session = requests.Session()
    # Not the environment's CA bundle or proxies: requests lets REQUESTS_CA_BUNDLE override a
    # session's own `verify`, and a proxy would take loopback traffic off the machine.
    session.trust_env = False
    session.verify = str(nginx.ca)  # the dev CA: the certificate is checked, not waved through
    return session


def _token(nginx: Nginx, email: str) -> str:
    answer = _client(nginx).post(
        f"{nginx.url}/api/v1/auth/token", json={"email": email, "password": PASSWORD}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


# -- the edge ----------------------------------------------------------------------------------


def test_the_edge_terminates_tls_and_sets_what_the_app_needs(stack: Stack) -> None:
    nginx = stack.nginx
    assert tls_alpn(nginx, ["h2", "http/1.1"]) == "h2", "HTTP/2 is offered to clients that speak it"
    client = _client(nginx)
    bearer = {"Authorization": f"Bearer {_token(nginx, stack.world.emails['manager'])}"}

    # A request id the client sent comes back, the one the app logged it under; without one,
    # nginx makes one and both the answer and the access log carry it.
    mine = f"balancer-{uuid.uuid4().hex}"
    answer = client.get(f"{nginx.url}/api/v1/pools", headers={**bearer, "X-Request-ID": mine}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert headers_named(answer, "X-Request-ID") == [mine]
    made = client.get(f"{nginx.url}/api/v1/pools", headers=bearer, timeout=30)
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"]), made.headers
    for request_id in (mine, made.headers["X-Request-ID"]):
        assert logged_request(nginx, request_id).status == 200

    # Security headers: HSTS once (the edge's), the app's own headers once each.
    assert headers_named(answer, "Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]
    for name in ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy"):
        assert len(headers_named(answer, name)) == 1, (name, answer.headers)
    assert answer.headers["Cache-Control"] == "no-store"
    assert "/" not in answer.headers.get("Server", ""), "no software version at the edge"

    # gzip on JSON and on the portal's CSS (requests asks for gzip and inflates it).
    stylesheet = client.get(f"{nginx.url}/assets/bootstrap.min.css", timeout=30)
    assert stylesheet.status_code == 200
    assert stylesheet.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in stylesheet.headers["Vary"]
    spec = client.get(f"{nginx.url}/api/v1/openapi.json", timeout=30)
    assert spec.status_code == 200 and spec.headers["Content-Encoding"] == "gzip"
    raw = client.get(f"{nginx.url}/api/v1/openapi.json", timeout=30, stream=True)
    body = raw.raw.read(decode_content=False)
    assert len(body) < len(spec.content) / 3, "compressed on the wire"
    assert gzip.decompress(body) == spec.content

    # The app believes X-Forwarded-Proto from its one trusted hop: its cookies are Secure.
    login = client.get(f"{nginx.url}/login", timeout=30)
    assert login.status_code == 200
    assert login.headers.get("Content-Encoding") is None, "no gzip beside a CSRF token (BREACH)"
    assert login.cookies and all(cookie.secure for cookie in login.cookies), login.headers

    # The body limit is nginx's, before any app server reads the body.
    big = client.post(
        f"{nginx.url}/api/v1/pools",
        headers={**bearer, "Content-Type": "application/json"},
        data=b" " * (16 * 1024 * 1024 + 1),
        timeout=60,
    )
    assert big.status_code == 413
    assert big.headers["Content-Type"] == "application/problem+json"
    assert big.json()["status"] == 413
    assert headers_named(big, "Strict-Transport-Security"), "nginx's own answers carry HSTS too"
    assert headers_named(big, "X-Content-Type-Options") == ["nosniff"]

    # /metrics is not published at the edge.
    assert client.get(f"{nginx.url}/metrics", timeout=30).status_code == 404


def test_the_password_endpoints_are_rate_limited_per_address(stack: Stack) -> None:
    """A balancer of its own (its own rate-limit zone) in front of the same servers."""
    addresses = [server.address for server in stack.topology.servers]
    nginx = start_nginx(stack.folder / "nginx-rate", addresses, login_rate="1r/m", login_burst=3)
    try:
        client = _client(nginx)
        statuses = [
            client.post(
                f"{nginx.url}/api/v1/auth/token",
                json={"email": "nobody@pools.test", "password": "wrong-but-still-secret"},
                timeout=30,
            )
            for _ in range(6)
        ]
        # The first four (one, then a burst of three) reach the app, which refuses the
        # unknown account; the rest nginx refuses without asking it.
        assert [answer.status_code for answer in statuses] == [401] * 4 + [429] * 2
        refused = statuses[-1]
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert refused.json()["status"] == 429
        # Another endpoint is not limited by the guesses.
        assert client.get(f"{nginx.url}/healthz", timeout=30).status_code == 200
        login_page = client.get(f"{nginx.url}/login", timeout=30)
        assert login_page.status_code == 429, "the portal's sign-in shares the address's allowance"
    finally:
        nginx.stop()


# -- what nginx resends ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "key", "resent"),
    [
        ("GET", "/api/v1/pools", False, True),
        ("GET", "/manager", False, True),
        # The books' writes settle a second attempt by their key...
        ("POST", "/api/v1/pools/7/transactions", True, True),
        ("POST", "/api/v1/transactions/9/reversal", True, True),
        ("POST", "/api/v1/payments/requests/3/pay", True, True),
        # ...but not without one (the app refuses it, so it ran nowhere; nginx cannot know),
        ("POST", "/api/v1/pools/7/transactions", False, False),
        # and a write that ignores the header could run twice: a key there changes nothing.
        ("POST", "/api/v1/pools", True, False),
        ("POST", "/api/v1/auth/token", False, False),
        ("POST", "/_dash-update-component", False, False),
        ("POST", "/login", False, False),
    ],
)
def test_nginx_resends_a_dropped_request_only_when_a_second_attempt_is_safe(
    tmp_path: Path, method: str, path: str, key: bool, resent: bool
) -> None:
    """Stand-in servers drop the first attempt of every request after reading it, as a server
    killed mid-request: nginx resends reads and the keyed writes, and answers any other write
    with its own 503 problem rather than risk running it twice."""
    upstreams = FlakyUpstreams()
    upstreams.start()
    nginx = start_nginx(tmp_path / "nginx", upstreams.addresses, max_fails=0)
    try:
        request_id = f"attempt-{uuid.uuid4().hex}"
        headers = {"X-Request-ID": request_id, "X-Forwarded-For": "203.0.113.9"}
        if key:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        answer = _client(nginx).request(method, f"{nginx.url}{path}", headers=headers, json={}, timeout=30)
        attempts = upstreams.attempts(request_id)
        if resent:
            assert answer.status_code == 200, answer.text
            assert [seen.server for seen in attempts] in (["first", "second"], ["second", "first"])
        else:
            assert answer.status_code == 503, answer.text
            assert answer.headers["Content-Type"] == "application/problem+json"
            assert len(attempts) == 1, attempts
        # What every attempt told the app: the client's scheme and address (not what the
        # client claimed in X-Forwarded-For), the request id and the key unchanged.
        for seen in attempts:
            assert (seen.method, seen.path) == (method, path)
            assert seen.headers["x-forwarded-proto"] == "https"
            assert seen.headers["x-forwarded-for"] == "127.0.0.1"
            assert seen.headers["x-request-id"] == request_id
            assert seen.headers.get("idempotency-key") == headers.get("Idempotency-Key")
    finally:
        nginx.stop()
        upstreams.stop()


# -- one app server killed under load ---------------------------------------------------------


@dataclass
class Outcome:
    """What the clients saw, per kind of request, and the keys they sent."""

    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    posted: dict[str, int] = field(default_factory=dict)
    """key -> the entry its 201 named."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self, answer: requests.Response | Exception) -> None:
        with self.lock:
            status = answer.status_code if isinstance(answer, requests.Response) else 0
            self.statuses[f"read {status}"] += 1
            if status != 200:
                self.failures.append(f"read -> {status}: {_said(answer)}")

    def write(self, key: str, answer: requests.Response | Exception) -> None:
        """Note a write's answer: anything but the entry (409 "in flight" included) is a failure."""
        with self.lock:
            status = answer.status_code if isinstance(answer, requests.Response) else 0
            self.statuses[f"write {status}"] += 1
            if status == 201 and isinstance(answer, requests.Response):
                self.posted[key] = int(answer.json()["id"])
            else:
                self.failures.append(f"write -> {status}: {_said(answer)}")


def _said(answer: requests.Response | Exception) -> str:
    return answer.text[:300] if isinstance(answer, requests.Response) else repr(answer)


def _portal_login(nginx: Nginx, email: str) -> tuple[requests.Session, str, str]:
    """Sign in through the portal's form; (the browser's session, its home page, the request
    id of the sign-in, to find the server that answered it)."""
    browser = _client(nginx)
    page = browser.get(f"{nginx.url}/login", timeout=30)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the login form carries its CSRF token"
    request_id = f"portal-login-{uuid.uuid4().hex}"
    answer = browser.post(
        f"{nginx.url}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": found[1]},
        headers={"X-Request-ID": request_id},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 303, answer.text
    home = answer.headers["Location"]
    assert browser.get(f"{nginx.url}{home}", allow_redirects=False, timeout=30).status_code == 200
    return browser, home, request_id


def _answered_by(nginx: Nginx, request_id: str) -> str:
    """The app server that answered the request (the last one nginx tried)."""
    line = logged_request(nginx, request_id)
    assert line.upstreams, line
    return line.upstreams[-1]


def _subscriptions(container: Container, pools: list[int]) -> int:
    with UnitOfWork(container.db) as uow:
        total = uow.session.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.pool_id.in_(pools), JournalEntry.entry_type == "subscription")
        )
    return int(total or 0)


def _completed_keys(container: Container, keys: set[str]) -> dict[str, int | None]:
    """key -> the entry the ledger completed it with, for the keys of `keys` it completed."""
    found: dict[str, int | None] = {}
    ordered = sorted(keys)
    with UnitOfWork(container.db) as uow:
        for start in range(0, len(ordered), 500):
            rows = uow.session.execute(
                select(IdempotencyKey.idempotency_key, IdempotencyKey.entry_id).where(
                    IdempotencyKey.idempotency_key.in_(ordered[start : start + 500]),
                    IdempotencyKey.status == "completed",
                )
            )
            found.update({key: entry for key, entry in rows})
    return found


def test_kill_9_of_an_app_server_under_load_fails_no_request(stack: Stack) -> None:
    nginx, container = stack.nginx, stack.world.container
    manager_email = stack.world.emails["manager"]
    browser, home, login_id = _portal_login(nginx, manager_email)
    victim = stack.topology.server_at(_answered_by(nginx, login_id))
    survivor = next(server for server in stack.topology.servers if server is not victim)
    bearer = {"Authorization": f"Bearer {_token(nginx, manager_email)}"}
    subscriptions_before = _subscriptions(container, stack.pools)
    # The load's lines start after this one's (every earlier request has been answered).
    marker = f"load-starts-{uuid.uuid4().hex}"
    assert _client(nginx).get(f"{nginx.url}/healthz", headers={"X-Request-ID": marker}, timeout=30).ok
    logged_request(nginx, marker)
    log_start = len(nginx.access_lines())
    survivor_log_start = survivor.log.stat().st_size

    outcome = Outcome()
    answered = 0
    answered_lock = threading.Lock()
    kill_now = threading.Event()
    local = threading.local()

    def client() -> requests.Session:
        if not hasattr(local, "session"):
            local.session = _client(nginx)
        return local.session  # type: ignore[no-any-return]

    def counted() -> None:
        nonlocal answered
        with answered_lock:
            answered += 1
            if answered == KILL_AFTER:
                kill_now.set()

    def read(n: int) -> Callable[[], None]:
        pool = stack.pools[n % POOLS]
        path = "/api/v1/pools" if n % 2 else f"/api/v1/pools/{pool}/positions"

        def run() -> None:
            try:
                outcome.read(client().get(f"{nginx.url}{path}", headers=bearer, timeout=60))
            except requests.RequestException as exc:
                outcome.read(exc)
            counted()

        return run

    def write(n: int) -> Callable[[], None]:
        pool = stack.pools[n % POOLS]
        key = str(uuid.uuid4())
        outcome.keys.add(key)
        body: dict[str, Any] = {
            "type": "subscription",
            "investor_id": stack.investors[pool],
            "amount": "10.00",
            "effective_date": DEAL_DATE,
        }

        def run() -> None:
            headers = {**bearer, "Idempotency-Key": key, "X-Request-ID": f"write-{key}"}
            url = f"{nginx.url}/api/v1/pools/{pool}/transactions"
            try:
                outcome.write(key, client().post(url, json=body, headers=headers, timeout=60))
            except requests.RequestException as exc:
                outcome.write(key, exc)
            counted()

        return run

    # Three reads to a write, interleaved, so that writes are in flight when the kill lands.
    work = [write(n) if n % 4 == 3 else read(n) for n in range(READS + WRITES)]

    def killer() -> None:
        if kill_now.wait(timeout=300):
            victim.kill_hard()

    killing = threading.Thread(target=killer, name="kill-9")
    killing.start()
    with ThreadPoolExecutor(max_workers=CLIENT_THREADS, thread_name_prefix="client") as clients:
        for future in [clients.submit(task) for task in work]:
            future.result()
    killing.join(timeout=60)
    assert kill_now.is_set() and victim.process.poll() is not None, "the server was killed mid-run"

    lines = logged_since(nginx, log_start, READS + WRITES)
    retried = [line for line in lines if len(line.upstreams) > 1]
    resent_reads = [line for line in retried if line.request.startswith("GET ")]
    resent_writes = [line for line in retried if line.request_id.startswith("write-")]
    by_server = Counter(line.upstreams[-1] for line in lines if line.upstreams)
    with survivor.log.open("rb") as log:
        log.seek(survivor_log_start)
        # The survivor's ledger logs each key it took over from a claim whose owner was gone.
        taken_over = log.read().decode(errors="replace").count("key taken over: its owner's process is gone")

    def statuses(resent: list[AccessLine]) -> dict[str, int]:
        """What each server tried answered, e.g. {"502/201": 3}: the dead one, then the other."""
        return dict(Counter("/".join(line.upstream_statuses) for line in resent))

    print(
        f"\nbalancer under kill -9: {READS + WRITES} requests ({READS} reads, {WRITES} keyed writes) "
        f"from {CLIENT_THREADS} clients, answers {dict(outcome.statuses)}; answered by {dict(by_server)}; "
        f"resent by nginx to the other server: {len(retried)} (reads {statuses(resent_reads)}, "
        f"writes {statuses(resent_writes)}); keys the dead server held in flight and the survivor "
        f"took over at once: {taken_over}; failures {len(outcome.failures)}"
    )
    assert not outcome.failures, (
        f"{len(outcome.failures)} requests failed at the client: {outcome.failures[:5]}"
    )
    assert by_server[victim.address] > 0 and by_server[survivor.address] > 0, by_server
    assert retried, "nginx resent the requests the dead server dropped"
    # A write the dead server dropped (claimed or not, even written and unanswered) is resent
    # to the other server and answered there with its entry: taken over, claimed afresh or
    # replayed, never "in flight, retry later".
    assert taken_over <= len(resent_writes), "a key was taken over that no resent write needed"
    for line in resent_writes:
        assert line.upstreams == (victim.address, survivor.address), line
        assert line.upstream_statuses == ("502", "201"), line

    # The books: every key posted exactly one entry; none lost, none twice.
    assert set(outcome.posted) == outcome.keys
    assert len(set(outcome.posted.values())) == WRITES, "two keys answered with one entry"
    completed = _completed_keys(container, outcome.keys)
    assert completed == outcome.posted, (
        "the keys the ledger completed name the entries the clients were given"
    )
    assert _subscriptions(container, stack.pools) - subscriptions_before == WRITES
    for pool in stack.pools:
        report = container.ledger.verify(pool)
        assert report.ok, report.describe()

    # The portal session the dead server opened: the survivor serves it (a signed cookie and
    # a session row in the shared database, nothing kept in the dead server's memory).
    request_id = f"portal-after-{uuid.uuid4().hex}"
    page = browser.get(
        f"{nginx.url}{home}", headers={"X-Request-ID": request_id}, allow_redirects=False, timeout=30
    )
    assert page.status_code == 200, (page.status_code, page.headers.get("Location"))
    assert _answered_by(nginx, request_id) == survivor.address
    layout = browser.get(f"{nginx.url}/_dash-layout", allow_redirects=False, timeout=30)
    assert layout.status_code == 200, layout.status_code
    assert layout.headers["Content-Type"].startswith("application/json")
