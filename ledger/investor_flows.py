"""Each investor's money in a pool, from the details of the entries that stand: cash
contributed, cash distributed to them, fees borne, capital called, what is recallable and
what is overdue on calls (as of a day). Worked out from every such entry of the pool, so it
grows with the pool's history; the ledger service keeps the totals in the aggregate cache,
and they travel there as text (`dumped_flows`, `loaded_flows`), exact."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ledger.arrears import overdue
from ledger.book_reads import standing_details
from ledger.schemas import EntryType


def flows_of_pool(
    session: Session, pool_id: int, entry_types: tuple[EntryType, ...], today: date
) -> dict[str, dict[int, Decimal]]:
    """Per investor: cash contributed, cash distributed to them, fees borne, capital called
    and what is overdue on calls (as of `today`), from the details of the entries that stand."""
    flows = _InvestorFlows()
    for _, _, kind, details in standing_details(session, pool_id, entry_types):
        flows.add(kind, details)
    return flows.totals(today)


class _InvestorFlows:
    """The per-investor money of a pool's standing entries, taken in journal order."""

    def __init__(self) -> None:
        self.buckets: dict[str, dict[int, Decimal]] = {
            "contributed": {},
            "distributed": {},
            "fees": {},
            "called": {},
            "overdue": {},
            "recallable": {},
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
        elif kind is EntryType.DISTRIBUTION:
            self._add_distribution(details)
        elif kind is EntryType.CAPITAL_CALL:
            due = date.fromisoformat(details["due_date"])
            for holder, part in details["allocation"].items():
                self._put("called", holder, part)
                self.calls.setdefault(int(holder), []).append((due, Decimal(part)))
        elif kind is EntryType.SUBSEQUENT_CLOSE:
            self._add_close(details)
        elif kind is EntryType.CLAWBACK:
            for holder, share in details["investors"].items():
                self._put("distributed", holder, share["clawback"])
        elif kind in (EntryType.MANAGEMENT_FEE, EntryType.PERFORMANCE_FEE):
            for holder, part in details["allocation"].items():
                self._put("fees", holder, part)

    def _add_distribution(self, details: dict[str, Any]) -> None:
        for holder, part in (details.get("deemed_contributions") or {}).items():
            # A call paid out of the distribution: contributed, and paid against the calls.
            self._put("contributed", holder, part)
            self.paid[int(holder)] = self.paid.get(int(holder), Decimal(0)) + Decimal(part)
        if details.get("mode") == "waterfall":
            for holder, share in details["investors"].items():
                self._put("distributed", holder, share["total"])
            for holder, part in (details.get("recallable") or {}).items():
                self._put("recallable", holder, part)
            return
        for holder, part in details["allocation"].items():
            self._put("distributed", holder, part)

    def _add_close(self, details: dict[str, Any]) -> None:
        """Cash each investor paid or received at a subsequent close, and its calls as
        equalised (the later investors' share of each call in, the overpayments out)."""
        for holder, f in details["investors"].items():
            paid_in, returned = Decimal(f["capital_paid_in"]), Decimal(f["capital_returned"])
            self._put("contributed", holder, str(paid_in + Decimal(f["interest_paid"])))
            self._put("distributed", holder, str(returned + Decimal(f["interest_received"])))
            self._put("called", holder, str(paid_in - returned))
            if "management_fee_catch_up" in f:
                self._put("fees", holder, f["management_fee_catch_up"])

    def totals(self, today: date) -> dict[str, dict[int, Decimal]]:
        for investor, owed in self.calls.items():
            late = overdue(owed, self.paid.get(investor, Decimal(0)), today)
            if late:
                self.buckets["overdue"][investor] = late
        return self.buckets


def dumped_flows(flows: Mapping[str, Mapping[int, Decimal]]) -> bytes:
    return json.dumps(
        {name: {str(k): str(v) for k, v in per.items()} for name, per in flows.items()}
    ).encode()


def loaded_flows(raw: bytes) -> dict[str, dict[int, Decimal]]:
    stored: dict[str, dict[str, str]] = json.loads(raw)
    return {name: {int(k): Decimal(v) for k, v in per.items()} for name, per in stored.items()}
