"""The deal dates forward pricing reads under the pool's lock (ledger.dealing_facts), on
SQLite and MariaDB: the first and the last date a standing deal was struck, whichever type
it was, as deals are posted and reversed. Read per deal type by index (migration 0045), so
a slip in folding the types together would move a pool's dealing window."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from backend.composition.container import Container
from backend.platform.unit_of_work import UnitOfWork
from ledger.dealing_facts import read_dealing_facts
from ledger.interface import ReversalRequest, TransactionRequest, ValuationRequest
from tests.integration.pools_support import make_world, open_pool


def _deal_dates(container: Container, pool: int) -> tuple[date | None, date | None]:
    with UnitOfWork(container.db) as uow:
        facts = read_dealing_facts(uow.session, pool)
    return facts.first_deal_on, facts.last_deal_on


def test_first_and_last_deal_follow_deals_of_either_type_and_their_reversals(container: Container) -> None:
    world = make_world(container)
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, open_pool(minimum_subscription="0.00", performance_fee=None)).id
    a, b = world.investor_profile(world.investor), world.investor_profile(world.other_investor, name="Bo")
    t = c.transactions

    def deal(**fields: object) -> int:
        return t.record(m, pool, TransactionRequest.model_validate(fields), str(uuid.uuid4())).id

    def reverse(entry_id: int, on: date) -> None:
        t.reverse(m, entry_id, ReversalRequest(effective_date=on), str(uuid.uuid4()))

    assert _deal_dates(c, pool) == (None, None)
    deal(type="subscription", investor_id=a, amount="1000.00", effective_date="2025-01-02")
    assert _deal_dates(c, pool) == (date(2025, 1, 2), date(2025, 1, 2))
    t.record_valuation(
        m, pool, ValuationRequest(as_of=date(2025, 1, 31), net_asset_value=Decimal("1100.00")), "v-jan"
    )
    # The last deal is a redemption: only the redemptions' read carries the later date.
    redemption = deal(type="redemption", investor_id=a, units="1", effective_date="2025-01-31")
    assert _deal_dates(c, pool) == (date(2025, 1, 2), date(2025, 1, 31))
    reverse(redemption, date(2025, 1, 31))  # a reversed deal no longer counts
    assert _deal_dates(c, pool) == (date(2025, 1, 2), date(2025, 1, 2))
    t.record_valuation(
        m, pool, ValuationRequest(as_of=date(2025, 2, 28), net_asset_value=Decimal("1100.00")), "v-feb"
    )
    later = deal(type="subscription", investor_id=b, amount="500.00", effective_date="2025-02-28")
    assert _deal_dates(c, pool) == (date(2025, 1, 2), date(2025, 2, 28))
    reverse(later, date(2025, 2, 28))
    assert _deal_dates(c, pool) == (date(2025, 1, 2), date(2025, 1, 2))
