"""The rules of the pools and ledger services that need no database, run in the unit suite:
a pool's terms, its status moves, what each status accepts and the overdraft rule. The
services apply exactly these functions; the integration suite runs the services themselves
on SQLite and MariaDB."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from backend.platform.errors import Conflict, ValidationFailed
from backend.pools.interface import (
    FeeBasis,
    ManagementFeeTerms,
    PerformanceFeeTerms,
    PoolKind,
    PoolOut,
    PoolSettings,
    PoolStatus,
    PoolUpdate,
)
from backend.pools.terms_rules import require_no_nulls, transition, validated
from ledger.acceptance import refusal
from ledger.interface import AccountCode, EntryType
from ledger.overdraft import overdrawn, refuses

D = Decimal
TODAY = date(2026, 12, 3)


def _settings(**changes: object) -> PoolSettings:
    base: dict[str, object] = {
        "name": "  Harbour Growth  ",
        "kind": PoolKind.OPEN_ENDED,
        "base_currency": "usd",
        "inception_date": date(2026, 1, 1),
        "minimum_subscription": D("1000"),
    }
    return PoolSettings.model_validate({**base, **changes})


def _refused(settings: PoolSettings) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as refused:
        validated(settings, TODAY)
    return refused.value


def test_valid_terms_are_written_at_their_scale() -> None:
    out = validated(_settings(), TODAY)
    assert (out.name, out.base_currency, out.minimum_subscription) == ("Harbour Growth", "USD", D("1000.00"))


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": "   "}, "name", "must not be blank"),
        ({"base_currency": "XYZ"}, "base_currency", "XYZ"),
        ({"inception_date": date(2028, 1, 1)}, "inception_date", "within 366 days"),
        ({"minimum_subscription": D("10.001")}, "minimum_subscription", "2 decimal places"),
        (
            {"management_fee": ManagementFeeTerms(rate=D("0.02"), basis=FeeBasis.COMMITTED)},
            "management_fee.basis",
            "",
        ),
        ({"minimum_subscription": D("-5.00")}, "minimum_subscription", "must not be negative, got -5.00"),
        ({"initial_nav_per_unit": D("0")}, "initial_nav_per_unit", "must be positive, got 0"),
        # A rate is a fraction: 2 is 200%, and the refusal says so in percent too.
        (
            {"management_fee": ManagementFeeTerms(rate=D("2"), basis=FeeBasis.NAV)},
            "management_fee.rate",
            "must be between 0% and 100%, got 200% (2 as a fraction: 0.02 is 2%)",
        ),
        (
            {"kind": PoolKind.CLOSED_ENDED, "performance_fee": PerformanceFeeTerms(rate=D("0.2"))},
            "performance_fee",
            "",
        ),
    ],
)
def test_each_bad_term_is_refused_naming_its_field(
    changes: dict[str, object], field: str, words: str
) -> None:
    refused = _refused(_settings(**changes))
    assert refused.field == field and words in refused.detail


def test_a_status_moves_only_forward_and_names_where_it_may_move_from() -> None:
    assert transition("close", PoolStatus.OPEN) == (PoolStatus.CLOSED, "pool.closed")
    assert transition("liquidate", PoolStatus.CLOSED)[0] is PoolStatus.LIQUIDATING
    with pytest.raises(Conflict) as refused:
        transition("close", PoolStatus.LIQUIDATING)
    assert refused.value.field == "status"
    assert refused.value.detail == "status: cannot close a pool that is liquidating; only from open"


def test_an_update_may_leave_a_term_out_but_not_blank_it() -> None:
    require_no_nulls(PoolUpdate.model_validate({"name": "New name"}))
    with pytest.raises(ValidationFailed) as refused:
        require_no_nulls(PoolUpdate.model_validate({"base_currency": None}))
    assert refused.value.field == "base_currency"


def _pool(status: PoolStatus) -> PoolOut:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return PoolOut.model_validate(
        {
            **validated(_settings(), TODAY).model_dump(),
            "id": 7,
            "status": status,
            "base_currency_exponent": 2,
            "manager_ids": [1],
            "status_changed_at": now,
            "created_at": now,
            "updated_at": now,
        }
    )


def test_what_each_pool_status_accepts() -> None:
    on = date(2026, 6, 1)
    assert refusal(_pool(PoolStatus.OPEN), "subscription", on, TODAY) is None
    assert refusal(_pool(PoolStatus.CLOSED), "subscription", on, TODAY) == (
        "type",
        "a subscription is not accepted while pool 7 is closed",
    )
    assert refusal(_pool(PoolStatus.LIQUIDATING), "distribution", on, TODAY) is None
    assert refusal(_pool(PoolStatus.LIQUIDATED), "valuation", on, TODAY) is not None
    assert refusal(_pool(PoolStatus.OPEN), "income", date(2025, 12, 31), TODAY) == (
        "effective_date",
        "2025-12-31 is before the pool's inception on 2026-01-01",
    )
    assert refusal(_pool(PoolStatus.OPEN), "income", date(2026, 12, 4), TODAY) == (
        "effective_date",
        "2026-12-04 is in the future",
    )


@pytest.mark.parametrize(
    ("held", "delta", "may_go_negative", "refused"),
    [
        (D("10"), D("-10"), False, False),  # to exactly zero
        (D("10"), D("-10.01"), False, True),
        (D("10"), D("-10.01"), True, False),  # the pool allows an overdraft
        (D("-5"), D("2"), False, False),  # adding to an account already below zero
        (D("-5"), D("-1"), False, True),
    ],
)
def test_the_overdraft_rule(held: Decimal, delta: Decimal, may_go_negative: bool, refused: bool) -> None:
    assert refuses(held, delta, may_go_negative) is refused


def test_the_overdraft_refusal_names_the_account_in_its_own_scale() -> None:
    units = overdrawn(
        (AccountCode.UNITS, 3),
        pool_id=7,
        commodity="UNITS",
        held=D("1.5"),
        delta=D("-2"),
        entry_type=EntryType.REDEMPTION,
    )
    assert (units.field, units.detail) == ("units", "investor 3 holds 1.500000 units, cannot redeem 2.000000")
    cash = overdrawn(
        (AccountCode.CASH, None),
        pool_id=7,
        commodity="USD",
        held=D("5"),
        delta=D("-7.5"),
        entry_type=EntryType.EXPENSE,
    )
    assert cash.field == "cash"
    assert (
        cash.detail == "pool 7 has 5.00 USD cash, cannot pay out 7.50 (the pool does not allow negative cash)"
    )
