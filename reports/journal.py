"""The pool's journal as the reports read it (pure functions, no I/O): which entries stand
as of a date and in what order, what each moved across the pool's boundary, and the running
balances of the accounts the reports value.

The books are the only source: every figure is a sum of postings. The report service reads
a pool's entries through the ledger service (never its tables) and turns them into
:class:`BookEntry` values; reports.history replays them into the pool's and an investor's
history, reports.statements into a capital account statement.

Which entries count, as of a cut-off date
    Entries with an effective date on or before the cut-off. An entry and its reversal both
    drop out when both are on or before the cut-off (history is restated as corrected); an
    entry reversed only after the cut-off stands, because that is how the books stood then.
    So the balances at the cut-off equal the ledger's own balances as of that date.

Order
    By effective date, then journal order (seq) within a date. A back-dated entry is thus
    placed on its own date; balances at the end of any date do not depend on the order.

Values (:class:`Balances`)
    ``nav``      sum of capital accounts + rounding residue (the pool's net asset value).
    ``value``    nav less capital called but not yet paid (call receivables): what the
                 investors' money is worth. A capital call moves nothing here; the
                 contribution that settles it is the external flow. Open-ended pools have no
                 receivables, so value == nav.
    investor     capital account less their unpaid calls.

External flows (the investors' money crossing the pool's boundary)
    in:  subscriptions (cash paid), contributions (cash paid).
    out: redemptions (proceeds paid), distributions (what investors received: for a
         waterfall the LP total). The GP's catch-up and carried interest paid out of a
         waterfall distribution (``carry_paid``) leave the pool too, but not to the
         investors: the time-weighted index counts them as paid out (carried interest is
         an allocation of the pool's return between LPs and GP, not a loss of the pool);
         the money-weighted figures, which are the LPs' own, do not.
    Fees, income, expenses, purchases, sales and valuations are not flows: they are the
    return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.interface import AccountCode, EntryOut, EntryType

_ZERO = Decimal(0)

Line = tuple[AccountCode, int | None, Decimal]
Flow = tuple[date, Decimal, Decimal, Decimal]
"""(date, paid in, received, carried interest paid to the GP out of the investors' share)."""


@dataclass(frozen=True, slots=True)
class BookEntry:
    """One journal entry as the report service sees it: date, type, signed lines, workings."""

    id: int
    seq: int
    on: date
    entry_type: EntryType
    lines: tuple[Line, ...]
    details: Mapping[str, Any] = field(default_factory=dict)
    reverses_entry_id: int | None = None

    @classmethod
    def from_out(cls, entry: EntryOut) -> BookEntry:
        return cls(
            id=entry.id,
            seq=entry.seq,
            on=entry.effective_date,
            entry_type=entry.entry_type,
            lines=tuple((p.account, p.investor_id, p.amount) for p in entry.postings),
            details=entry.details,
            reverses_entry_id=entry.reverses_entry_id,
        )

    def touches(self, investor_id: int) -> bool:
        return any(inv == investor_id for _, inv, _ in self.lines)


def standing(entries: Iterable[BookEntry], cutoff: date) -> list[BookEntry]:
    """The entries that stand as of ``cutoff``, by (effective date, seq)."""
    within = [e for e in entries if e.on <= cutoff]
    ids = {e.id for e in within}
    dropped: set[int] = set()
    for e in within:
        if e.reverses_entry_id is not None and e.reverses_entry_id in ids:
            dropped |= {e.id, e.reverses_entry_id}
    return sorted((e for e in within if e.id not in dropped), key=lambda e: (e.on, e.seq))


def _cash(entry: BookEntry) -> Decimal:
    return sum((amount for code, _, amount in entry.lines if code is AccountCode.CASH), _ZERO)


def pool_flow(entry: BookEntry) -> tuple[Decimal, Decimal]:
    """(money in, money out) of the investors as a group, both >= 0, for one entry."""
    kind, details = entry.entry_type, entry.details
    if kind in (EntryType.SUBSCRIPTION, EntryType.CONTRIBUTION):
        return (Decimal(details["amount"]) if "amount" in details else max(_cash(entry), _ZERO)), _ZERO
    if kind is EntryType.REDEMPTION:
        return _ZERO, (Decimal(details["proceeds"]) if "proceeds" in details else max(-_cash(entry), _ZERO))
    if kind is EntryType.DISTRIBUTION:
        if not details:
            return _ZERO, max(-_cash(entry), _ZERO)
        return _ZERO, sum((received for _, received in investor_flows(entry).values()), _ZERO)
    return _ZERO, _ZERO


def investor_flows(entry: BookEntry) -> dict[int, tuple[Decimal, Decimal]]:  # noqa: PLR0912 - per entry type
    """{investor: (paid in, received)} for one entry, from the rule's workings.

    An entry posted by hand (no workings) counts for the one investor its capital or
    receivable lines name, with the cash it moved."""
    kind, details = entry.entry_type, entry.details
    out: dict[int, tuple[Decimal, Decimal]] = {}

    def add(investor: int | str, paid: Decimal, received: Decimal) -> None:
        p, r = out.get(int(investor), (_ZERO, _ZERO))
        out[int(investor)] = (p + paid, r + received)

    if not details:
        holders = {inv for code, inv, _ in entry.lines if inv is not None}
        cash = _cash(entry)
        if len(holders) == 1 and kind in (EntryType.SUBSCRIPTION, EntryType.CONTRIBUTION) and cash > 0:
            add(holders.pop(), cash, _ZERO)
        elif len(holders) == 1 and kind in (EntryType.REDEMPTION, EntryType.DISTRIBUTION) and cash < 0:
            add(holders.pop(), _ZERO, -cash)
        return out
    if kind in (EntryType.SUBSCRIPTION, EntryType.CONTRIBUTION):
        add(details["investor_id"], Decimal(details["amount"]), _ZERO)
    elif kind is EntryType.REDEMPTION:
        add(details["investor_id"], _ZERO, Decimal(details["proceeds"]))
    elif kind is EntryType.DISTRIBUTION and details.get("mode") == "waterfall":
        for holder, share in details["investors"].items():
            # Part of it may have paid a call (a deemed contribution): received, and paid in.
            add(holder, Decimal(share.get("deemed_contribution", "0")), Decimal(share["total"]))
    elif kind is EntryType.DISTRIBUTION:
        for holder, part in details["allocation"].items():
            add(holder, _ZERO, Decimal(part))
    elif kind is EntryType.CLAWBACK:
        # The carry the GP gives back, paid out to the investors who bore it.
        for holder, share in details["investors"].items():
            add(holder, _ZERO, Decimal(share["clawback"]))
    elif kind is EntryType.SUBSEQUENT_CLOSE:
        # Later investors pay their share of earlier calls and interest; those already in get
        # back what they overpaid and the interest: real cash, on the payment date.
        for holder, f in details["investors"].items():
            add(
                holder,
                Decimal(f["capital_paid_in"]) + Decimal(f["interest_paid"]),
                Decimal(f["capital_returned"]) + Decimal(f["interest_received"]),
            )
    return out


def _capital_debit(entry: BookEntry, investor_id: int | None = None) -> Decimal:
    """What the entry took out of capital accounts (one investor's, or everyone's)."""
    return sum(
        (
            amount
            for code, inv, amount in entry.lines
            if code is AccountCode.CAPITAL and (investor_id is None or inv == investor_id)
        ),
        _ZERO,
    )


def carry_paid(entry: BookEntry, received: Decimal, investor_id: int | None = None) -> Decimal:
    """The GP's catch-up and carried interest a waterfall distribution took out of the capital
    accounts (the pool's, or one investor's) beyond the cash the investors received; 0 for
    any other entry (only a waterfall's workings say what the investors received)."""
    if entry.entry_type is not EntryType.DISTRIBUTION or entry.details.get("mode") != "waterfall":
        return _ZERO
    return max(_capital_debit(entry, investor_id) - received, _ZERO)


class Balances:
    """Running balances of the accounts the reports need."""

    def __init__(self) -> None:
        self.capital: dict[int | None, Decimal] = {}
        self.receivable: dict[int | None, Decimal] = {}
        self.units: dict[int | None, Decimal] = {}
        self.residue = _ZERO
        self.units_outstanding = _ZERO

    def apply(self, lines: Iterable[Line]) -> None:
        for code, investor, amount in lines:
            if code is AccountCode.CAPITAL:
                self.capital[investor] = self.capital.get(investor, _ZERO) - amount  # credit-normal
            elif code is AccountCode.CALL_RECEIVABLE:
                self.receivable[investor] = self.receivable.get(investor, _ZERO) + amount
            elif code is AccountCode.UNITS:
                self.units[investor] = self.units.get(investor, _ZERO) + amount
            elif code is AccountCode.ROUNDING_RESIDUE:
                self.residue -= amount
            elif code is AccountCode.UNITS_OUTSTANDING:
                self.units_outstanding -= amount

    @property
    def nav(self) -> Decimal:
        return sum(self.capital.values(), _ZERO) + self.residue

    @property
    def value(self) -> Decimal:
        return self.nav - sum(self.receivable.values(), _ZERO)

    def investor_value(self, investor: int) -> Decimal:
        return self.capital.get(investor, _ZERO) - self.receivable.get(investor, _ZERO)
