"""What a posting rule is given: the pool's facts, the fee periods charged, the rule for a request.

A posting rule (ledger.posting_rules) is a pure function of the pool's terms, its books and
the request. Its inputs beside the balances come from the details of the entries that stand:
the high-water mark the last performance fee left, the days each management fee (or NAV mark
that accrued it) already charged, the capital called and contributed per investor (the
waterfall's history), who holds units since when. This package reads those facts and picks
the rule for a request; the single write (ledger.transactions), the batch planner
(ledger.batch_rows) and the previews (ledger.previews) all go through it, so a preview shows
exactly what the write would post.

Which submodule reads what (each layer imports only the ones above it):

- ``unit_dealing``: the standing subscriptions and redemptions (DEAL_TYPES, unit_deal,
  unit_deals), who holds units since when (holding_since), and the price a deal is struck
  at (deal_price).
- ``standing_facts``: PoolFacts, the facts of the standing entries beside the balances
  (high-water marks, fees charged, contributions, distributions, offsets, clawbacks, share
  classes' lots and rates), and the rules' books from them (pool_facts, pool_books).
- ``management_fees``: the periods and amounts management fees and fee-accruing marks
  charged (standing_fee_facts, standing_fee_periods, fees_charged, last_day_charged,
  fees_since), where the next mark's fee starts (mark_fee_accrues_from, opening_nav), and a
  new fee's inputs and period (FeeInputs, fee_period).
- ``capital_calls``: capital called per investor as subsequent closes equalised it
  (capital_called) and capital returned to be called again (recallable_returned).
- ``investment_deals``: the named investments (investments) and the deals an American
  waterfall reads (DealRows, deal_rows, deal_facts).
- ``rule_choice``: the rule for a request (rule_for, distribution_rule, rule_reads) and what
  its outcome becomes (entry_draft, as_validation).
"""

from __future__ import annotations

from ledger.rule_inputs.capital_calls import capital_called, recallable_returned
from ledger.rule_inputs.investment_deals import DealRows, deal_facts, deal_rows, investments
from ledger.rule_inputs.management_fees import (
    FeeInputs,
    fee_period,
    fees_charged,
    fees_since,
    last_day_charged,
    mark_fee_accrues_from,
    opening_nav,
    standing_fee_facts,
    standing_fee_periods,
)
from ledger.rule_inputs.rule_choice import (
    as_validation,
    distribution_rule,
    entry_draft,
    rule_for,
    rule_reads,
)
from ledger.rule_inputs.standing_facts import PoolFacts, pool_books, pool_facts
from ledger.rule_inputs.unit_dealing import (
    DEAL_TYPES,
    deal_price,
    holding_since,
    unit_deal,
    unit_deals,
)

__all__ = [
    "DEAL_TYPES",
    "DealRows",
    "FeeInputs",
    "PoolFacts",
    "as_validation",
    "capital_called",
    "deal_facts",
    "deal_price",
    "deal_rows",
    "distribution_rule",
    "entry_draft",
    "fee_period",
    "fees_charged",
    "fees_since",
    "holding_since",
    "investments",
    "last_day_charged",
    "mark_fee_accrues_from",
    "opening_nav",
    "pool_books",
    "pool_facts",
    "recallable_returned",
    "rule_for",
    "rule_reads",
    "standing_fee_facts",
    "standing_fee_periods",
    "unit_deal",
    "unit_deals",
]
