"""A manager's batch of transaction rows: each row checked on its own, then planned in order.

A batch (an imported spreadsheet, a day of valuations) is checked in two passes. First each
row alone, before any lock: its fields, what the pool's status accepts, its dates, and in
one read the KYC of every investor putting money in. Then, under the pool's lock, each row's
posting rule runs over the books in memory (ledger.batch.RunningBooks), so a subscription
after a mark is struck at that mark's NAV per unit and a distribution shares out the units
the rows before it issued, exactly as if the rows had been posted one by one. Every problem
is collected as a RowError, so the manager sees them all at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal

from pydantic import ValidationError
from sqlalchemy.orm import Session

from backend.finance.errors import InvalidValueError, LedgerInputError
from backend.finance.fees import FeePeriod
from backend.finance.investor_terms import InvestorTerms
from backend.investors.interface import InvestorService, KycStatus
from backend.platform.errors import ValidationFailed
from backend.pools.interface import PoolOut
from ledger import posting_rules as rules
from ledger.acceptance import MONEY_IN, NEEDS_INVESTOR, refusal
from ledger.batch import PlannedEntry, PoolAccounts, RunningBooks
from ledger.dealing_facts import read_dealing_facts
from ledger.entry_drafts import validate_draft
from ledger.forward_pricing import DealingFacts, LastEntry, require_date_order, require_valuation_before_deals
from ledger.investments import costs_held, hold
from ledger.posting_rules import PoolBooks, PoolTerms, Posting
from ledger.rule_inputs import (
    DEAL_TYPES,
    FeeInputs,
    capital_called,
    deal_price,
    entry_draft,
    investments,
    last_day_charged,
    pool_facts,
    rule_for,
    standing_fee_facts,
    unit_deal,
    unit_deals,
)
from ledger.schemas import BatchRow, RowError, TransactionRequest


def checked_row(
    pool: PoolOut, index: int, raw: object, errors: list[RowError], *, today: date
) -> BatchRow | None:
    """The row parsed and checked on its own (what record() checks before the lock)."""
    try:
        if isinstance(raw, BatchRow):
            row = raw
        elif isinstance(raw, TransactionRequest):
            row = BatchRow.model_validate(raw.model_dump())
        elif isinstance(raw, Mapping):
            row = BatchRow.model_validate(dict(raw))
        else:
            errors.append(RowError(row=index, field="row", reason="each row must be an object"))
            return None
    except ValidationError as exc:
        for err in exc.errors(include_url=False, include_input=False):
            name = ".".join(str(part) for part in err["loc"]) or "row"
            errors.append(RowError(row=index, field=name, reason=err["msg"]))
        return None
    kind, on = row.type.value, row.effective_date
    problem = refusal(pool, kind, on, today)
    if problem is None:
        if kind in NEEDS_INVESTOR and row.investor_id is None:
            problem = ("investor_id", f"a {kind} needs the investor")
        elif kind == "valuation" and row.amount is None:
            problem = ("amount", "a valuation row gives the pool's net asset value as amount")
    if problem is not None:
        errors.append(RowError(row=index, field=problem[0], reason=problem[1]))
        return None
    return row


def check_row_investors(
    rows: list[BatchRow | None], errors: list[RowError], investors: InvestorService
) -> None:
    """KYC for money in, existence for redemptions: all the batch's investors in one read.
    A row that fails is set to None, so it is not planned."""
    wanted = {
        row.investor_id
        for row in rows
        if row is not None and row.type.value in NEEDS_INVESTOR and row.investor_id is not None
    }
    statuses = investors.kyc_statuses(wanted)
    for index, row in enumerate(rows):
        if row is None or row.type.value not in NEEDS_INVESTOR or row.investor_id is None:
            continue
        status = statuses.get(row.investor_id)
        if status is None:
            reason = f"investor {row.investor_id} not found"
        elif row.type.value in MONEY_IN and status is not KycStatus.APPROVED:
            reason = (
                f"investor_id: investor {row.investor_id} is not KYC-approved (KYC status {status.value})"
            )
        else:
            continue
        errors.append(RowError(row=index, field="investor_id", reason=reason))
        rows[index] = None


def _planned_mark(
    terms: PoolTerms,
    books: PoolBooks,
    *,
    dealing: DealingFacts,
    charged: Sequence[tuple[int | None, FeePeriod]],
    deals: Sequence[tuple[date, int, Decimal]],
    row: BatchRow,
) -> Posting:
    """A batch row's valuation, checked and accrued as record_valuation does."""
    fee_terms = terms.management_fee
    if fee_terms is not None and fee_terms.nav_point != "ending":
        # Its fee starts from the NAV at a past day's close, which the batch does not keep.
        raise InvalidValueError(
            "type",
            f"pool {terms.pool_id} charges its fee on the {fee_terms.nav_point} NAV: record its "
            "valuations one at a time (POST /pools/{id}/valuations)",
        )
    if terms.open_ended:
        require_valuation_before_deals(terms.pool_id, dealing, row.effective_date)
    return rules.valuation(
        terms,
        books,
        net_asset_value=row.amount,
        on=row.effective_date,
        fee_accrues_from=rules.mark_fee_accrues_from(
            terms, last_day_charged(charged), rules.units_in_issue_since(deals)
        ),
    )


def plan_batch(
    session: Session,
    terms: PoolTerms,
    accounts: PoolAccounts,
    rows: Sequence[BatchRow | None],
    errors: list[RowError],
    *,
    commitments: Mapping[int, Decimal],
    investor_terms: Mapping[int, InvestorTerms] | None = None,
) -> Iterator[PlannedEntry | None]:
    """Apply each row's posting rule to the books in memory, in order; collect row errors.
    Yields one item per row as it is planned (the writer stores earlier rows meanwhile), and
    reads the database only before the first: between rows another thread may be using the
    session.

    A row that fails is left out, so the rows after it are checked against the books as
    they would be without it (the batch is refused anyway; this only makes the report
    complete). Checks what record() and the journal engine check: the dealing date against
    the last valuation, the rule itself, validate_draft, overdrafts.
    """
    facts = pool_facts(session, terms)
    # Fee entries are facts already; marks that accrued the fee are read with them once.
    charged = standing_fee_facts(session, terms.pool_id)
    facts.fee_periods, facts.fees_charged = charged.fee_periods, charged.fees_charged
    dealing = read_dealing_facts(session, terms.pool_id)
    called = capital_called(session, terms.pool_id)
    deals = unit_deals(session, terms.pool_id)
    held = costs_held(investments(session, terms.pool_id))
    running = RunningBooks(accounts)
    state = rules.waterfall_state_from_history(facts.contributions, facts.distributions)
    for index, row in enumerate(rows):
        if row is None:
            yield None
            continue
        kind = row.type.value
        books = facts.books(running.balances, state)
        try:
            require_date_order(terms.pool_id, dealing, row.effective_date)
            if kind == "valuation":
                posting = _planned_mark(
                    terms, books, dealing=dealing, charged=facts.fee_periods, deals=deals, row=row
                )
            else:
                request = TransactionRequest.model_validate(row.model_dump())
                dealt = kind in {"subscription", "redemption"}
                price = deal_price(terms, books, dealing, request) if dealt else None
                fee = (
                    FeeInputs(
                        facts.fee_periods,
                        commitments,
                        called,
                        rules.holding_since(deals),
                        investor_terms or {},
                    )
                    if kind == "management_fee"
                    else None
                )
                posting = rule_for(
                    kind,
                    terms,
                    books,
                    request,
                    price=price,
                    fee=fee,
                    investor_terms=investor_terms,
                    investments_held=held,
                    fees=facts.fees_charged,
                )
            draft = validate_draft(entry_draft(terms, posting, row.effective_date, row.memo))
            overdrawn = running.overdraft(draft)
            if overdrawn is not None:
                raise overdrawn
        except LedgerInputError as exc:
            errors.append(RowError(row=index, field=exc.field, reason=exc.reason))
            yield None
            continue
        except ValidationFailed as exc:
            errors.append(RowError(row=index, field=exc.field or "row", reason=exc.detail))
            yield None
            continue
        running.apply(draft)
        hold(held, posting.entry_type, posting.details)
        dealing = dealing.after(LastEntry(None, posting.entry_type, row.effective_date), posting.details)
        if posting.entry_type in DEAL_TYPES:
            deals.append(unit_deal(row.effective_date, posting.entry_type, posting.details))
        before = (len(facts.contributions), len(facts.distributions))
        facts.add(posting.entry_type, row.effective_date, posting.details)
        if (len(facts.contributions), len(facts.distributions)) != before:
            state = rules.waterfall_state_from_history(facts.contributions, facts.distributions)
        yield PlannedEntry(index, draft, posting.details)
