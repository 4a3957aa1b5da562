"""Shared fixtures: a migrated database per backend per worker, each test in a savepoint.

The service tests take the `container` fixture and run twice: on SQLite (the embedded
default) and on real MariaDB. Each test runs inside an outer transaction that is rolled
back, with the services' own commits turned into savepoint releases, so tests never see
each other's rows and need no cleanup.

Every test also runs under the log leak guard (below): a line logged at INFO or above that
carries a test password, a webhook secret, a JWT, a bearer credential or an IBAN fails the
test that logged it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from backend.composition.container import Container
from backend.platform import tracing
from backend.platform.cache import InProcessCache
from backend.platform.commit_watch import CommitWatchers
from backend.platform.config import Settings, load_settings
from backend.platform.db import Database
from backend.platform.observability import JsonFormatter
from sql.migrate import upgrade

MARIADB_URL = os.environ.get("TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/?charset=utf8mb4")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"


def _worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


_created_databases: list[str] = []


def mariadb_database_url(suffix: str) -> str:
    """Create (fresh) and return the URL of a MariaDB database private to this test process.

    The pid keeps two test runs on one machine (a developer and CI, say) out of each other's
    way; the databases are dropped when the session ends."""
    name = f"pools_test_{_worker_id()}_{os.getpid()}_{suffix}"
    _created_databases.append(name)
    server = create_engine(MARIADB_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
    server.dispose()
    return make_url(MARIADB_URL).set(database=name).render_as_string(hide_password=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _created_databases:
        return
    server = create_engine(MARIADB_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        for name in set(_created_databases):
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    server.dispose()


@pytest.fixture(scope="session")
def migrated_urls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    sqlite_path = tmp_path_factory.mktemp("sqlite") / "pools.sqlite3"
    urls = {"sqlite": f"sqlite:///{sqlite_path}", "mariadb": mariadb_database_url("svc")}
    for url in urls.values():
        upgrade(url)  # the migrations themselves are under test here, on both backends
    return urls


@pytest.fixture(params=["sqlite", "mariadb"])
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The platform's settings for one test: its own var/ folder; with the payment_gateway
    marker, the payment gateway pointed at the test's own sandbox (the `sandbox` fixture)."""
    gateway: dict[str, str] = {}
    if request.node.get_closest_marker("payment_gateway"):
        from tests.integration.payments_support import gateway_settings

        gateway = gateway_settings(request.getfixturevalue("sandbox"))
    return load_settings(VAR_DIR=str(tmp_path / "var"), **gateway)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # A test marked over_grpc runs in process and again with its services behind gRPC.
    if metafunc.definition.get_closest_marker("over_grpc") and "container" in metafunc.fixturenames:
        metafunc.parametrize("transport", ["in-process", "grpc"], indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The gRPC hop is the same whichever database is behind the service, and the issue asks
    # for it on MariaDB; running it on SQLite too doubled its cost for nothing more proved.
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        params = getattr(item, "callspec", None)
        chosen = params.params if params is not None else {}
        if chosen.get("transport") == "grpc" and chosen.get("backend_name") == "sqlite":
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture
def transport(request: pytest.FixtureRequest) -> str:
    """How the container reaches the services an `over_grpc` marker names."""
    return str(getattr(request, "param", "in-process"))


_WORKER_DATABASES: dict[str, Database] = {}


def _worker_database(url: str) -> Database:
    """The worker's Database of `url`, its engines kept from test to test: SQLAlchemy keeps
    compiled statements per engine (its dialect is part of the key), and a new engine per
    test compiled every statement again, about a tenth of the integration tests' time. What
    a Container hangs on the Database (commit watchers) starts afresh each test; the
    sessions are bound to the test's own connection below. It has no replicas, so its
    read-your-writes positions are never written or read."""
    db = _WORKER_DATABASES.get(url)
    if db is None:
        db = _WORKER_DATABASES[url] = Database(url, positions=InProcessCache())
    db.commit_watchers = CommitWatchers()
    return db


@pytest.fixture
def container(
    backend_name: str,
    migrated_urls: dict[str, str],
    settings: Settings,
    transport: str,
    request: pytest.FixtureRequest,
) -> Iterator[Container]:
    db = _worker_database(migrated_urls[backend_name])
    connection = db.primary.connect()
    outer = connection.begin()
    # Every session the services open joins this connection; their commits release
    # savepoints, and the outer rollback below undoes the whole test.
    db.writer_sessions = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    # Reads too, or they would not see what the test wrote (test_primary_reads covers the
    # autocommit connections they use outside a test's transaction).
    db.primary_readers = None
    built = Container(settings, db=db, cache=InProcessCache())
    marker = request.node.get_closest_marker("over_grpc")
    if transport == "grpc" and marker is not None:
        from tests.integration.rpc_support import over_grpc

        with over_grpc(built, marker.args):
            yield built
    else:
        yield built
    outer.rollback()
    connection.close()


# -- the log leak guard ------------------------------------------------------------------------

KNOWN_SECRETS = (
    "correct horse battery staple",  # auth_support.PASSWORD
    "correct horse battery",  # the users and replica tests' own
    "portal-test-password-1",  # portal_support.PASSWORD
    "a brand new passphrase",  # test_user_admin.NEW_PASSWORD
    "a-brand-new-password",  # test_sessions_end
    "wrong-but-still-secret",  # test_auth_api
    "Tr0ub4dor&3-wrong-guess",  # test_auth_service
    "my-secret-password-in-the-email-box",  # test_auth_service
    "not my password",  # test_payments_payouts
    "not-a-real-password-used-for-timing-only",  # auth_support's dummy hash
    "the-right-password",  # tests/unit/auth/test_passwords.py
    "unit-test-secret",  # tests/unit/test_portal_background_manager.py
    "e2e-investor-pass-1",  # tests/e2e
    "e2e-manager-pass-1",  # tests/e2e
)
"""The fixed passwords and secrets the test helpers and tests use (kept in step with the
helpers by tests/integration/test_log_context.py)."""

_LEAK_PATTERNS = (
    ("a webhook secret", re.compile(r"whsec_[A-Za-z0-9_-]{4,}")),
    ("a JWT", re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")),
    ("a bearer credential", re.compile(r"Bearer \S*")),
    # Looser than the formatter's own rule on purpose (a space may come anywhere): the guard
    # must not share a bug it guards against. RF starts a payment reference, not an IBAN.
    ("an IBAN", re.compile(r"(?<![A-Za-z0-9])(?!RF)[A-Z]{2}[0-9]{2}(?:\s?[A-Z0-9]){11,30}(?![A-Za-z0-9])")),
)
_STANDARD_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def secrets_in(text_: str) -> list[tuple[str, str]]:
    """(what, the text found) for every known secret and secret-shaped string in `text_`."""
    found = [("a test password or secret", known) for known in KNOWN_SECRETS if known in text_]
    for what, pattern in _LEAK_PATTERNS:
        found += [(what, match.group(0)) for match in pattern.finditer(text_)]
    return found


def _masked(text_: str, found: list[tuple[str, str]]) -> str:
    for secret in sorted({secret for _, secret in found}, key=len, reverse=True):
        text_ = text_.replace(secret, "****" + secret[-2:] if len(secret) > 12 else "****")
    return text_


class LogLeakGuard(logging.Handler):
    """Formats every record it is handed as the platform writes it (JsonFormatter) and notes
    each that carries a secret: in the line written, or handed to the logging call (message,
    fields, exception) even where the formatter masked it. Prints nothing."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            fields = (str(value) for key, value in vars(record).items() if key not in _STANDARD_RECORD_FIELDS)
            handed = " ".join([record.getMessage(), *fields])
            if record.exc_info and record.exc_info[1] is not None:
                handed += " " + str(record.exc_info[1])
        except Exception:  # a record that cannot be formatted at all is logging's own error
            self.handleError(record)
            return
        written, at_source = secrets_in(line), secrets_in(handed)
        if written or at_source:
            kinds = ", ".join(sorted({what for what, _ in written + at_source}))
            where = "written to the log" if written else "handed to the logger (the formatter masked it)"
            self.leaks.append(
                f"logger {record.name!r}: {kinds} {where}: {_masked(line, written + at_source)}"
            )


LOG_LEAK_GUARD = LogLeakGuard()


@pytest.fixture(scope="session", autouse=True)
def _log_leak_guard_installed() -> Iterator[LogLeakGuard]:
    """The guard on the root logger for the whole session, with INFO records let through to
    it (the root logger's default is WARNING). pytest's own capture keeps them and shows
    them for a failing test only, as before."""
    root = logging.getLogger()
    level = root.level
    root.addHandler(LOG_LEAK_GUARD)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
    yield LOG_LEAK_GUARD
    root.removeHandler(LOG_LEAK_GUARD)
    root.setLevel(level)


@pytest.fixture(autouse=True)
def no_secret_in_logs(_log_leak_guard_installed: LogLeakGuard) -> Iterator[None]:
    """Fail the test during which a secret was logged, naming the logger and the line (the
    secret masked). A test that sets logging up itself (the CLI's main, a Celery worker)
    replaces the root logger's handlers: the guard is put back for the next test."""
    guard = _log_leak_guard_installed
    root = logging.getLogger()
    if guard not in root.handlers:
        root.addHandler(guard)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
    guard.leaks.clear()
    yield
    leaks, guard.leaks[:] = list(guard.leaks), []
    if leaks:
        pytest.fail("a secret was logged:\n" + "\n".join(leaks), pytrace=False)


class _SpanSink(SpanProcessor):
    """The one processor the tests attach to the process's tracer provider (a provider cannot
    drop a processor): it hands finished spans to the exporter of the test that asked for
    them (the `spans` fixture) and to nothing otherwise."""

    def __init__(self) -> None:
        self.exporter: InMemorySpanExporter | None = None

    def on_end(self, span: ReadableSpan) -> None:
        if self.exporter is not None:
            self.exporter.export((span,))


_span_sink: _SpanSink | None = None


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Every span finished while the test runs, in memory (OpenTelemetry's test exporter)."""
    global _span_sink  # noqa: PLW0603 - attached once per process, on first use
    if _span_sink is None:
        _span_sink = _SpanSink()
        tracing.add_processor(_span_sink)
    exporter = InMemorySpanExporter()
    _span_sink.exporter = exporter
    try:
        yield exporter
    finally:
        _span_sink.exporter = None
