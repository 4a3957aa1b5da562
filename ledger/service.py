"""The ledger service: idempotent, append-only writes to each pool's journal, and reads of it.

Who may post or read is decided by the caller (the pool/transaction layer and the API);
this service takes the Actor only to record who posted and to route reads
(read-your-writes). Every write:

1. claims its Idempotency-Key (ledger.idempotency) in a short transaction of its own:
   a completed key replays the first response, a key reused for another request raises
   IdempotencyKeyReused (422), a key still in flight IdempotencyKeyInFlight (409);
2. writes the entry in one transaction (ledger.journal: chain-head lock, balance row locks
   in ascending account id, checks, postings, hash, outbox events) and completes the key in
   that same transaction, so the entry and its remembered response commit together;
   a deadlock or lock timeout re-runs the transaction (ledger.locking.retry_transient);
3. on failure releases the key, so that a retry runs afresh; after commit runs the
   `after_commit` hook (the embedded default publishes the outbox to its in-process bus).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import json
import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, ValidationFailed
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from ledger.arrears import overdue
from ledger.batch import (
    BatchPlan,
    BulkJournalWriter,
    PoolAccounts,
    cyclic_collection_paused,
    load_pool_accounts,
)
from ledger.dealing_facts import later_allocated_entry
from ledger.idempotency import Claim, IdempotencyStore, Replay, request_fingerprint
from ledger.journal import (
    AccountRef,
    BooksNotOpen,
    EntryDraft,
    JournalEngine,
    draft_from_request,
    entry_out,
    postings_out,
    present,
    reversal_lines,
)
from ledger.locking import retry_transient
from ledger.models import Account, Balance, ChainHead, EntryDetails, JournalEntry, Posting
from ledger.schemas import (
    AccountBalance,
    AccountCode,
    BatchResult,
    EntryOut,
    EntryPage,
    EntryType,
    PostEntryRequest,
    VerifyReport,
)
from ledger.verify import verify_books

log = logging.getLogger(__name__)

DEFAULT_PAGE = 50
MAX_PAGE = 500
_CURSOR_PREFIX = "seq:"

RuleBuilder = Callable[[Session, dict[AccountRef, Decimal]], tuple[EntryDraft, dict[str, Any]]]
"""(session under the pool lock, balances) -> (draft, details): what write_rule runs."""

BatchBuilder = Callable[[Session, PoolAccounts], BatchPlan]
"""(session under the pool lock, accounts and balances) -> the plan write_batch writes:
one planned item per row, produced as the rows are planned. The writer raises
ledger.batch.BatchRejected listing every row that cannot be posted."""


def draft_fingerprint_document(draft: EntryDraft) -> dict[str, Any]:
    """A draft as plain data, for the idempotency fingerprint of write_draft()."""
    document = dataclasses.asdict(draft)
    document["lines"] = [
        [line.account.value, line.investor_id, str(line.amount.normalize()) if line.amount else "0"]
        for line in draft.lines
    ]
    document["events"] = [event.model_dump(mode="json") for event in draft.events]
    return document


class LedgerService:
    def __init__(
        self,
        db: Database,
        *,
        engine: JournalEngine | None = None,
        idempotency: IdempotencyStore | None = None,
        after_commit: Callable[[], object] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._engine = engine or JournalEngine()
        self._keys = idempotency or IdempotencyStore(db)
        self._after_commit = after_commit
        self._clock = clock

    # -- writes -------------------------------------------------------------------
    def post(self, actor: Actor, request: PostEntryRequest, idempotency_key: str) -> EntryOut:
        """Post a manual entry (signed postings, debit positive) under an Idempotency-Key."""
        draft = draft_from_request(request)
        return self._write(
            actor,
            "post_entry",
            request.model_dump(mode="json"),
            idempotency_key,
            lambda session, now: self._engine.write(session, actor, draft, now),
        )

    def write_draft(
        self,
        actor: Actor,
        draft: EntryDraft,
        idempotency_key: str,
        *,
        operation: str = "write_draft",
        request: Mapping[str, Any] | None = None,
    ) -> EntryOut:
        """Write an entry built by a posting rule.

        `operation` and `request` identify the caller's request for the idempotency check:
        pass the API request (e.g. operation="subscription", request=body) when the draft
        is computed from changing state (a NAV, holdings), so that a retry of the same
        request replays the first entry instead of being refused for a different draft.
        Without `request`, the draft itself is the fingerprint.
        """
        document = dict(request) if request is not None else draft_fingerprint_document(draft)
        return self._write(
            actor,
            operation,
            document,
            idempotency_key,
            lambda session, now: self._engine.write(session, actor, draft, now),
        )

    def write_built(
        self,
        actor: Actor,
        pool_id: int,
        currency: str,
        build: Callable[[dict[AccountRef, Decimal]], EntryDraft],
        idempotency_key: str,
        *,
        operation: str,
        request: Mapping[str, Any],
    ) -> EntryOut:
        """Like write_draft, but the draft is built inside the write transaction.

        `build` receives the pool's balances by (AccountCode, investor id or None), the shape
        posting_rules.PoolBooks takes, read under the pool's chain-head lock, so nothing can be
        posted to the pool between the read and the write (units at the current NAV, pro rata
        to current holdings...).
        """

        def work(session: Session, now: datetime) -> EntryOut:
            self._engine.lock_pool(session, pool_id)
            draft = build(_balances_by_ref(session, pool_id))
            if draft.pool_id != pool_id:
                raise ValidationFailed("the built entry is for another pool", field="pool_id")
            return self._engine.write(session, actor, draft, now)

        return self._write(
            actor, operation, dict(request), idempotency_key, work, open_books=(pool_id, currency)
        )

    def write_rule(
        self,
        actor: Actor,
        pool_id: int,
        currency: str,
        build: RuleBuilder,
        idempotency_key: str,
        *,
        operation: str,
        request: Mapping[str, Any],
    ) -> EntryOut:
        """Like write_built, for the posting rules: `build` gets the session too (to read the
        facts beside the balances under the same lock) and returns the draft with the rule's
        details, which are stored with the entry in the same transaction."""

        def work(session: Session, now: datetime) -> EntryOut:
            self._engine.lock_pool(session, pool_id)
            draft, details = build(session, _balances_by_ref(session, pool_id))
            if draft.pool_id != pool_id:
                raise ValidationFailed("the built entry is for another pool", field="pool_id")
            out = self._engine.write(session, actor, draft, now)
            session.add(
                EntryDetails(
                    entry_id=out.id,
                    pool_id=pool_id,
                    entry_type=draft.entry_type.value,
                    details=json.dumps(details, sort_keys=True),
                )
            )
            session.flush()
            return out.model_copy(update={"details": details})

        return self._write(
            actor, operation, dict(request), idempotency_key, work, open_books=(pool_id, currency)
        )

    def write_batch(
        self,
        actor: Actor,
        pool_id: int,
        currency: str,
        build: BatchBuilder,
        idempotency_key: str | None,
        *,
        operation: str,
        request: Mapping[str, Any],
        dry_run: bool = False,
    ) -> BatchResult:
        """Write many entries of one pool in one transaction (ledger.batch): `build` runs under
        the pool's chain-head lock with the pool's accounts and balances and returns the
        checked entries, one item per row; they are then written with bulk inserts. One
        Idempotency-Key covers the whole batch. With `dry_run`, `build` runs (so every row is
        checked against the books) and everything is rolled back: no key, nothing written."""
        writer = BulkJournalWriter(self._engine)

        def work(session: Session, now: datetime) -> BatchResult:
            self._engine.lock_pool(session, pool_id)
            accounts = load_pool_accounts(session, pool_id)
            plan = build(session, accounts)
            return writer.write(session, actor=actor, pool_id=pool_id, plan=plan, accounts=accounts, now=now)

        if dry_run:
            with UnitOfWork(self._db, actor.reader_key) as uow:
                with contextlib.suppress(BooksNotOpen):  # no books yet: checked against empty ones
                    self._engine.lock_pool(uow.session, pool_id)
                build(uow.session, load_pool_accounts(uow.session, pool_id)).check()
            return BatchResult(
                pool_id=pool_id,
                rows=0,
                entries=0,
                postings=0,
                first_seq=None,
                last_seq=None,
                last_hash=None,
                ledger_version=0,
                entry_ids=[],
            )
        if idempotency_key is None:
            raise ValidationFailed("required on every write to the books", field="Idempotency-Key")
        fingerprint = request_fingerprint(operation, dict(request))
        claimed = self._keys.claim(actor, idempotency_key, operation, fingerprint, self._clock())
        if isinstance(claimed, Replay):
            return BatchResult.model_validate_json(claimed.response)
        try:
            with cyclic_collection_paused():
                out = self._run_batch(actor, claimed, work, (pool_id, currency))
        except BaseException:
            self._keys.release(claimed)
            raise
        if self._after_commit is not None:
            try:
                self._after_commit()
            except Exception:  # the entries are committed; the relay catches up later
                log.exception("after-commit hook failed", extra={"pool_id": pool_id})
        return out

    def _run_batch(
        self,
        actor: Actor,
        claim: Claim,
        work: Callable[[Session, datetime], BatchResult],
        open_books: tuple[int, str],
    ) -> BatchResult:
        def once() -> BatchResult:
            with UnitOfWork(self._db, actor.reader_key) as uow:
                now = self._clock()
                out = work(uow.session, now)
                first = next((entry_id for entry_id in out.entry_ids if entry_id is not None), None)
                self._keys.complete(uow.session, claim, first or 0, out.model_dump_json(), now)
                uow.commit()
                return out

        for _ in range(3):
            try:
                return retry_transient(once, what="ledger batch")
            except BooksNotOpen:
                self._open_books(*open_books)
        raise Conflict("could not open the pool's books; retry")  # pragma: no cover

    def reverse(
        self,
        actor: Actor,
        pool_id: int | None,
        entry_id: int,
        idempotency_key: str,
        *,
        effective_date: date | None = None,
        memo: str | None = None,
    ) -> EntryOut:
        """Post the mirror of entry `entry_id`, linked to it. An entry is reversed at most once;
        a reversal itself is not reversed (post the original again instead)."""

        def work(session: Session, now: datetime) -> EntryOut:
            entry = session.get(JournalEntry, entry_id)
            if entry is None or (pool_id is not None and entry.pool_id != pool_id):
                raise NotFound(f"no journal entry {entry_id}", field="entry_id")
            if entry.entry_type == EntryType.REVERSAL.value:
                raise Conflict(
                    f"entry {entry_id} is itself a reversal; it cannot be reversed", field="entry_id"
                )
            _refuse_out_of_order_reversal(session, entry, effective_date or now.date())
            currency = session.scalar(select(ChainHead.currency).where(ChainHead.pool_id == entry.pool_id))
            draft = EntryDraft(
                pool_id=entry.pool_id,
                currency=str(currency),
                entry_type=EntryType.REVERSAL,
                effective_date=effective_date or now.date(),
                memo=memo if memo is not None else f"reversal of entry {entry_id} (seq {entry.seq})",
                lines=reversal_lines(session, entry),
                reverses_entry_id=entry_id,
            )
            return self._engine.write(session, actor, draft, now)

        request = {
            "pool_id": pool_id,
            "entry_id": entry_id,
            "effective_date": effective_date.isoformat() if effective_date else None,
            "memo": memo,
        }
        return self._write(actor, "reverse_entry", request, idempotency_key, work)

    def _write(
        self,
        actor: Actor,
        operation: str,
        document: Mapping[str, Any],
        idempotency_key: str,
        work: Callable[[Session, datetime], EntryOut],
        *,
        open_books: tuple[int, str] | None = None,
    ) -> EntryOut:
        fingerprint = request_fingerprint(operation, dict(document))
        claimed = self._keys.claim(actor, idempotency_key, operation, fingerprint, self._clock())
        if isinstance(claimed, Replay):
            return EntryOut.model_validate_json(claimed.response)
        try:
            out = self._run(actor, claimed, work, open_books)
        except BaseException:
            self._keys.release(claimed)
            raise
        if self._after_commit is not None:
            try:
                self._after_commit()
            except Exception:  # the entry is committed; the relay catches up later
                log.exception("after-commit hook failed", extra={"entry_id": out.id})
        return out

    def _run(
        self,
        actor: Actor,
        claim: Claim,
        work: Callable[[Session, datetime], EntryOut],
        open_books: tuple[int, str] | None,
    ) -> EntryOut:
        def once() -> EntryOut:
            with UnitOfWork(self._db, actor.reader_key) as uow:
                now = self._clock()
                out = work(uow.session, now)
                self._keys.complete(uow.session, claim, out.id, out.model_dump_json(), now)
                uow.commit()
                return out

        for _ in range(3):
            try:
                return retry_transient(once, what="ledger write")
            except BooksNotOpen as missing:
                currency = missing.currency or (open_books[1] if open_books else None)
                if currency is None:
                    raise NotFound(f"pool {missing.pool_id} has no journal yet", field="pool_id") from None
                self._open_books(missing.pool_id, currency)
        raise Conflict("could not open the pool's books; retry")  # pragma: no cover

    def open_books(self, pool_id: int, currency: str) -> None:
        """Start pool `pool_id`'s journal in `currency` (done on the first write anyway)."""
        self._open_books(pool_id, currency)

    def _open_books(self, pool_id: int, currency: str) -> None:
        def once() -> None:
            with UnitOfWork(self._db) as uow:
                self._engine.open_books(uow.session, pool_id, currency, self._clock())
                uow.commit()

        retry_transient(once, what="open books")

    # -- reads --------------------------------------------------------------------
    def get_entry(self, entry_id: int, *, pool_id: int | None = None, actor: Actor | None = None) -> EntryOut:
        with ReadView(self._db, actor.reader_key if actor else None) as view:
            entry = view.session.get(JournalEntry, entry_id)
            if entry is None or (pool_id is not None and entry.pool_id != pool_id):
                raise NotFound(f"no journal entry {entry_id}", field="entry_id")
            out = entry_out(entry, postings_out(view.session, [entry.id])[entry.id])
            return _with_details(view.session, [out])[0]

    def list_entries(
        self,
        pool_id: int,
        *,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE,
        entry_type: EntryType | None = None,
        investor_id: int | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        actor: Actor | None = None,
    ) -> EntryPage:
        """A pool's entries in journal order (ascending seq), filtered, keyset-paged."""
        if not 1 <= limit <= MAX_PAGE:
            raise ValidationFailed(f"must be between 1 and {MAX_PAGE}", field="limit")
        stmt: Select[JournalEntry] = select(JournalEntry).where(JournalEntry.pool_id == pool_id)
        after = _decode_cursor(cursor)
        if after is not None:
            stmt = stmt.where(JournalEntry.seq > after)
        if entry_type is not None:
            stmt = stmt.where(JournalEntry.entry_type == EntryType(entry_type).value)
        if date_from is not None:
            stmt = stmt.where(JournalEntry.effective_date >= date_from)
        if date_to is not None:
            stmt = stmt.where(JournalEntry.effective_date <= date_to)
        if investor_id is not None:
            touched = (
                select(Posting.entry_id)
                .join(Account, Account.id == Posting.account_id)
                .where(Account.pool_id == pool_id, Account.investor_id == investor_id)
            )
            stmt = stmt.where(JournalEntry.id.in_(touched))
        stmt = stmt.order_by(JournalEntry.seq).limit(limit + 1)
        with ReadView(self._db, actor.reader_key if actor else None) as view:
            rows = list(view.session.scalars(stmt).all())
            more = len(rows) > limit
            rows = rows[:limit]
            postings = postings_out(view.session, [r.id for r in rows])
            entries = _with_details(view.session, [entry_out(r, postings[r.id]) for r in rows])
        next_cursor = _encode_cursor(entries[-1].seq) if more and entries else None
        return EntryPage(entries=entries, next_cursor=next_cursor)

    def account_balances(self, pool_id: int, *, actor: Actor | None = None) -> list[AccountBalance]:
        """Every account of the pool with its balance (signed, debit positive), by account key."""
        with ReadView(self._db, actor.reader_key if actor else None) as view:
            rows = view.session.execute(
                select(Account, Balance.balance)
                .join(Balance, Balance.account_id == Account.id)
                .where(Account.pool_id == pool_id)
                .order_by(Account.account_key)
            ).all()
            return [
                AccountBalance(
                    account_id=account.id,
                    account_key=account.account_key,
                    account=AccountCode(account.code),
                    investor_id=account.investor_id,
                    commodity=account.commodity,
                    balance=present(balance, account.commodity),
                )
                for account, balance in rows
            ]

    def balances(self, pool_id: int, *, actor: Actor | None = None) -> dict[str, Decimal]:
        """{account key: balance}, e.g. {"cash": Decimal("100.00"), "units/7": ...}."""
        return {b.account_key: b.balance for b in self.account_balances(pool_id, actor=actor)}

    def balances_by_ref(self, pool_id: int, *, actor: Actor | None = None) -> dict[AccountRef, Decimal]:
        """{(AccountCode, investor id or None): balance}: what posting_rules.PoolBooks takes."""
        with ReadView(self._db, actor.reader_key if actor else None) as view:
            return _balances_by_ref(view.session, pool_id)

    def ledger_version(self, pool_id: int, *, actor: Actor | None = None) -> int:
        """How many entries the pool's journal has: a cache key part that changes with every entry."""
        with ReadView(self._db, actor.reader_key if actor else None) as view:
            version = view.session.scalar(
                select(ChainHead.ledger_version).where(ChainHead.pool_id == pool_id)
            )
            return int(version or 0)

    def has_entries(self, pool_id: int) -> bool:
        with ReadView(self._db) as view:
            found = view.session.scalar(
                select(JournalEntry.id).where(JournalEntry.pool_id == pool_id).limit(1)
            )
            return found is not None

    def pools_of_investor(self, investor_id: int, *, actor: Actor | None = None) -> list[int]:
        """Pools where the investor has any account (units, capital, receivable)."""
        with ReadView(self._db, actor.reader_key if actor else None) as view:
            rows = view.session.scalars(
                select(Account.pool_id).where(Account.investor_id == investor_id).distinct()
            ).all()
            return sorted(rows)

    def investor_flows(
        self, pool_id: int, entry_types: tuple[EntryType, ...], *, actor: Actor | None = None
    ) -> dict[str, dict[int, Decimal]]:
        """Per investor: cash contributed, cash distributed to them, fees borne, capital called
        and what is overdue on calls, from the details of the entries that stand (reversed
        ones drop out with their reversal)."""
        flows = _InvestorFlows()
        with ReadView(self._db, actor.reader_key if actor else None) as view:
            for _, _, kind, details in standing_details(view.session, pool_id, entry_types):
                flows.add(kind, details)
        return flows.totals(self._clock().date())

    def verify(self, pool_id: int | None = None) -> VerifyReport:
        """Recompute every hash and balance (on the primary); see ledger.verify."""
        return verify_books(self._db, pool_id)

    def purge_expired_keys(self) -> int:
        """Forget idempotency keys past their retention (24 h by default)."""
        return self._keys.purge_expired(self._clock())


def _with_details(session: Session, entries: list[EntryOut]) -> list[EntryOut]:
    if not entries:
        return entries
    rows = session.execute(
        select(EntryDetails.entry_id, EntryDetails.details).where(
            EntryDetails.entry_id.in_([e.id for e in entries])
        )
    ).all()
    found = {entry_id: json.loads(text) for entry_id, text in rows}
    return [e.model_copy(update={"details": found[e.id]}) if e.id in found else e for e in entries]


def standing_details(
    session: Session, pool_id: int, entry_types: tuple[EntryType, ...]
) -> list[tuple[int, date, EntryType, dict[str, Any]]]:
    """(entry id, effective date, type, details) of the pool's entries of these types that
    stand (were not reversed), in journal order. Read inside the writer's lock."""
    reversed_ids = select(JournalEntry.reverses_entry_id).where(
        JournalEntry.pool_id == pool_id, JournalEntry.reverses_entry_id.is_not(None)
    )
    rows = session.execute(
        select(JournalEntry.id, JournalEntry.effective_date, JournalEntry.entry_type, EntryDetails.details)
        .join(EntryDetails, EntryDetails.entry_id == JournalEntry.id)
        .where(
            JournalEntry.pool_id == pool_id,
            JournalEntry.entry_type.in_([t.value for t in entry_types]),
            JournalEntry.id.not_in(reversed_ids),
        )
        .order_by(JournalEntry.seq)
    ).all()
    return [(entry_id, on, EntryType(kind), json.loads(text)) for entry_id, on, kind, text in rows]


class _InvestorFlows:
    """The per-investor money of a pool's standing entries, taken in journal order."""

    def __init__(self) -> None:
        self.buckets: dict[str, dict[int, Decimal]] = {
            "contributed": {},
            "distributed": {},
            "fees": {},
            "called": {},
            "overdue": {},
        }
        self.calls: dict[int, list[tuple[date, Decimal]]] = {}
        self.paid: dict[int, Decimal] = {}

    def _put(self, bucket: str, investor: int | str, amount: str) -> None:
        totals = self.buckets[bucket]
        totals[int(investor)] = totals.get(int(investor), Decimal(0)) + Decimal(amount)

    def add(self, kind: EntryType, details: dict[str, Any]) -> None:
        if kind in (EntryType.SUBSCRIPTION, EntryType.CONTRIBUTION):
            self._put("contributed", details["investor_id"], details["amount"])
            if kind is EntryType.CONTRIBUTION:
                investor = int(details["investor_id"])
                self.paid[investor] = self.paid.get(investor, Decimal(0)) + Decimal(details["amount"])
        elif kind is EntryType.REDEMPTION:
            self._put("distributed", details["investor_id"], details["proceeds"])
        elif kind is EntryType.DISTRIBUTION and details.get("mode") == "waterfall":
            for holder, share in details["investors"].items():
                self._put("distributed", holder, share["total"])
        elif kind is EntryType.DISTRIBUTION:
            for holder, part in details["allocation"].items():
                self._put("distributed", holder, part)
        elif kind is EntryType.CAPITAL_CALL:
            due = date.fromisoformat(details["due_date"])
            for holder, part in details["allocation"].items():
                self._put("called", holder, part)
                self.calls.setdefault(int(holder), []).append((due, Decimal(part)))
        elif kind in (EntryType.MANAGEMENT_FEE, EntryType.PERFORMANCE_FEE):
            for holder, part in details["allocation"].items():
                self._put("fees", holder, part)

    def totals(self, today: date) -> dict[str, dict[int, Decimal]]:
        for investor, owed in self.calls.items():
            late = overdue(owed, self.paid.get(investor, Decimal(0)), today)
            if late:
                self.buckets["overdue"][investor] = late
        return self.buckets


def _refuse_out_of_order_reversal(session: Session, entry: JournalEntry, on: date) -> None:
    """A reversal mirrors its entry exactly, which is right only while nothing posted after the
    entry was allocated by the holdings it left: reversing a subscription after a valuation
    shared a gain with its units would leave that gain in a capital account with no units."""
    if on < entry.effective_date:
        raise ValidationFailed(
            f"a reversal of entry {entry.id} cannot be dated before the entry "
            f"itself ({entry.effective_date})",
            field="effective_date",
        )
    if entry.entry_type in (EntryType.PURCHASE.value, EntryType.FEE_PAYMENT.value):
        return  # moves no one's share of the pool
    later = later_allocated_entry(session, entry.pool_id, entry.seq)
    if later is not None:
        raise Conflict(
            f"entry {later.entry_id} (a {later.entry_type.value.replace('_', ' ')} of {later.on}) was "
            f"posted after entry {entry.id} and allocated by the holdings it left; reverse entry "
            f"{later.entry_id} first",
            field="entry_id",
        )


def _balances_by_ref(session: Session, pool_id: int) -> dict[AccountRef, Decimal]:
    rows = session.execute(
        select(Account.code, Account.investor_id, Account.commodity, Balance.balance)
        .join(Balance, Balance.account_id == Account.id)
        .where(Account.pool_id == pool_id)
    ).all()
    return {
        (AccountCode(code), investor): present(balance, commodity)
        for code, investor, commodity, balance in rows
    }


def _encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        if raw.startswith(_CURSOR_PREFIX):
            value = int(raw[len(_CURSOR_PREFIX) :])
            if value >= 0:
                return value
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationFailed("not a cursor this endpoint issued", field="cursor")
