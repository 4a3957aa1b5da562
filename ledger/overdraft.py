"""The overdraft rule, stated once: an entry may not take an account that may not go
negative below zero.

Only cash (unless the pool allows an overdraft) and an investor's units can be refused;
every other account may go negative (a loss, a fee payable). The journal engine applies the
rule under the balance-row locks, the batch planner to its running copy of the balances;
both refuse with the same words."""

from __future__ import annotations

from decimal import Decimal

from backend.platform.errors import ValidationFailed
from ledger.schemas import AccountCode, AccountRef, EntryType, account_key, present

MAY_BE_REFUSED = frozenset({AccountCode.CASH, AccountCode.UNITS})
"""The accounts an overdraft check can refuse (AccountCode.may_go_negative)."""


def refuses(held: Decimal, delta: Decimal, may_go_negative: bool) -> bool:
    """Whether moving `delta` on an account holding `held` breaks the rule. An entry that
    adds to an account already below zero (a reversal of a payment, say) is not refused."""
    return delta < 0 and held + delta < 0 and not may_go_negative


def overdrawn(
    ref: AccountRef, *, pool_id: int, commodity: str, held: Decimal, delta: Decimal, entry_type: EntryType
) -> ValidationFailed:
    """The refusal, naming the account and what it holds."""
    code, investor_id = ref
    held_text, moved_text = present(held, commodity), present(-delta, commodity)
    if code is AccountCode.UNITS:
        verb = "redeem" if entry_type is EntryType.REDEMPTION else "give up"
        return ValidationFailed(
            f"investor {investor_id} holds {held_text} units, cannot {verb} {moved_text}", field="units"
        )
    if code is AccountCode.CASH:
        return ValidationFailed(
            f"pool {pool_id} has {held_text} {commodity} cash, cannot pay out {moved_text} "
            "(the pool does not allow negative cash)",
            field="cash",
        )
    name = account_key(code, investor_id)
    return ValidationFailed(
        f"account {name} holds {held_text} {commodity}, cannot take {moved_text} out", field=code.value
    )
