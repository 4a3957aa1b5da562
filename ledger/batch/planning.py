"""Batch planning: the pool's accounts read once, and the books as the batch goes.

Each row's posting rule sees the rows before it applied to an in-memory copy of the
balances (RunningBooks), exactly as if they had been posted one by one; every row is
checked (validate_draft, the overdraft rule) and every problem collected as a RowError."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.platform.errors import ValidationFailed
from ledger.entry_drafts import EntryDraft
from ledger.errors import BatchRejected
from ledger.models import Account, Balance
from ledger.overdraft import MAY_BE_REFUSED, overdrawn, refuses
from ledger.schemas import (
    AccountCode,
    AccountRef,
    RowError,
    commodity_places,
)


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: int
    commodity: str
    may_go_negative: bool


@dataclass
class PoolAccounts:
    """A pool's accounts and balances as read under its chain-head lock."""

    pool_id: int
    accounts: dict[AccountRef, AccountInfo]
    balances: dict[AccountRef, Decimal]


def load_pool_accounts(session: Session, pool_id: int) -> PoolAccounts:
    rows = session.execute(
        select(
            Account.id,
            Account.code,
            Account.investor_id,
            Account.commodity,
            Account.may_go_negative,
            Balance.balance,
        )
        .join(Balance, Balance.account_id == Account.id)
        .where(Account.pool_id == pool_id)
    ).all()
    accounts: dict[AccountRef, AccountInfo] = {}
    balances: dict[AccountRef, Decimal] = {}
    for account_id, code, investor, commodity, may_go_negative, balance in rows:
        ref = (AccountCode(code), investor)
        accounts[ref] = AccountInfo(int(account_id), commodity, bool(may_go_negative))
        # At the commodity's scale, as LedgerService hands balances to the posting rules.
        balances[ref] = balance.quantize(Decimal(1).scaleb(-commodity_places(commodity)))
    return PoolAccounts(pool_id, accounts, balances)


@dataclass(frozen=True, slots=True)
class PlannedEntry:
    """A checked entry of the batch: row index, draft (validated) and the rule's details."""

    row: int
    draft: EntryDraft
    details: dict[str, Any] = field(default_factory=dict)


class RunningBooks:
    """The pool's balances as the batch goes: what each row's rule sees, applied in memory.

    `balances` is the same mapping posting_rules.PoolBooks takes (PoolBooks.apply, in place:
    one dict for the whole batch rather than a copy per row).
    """

    def __init__(self, accounts: PoolAccounts) -> None:
        self._accounts = accounts.accounts
        self.balances: dict[AccountRef, Decimal] = dict(accounts.balances)

    def overdraft(self, draft: EntryDraft) -> ValidationFailed | None:
        """The error the journal engine would raise for this entry now, or None."""
        deltas: dict[AccountRef, Decimal] = defaultdict(Decimal)
        for line in draft.lines:
            # Only cash and units can be refused; a valuation's hundreds of capital lines
            # are skipped without a lookup.
            if line.account in MAY_BE_REFUSED:
                deltas[line.ref] += line.amount
        balances = self.balances
        for ref, delta in deltas.items():
            if delta >= 0:  # the common case, decided without a lookup
                continue
            held = balances.get(ref, Decimal(0))
            info = self._accounts.get(ref)
            code = ref[0]
            allowed = (
                info.may_go_negative
                if info is not None
                else code.may_go_negative(bool(draft.cash_may_go_negative))
            )
            if refuses(held, delta, allowed):
                return overdrawn(
                    ref,
                    pool_id=draft.pool_id,
                    commodity=code.commodity(draft.currency),
                    held=held,
                    delta=delta,
                    entry_type=draft.entry_type,
                )
        return None

    def apply(self, draft: EntryDraft) -> None:
        balances = self.balances
        for line in draft.lines:
            ref = line.ref
            balances[ref] = balances.get(ref, Decimal(0)) + line.amount


@dataclass
class BatchPlan:
    """What a batch writer is handed: the planned entries, one item per row, as they are
    planned (an iterator, so the first rows are written while the last are still being
    planned), the list the planner adds each row's problem to, and what to do in the same
    transaction once every entry is written (the audit record)."""

    entries: Iterable[PlannedEntry | None]
    errors: list[RowError]
    finish: Callable[[Session, Sequence[PlannedEntry | None]], None] | None = None

    def check(self) -> list[PlannedEntry | None]:
        """Plan every row and write nothing (a dry run); raises BatchRejected on any problem."""
        planned = list(self.entries)
        if self.errors:
            raise BatchRejected(self.errors)
        return planned
