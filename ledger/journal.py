"""The posting engine: turns a validated entry draft into rows, inside the caller's transaction.

Locking order, the same for every writer, so writers queue instead of deadlocking:

1. the pool's chain-head row (SELECT ... FOR UPDATE): serialises the pool's writers, so
   `seq` is gap-free and each entry's predecessor (prev_hash) is well defined;
2. the balance rows the entry touches, in ascending account id.

Nothing else is locked by a writer, apart from its own idempotency-key row, which no other
writer touches. Accounts are created on first use under the chain-head lock; a unique key
over (pool, account key, commodity) plus a retry makes that safe even without it.

Amounts are checked before anything is written: each entry balances to exactly zero per
commodity, and each amount is within its commodity's precision (the currency's minor unit
for money, 6 dp for units). An entry that would take an account that may not go negative
below zero raises before any row is written, so the caller's rollback leaves no trace.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.finance.errors import LedgerInputError
from backend.finance.money import MAX_MAGNITUDE, UNITS_DP, check_scale, get_currency, to_decimal
from backend.platform.actors import Actor
from backend.platform.errors import Conflict, NotFound, ValidationFailed
from ledger.dealing_facts import latest_standing_entry
from ledger.forward_pricing import DealingFacts, require_date_order
from ledger.hash_chain import GENESIS_HASH, canonical_entry, chain_hash, to_scaled
from ledger.locking import take_write_lock
from ledger.models import Account, Balance, ChainHead, JournalEntry, Posting
from ledger.outbox import add_event
from ledger.schemas import (
    UNITS_COMMODITY,
    AccountCode,
    EntryOut,
    EntryType,
    EventIn,
    EventType,
    PostEntryRequest,
    PostingLine,
    PostingOut,
    account_key,
)

AccountRef = tuple[AccountCode, int | None]
MAX_MEMO_LENGTH = 500


DraftLine = PostingLine
"""A line of an entry to write: the posting rules' own line class."""


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """A validated entry, not yet numbered, hashed or written."""

    pool_id: int
    currency: str
    entry_type: EntryType
    effective_date: date
    memo: str
    lines: tuple[DraftLine, ...]
    events: tuple[EventIn, ...] = ()
    reverses_entry_id: int | None = None
    # None keeps the cash account's current setting (reversals); a bool sets it.
    cash_may_go_negative: bool | None = None


def commodity_places(commodity: str) -> int:
    return UNITS_DP if commodity == UNITS_COMMODITY else get_currency(commodity).exponent


def present(amount: Decimal, commodity: str) -> Decimal:
    """An amount written at its commodity's scale (exact: stored amounts are validated)."""
    return amount.quantize(Decimal(1).scaleb(-commodity_places(commodity)))


def draft_from_request(request: PostEntryRequest) -> EntryDraft:
    """Check what can be checked without the database; raise ValidationFailed naming the field."""
    try:
        currency = get_currency(request.currency)
    except LedgerInputError as exc:
        raise ValidationFailed(exc.reason, field="currency") from None
    if request.entry_type is EntryType.REVERSAL:
        raise ValidationFailed("a reversal is posted with reverse(), never directly", field="entry_type")
    lines: list[DraftLine] = []
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for index, posting in enumerate(request.postings):
        where = f"postings[{index}]"
        code = posting.account
        if code.per_investor and posting.investor_id is None:
            raise ValidationFailed(
                f"{code.value} accounts are kept per investor: investor_id is required",
                field=f"{where}.investor_id",
            )
        if not code.per_investor and posting.investor_id is not None:
            raise ValidationFailed(
                f"the {code.value} account is the pool's own: investor_id must be empty",
                field=f"{where}.investor_id",
            )
        commodity = code.commodity(currency.code)
        amount = _check_amount(posting.amount, commodity, f"{where}.amount")
        lines.append(DraftLine(code, posting.investor_id, amount))
        totals[commodity] += amount
    check_balanced(totals)
    return EntryDraft(
        pool_id=request.pool_id,
        currency=currency.code,
        entry_type=request.entry_type,
        effective_date=request.effective_date,
        memo=request.memo,
        lines=tuple(lines),
        events=tuple(request.events),
        cash_may_go_negative=request.cash_may_go_negative,
    )


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(UNITS_DP + 1)}


def _check_amount(value: Decimal, commodity: str, field: str) -> Decimal:
    try:
        amount = to_decimal(value, field)
    except LedgerInputError as exc:
        raise ValidationFailed(exc.reason, field=field) from None
    if amount == 0:
        raise ValidationFailed("a posting must move something: amount is zero", field=field)
    if abs(amount) > MAX_MAGNITUDE:
        raise ValidationFailed(f"absolute value must not exceed 10^12, got {amount}", field=field)
    places = commodity_places(commodity)
    # One quantize both checks the precision (it is exact iff the value has at most `places`
    # decimals) and writes the amount at its scale; this runs once per posting. Within 10^12
    # and 6 places the result has at most 19 digits, inside the default 28-digit context.
    presented = amount.quantize(_QUANTA[places])
    if presented != amount:
        try:
            check_scale(amount, places, field, "units" if commodity == UNITS_COMMODITY else commodity)
        except LedgerInputError as exc:
            raise ValidationFailed(exc.reason, field=field) from None
    return presented


def _checked_line(line: DraftLine, commodity: str, quantum: Decimal, field: str) -> DraftLine:
    """The line with its amount checked and written at the commodity's scale."""
    amount = line.amount
    # The common case, a rule's amount already at its commodity's scale and in range: exact
    # by construction, so the line is taken as it is (one object fewer per posting).
    if (
        amount.__class__ is Decimal
        and amount.is_finite()
        and amount.same_quantum(quantum)
        and -MAX_MAGNITUDE <= amount <= MAX_MAGNITUDE
    ):
        return line
    return DraftLine(line.account, line.investor_id, _check_amount(amount, commodity, field))


def check_balanced(totals: dict[str, Decimal], field: str = "postings") -> None:
    off = {commodity: total for commodity, total in sorted(totals.items()) if total != 0}
    if off:
        detail = ", ".join(f"{commodity} sums to {total}" for commodity, total in off.items())
        raise ValidationFailed(
            f"postings must sum to zero per commodity (debits = credits): {detail}", field=field
        )


class BooksNotOpen(Exception):
    """The pool has no chain head yet; open_books() creates it."""

    def __init__(self, pool_id: int, currency: str | None = None) -> None:
        super().__init__(f"pool {pool_id} has no books yet")
        self.pool_id = pool_id
        self.currency = currency


def validate_draft(draft: EntryDraft) -> EntryDraft:
    """The checks every entry passes, however it was built; returns it without zero lines.

    Lines of zero are dropped (a posting rule may allocate nothing to someone), the rest
    must: name an investor exactly for per-investor accounts, fit their commodity's scale
    (the currency's minor unit, 6 dp for units) and 10^12, and sum to zero per commodity.
    Errors name the line as `lines[i]...`.
    """
    try:
        currency = get_currency(draft.currency)
    except LedgerInputError as exc:
        raise ValidationFailed(exc.reason, field="currency") from None
    if (draft.entry_type is EntryType.REVERSAL) != (draft.reverses_entry_id is not None):
        raise ValidationFailed(
            "a reversal, and only a reversal, names the entry it reverses", field="reverses_entry_id"
        )
    if len(draft.memo) > MAX_MEMO_LENGTH:
        raise ValidationFailed(f"at most {MAX_MEMO_LENGTH} characters", field="memo")
    lines: list[DraftLine] = []
    totals: dict[str, Decimal] = defaultdict(Decimal)
    # An entry touches a handful of account codes across hundreds of lines (one per
    # investor): each code's facts are looked up once per entry, not once per line.
    facts: dict[AccountCode, tuple[bool, str, Decimal]] = {}
    for index, line in enumerate(draft.lines):
        account, amount = line.account, line.amount
        known = facts.get(account)
        if known is None:
            if not isinstance(account, AccountCode):
                raise ValidationFailed(f"unknown account {account!r}", field=f"lines[{index}].account")
            commodity = account.commodity(currency.code)
            known = facts[account] = (account.per_investor, commodity, _QUANTA[commodity_places(commodity)])
        per_investor, commodity, quantum = known
        if per_investor != (line.investor_id is not None):
            need = "requires an investor_id" if per_investor else "takes no investor_id"
            raise ValidationFailed(f"the {account.value} account {need}", field=f"lines[{index}].investor_id")
        if amount.__class__ is Decimal and amount.is_finite() and amount == 0:
            continue
        checked = _checked_line(line, commodity, quantum, f"lines[{index}].amount")
        lines.append(checked)
        totals[commodity] += checked.amount
    if not lines and draft.entry_type not in (EntryType.VALUATION, EntryType.REVERSAL):
        # A valuation that confirms the books' net asset value moves nothing, yet it is a
        # fact about its date (deals of that day are struck at its price), so it is kept.
        raise ValidationFailed("an entry must move something: every line is zero", field="lines")
    check_balanced(totals, "lines")
    return replace(draft, currency=currency.code, lines=tuple(lines))


class JournalEngine:
    """Writes entries into an open session; the caller owns the transaction and commits."""

    def write(self, session: Session, actor: Actor, draft: EntryDraft, now: datetime) -> EntryOut:
        """Number, hash and write `draft`; raises before writing anything if it is not acceptable.

        The draft is validated here whatever built it (validate_draft), so a posting rule
        cannot write an unbalanced or over-precise entry. Raises BooksNotOpen when the pool
        has no chain head yet: open_books() in a transaction of its own, then write again
        (LedgerService does both).
        """
        draft = validate_draft(draft)
        try:
            head = self.lock_pool(session, draft.pool_id)
        except BooksNotOpen:
            raise BooksNotOpen(draft.pool_id, draft.currency) from None
        if head.currency != draft.currency:
            raise ValidationFailed(
                f"pool {draft.pool_id} keeps its books in {head.currency}, not {draft.currency}",
                field="currency",
            )
        if draft.reverses_entry_id is not None:
            self._refuse_second_reversal(session, draft.reverses_entry_id)
        else:
            try:
                require_date_order(
                    draft.pool_id,
                    DealingFacts(latest=latest_standing_entry(session, draft.pool_id)),
                    draft.effective_date,
                )
            except LedgerInputError as exc:
                raise ValidationFailed(f"{exc.field}: {exc.reason}", field=exc.field) from None
        accounts = self._accounts(session, draft, now)
        moves = self._lock_and_check_balances(session, draft, accounts)

        seq = head.last_seq + 1
        created_at = now.replace(microsecond=0)  # DATETIME keeps whole seconds; hash what is stored
        created_by = actor.label
        canonical = canonical_entry(
            pool_id=draft.pool_id,
            seq=seq,
            entry_type=draft.entry_type.value,
            effective_date=draft.effective_date,
            memo=draft.memo,
            reverses_entry_id=draft.reverses_entry_id,
            created_by=created_by,
            created_by_user_id=actor.user_id,
            created_at=created_at,
            postings=(
                (accounts[line.ref].account_key, accounts[line.ref].commodity, to_scaled(line.amount))
                for line in draft.lines
            ),
        )
        entry_hash = chain_hash(head.last_hash, canonical)
        entry = JournalEntry(
            pool_id=draft.pool_id,
            seq=seq,
            entry_type=draft.entry_type.value,
            effective_date=draft.effective_date,
            memo=draft.memo,
            created_by=created_by,
            created_by_user_id=actor.user_id,
            created_at=created_at,
            reverses_entry_id=draft.reverses_entry_id,
            prev_hash=head.last_hash,
            hash=entry_hash,
        )
        session.add(entry)
        try:
            session.flush()
        except IntegrityError as exc:
            # Only the unique reversal link can collide: seq is ours under the head lock.
            raise Conflict(
                f"entry {draft.reverses_entry_id} has already been reversed", field="entry_id"
            ) from exc
        if draft.lines:  # a valuation that confirms the books moves nothing
            session.execute(
                insert(Posting),
                [
                    {
                        "entry_id": entry.id,
                        "pool_id": draft.pool_id,
                        "account_id": accounts[line.ref].id,
                        "amount": line.amount,
                    }
                    for line in draft.lines
                ],
            )
        for balance, delta in moves:
            balance.balance = balance.balance + delta
            balance.last_entry_id = entry.id
            balance.updated_at = now
        head.last_seq = seq
        head.last_hash = entry_hash
        head.ledger_version += 1
        head.updated_at = now
        session.flush()

        out = entry_out(
            entry,
            (
                PostingOut(
                    account_id=accounts[line.ref].id,
                    account=line.account,
                    investor_id=line.investor_id,
                    commodity=accounts[line.ref].commodity,
                    amount=present(line.amount, accounts[line.ref].commodity),
                )
                for line in draft.lines
            ),
        )
        payload = committed_event(out)
        add_event(
            session,
            EventType.ENTRY_COMMITTED.value,
            pool_id=draft.pool_id,
            entry_id=entry.id,
            payload=payload,
            now=now,
        )
        if draft.reverses_entry_id is not None:
            add_event(
                session,
                EventType.ENTRY_REVERSED.value,
                pool_id=draft.pool_id,
                entry_id=entry.id,
                payload={"reversed_entry_id": draft.reverses_entry_id, "reversal_entry_id": entry.id},
                now=now,
            )
        for event in draft.events:
            add_event(
                session,
                event.event_type,
                pool_id=draft.pool_id,
                entry_id=entry.id,
                payload=event.payload,
                now=now,
            )
        return out

    # -- step 1: the chain head ------------------------------------------------
    def lock_pool(self, session: Session, pool_id: int) -> ChainHead:
        """Lock the pool's chain head (first in every writer's lock order); BooksNotOpen if none.

        Taking it again later in the same transaction (write() does) is harmless."""
        take_write_lock(session)
        head = session.scalars(
            select(ChainHead)
            .where(ChainHead.pool_id == pool_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one_or_none()
        if head is None:
            raise BooksNotOpen(pool_id)
        return head

    def open_books(self, session: Session, pool_id: int, currency: str, now: datetime) -> None:
        """Create the pool's chain head if missing. Run it in a transaction of its own.

        Inserting the head inside the first entry's transaction would let concurrent first
        writers deadlock on the duplicate-key locks (and, inside a savepoint, hide that
        deadlock behind a lost savepoint); a separate short transaction only ever needs
        a plain retry.
        """
        take_write_lock(session)
        exists = session.scalar(select(ChainHead.pool_id).where(ChainHead.pool_id == pool_id))
        if exists is not None:
            return
        try:
            with session.begin_nested():
                session.add(
                    ChainHead(
                        pool_id=pool_id,
                        currency=get_currency(currency).code,
                        last_seq=0,
                        last_hash=GENESIS_HASH,
                        ledger_version=0,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            return  # a concurrent first writer opened them
        except LedgerInputError as exc:
            raise ValidationFailed(exc.reason, field="currency") from None

    def _refuse_second_reversal(self, session: Session, entry_id: int) -> None:
        existing = session.scalar(select(JournalEntry.id).where(JournalEntry.reverses_entry_id == entry_id))
        if existing is not None:
            raise Conflict(
                f"entry {entry_id} has already been reversed by entry {existing}", field="entry_id"
            )

    # -- step 2: accounts, created on first use ---------------------------------
    def _accounts(self, session: Session, draft: EntryDraft, now: datetime) -> dict[AccountRef, Account]:
        wanted = {
            account_key(code, investor): (code, investor)
            for code, investor in {line.ref for line in draft.lines}
        }
        found = self._load_accounts(session, draft.pool_id, wanted)
        for key in sorted(wanted.keys() - found.keys()):
            code, investor = wanted[key]
            found[key] = self._create_account(session, draft, code, investor, now)
        accounts = {wanted[key]: account for key, account in found.items()}
        cash = accounts.get((AccountCode.CASH, None))
        if (
            cash is not None
            and draft.cash_may_go_negative is not None
            and cash.may_go_negative != draft.cash_may_go_negative
        ):
            cash.may_go_negative = draft.cash_may_go_negative  # the pool changed its setting
        return accounts

    def _load_accounts(
        self, session: Session, pool_id: int, wanted: dict[str, AccountRef]
    ) -> dict[str, Account]:
        rows = session.scalars(
            select(Account).where(Account.pool_id == pool_id, Account.account_key.in_(wanted))
        ).all()
        return {row.account_key: row for row in rows}

    def _create_account(
        self, session: Session, draft: EntryDraft, code: AccountCode, investor: int | None, now: datetime
    ) -> Account:
        key = account_key(code, investor)
        account = Account(
            pool_id=draft.pool_id,
            code=code.value,
            investor_id=investor,
            account_key=key,
            commodity=code.commodity(draft.currency),
            may_go_negative=code.may_go_negative(bool(draft.cash_may_go_negative)),
            created_at=now,
        )
        try:
            with session.begin_nested():
                session.add(account)
                session.flush()
                session.add(
                    Balance(account_id=account.id, pool_id=draft.pool_id, balance=Decimal(0), updated_at=now)
                )
        except IntegrityError:
            # Someone else opened it first (only possible without the head lock): use theirs.
            existing = self._load_accounts(session, draft.pool_id, {key: (code, investor)})
            if key not in existing:
                raise
            return existing[key]
        return account

    # -- step 3: balances, locked in ascending account id -------------------------
    def _lock_and_check_balances(
        self, session: Session, draft: EntryDraft, accounts: dict[AccountRef, Account]
    ) -> list[tuple[Balance, Decimal]]:
        deltas: dict[int, Decimal] = defaultdict(Decimal)
        for line in draft.lines:
            deltas[accounts[line.ref].id] += line.amount
        if not deltas:
            return []
        balances = session.scalars(
            select(Balance)
            .where(Balance.account_id.in_(sorted(deltas)))
            .order_by(Balance.account_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        if len(balances) != len(deltas):
            raise NotFound("a ledger account has no balance row; run `app.py ledger verify`")
        by_id = {account.id: account for account in accounts.values()}
        for balance in balances:
            delta = deltas[balance.account_id]
            new = balance.balance + delta
            account = by_id[balance.account_id]
            if new < 0 and delta < 0 and not account.may_go_negative:
                raise _overdrawn(account, balance.balance, delta, draft.entry_type)
        return [(balance, deltas[balance.account_id]) for balance in balances]


def _overdrawn(account: Account, held: Decimal, delta: Decimal, entry_type: EntryType) -> ValidationFailed:
    commodity = account.commodity
    held_text, moved_text = present(held, commodity), present(-delta, commodity)
    if account.code == AccountCode.UNITS.value:
        verb = "redeem" if entry_type is EntryType.REDEMPTION else "give up"
        return ValidationFailed(
            f"investor {account.investor_id} holds {held_text} units, cannot {verb} {moved_text}",
            field="units",
        )
    if account.code == AccountCode.CASH.value:
        return ValidationFailed(
            f"pool {account.pool_id} has {held_text} {commodity} cash, cannot pay out {moved_text} "
            "(the pool does not allow negative cash)",
            field="cash",
        )
    return ValidationFailed(
        f"account {account.account_key} holds {held_text} {commodity}, cannot take {moved_text} out",
        field=account.code,
    )


def committed_event(entry: EntryOut) -> dict[str, Any]:
    """The `entry.committed` event: which entry, in which chain, touching which investors.

    Thin on purpose: a consumer that needs the postings reads the entry by id from the ledger
    service (at least once, in order, by event id); the postings themselves would make the
    outbox several times the size of the journal.
    """
    return {
        "entry_id": entry.id,
        "pool_id": entry.pool_id,
        "seq": entry.seq,
        "entry_type": entry.entry_type.value,
        "effective_date": entry.effective_date.isoformat(),
        "reverses_entry_id": entry.reverses_entry_id,
        "hash": entry.hash,
        "investor_ids": sorted({p.investor_id for p in entry.postings if p.investor_id is not None}),
    }


def reversal_lines(session: Session, entry: JournalEntry) -> tuple[DraftLine, ...]:
    """Every posting of `entry`, negated, in the order it was posted."""
    rows = session.execute(
        select(Account.code, Account.investor_id, Posting.amount)
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.entry_id == entry.id)
        .order_by(Posting.id)
    ).all()
    return tuple(DraftLine(AccountCode(code), investor, -amount) for code, investor, amount in rows)


def postings_out(session: Session, entry_ids: Sequence[int]) -> dict[int, list[PostingOut]]:
    by_entry: dict[int, list[PostingOut]] = {entry_id: [] for entry_id in entry_ids}
    if not entry_ids:
        return by_entry
    rows = session.execute(
        select(
            Posting.entry_id,
            Posting.account_id,
            Posting.amount,
            Account.code,
            Account.investor_id,
            Account.commodity,
        )
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.entry_id.in_(entry_ids))
        .order_by(Posting.entry_id, Posting.id)
    ).all()
    for entry_id, account_id, amount, code, investor, commodity in rows:
        by_entry[entry_id].append(
            PostingOut(
                account_id=account_id,
                account=AccountCode(code),
                investor_id=investor,
                commodity=commodity,
                amount=present(amount, commodity),
            )
        )
    return by_entry


def entry_out(entry: JournalEntry, postings: Iterable[PostingOut]) -> EntryOut:
    return EntryOut(
        id=entry.id,
        pool_id=entry.pool_id,
        seq=entry.seq,
        entry_type=EntryType(entry.entry_type),
        effective_date=entry.effective_date,
        memo=entry.memo,
        created_by=entry.created_by,
        created_by_user_id=entry.created_by_user_id,
        created_at=entry.created_at,
        reverses_entry_id=entry.reverses_entry_id,
        prev_hash=entry.prev_hash,
        hash=entry.hash,
        postings=list(postings),
    )
