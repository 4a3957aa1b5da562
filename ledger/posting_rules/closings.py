"""A subsequent close in the books: investors admitted after capital was called pay their
share of every earlier call plus equalisation interest, and the investors already in get back
what they overpaid and the interest (backend.finance.closings has the rule, its published
examples and its rounding).

One entry, dated the day the late investors pay (the payment date), settles the close:

    cash                 debit   capital paid in + interest paid   (from the late investors)
    cash                 credit  capital returned + interest paid  (to the investors already in)
    capital/late j       credit  its capital paid in
    capital/earlier i    debit   its capital returned

Capital paid in equals capital returned to the cent, so the pool's cash does not change and
nothing is lent by the pool in between. The interest passes through from investor to
investor and touches no capital account: each capital account ends at cost as if its
investor had been in from the first close (gains and losses before the close stay with those
who bore them; the interest stands in for them, as LPAs do).

**Management fee.** A fee on commitments already charged before the close is charged to the
late investors too, each on its own commitment at its own rate for every period charged
(:func:`fee_catch_up`): paid to the manager (fees payable) out of its capital account, as
the investors already in paid theirs, so every capital account is net of the same fee per
unit of commitment. A fee on invested capital (or a period after a step-down to it) is not
caught up: the late investor's share of it is named in the workings as not equalised.

The workings keep each investor's figures, every call's shares after the close (the next
close is worked from them) and the change to each investor's contributions, dated at each
call, which the waterfall's preferred return reads: as if from the first close.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from backend.finance import closings
from backend.finance.daycount import DayCount, year_fraction
from backend.finance.fees import MANAGEMENT_FEE_ROUNDING, FeePeriod
from backend.finance.investor_terms import InvestorTerms
from backend.finance.money import exact_arithmetic, quantize_cash
from ledger.posting_rules.books import CLOSED_ENDED, Line, PoolTerms, Posting, _non_zero, _require_kind
from ledger.schemas import AccountCode, EntryType

_ZERO = Decimal(0)


@exact_arithmetic
def subsequent_close(
    terms: PoolTerms,
    *,
    state: closings.ClosingState,
    equalisation: closings.EqualisationTerms,
    late: Mapping[int, Decimal],
    closing_date: date,
    payment_date: date,
    fees_charged: Sequence[Mapping[str, Any]] = (),
    letters: Mapping[int, InvestorTerms] | None = None,
) -> Posting:
    """Admit the ``late`` commitments (investor: amount) to a pool whose calls so far are in
    ``state``, equalising every call to ``payment_date`` and, from ``fees_charged`` (the
    workings of the management fee entries that stand), the fee (:func:`fee_catch_up`)."""
    _require_kind(terms, CLOSED_ENDED, "a subsequent close")
    result = closings.subsequent_close(
        state, equalisation, {str(i): a for i, a in late.items()}, closing_date, payment_date
    )
    lines: list[Line] = [
        Line(AccountCode.CASH, None, result.capital_paid_in + result.interest_paid),
        Line(AccountCode.CASH, None, -(result.capital_returned + result.interest_received)),
    ]
    investors: dict[str, dict[str, Any]] = {}
    fees, fee_workings = fee_catch_up(terms, late, fees_charged, letters or {})
    for figures in result.investors:
        holder = int(figures.investor)
        if figures.late:
            lines.append(
                Line(AccountCode.CAPITAL, holder, -figures.capital_paid_in + fees.get(holder, _ZERO))
            )
        else:
            lines.append(Line(AccountCode.CAPITAL, holder, figures.capital_returned))
        investors[figures.investor] = {
            "late": figures.late,
            "commitment": str(figures.commitment),
            "capital_paid_in": str(figures.capital_paid_in),
            "capital_returned": str(figures.capital_returned),
            "interest_paid": str(figures.interest_paid),
            "interest_received": str(figures.interest_received),
            "contributed": str(figures.contributed),
        }
        if holder in fees:
            investors[figures.investor]["management_fee_catch_up"] = str(fees[holder])
    if fees:
        lines.append(Line(AccountCode.FEES_PAYABLE, None, -sum(fees.values(), _ZERO)))
    details = {
        "closing_date": closing_date.isoformat(),
        "payment_date": payment_date.isoformat(),
        "interest_rate": str(equalisation.interest_rate),
        "compounding": str(equalisation.compounding),
        "day_count": str(equalisation.day_count),
        "capital_paid_in": str(result.capital_paid_in),
        "capital_returned": str(result.capital_returned),
        "interest": str(result.interest_paid),
        "investors": investors,
        "calls": [
            {
                "on": c.on.isoformat(),
                "amount": str(c.amount),
                "shares": {s.investor: str(s.amount) for s in c.shares},
            }
            for c in result.state.calls
        ],
        "contributions": _contribution_changes(state, result.state),
    }
    if fee_workings:
        details["management_fee_catch_up"] = fee_workings
    return Posting(EntryType.SUBSEQUENT_CLOSE, _non_zero(lines), details)


@exact_arithmetic
def fee_catch_up(
    terms: PoolTerms,
    late: Mapping[int, Decimal],
    fees_charged: Sequence[Mapping[str, Any]],
    letters: Mapping[int, InvestorTerms],
) -> tuple[dict[int, Decimal], dict[str, Any]]:
    """What each late investor pays for the management fee periods charged before its close,
    as if it had been in from the first: its commitment x its rate x each period's year
    fraction (after any fee holiday of its side letter), summed exactly and rounded once.
    Returns ({investor: fee}, workings); only periods charged on commitments are caught up."""
    exact: dict[int, Fraction] = dict.fromkeys(late, Fraction(0))
    periods: list[dict[str, str]] = []
    skipped: list[dict[str, str]] = []
    standard = InvestorTerms()
    for details in fees_charged:
        if "period_start" not in details or "rate" not in details:
            continue  # an amount booked by hand, with no period or rate to repeat
        period = FeePeriod(
            date.fromisoformat(details["period_start"]), date.fromisoformat(details["period_end"])
        )
        said = {"period_start": details["period_start"], "period_end": details["period_end"]}
        if details.get("basis") != "committed" or "step_down" in details:
            skipped.append(said | {"basis": str(details.get("basis"))})
            continue
        start, end = period.accrual.start, period.accrual.end
        day_count = DayCount(details.get("day_count", DayCount.ACT_365F))
        years = year_fraction(start, end, day_count)
        rate = Decimal(details["rate"])
        charged = details.get("allocation") or {}
        for investor, commitment in late.items():
            if str(investor) in charged:
                continue  # committed when the fee was charged, so it bore it then
            letter = letters.get(investor, standard)
            begins = min(letter.fee_charged_from(start), end)
            held_off = year_fraction(start, begins, day_count) if begins > start else Fraction(0)
            exact[investor] += Fraction(commitment) * Fraction(letter.fee_rate(rate)) * (years - held_off)
        periods.append(said | {"rate": str(rate)})
    fees = {
        investor: fee
        for investor, owed in exact.items()
        if (fee := quantize_cash(owed, terms.currency, MANAGEMENT_FEE_ROUNDING)) > 0
    }
    workings: dict[str, Any] = {}
    if fees or skipped:
        workings = {"amount": str(sum(fees.values(), _ZERO)), "periods": periods}
        if skipped:
            workings["not_equalised"] = skipped
    return fees, workings


def _contribution_changes(before: closings.ClosingState, after: closings.ClosingState) -> list[list[str]]:
    """[investor, signed change, call date] for each share of each call the close moved: the
    late investors' shares added, the others' overpayments taken back, dated at the call."""
    changes: list[list[str]] = []
    for old, new in zip(before.calls, after.calls, strict=True):
        was = {s.investor: s.amount for s in old.shares}
        for share in new.shares:
            change = share.amount - was.get(share.investor, _ZERO)
            if change:
                changes.append([share.investor, str(change), old.on.isoformat()])
    return changes
