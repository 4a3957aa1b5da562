"""The ledger service on SQLite and on real MariaDB (the `container` fixture runs each twice)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from backend.api.problems import problem_kind
from backend.composition.container import Container
from backend.platform.actors import Actor
from backend.platform.errors import Conflict, NotFound, ValidationFailed
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import UnitOfWork
from ledger.idempotency import IdempotencyStore, request_fingerprint
from ledger.interface import (
    IDEMPOTENCY_KEY_FIELD,
    AccountCode,
    EntryType,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    LedgerEvent,
)
from ledger.journal import DraftLine, EntryDraft, JournalEngine
from ledger.models import JournalEntry, OutboxEvent, Posting
from ledger.service import DatabaseLedgerService
from tests.ledger_entries import PostEntryRequest, post_entry, write_draft

OPERATOR = Actor.operator("ledger-test")
POOL = 41
DAY = date(2026, 3, 2)


def _subscription(investor: int, cash: str, units: str, pool: int = POOL, **extra: Any) -> PostEntryRequest:
    return PostEntryRequest.model_validate(
        {
            "pool_id": pool,
            "currency": "USD",
            "entry_type": "subscription",
            "effective_date": DAY,
            "memo": f"subscription {investor}",
            "postings": [
                {"account": "cash", "amount": cash},
                {"account": "capital", "investor_id": investor, "amount": f"-{cash}"},
                {"account": "units", "investor_id": investor, "amount": units},
                {"account": "units_outstanding", "amount": f"-{units}"},
            ],
            **extra,
        }
    )


def _redemption(investor: int, cash: str, units: str) -> PostEntryRequest:
    return PostEntryRequest.model_validate(
        {
            "pool_id": POOL,
            "currency": "USD",
            "entry_type": "redemption",
            "effective_date": DAY,
            "postings": [
                {"account": "capital", "investor_id": investor, "amount": cash},
                {"account": "cash", "amount": f"-{cash}"},
                {"account": "units", "investor_id": investor, "amount": f"-{units}"},
                {"account": "units_outstanding", "amount": units},
            ],
        }
    )


def _counts(container: Container) -> tuple[int, int, int]:
    with UnitOfWork(container.db) as uow:
        s = uow.session
        return (
            int(s.scalar(select(func.count()).select_from(JournalEntry)) or 0),
            int(s.scalar(select(func.count()).select_from(Posting)) or 0),
            int(s.scalar(select(func.count()).select_from(OutboxEvent)) or 0),
        )


def test_balanced_entry_is_written_exactly_and_chained(container: Container) -> None:
    ledger = container.ledger
    first = post_entry(ledger, OPERATOR, _subscription(7, "1000.10", "100.010001"), "sub-1")
    second = post_entry(ledger, OPERATOR, _subscription(8, "0.01", "0.000001"), "sub-2")
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == "0" * 64 and second.prev_hash == first.hash and len(second.hash) == 64
    assert ledger.balances(POOL) == {
        "capital/7": Decimal("-1000.10"),
        "capital/8": Decimal("-0.01"),
        "cash": Decimal("1000.11"),
        "units/7": Decimal("100.010001"),
        "units/8": Decimal("0.000001"),
        "units_outstanding": Decimal("-100.010002"),
    }
    assert ledger.get_entry(second.id) == second
    assert ledger.ledger_version(POOL) == 2 and ledger.has_entries(POOL) and not ledger.has_entries(POOL + 1)
    report = ledger.verify(POOL)
    assert report.ok and (report.entries, report.postings) == (2, 8), report.describe()


def test_unbalanced_entry_is_refused_per_commodity(container: Container) -> None:
    request = _subscription(7, "100.00", "10").model_dump()
    request["postings"][3]["amount"] = "-9.999999"
    with pytest.raises(ValidationFailed) as err:
        post_entry(container.ledger, OPERATOR, PostEntryRequest.model_validate(request), "unbalanced")
    assert err.value.field == "lines" and "UNITS sums to 0.000001" in err.value.detail
    assert _counts(container) == (0, 0, 0)


@pytest.mark.parametrize(
    ("cash", "units", "field", "message"),
    [
        ("100.001", "1", "lines[0].amount", "USD allows 2 decimal places, got 3"),
        ("100.00", "1.0000001", "lines[2].amount", "units allows 6 decimal places, got 7"),
        ("1000000000000.01", "1", "lines[0].amount", "must not exceed 10^12"),
    ],
)
def test_precision_and_magnitude_errors_name_the_field(
    container: Container, cash: str, units: str, field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        post_entry(container.ledger, OPERATOR, _subscription(7, cash, units), "bad-precision")
    assert err.value.field == field and message in err.value.detail
    assert _counts(container) == (0, 0, 0)


def test_floats_and_misplaced_investors_are_refused(container: Container) -> None:
    with pytest.raises(ValueError, match="not a float"):
        PostEntryRequest.model_validate(
            {**_subscription(7, "1", "1").model_dump(), "postings": [{"account": "cash", "amount": 0.1}] * 2}
        )
    request = _subscription(7, "1.00", "1").model_dump()
    request["postings"][0]["investor_id"] = 7  # cash is the pool's own account
    with pytest.raises(ValidationFailed) as err:
        post_entry(container.ledger, OPERATOR, PostEntryRequest.model_validate(request), "misplaced")
    assert err.value.field == "lines[0].investor_id"


def test_overdraft_is_refused_atomically(container: Container) -> None:
    ledger = container.ledger
    post_entry(ledger, OPERATOR, _subscription(7, "100.00", "10"), "sub")
    before = _counts(container), ledger.balances(POOL), ledger.ledger_version(POOL)
    with pytest.raises(ValidationFailed) as err:
        post_entry(ledger, OPERATOR, _redemption(7, "50.00", "10.000001"), "too-many-units")
    assert err.value.field == "units" and "holds 10.000000 units, cannot redeem 10.000001" in err.value.detail
    with pytest.raises(ValidationFailed) as cash_err:
        post_entry(ledger, OPERATOR, _redemption(7, "100.01", "1"), "too-much-cash")
    assert cash_err.value.field == "cash" and "has 100.00 USD cash" in cash_err.value.detail
    assert (_counts(container), ledger.balances(POOL), ledger.ledger_version(POOL)) == before
    # The failed keys were released: the same key works once the request is acceptable.
    assert post_entry(ledger, OPERATOR, _redemption(7, "100.00", "10"), "too-much-cash").seq == 2


def test_negative_cash_only_when_the_pool_allows_it(container: Container) -> None:
    ledger = container.ledger
    post_entry(ledger, OPERATOR, _subscription(7, "10.00", "1", cash_may_go_negative=True), "sub")
    out = post_entry(
        ledger,
        OPERATOR,
        PostEntryRequest.model_validate(
            {
                "pool_id": POOL,
                "currency": "USD",
                "entry_type": "expense",
                "effective_date": DAY,
                "postings": [
                    {"account": "expense", "amount": "15.00"},
                    {"account": "cash", "amount": "-15.00"},
                ],
                "cash_may_go_negative": True,
            }
        ),
        "expense",
    )
    assert out.seq == 2 and ledger.balances(POOL)["cash"] == Decimal("-5.00")


def test_same_key_same_request_returns_the_first_result(container: Container) -> None:
    request = _subscription(7, "100.00", "10")
    first = post_entry(container.ledger, OPERATOR, request, "retry-me")
    again = post_entry(
        container.ledger, OPERATOR, PostEntryRequest.model_validate(request.model_dump()), "retry-me"
    )
    # A new service instance (a restarted process) finds the key in the database.
    restarted = post_entry(DatabaseLedgerService(container.db), OPERATOR, request, "retry-me")
    assert first == again == restarted
    assert _counts(container)[0] == 1 and container.ledger.ledger_version(POOL) == 1


def test_same_key_different_request_is_refused_naming_the_key(container: Container) -> None:
    post_entry(container.ledger, OPERATOR, _subscription(7, "100.00", "10"), "key-A")
    with pytest.raises(IdempotencyKeyReused) as err:
        post_entry(container.ledger, OPERATOR, _subscription(7, "100.01", "10"), "key-A")
    assert isinstance(err.value, Conflict) and problem_kind(err.value).status == 422
    assert err.value.field == IDEMPOTENCY_KEY_FIELD and "'key-A'" in err.value.detail
    assert _counts(container)[0] == 1


def test_same_key_while_in_flight_is_409(container: Container) -> None:
    request = _subscription(7, "100.00", "10")
    fingerprint = request_fingerprint("post_entry", request.model_dump(mode="json"))
    # The first attempt claimed the key and is still writing (it never completes here).
    IdempotencyStore(container.db).claim(OPERATOR, "slow", "post_entry", fingerprint, utcnow())
    with pytest.raises(IdempotencyKeyInFlight) as err:
        post_entry(container.ledger, OPERATOR, request, "slow")
    assert problem_kind(err.value).status == 409 and err.value.field == IDEMPOTENCY_KEY_FIELD
    assert _counts(container)[0] == 0


def test_keys_belong_to_their_principal(container: Container) -> None:
    other = Actor.operator("someone-else")
    a = post_entry(container.ledger, OPERATOR, _subscription(7, "1.00", "1"), "shared-key")
    b = post_entry(container.ledger, other, _subscription(7, "1.00", "1"), "shared-key")
    assert a.id != b.id and b.created_by == "operator:someone-else"


def test_triggers_refuse_update_and_delete(container: Container) -> None:
    out = post_entry(container.ledger, OPERATOR, _subscription(7, "100.00", "10"), "sub")
    statements = [
        "UPDATE ledger_postings SET amount = amount + 1",
        "DELETE FROM ledger_postings",
        "UPDATE ledger_journal_entries SET memo = 'rewritten'",
        "DELETE FROM ledger_journal_entries",
    ]
    for sql in statements:
        with UnitOfWork(container.db) as uow, pytest.raises(DBAPIError, match="append-only"):
            uow.session.execute(text(sql))
    assert container.ledger.get_entry(out.id) == out
    assert container.ledger.verify().ok


def test_reversal_mirrors_the_entry_once(container: Container) -> None:
    ledger = container.ledger
    original = post_entry(ledger, OPERATOR, _subscription(7, "100.00", "10"), "sub")
    reversal = ledger.reverse(OPERATOR, POOL, original.id, "rev-1")
    assert reversal.entry_type is EntryType.REVERSAL and reversal.reverses_entry_id == original.id
    assert sorted((p.account_id, p.amount) for p in reversal.postings) == sorted(
        (p.account_id, -p.amount) for p in original.postings
    )
    assert all(balance == 0 for balance in ledger.balances(POOL).values())
    assert ledger.reverse(OPERATOR, POOL, original.id, "rev-1") == reversal  # idempotent retry
    with pytest.raises(Conflict, match="already been reversed"):
        ledger.reverse(OPERATOR, POOL, original.id, "rev-2")
    with pytest.raises(Conflict, match="itself a reversal"):
        ledger.reverse(OPERATOR, POOL, reversal.id, "rev-3")
    with pytest.raises(NotFound):
        ledger.reverse(OPERATOR, POOL + 1, original.id, "rev-4")
    assert ledger.ledger_version(POOL) == 2 and ledger.verify(POOL).ok


def test_reversal_that_would_overdraw_is_refused(container: Container) -> None:
    ledger = container.ledger
    sub = post_entry(ledger, OPERATOR, _subscription(7, "100.00", "10"), "sub")
    post_entry(ledger, OPERATOR, _redemption(7, "100.00", "10"), "red")
    red = ledger.list_entries(POOL, entry_type=EntryType.REDEMPTION).entries[0]
    # Refused before any overdraft: the redemption was dealt on the units the subscription
    # issued, so it is the one to reverse first.
    with pytest.raises(Conflict) as err:
        ledger.reverse(OPERATOR, POOL, sub.id, "rev")
    assert err.value.field == "entry_id" and f"reverse entry {red.id} first" in err.value.detail
    assert ledger.ledger_version(POOL) == 2
    ledger.reverse(OPERATOR, POOL, red.id, "rev-red")
    ledger.reverse(OPERATOR, POOL, sub.id, "rev-sub")
    assert ledger.verify(POOL).ok and ledger.ledger_version(POOL) == 4


def test_list_entries_filters_and_pages(container: Container) -> None:
    ledger = container.ledger
    ids = [post_entry(ledger, OPERATOR, _subscription(i % 2 + 1, "10.00", "1"), f"k{i}").id for i in range(5)]
    post_entry(ledger, OPERATOR, _redemption(1, "5.00", "0.5"), "red")
    first = ledger.list_entries(POOL, limit=2)
    second = ledger.list_entries(POOL, limit=2, cursor=first.next_cursor)
    assert [e.id for e in first.entries + second.entries] == ids[:4] and second.next_cursor is not None
    subs_of_2 = ledger.list_entries(POOL, investor_id=2, entry_type=EntryType.SUBSCRIPTION)
    assert [e.id for e in subs_of_2.entries] == ids[1::2] and subs_of_2.next_cursor is None
    assert [e.entry_type for e in ledger.list_entries(POOL, entry_type=EntryType.REDEMPTION).entries] == [
        EntryType.REDEMPTION
    ]
    assert ledger.list_entries(POOL, date_from=date(2026, 3, 3)).entries == []
    assert len(ledger.list_entries(POOL, date_from=DAY, date_to=DAY).entries) == 6
    with pytest.raises(ValidationFailed) as err:
        ledger.list_entries(POOL, cursor="not-a-cursor")
    assert err.value.field == "cursor"


def test_capital_call_books_a_receivable_per_investor(container: Container) -> None:
    lines = (
        DraftLine(AccountCode.CALL_RECEIVABLE, 7, Decimal("600.00")),
        DraftLine(AccountCode.CAPITAL, 7, Decimal("-600.00")),
        DraftLine(AccountCode.CALL_RECEIVABLE, 8, Decimal("400.00")),
        DraftLine(AccountCode.CAPITAL, 8, Decimal("-400.00")),
        DraftLine(AccountCode.CALL_RECEIVABLE, 9, Decimal(0)),  # a zero allocation is dropped
    )
    draft = EntryDraft(POOL, "EUR", EntryType.CAPITAL_CALL, DAY, "call 1", lines)
    out = write_draft(container.ledger, OPERATOR, draft, "call-1", request={"call": 1})
    assert len(out.postings) == 4
    assert container.ledger.balances_by_ref(POOL)[(AccountCode.CALL_RECEIVABLE, 8)] == Decimal("400.00")
    assert write_draft(container.ledger, OPERATOR, draft, "call-1", request={"call": 1}) == out
    with pytest.raises(ValidationFailed) as err:
        bad = (
            DraftLine(AccountCode.CALL_RECEIVABLE, None, Decimal(1)),
            DraftLine(AccountCode.CASH, None, Decimal(-1)),
        )
        write_draft(
            container.ledger, OPERATOR, EntryDraft(POOL, "EUR", EntryType.CAPITAL_CALL, DAY, "", bad), "k"
        )
    assert err.value.field == "lines[0].investor_id"


def test_drafts_are_checked_by_the_engine(container: Container) -> None:
    def draft(*amounts: str, currency: str = "EUR") -> EntryDraft:
        lines = (
            DraftLine(AccountCode.CASH, None, Decimal(amounts[0])),
            DraftLine(AccountCode.INCOME, None, Decimal(amounts[1])),
        )
        return EntryDraft(POOL, currency, EntryType.INCOME, DAY, "", lines)

    cases = [
        (draft("10.00", "-9.99"), "lines", "EUR sums to 0.01"),
        (draft("10.001", "-10.001"), "lines[0].amount", "EUR allows 2 decimal places"),
        (draft("0", "0"), "lines", "every line is zero"),
        (draft("1", "-1", currency="XXX"), "currency", "not a supported"),
    ]
    for bad, field, message in cases:
        with pytest.raises(ValidationFailed) as err:
            write_draft(container.ledger, OPERATOR, bad, f"draft-{field}")
        assert err.value.field == field and message in err.value.detail
    write_draft(container.ledger, OPERATOR, draft("10", "-10"), "ok")
    with pytest.raises(ValidationFailed, match="keeps its books in EUR"):
        write_draft(container.ledger, OPERATOR, draft("10", "-10", currency="USD"), "usd")
    assert container.ledger.ledger_version(POOL) == 1


def test_write_rule_reads_balances_under_the_pool_lock(container: Container) -> None:
    post_entry(container.ledger, OPERATOR, _subscription(7, "100.00", "10"), "sub")
    seen: list[dict[Any, Decimal]] = []

    def pay_out_all_cash(_session: Any, balances: dict[Any, Decimal]) -> tuple[EntryDraft, dict[str, Any]]:
        seen.append(balances)
        cash = balances[(AccountCode.CASH, None)]
        lines = (DraftLine(AccountCode.CAPITAL, 7, cash), DraftLine(AccountCode.CASH, None, -cash))
        return EntryDraft(POOL, "USD", EntryType.DISTRIBUTION, DAY, "all of it", lines), {"paid": str(cash)}

    out = container.ledger.write_rule(
        OPERATOR, POOL, "USD", pay_out_all_cash, "dist", operation="distribution", request={"mode": "all"}
    )
    assert seen[0][(AccountCode.UNITS, 7)] == Decimal("10.000000")
    assert out.postings[1].amount == Decimal("-100.00") and container.ledger.balances(POOL)["cash"] == 0
    assert container.ledger.get_entry(out.id).details == {"paid": "100.00"}


def test_rolled_back_entry_leaves_no_event_and_committed_ones_reach_the_bus(container: Container) -> None:
    received: list[LedgerEvent] = []
    container.ledger_bus.subscribe(received.append)
    container.ledger.open_books(POOL, "USD")
    draft = EntryDraft(
        POOL,
        "USD",
        EntryType.INCOME,
        DAY,
        "",
        (DraftLine(AccountCode.CASH, None, Decimal(5)), DraftLine(AccountCode.INCOME, None, Decimal(-5))),
    )
    with UnitOfWork(container.db) as uow:  # written, then rolled back (never committed)
        JournalEngine().write(uow.session, OPERATOR, draft, utcnow())
    assert _counts(container) == (0, 0, 0)
    assert container.ledger_relay.run_once() == 0 and received == []

    out = post_entry(container.ledger, OPERATOR, _subscription(7, "100.00", "10"), "sub")
    assert [(e.event_type, e.entry_id) for e in received] == [("entry.committed", out.id)]
    assert received[0].payload["hash"] == out.hash
    assert container.ledger_relay.run_once() == 0 and len(received) == 1  # published once
    with pytest.raises(ValidationFailed):
        post_entry(container.ledger, OPERATOR, _redemption(7, "500.00", "1"), "overdraw")
    assert len(received) == 1 and container.ledger_relay.backlog().unpublished == 0


def test_the_backlog_counts_up_to_its_limit_and_names_the_oldest(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the relay down for a day the outbox held 444k events and counting them took 2.4 s
    on every refresh of the admin pages: the count stops at a limit and says so."""
    from datetime import timedelta

    from ledger import outbox

    first = utcnow().replace(microsecond=0) - timedelta(hours=5)
    with UnitOfWork(container.db) as uow:
        outbox.add_events(
            uow.session,
            [
                outbox.event_row(
                    "test.waiting",
                    pool_id=1,
                    entry_id=None,
                    payload={"n": n},
                    now=first + timedelta(minutes=n),
                )
                for n in range(5)
            ],
        )
        uow.commit()
    monkeypatch.setattr(outbox, "BACKLOG_COUNTED", 3)
    capped = container.ledger_relay.backlog()
    assert (capped.unpublished, capped.more, capped.counted()) == (3, True, "3+")
    assert capped.oldest_created_at is not None and capped.oldest_created_at.replace(
        tzinfo=None
    ) == first.replace(tzinfo=None)
    monkeypatch.setattr(outbox, "BACKLOG_COUNTED", 5)
    exact = container.ledger_relay.backlog()
    assert (exact.unpublished, exact.more, exact.counted()) == (5, False, "5")
