"""Forward pricing and the order of the books: which price a deal is struck at, and when an
entry may be dated.

Pure rules over a small summary of a pool's journal (:class:`DealingFacts`), which the ledger
service reads under the pool's lock and the batch planner keeps up to date in memory.

Forward pricing (SEC Rule 22c-1, FCA COLL 6.3)
    A subscription or redemption dated D is struck at the NAV per unit of the valuation for
    D, never at an earlier price: dealing at a stale price moves value between the investors
    who were in the pool and the one who deals. So, in a pool that already has units out, a
    deal dated D needs the valuation for D to be the last thing that changed the pool's net
    assets (income, an expense or a fee posted after it needs a fresh valuation). A pool
    with no units out deals at its launch price, as do all deals of its first dealing day
    while nothing but deals has been posted. A valuation for a day on which deals were
    already struck is refused: it would change their price after the fact.

The books run in date order
    Every entry is allocated by the holdings it finds. An entry dated before the latest
    entry already in the pool's books would be allocated by holdings that later entries
    changed (a fee dated February split by March's units), so it is refused; post it as of
    the latest date, or reverse the later entries first. A reversal is an exact mirror of
    its entry and may be dated at any time, but an entry can only be reversed while no
    later entry has been allocated by the holdings it left (reverse those first).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from backend.finance.errors import InvalidValueError
from ledger.schemas import EntryType

DEAL_TYPES = frozenset({EntryType.SUBSCRIPTION, EntryType.REDEMPTION})
# Entries that leave the net asset value where it was: a deal adds or removes value with its
# units, a purchase swaps cash for investments at cost, a fee payment settles a liability.
# Everything else (including a reversal, which may undo any of them) moves NAV per unit,
# but for a sale at carrying value, which only its workings tell apart.
NAV_NEUTRAL_TYPES = frozenset({*DEAL_TYPES, EntryType.PURCHASE, EntryType.FEE_PAYMENT})


def moves_nav_per_unit(entry_type: EntryType, details: dict[str, object]) -> bool:
    """Whether an entry of this type, with these workings, changes NAV per unit."""
    if entry_type in NAV_NEUTRAL_TYPES:
        return False
    if entry_type is EntryType.SALE:
        return Decimal(str(details.get("realised_gain", "1"))) != 0
    return True


def struck_prices(
    entry_type: EntryType, details: dict[str, object]
) -> tuple[Decimal | None, dict[str, Decimal] | None]:
    """The NAV per unit a valuation struck (None for any other entry), and, for a pool with
    share classes, each class's instead."""
    if entry_type is not EntryType.VALUATION:
        return None, None
    price = details.get("nav_per_unit")
    classes = details.get("share_classes")
    by_class = (
        {str(c): Decimal(str(f["nav_per_unit"])) for c, f in classes.items()}
        if isinstance(classes, dict)
        else None
    )
    return (Decimal(str(price)) if price is not None else None), by_class


def struck_rates(entry_type: EntryType, details: dict[str, object]) -> dict[str, Decimal] | None:
    """Each class in another currency than the pool's: the rate a valuation priced it at."""
    classes = details.get("share_classes") if entry_type is EntryType.VALUATION else None
    if not isinstance(classes, dict):
        return None
    return {str(c): Decimal(str(f["fx_rate"])) for c, f in classes.items() if "fx_rate" in f}


@dataclass(frozen=True, slots=True)
class DealPrice:
    """What a deal is struck at: a NAV per unit and, in a class in another currency than the
    pool's, the rate (class currency per base unit) of the same valuation."""

    nav_per_unit: Decimal
    fx_rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class LastEntry:
    """An entry of the journal, as far as the dating rules need to know it."""

    entry_id: int | None
    entry_type: EntryType
    on: date


@dataclass(frozen=True, slots=True)
class DealingFacts:
    """What a pool's journal says about dating and dealing, read under the pool's lock.

    ``latest``: the standing entry (not a reversal, not reversed) with the latest date.
    ``last_nav_change``: the last entry by sequence that moved NAV per unit (a reversal
    counts); ``struck_price`` its NAV per unit when it is a valuation of a pool with units out.
    ``last_deal_on``: the date of the latest standing deal; ``first_deal_on`` of the first.
    ``struck_class_prices``: in a pool with share classes, each class's NAV per unit at that
    valuation (a class it does not list had no units and deals at its launch price).
    """

    latest: LastEntry | None = None
    last_nav_change: LastEntry | None = None
    struck_price: Decimal | None = None
    struck_class_prices: dict[str, Decimal] | None = None
    struck_class_rates: dict[str, Decimal] | None = None
    last_deal_on: date | None = None
    first_deal_on: date | None = None

    def after(self, entry: LastEntry, details: dict[str, object]) -> DealingFacts:
        """These facts once ``entry`` (not a reversal) is posted: the batch planner's update."""
        facts = self
        if facts.latest is None or entry.on >= facts.latest.on:
            facts = replace(facts, latest=entry)
        if entry.entry_type in DEAL_TYPES:
            facts = replace(
                facts,
                last_deal_on=entry.on,
                first_deal_on=facts.first_deal_on or entry.on,
            )
        elif moves_nav_per_unit(entry.entry_type, details):
            price, by_class = struck_prices(entry.entry_type, details)
            facts = replace(
                facts,
                last_nav_change=entry,
                struck_price=price,
                struck_class_prices=by_class,
                struck_class_rates=struck_rates(entry.entry_type, details),
            )
        return facts


def _describe(entry: LastEntry) -> str:
    what = entry.entry_type.value.replace("_", " ")
    return f"a {what} (entry {entry.entry_id})" if entry.entry_id is not None else f"a {what}"


def require_date_order(pool_id: int, facts: DealingFacts, on: date) -> None:
    """Refuse an entry dated before the latest entry in the pool's books."""
    latest = facts.latest
    if latest is not None and on < latest.on:
        raise InvalidValueError(
            "effective_date",
            f"pool {pool_id}'s books already run to {latest.on} ({_describe(latest)}); an entry "
            f"dated {on} would be allocated by holdings that later entries have changed. Date it "
            f"{latest.on} or later, or reverse the later entries first",
        )


def struck_price(
    pool_id: int, facts: DealingFacts, on: date, *, units_outstanding: Decimal, share_class: str | None = None
) -> Decimal | None:
    """The NAV per unit a deal dated ``on`` is struck at, or None for the launch price (with
    ``share_class``: that class's price, or None for its launch price).

    Raises when the pool has units out and no valuation for ``on`` is the last change to its
    net assets.
    """
    require_date_order(pool_id, facts, on)
    if units_outstanding == 0:
        return None
    mark = facts.last_nav_change
    if mark is None:
        if facts.first_deal_on == on:
            return None  # the first dealing day: every deal at the launch price
        raise InvalidValueError(
            "effective_date",
            f"a deal dated {on} is struck at the NAV per unit of the valuation for {on} (forward "
            f"pricing); pool {pool_id} has no valuation since its first deals on "
            f"{facts.first_deal_on}: record the valuation for {on} first",
        )
    struck = facts.struck_price if share_class is None else facts.struck_class_prices
    if mark.entry_type is not EntryType.VALUATION or mark.on != on or struck is None:
        since = (
            f"its last valuation is {_describe(mark)} of {mark.on}"
            if mark.entry_type is EntryType.VALUATION
            else f"{_describe(mark)} dated {mark.on} changed its net assets since the last valuation"
        )
        raise InvalidValueError(
            "effective_date",
            f"a deal dated {on} is struck at the NAV per unit of the valuation for {on} (forward "
            f"pricing); in pool {pool_id} {since}: record the valuation for {on} first",
        )
    if share_class is not None:
        return (facts.struck_class_prices or {}).get(share_class)
    return facts.struck_price


def struck_class_rate(
    pool_id: int, facts: DealingFacts, on: date, share_class: str, currency: str
) -> Decimal:
    """The rate a deal dated ``on`` in a class in another currency is struck at: that of the
    valuation for ``on``, even at the launch price (a rate from an earlier day would move value
    between the class's holders and the one who deals, as a stale price would)."""
    mark = facts.last_nav_change
    rate = (facts.struck_class_rates or {}).get(share_class)
    if mark is None or mark.entry_type is not EntryType.VALUATION or mark.on != on or rate is None:
        raise InvalidValueError(
            "effective_date",
            f"a deal dated {on} in class {share_class} ({currency}) is struck at the exchange rate of the "
            f"valuation for {on}; pool {pool_id} has none that is the last change to its net assets: record "
            f"the valuation for {on}, with fx_rates.{currency}, before the day's deals",
        )
    return rate


def require_valuation_before_deals(pool_id: int, facts: DealingFacts, on: date) -> None:
    """Refuse a valuation for a day whose deals were already struck at another price."""
    require_date_order(pool_id, facts, on)
    if facts.last_deal_on is not None and facts.last_deal_on >= on:
        raise InvalidValueError(
            "as_of",
            f"deals dated {facts.last_deal_on} in pool {pool_id} were already struck at the NAV "
            f"per unit of that day; a valuation for {on} would change their price after the fact. "
            "Value the pool as of a later day, or reverse those deals first",
        )
