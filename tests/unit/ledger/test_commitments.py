"""Unfunded commitment with recallable distributions and deemed contributions
(backend.finance.commitments)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backend.finance.commitments import (
    CommitmentEvent,
    CommitmentPosition,
    Contribution,
    DeemedContribution,
    Distribution,
    Recall,
    RecallTerms,
    add_months,
    commitment_position,
)
from backend.finance.errors import InvalidValueError, LedgerInputError
from backend.finance.money import get_currency

USD = get_currency("USD")
TERMS = RecallTerms(USD)
D1, D2, D3 = date(2024, 1, 1), date(2024, 6, 1), date(2024, 9, 1)


def figures(p: CommitmentPosition) -> dict[str, str]:
    return {
        "contributed": str(p.contributed),
        "distributed": str(p.distributed),
        "available": str(p.recallable_available),
        "unfunded": str(p.unfunded),
        "net_cash": str(p.net_cash),
    }


# --- worked examples ---------------------------------------------------------------------


def test_recallable_capital_can_be_called_again_docs_example() -> None:
    """COMPUTED (docs/business-logic.md, "Recallable distributions", the books' own worked
    example): A commits 100,000.00, all called and paid; 40,000.00 is distributed as recallable
    return of capital: unfunded 40,000.00. A call of 40,000.01 is refused (``amount``); one of
    40,000.00 is taken and unfunded is 0.00 again (contributed 140,000.00). Not flagged
    recallable, the same distribution leaves unfunded at 0.00 and any further call is refused.
    Recallable capital is "any amounts distributed to such Investor that are added back to such
    Investor's Uncalled Capital Commitment" (Law Insider, "Recallable Capital",
    https://lawinsider.com/dictionary/recallable-capital)."""
    paid: list[CommitmentEvent] = [
        Contribution(D1, Decimal(100_000)),
        Distribution(D2, Decimal(40_000), Decimal(40_000)),
    ]
    assert figures(commitment_position(Decimal(100_000), paid, D2, TERMS)) == {
        "contributed": "100000.00",
        "distributed": "40000.00",
        "available": "40000.00",
        "unfunded": "40000.00",
        "net_cash": "60000.00",
    }
    with pytest.raises(InvalidValueError) as err:
        commitment_position(Decimal(100_000), [*paid, Recall(D3, Decimal("40000.01"))], D3, TERMS)
    assert err.value.field == "events[2].amount"
    after = commitment_position(Decimal(100_000), [*paid, Recall(D3, Decimal(40_000))], D3, TERMS)
    assert (str(after.contributed), str(after.unfunded)) == ("140000.00", "0.00")
    plain: list[CommitmentEvent] = [Contribution(D1, Decimal(100_000)), Distribution(D2, Decimal(40_000))]
    assert str(commitment_position(Decimal(100_000), plain, D2, TERMS).unfunded) == "0.00"
    with pytest.raises(InvalidValueError) as err:
        commitment_position(Decimal(100_000), [*plain, Contribution(D3, Decimal("0.01"))], D3, TERMS)
    assert err.value.field == "events[2].amount"


def test_recall_window_18_months() -> None:
    """COMPUTED, on the window Gildi's methodology cites ("recallable only within 18 months
    of the original distribution date", https://docs.gildi.io/methodology/_recallable): a
    commitment of 1,000,000 fully paid on 2 Jan 2024; 250,000 of recallable return of capital
    distributed on 1 Mar 2024 lapses on 1 Sep 2025 (18 months later). On 31 Aug 2025 unfunded
    is 250,000.00; from 1 Sep 2025 it is 0.00 (lapsed 250,000.00) and a recall that day is
    refused; 100,000 recalled on 1 Jul 2025 leaves 150,000.00 to lapse."""
    terms = RecallTerms(USD, recall_period_months=18)
    events: list[CommitmentEvent] = [
        Contribution(date(2024, 1, 2), Decimal(1_000_000)),
        Distribution(date(2024, 3, 1), Decimal(250_000), Decimal(250_000)),
    ]
    before = commitment_position(Decimal(1_000_000), events, date(2025, 8, 31), terms)
    assert (str(before.unfunded), before.lapses) == ("250000.00", ((date(2025, 9, 1), Decimal("250000.00")),))
    after = commitment_position(Decimal(1_000_000), events, date(2025, 9, 1), terms)
    assert (str(after.unfunded), str(after.recallable_lapsed)) == ("0.00", "250000.00")
    with pytest.raises(InvalidValueError) as err:
        commitment_position(
            Decimal(1_000_000), [*events, Recall(date(2025, 9, 1), Decimal(1))], date(2025, 9, 1), terms
        )
    assert err.value.field == "events[2].amount"
    used = [*events, Recall(date(2025, 7, 1), Decimal(100_000))]
    end = commitment_position(Decimal(1_000_000), used, date(2026, 1, 1), terms)
    assert (str(end.recallable_drawn), str(end.recallable_lapsed), str(end.unfunded)) == (
        "100000.00",
        "150000.00",
        "0.00",
    )


def test_recallable_cap_of_commitment() -> None:
    """COMPUTED: LPAs cap recallable amounts (e.g. "75% of the lesser of the principal amount
    or the cost portion of any Portfolio Investment ... fully repaid ... within one year",
    TCW Direct Lending LLC agreements, https://www.markettransfer.info/clause/recallable-amounts;
    here the cap is on the commitment). Commitment 10,000,000.00, cap 20% = 2,000,000.00;
    recallable distributions of 1,500,000 and then 1,000,000: only 500,000 of the second is
    recallable; unfunded 2,000,000.00 after 10,000,000 was paid in."""
    terms = RecallTerms(USD, cap_fraction=Decimal("0.20"))
    events: list[CommitmentEvent] = [
        Contribution(D1, Decimal(10_000_000)),
        Distribution(D2, Decimal(1_500_000), Decimal(1_500_000)),
        Distribution(D3, Decimal(1_000_000), Decimal(1_000_000)),
    ]
    p = commitment_position(Decimal(10_000_000), events, D3, terms)
    assert (str(p.recallable_granted), str(p.unfunded)) == ("2000000.00", "2000000.00")


def test_deemed_contribution_fee_paid_out_of_a_distribution() -> None:
    """COMPUTED: commitment 1,000,000; 600,000 paid in; a 50,000 distribution is kept to pay a
    50,000 call for fees (a deemed contribution): contributed 650,000.00, distributed 50,000.00,
    net cash still 600,000.00, unfunded 350,000.00."""
    events: list[CommitmentEvent] = [
        Contribution(D1, Decimal(600_000)),
        DeemedContribution(D2, Decimal(50_000)),
    ]
    p = commitment_position(Decimal(1_000_000), events, D3, TERMS)
    assert figures(p) == {
        "contributed": "650000.00",
        "distributed": "50000.00",
        "available": "0.00",
        "unfunded": "350000.00",
        "net_cash": "600000.00",
    }
    assert str(p.deemed) == "50000.00"


def test_contribution_draws_on_commitment_first_then_recallable() -> None:
    events: list[CommitmentEvent] = [
        Contribution(D1, Decimal(900)),
        Distribution(D2, Decimal(300), Decimal(200)),
        Contribution(D3, Decimal(250)),
    ]
    p = commitment_position(Decimal(1000), events, D3, TERMS)
    assert (str(p.remaining_commitment), str(p.recallable_drawn), str(p.unfunded)) == (
        "0.00",
        "150.00",
        "50.00",
    )


def test_refusals_name_their_field() -> None:
    cases = [
        (lambda: commitment_position(Decimal(-1), [], D1, TERMS), "commitment"),
        (
            lambda: commitment_position(Decimal(10), [Distribution(D1, Decimal(5), Decimal(6))], D1, TERMS),
            "events[0].recallable",
        ),
        (
            lambda: commitment_position(Decimal(10), [Contribution(D1, Decimal("1.001"))], D1, TERMS),
            "events[0].amount",
        ),
        (lambda: commitment_position(Decimal(10), [Contribution(D1, 1.0)], D1, TERMS), "events[0].amount"),  # type: ignore[arg-type]
        (lambda: commitment_position(Decimal(10), ["x"], D1, TERMS), "events[0]"),  # type: ignore[list-item]
        (lambda: RecallTerms(USD, recall_period_months=0), "recall_period_months"),
        (lambda: RecallTerms(USD, cap_fraction=Decimal("1.5")), "cap_fraction"),
    ]
    for make, field in cases:
        with pytest.raises(LedgerInputError) as err:
            make()
        assert err.value.field == field


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2024, 8, 31), 18) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 15), 2) == date(2025, 1, 15)


# --- properties ----------------------------------------------------------------------------

cash = st.integers(min_value=0, max_value=10**8).map(lambda c: Decimal(c) / 100)


@st.composite
def histories(draw: st.DrawFn) -> tuple[Decimal, list[CommitmentEvent], RecallTerms]:
    commitment = draw(cash)
    day = date(2024, 1, 1)
    events: list[CommitmentEvent] = []
    for _ in range(draw(st.integers(0, 12))):
        day += timedelta(days=draw(st.integers(0, 120)))
        amount = draw(cash)
        kind = draw(st.sampled_from(["contribution", "distribution", "recall", "deemed"]))
        part = (amount * draw(st.integers(0, 100)) / 100).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        if kind == "contribution":
            events.append(Contribution(day, amount))
        elif kind == "recall":
            events.append(Recall(day, amount))
        elif kind == "distribution":
            events.append(Distribution(day, amount, part))
        else:
            events.append(DeemedContribution(day, amount, part))
    terms = RecallTerms(
        USD,
        draw(st.none() | st.integers(1, 24)),
        draw(st.none() | st.integers(0, 100).map(lambda p: Decimal(p) / 100)),
    )
    return commitment, events, terms


def position_or_none(
    commitment: Decimal, events: list[CommitmentEvent], as_of: date, terms: RecallTerms
) -> CommitmentPosition | None:
    try:
        return commitment_position(commitment, events, as_of, terms)
    except InvalidValueError as err:
        assert err.field.startswith("events[") and err.field.endswith("].amount")
        return None


@settings(max_examples=300, deadline=None)
@given(histories())
def test_unfunded_never_negative_and_the_identity_holds(
    history: tuple[Decimal, list[CommitmentEvent], RecallTerms],
) -> None:
    """Unfunded = commitment - contributed + recallable granted - recallable lapsed, never
    negative; every figure non-negative but net cash; a refusal always names events[i].amount."""
    commitment, events, terms = history
    as_of = date(2027, 1, 1)
    p = position_or_none(commitment, events, as_of, terms)
    assume(p is not None)
    assert p is not None
    assert p.unfunded == commitment - p.contributed + p.recallable_granted - p.recallable_lapsed
    assert p.unfunded == p.remaining_commitment + p.recallable_available
    assert p.recallable_granted == p.recallable_drawn + p.recallable_lapsed + p.recallable_available
    others = (p.contributed, p.distributed, p.deemed, p.recallable_drawn, p.recallable_lapsed, p.unfunded)
    assert min(others) >= 0 and p.remaining_commitment >= 0
    if terms.cap_fraction is not None:
        assert p.recallable_granted <= commitment * terms.cap_fraction


@settings(max_examples=300, deadline=None)
@given(histories(), cash)
def test_recallable_distribution_then_its_recall_leaves_unfunded_unchanged(
    history: tuple[Decimal, list[CommitmentEvent], RecallTerms], amount: Decimal
) -> None:
    commitment, events, terms = history
    day = max((e.on for e in events), default=D1) + timedelta(days=1)
    before = position_or_none(commitment, events, day, terms)
    assume(before is not None)
    assert before is not None
    if terms.cap_fraction is not None:
        room = (commitment * terms.cap_fraction).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        amount = min(amount, room - before.recallable_granted)
    pair = [*events, Distribution(day, amount, amount), Recall(day, amount)]
    after = commitment_position(commitment, pair, day, terms)
    assert after.unfunded == before.unfunded
    assert after.net_cash == before.net_cash


@settings(max_examples=300, deadline=None)
@given(histories(), cash)
def test_deemed_contribution_moves_no_cash(
    history: tuple[Decimal, list[CommitmentEvent], RecallTerms], amount: Decimal
) -> None:
    """A deemed contribution adds the same amount to contributed and to distributed and leaves
    net cash unchanged; with nothing recallable it uses unfunded commitment like a call."""
    commitment, events, terms = history
    day = max((e.on for e in events), default=D1) + timedelta(days=1)
    before = position_or_none(commitment, events, day, terms)
    assume(before is not None)
    assert before is not None
    amount = min(amount, before.unfunded)
    after = commitment_position(commitment, [*events, DeemedContribution(day, amount)], day, terms)
    assert after.net_cash == before.net_cash
    assert after.contributed - before.contributed == after.distributed - before.distributed == amount
    assert after.unfunded == before.unfunded - amount
