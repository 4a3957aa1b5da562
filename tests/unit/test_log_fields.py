"""What every JSON log line carries (service, request, trace, span and user ids), W3C
traceparent parsing, and the redaction that keeps secrets out of the lines."""

from __future__ import annotations

import contextvars
import json
import logging
import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from backend.platform import observability, trace_context
from backend.platform.observability import JsonFormatter, bind_user_id, setup_logging
from backend.platform.redaction import REDACTED, is_sensitive_key, mask, scrub_text
from backend.platform.trace_context import TraceParent

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
VALID = f"00-{TRACE_ID}-{PARENT_ID}-01"
JWT = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0"
    ".eyJzdWIiOiI0MiIsImV4cCI6MTcwMDAwMDAwMH0"
    ".c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1Xy7Q"
)
SPACED_IBAN = "DE89 3704 0044 0532 0130 00"
SOLID_IBAN = "GB82WEST12345698765432"
FIRST = ["ts", "level", "logger", "msg", "service", "request_id", "trace_id", "span_id", "user_id"]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, _Records]]:
    """A logger of the test's own, its records kept (not propagated to the root logger)."""
    logger = logging.getLogger("tests.log_fields")
    handler = _Records()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, handler
    logger.removeHandler(handler)
    logger.propagate = True


def _line(record: logging.LogRecord, service: str | None = "test") -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(JsonFormatter(service).format(record))
    return parsed


def _in_new_context(fn: Callable[[], None]) -> None:
    """Run `fn` in a copy of the context: what it binds does not outlive it."""
    contextvars.copy_context().run(fn)


# -- traceparent --------------------------------------------------------------------------


def test_a_valid_traceparent_gives_its_trace_and_parent() -> None:
    assert trace_context.parse_traceparent(VALID) == TraceParent(TRACE_ID, PARENT_ID, "01")
    assert trace_context.parse_traceparent(f"  00-{TRACE_ID}-{PARENT_ID}-00 ") == TraceParent(
        TRACE_ID, PARENT_ID, "00"
    )
    # A later version may add fields after the flags; a version-00 reader keeps what it knows.
    assert trace_context.parse_traceparent(f"01-{TRACE_ID}-{PARENT_ID}-01-what-comes-next") == TraceParent(
        TRACE_ID, PARENT_ID, "01"
    )


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        f"00-{TRACE_ID}-{PARENT_ID}",  # no flags
        f"00-{TRACE_ID}-{PARENT_ID}-01-extra",  # version 00 has exactly four fields
        f"ff-{TRACE_ID}-{PARENT_ID}-01",  # version ff is invalid
        f"00-{TRACE_ID.upper()}-{PARENT_ID}-01",  # upper-case hex
        f"00-{'0' * 32}-{PARENT_ID}-01",  # all-zero trace id
        f"00-{TRACE_ID}-{'0' * 16}-01",  # all-zero parent id
        f"00-{TRACE_ID[:-1]}-{PARENT_ID}-01",  # one digit short
        f"00-{TRACE_ID}g-{PARENT_ID}-01",  # not hex
        f"0-{TRACE_ID}-{PARENT_ID}-01",
        f"00_{TRACE_ID}_{PARENT_ID}_01",
    ],
)
def test_a_malformed_traceparent_is_ignored(header: str | None) -> None:
    assert trace_context.parse_traceparent(header) is None
    span = trace_context.child_of(trace_context.parse_traceparent(header))
    assert span.trace_id != TRACE_ID  # a new trace


def test_new_ids_are_lowercase_hex_and_fresh() -> None:
    traces = {trace_context.new_trace_id() for _ in range(50)}
    spans = {trace_context.new_span_id() for _ in range(50)}
    assert len(traces) == 50 and all(re.fullmatch(r"[0-9a-f]{32}", t) for t in traces)
    assert len(spans) == 50 and all(re.fullmatch(r"[0-9a-f]{16}", s) for s in spans)


def test_a_child_span_keeps_the_trace_and_names_itself_as_the_next_parent() -> None:
    child = trace_context.child_of(TraceParent(TRACE_ID, PARENT_ID, "00"))
    assert child.trace_id == TRACE_ID and child.span_id != PARENT_ID and child.flags == "00"
    assert child.traceparent() == f"00-{TRACE_ID}-{child.span_id}-00"
    assert trace_context.parse_traceparent(child.traceparent()) == TraceParent(TRACE_ID, child.span_id, "00")
    root = trace_context.child_of(None)
    assert root.trace_id != TRACE_ID and root.flags == "01"


def test_a_span_is_current_inside_its_block_only() -> None:
    assert trace_context.current_span() is None
    with trace_context.span_of(TraceParent(TRACE_ID, PARENT_ID)) as span:
        assert trace_context.current_trace_id() == TRACE_ID
        assert trace_context.current_span_id() == span.span_id
    assert trace_context.current_span() is None


# -- the fields of a line -----------------------------------------------------------------


def test_every_line_has_the_context_fields_then_its_own(log: tuple[logging.Logger, _Records]) -> None:
    logger, handler = log
    logger.info("valued %s", "Pool Alpha", extra={"pool_id": 7, "as_of": date(2025, 1, 2)})
    line = _line(handler.records[0])
    assert list(line) == [*FIRST, "pool_id", "as_of"]
    assert (
        line["msg"] == "valued Pool Alpha"
        and line["level"] == "INFO"
        and line["logger"] == "tests.log_fields"
    )
    assert line["service"] == "test"
    assert [line[k] for k in ("request_id", "trace_id", "span_id", "user_id")] == [None] * 4
    assert line["pool_id"] == 7 and line["as_of"] == "2025-01-02"


def test_a_line_names_the_span_and_the_user_it_was_logged_in(log: tuple[logging.Logger, _Records]) -> None:
    logger, handler = log

    def inside() -> None:
        with trace_context.span_of(TraceParent(TRACE_ID, PARENT_ID)) as span:
            bind_user_id(42)
            logger.info("inside")
            spans.append(span.span_id)

    spans: list[str] = []
    _in_new_context(inside)
    logger.info("after")
    inside_line, after_line = (_line(r) for r in handler.records)
    assert (inside_line["trace_id"], inside_line["span_id"], inside_line["user_id"]) == (
        TRACE_ID,
        spans[0],
        42,
    )
    assert (after_line["trace_id"], after_line["span_id"], after_line["user_id"]) == (None, None, None)


def test_the_context_is_the_one_when_the_record_was_made(log: tuple[logging.Logger, _Records]) -> None:
    logger, handler = log

    def inside() -> None:
        bind_user_id(5)
        logger.info("made inside")

    _in_new_context(inside)
    # Formatted later, outside: it still names the user it was logged for.
    assert _line(handler.records[0])["user_id"] == 5


def test_an_event_field_named_like_a_context_field_does_not_replace_it(
    log: tuple[logging.Logger, _Records],
) -> None:
    logger, handler = log

    def inside() -> None:
        bind_user_id(1)
        logger.info("sessions revoked", extra={"user_id": 2, "service": "auth"})

    _in_new_context(inside)
    line = _line(handler.records[0])
    assert (line["user_id"], line["event_user_id"]) == (1, 2)
    assert (line["service"], line["event_service"]) == ("test", "auth")


@pytest.fixture
def root_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """setup_logging replaces the root logger's handlers: put them and the level back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    monkeypatch.setattr(observability, "_service", None)
    monkeypatch.delenv(observability.SERVICE_NAME_VARIABLE, raising=False)
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _service_of_root_handler() -> str:
    record = logging.getLogger("tests.log_fields").makeRecord("x", logging.INFO, "f", 1, "m", (), None)
    formatted: dict[str, Any] = json.loads(logging.getLogger().handlers[0].format(record))
    return str(formatted["service"])


@pytest.mark.usefixtures("root_logging")
def test_the_service_is_what_setup_logging_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    setup_logging("INFO")
    assert _service_of_root_handler() == "app" and observability.logging_service() == "app"
    monkeypatch.setenv("SERVICE_NAME", "relay")
    setup_logging("INFO")
    assert _service_of_root_handler() == "relay"
    setup_logging("WARNING", service="worker")
    assert _service_of_root_handler() == "worker" and observability.logging_service() == "worker"
    assert logging.getLogger().level == logging.WARNING


# -- redaction ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "new_password",
        "Password",
        "passwd",
        "client_secret",
        "refresh_token",
        "Authorization",
        "set-cookie",
        "api_key",
        "X-Api-Key",
        "apiKey",
        "iban",
        "payout_IBAN",
        "account_number",
        "accountNumber",
        "card",
        "card_last4",
    ],
)
def test_a_field_named_like_a_secret_is_redacted_whatever_its_value(
    key: str, log: tuple[logging.Logger, _Records]
) -> None:
    logger, handler = log
    logger.info("event", extra={key: "s3cr3t-value", "nested": {key: 1234, "kept": "yes"}})
    line = _line(handler.records[0])
    assert line[key] == REDACTED
    assert line["nested"] == {key: REDACTED, "kept": "yes"}
    assert "s3cr3t-value" not in json.dumps(line)


@pytest.mark.parametrize(
    "key", ["amount", "pool_id", "reason", "refresh_family", "reset_id", "account", "key_file", "status"]
)
def test_other_field_names_are_not_secrets(key: str) -> None:
    assert not is_sensitive_key(key)


def test_a_jwt_anywhere_in_text_is_masked_to_its_last_four() -> None:
    assert scrub_text(f"refused {JWT} for user 4") == f"refused ****{JWT[-4:]} for user 4"
    unsigned = JWT.rsplit(".", 1)[0] + "."
    assert scrub_text(f"token={unsigned}") == f"token=****{unsigned[-4:]}"


def test_a_bearer_credential_is_masked_and_prose_is_not() -> None:
    assert scrub_text("Authorization: Bearer abc123def456ghi789") == "Authorization: Bearer ****i789"
    assert scrub_text(f"header bearer {JWT}") == f"header Bearer ****{JWT[-4:]}"
    prose = "authentication required: send a Bearer access token"
    assert scrub_text(prose) == prose


@pytest.mark.parametrize(
    ("iban", "last4"),
    [
        (SPACED_IBAN, "3000"),
        (SOLID_IBAN, "5432"),
        ("FR14 2004 1010 0505 0001 3M02 606", "2606"),
        ("NL91ABNA0417164300", "4300"),
        ("NL91 ABNA 0417 1643 00", "4300"),
        ("MT84 MALT 0110 0001 2345 MTLC AST0 01S", "001S"),
    ],
)
def test_an_iban_is_masked_to_its_last_four(iban: str, last4: str) -> None:
    assert scrub_text(f"payout to {iban} confirmed") == f"payout to ****{last4} confirmed"
    assert scrub_text(f"({iban})") == f"(****{last4})"


def test_a_password_in_a_url_is_masked() -> None:
    text = "cannot connect to mysql+pymysql://pools:hunter2-secret@db:3306/pools"
    assert scrub_text(text) == "cannot connect to mysql+pymysql://pools:****@db:3306/pools"
    assert (
        scrub_text("redis://127.0.0.1:6379/0 and mysql://root@db/x")
        == "redis://127.0.0.1:6379/0 and mysql://root@db/x"
    )


def test_message_values_and_exceptions_are_scrubbed(log: tuple[logging.Logger, _Records]) -> None:
    logger, handler = log
    try:
        raise ValueError(f"bad account {SPACED_IBAN}")
    except ValueError:
        logger.exception(
            "payout %s refused for %s",
            12,
            SOLID_IBAN,
            extra={"detail": [f"Bearer {JWT}", {"to": SPACED_IBAN}]},
        )
    text = JsonFormatter("test").format(handler.records[0])
    line = json.loads(text)
    assert line["msg"] == "payout 12 refused for ****5432"
    assert line["detail"] == [f"Bearer ****{JWT[-4:]}", {"to": "****3000"}]
    assert "bad account ****3000" in line["exc"]
    for secret in (SPACED_IBAN, SOLID_IBAN, JWT):
        assert secret not in text


def test_a_normal_financial_line_is_untouched(log: tuple[logging.Logger, _Records]) -> None:
    logger, handler = log
    message = (
        "Subscription of USD 1,250,000.00 to Pool Alpha Growth II (Class A2) dated 2025-01-02, "
        "NAV 101.234567 per unit at 2025-01-02T16:00:00+00:00; entry 4211 at GTID 0-1-23, "
        "reference RF18539007547034, ISIN US0378331005, BIC DEUTDEFF500, batch 2025Q1-0042, "
        "request 4bf92f3577b34da6a3ce929d0e0e4736, fee 1.5% on EUR 2,000,000.00, XIRR 12.34%"
    )
    fields = {
        "amount": Decimal("1250000.00"),
        "effective_date": date(2025, 1, 2),
        "pool": "Pool Alpha Growth II",
        "gtid": "0-1-23",
        "units": 12345.678,
        "entry_id": 4211,
        "reference": "RF18539007547034",
        "currencies": ["USD", "EUR"],
    }
    logger.info(message, extra=fields)
    line = _line(handler.records[0])
    assert scrub_text(message) == message and line["msg"] == message
    assert {key: line[key] for key in fields} == {
        **fields,
        "amount": "1250000.00",
        "effective_date": "2025-01-02",
    }


def test_a_short_secret_is_masked_whole() -> None:
    assert mask("abcd1234") == "****" and mask("abcdefgh12345") == "****2345"


def test_each_command_names_its_service_in_the_log_unless_service_name_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import app

    def named(*argv: str) -> str:
        return app._service_name(app.build_parser().parse_args(list(argv)))

    monkeypatch.delenv("SERVICE_NAME", raising=False)
    assert [named("serve"), named("ledger", "relay"), named("notifications", "consume"), named("worker")] == [
        "serve",
        "ledger-relay",
        "notifications-consume",
        "worker",
    ]
    monkeypatch.setenv("SERVICE_NAME", "relay-eu-1")
    assert named("ledger", "relay") == "relay-eu-1"
