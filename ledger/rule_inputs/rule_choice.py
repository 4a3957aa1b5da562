"""The posting rule for a request, given its inputs, and what its outcome becomes.

rule_for picks a manager-recorded transaction's rule by type and hands it the inputs the
other submodules read (distribution_rule for a distribution recorded on its own); rule_reads
names the few balances a rule reads where it needs none of the pool's facts. A rule's posting
becomes a journal entry draft (entry_draft), its refusal the API's 422 (as_validation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from backend.finance.errors import InvalidValueError, LedgerInputError
from backend.finance.investor_terms import InvestorTerms
from backend.platform.errors import ValidationFailed
from ledger import posting_rules as rules
from ledger.entry_drafts import EntryDraft
from ledger.forward_pricing import DealPrice
from ledger.posting_rules import PoolBooks, PoolTerms, Posting
from ledger.posting_rules.deal_distributions import DealBook
from ledger.rule_inputs.management_fees import FeeInputs, fee_period, fees_since
from ledger.schemas import (
    AccountRef,
    DistributionMode,
    DistributionRequest,
    EntryType,
    EventIn,
    TransactionRequest,
)


def rule_reads(kind: str, request: TransactionRequest, terms: PoolTerms) -> tuple[AccountRef, ...] | None:
    """The only balances the rule for `kind` reads, for a rule that reads a few named accounts
    and none of the facts pool_books adds: a write then reads just those, in place of every
    account and standing entry of the pool. None: the rule needs the whole of pool_books."""
    if kind == "contribution" and request.investor_id is not None:
        return rules.contribution_reads(request.investor_id)
    if kind == "subscription":
        return rules.subscription_reads(terms)
    return None


def entry_draft(terms: PoolTerms, posting: Posting, on: date, memo: str) -> EntryDraft:
    """The journal entry a rule's posting makes, in the pool's currency."""
    if posting.entry_type is EntryType.PORTFOLIO_COMPANY_FEE:
        memo = rules.stated_memo(terms.currency.code, posting.details, memo)
    return EntryDraft(
        pool_id=terms.pool_id,
        currency=terms.currency.code,
        entry_type=posting.entry_type,
        effective_date=on,
        memo=memo,
        lines=posting.lines,  # the rules' lines are the journal's (ledger.schemas.PostingLine)
        events=tuple(EventIn(event_type=name, payload=payload) for name, payload in posting.events),
    )


def as_validation(exc: LedgerInputError) -> ValidationFailed:
    """A rule's refusal as the API's 422, the field named first."""
    return ValidationFailed(f"{exc.field}: {exc.reason}", field=exc.field)


def distribution_rule(
    terms: PoolTerms,
    books: PoolBooks,
    request: DistributionRequest,
    letters: Mapping[int, InvestorTerms],
    deals: DealBook | None = None,
) -> Posting:
    """A distribution's posting: through the waterfall (closed-ended; one deal's under an
    American waterfall, given its ``deals``) or pro rata."""
    by_deal = terms.deal_by_deal and request.mode is DistributionMode.WATERFALL
    if (request.investment is not None or request.final_realisation) and not by_deal:
        field = "investment" if request.investment is not None else "final_realisation"
        raise InvalidValueError(
            field, "only an American (deal-by-deal) waterfall distributes one investment's proceeds"
        )
    if by_deal:
        return rules.deal_distribution(
            terms,
            books,
            deals or DealBook(),
            investment=request.investment,
            amount=request.amount,
            on=request.effective_date,
            final_realisation=request.final_realisation,
            investor_terms=letters,
            recallable=request.recallable,
            deemed_contribution=request.deemed_contribution,
        )
    if request.mode is DistributionMode.WATERFALL:
        return rules.waterfall_distribution(
            terms,
            books,
            amount=request.amount,
            on=request.effective_date,
            investor_terms=letters,
            recallable=request.recallable,
            deemed_contribution=request.deemed_contribution,
        )
    return rules.pro_rata_distribution(
        terms,
        books,
        amount=request.amount,
        recallable=request.recallable,
        deemed_contribution=request.deemed_contribution,
    )


def rule_for(  # noqa: PLR0911, PLR0912 - one branch per transaction type
    kind: str,
    terms: PoolTerms,
    books: PoolBooks,
    request: TransactionRequest,
    *,
    price: DealPrice | None = None,
    fee: FeeInputs | None = None,
    investor_terms: Mapping[int, InvestorTerms] | None = None,
    investments_held: Mapping[str, Decimal] | None = None,
    fees: Sequence[tuple[date, Decimal]] = (),
) -> Posting:
    """The posting of a manager-recorded transaction: its type's rule, given its inputs
    (``fees``: the management fees charged so far, for a performance fee gross of them)."""
    if request.investment is not None and kind not in {"purchase", "sale", "portfolio_company_fee"}:
        raise InvalidValueError(
            "investment",
            f"only a purchase, a sale or a portfolio company's fee names an investment, not a {kind}",
        )
    if request.fee_kind is not None and kind != "portfolio_company_fee":
        raise InvalidValueError("fee_kind", f"only a portfolio company's fee has a fee kind, not a {kind}")
    investor = request.investor_id or 0
    if request.share_class is not None and kind not in {"subscription", "performance_fee"}:
        raise InvalidValueError(
            "share_class", f"only a subscription or a performance fee names a share class, not a {kind}"
        )
    if request.share_class is not None and not terms.share_classes:
        raise InvalidValueError("share_class", f"pool {terms.pool_id} has no share classes")
    if kind == "subscription":
        return rules.subscription(
            terms,
            books,
            investor_id=investor,
            amount=request.amount,
            price=None if price is None else price.nav_per_unit,
            fx_rate=None if price is None else price.fx_rate,
            share_class=request.share_class,
        )
    if kind == "redemption":
        return rules.redemption(
            terms,
            books,
            investor_id=investor,
            units=request.units,
            amount=request.amount,
            price=None if price is None else price.nav_per_unit,
            fx_rate=None if price is None else price.fx_rate,
        )
    if kind == "contribution":
        return rules.contribution(terms, books, investor_id=investor, amount=request.amount)
    if kind == "distribution":
        if terms.deal_by_deal:
            raise InvalidValueError(
                "type", "a deal-by-deal distribution is recorded on its own (POST /pools/{id}/distributions)"
            )
        if terms.open_ended:
            return rules.pro_rata_distribution(terms, books, amount=request.amount)
        return rules.waterfall_distribution(
            terms, books, amount=request.amount, on=request.effective_date, investor_terms=investor_terms
        )
    if kind == "management_fee" and terms.share_classes:
        raise InvalidValueError(
            "type",
            f"pool {terms.pool_id} has share classes: each class's management fee accrues at each "
            "valuation, at the class's own rate",
        )
    if kind == "management_fee":
        inputs = fee or FeeInputs([], {}, {})
        return rules.management_fee(
            terms,
            books,
            amount=request.amount,
            period=fee_period(terms, inputs.charged, request),
            override_reason=request.override_reason,
            commitments=inputs.commitments,
            invested=inputs.invested(books),
            holding_since=inputs.holding_since,
            investor_terms=inputs.investor_terms,
        )
    if kind == "performance_fee" and terms.share_classes:
        return rules.class_performance_fee(
            terms, books, amount=request.amount, share_class=request.share_class, on=request.effective_date
        )
    if kind == "performance_fee":
        return rules.performance_fee(
            terms,
            books,
            amount=request.amount,
            on=request.effective_date,
            management_fee_since=fees_since(fees, books, request.effective_date),
        )
    if kind == "sale":
        return rules.sale(
            terms,
            books,
            amount=request.amount,
            cost=request.cost,
            investment=request.investment,
            investments_held=investments_held,
        )
    if kind == "purchase":
        return rules.purchase(terms, books, amount=request.amount, investment=request.investment)
    if kind == "portfolio_company_fee":
        return rules.portfolio_company_fee(
            terms, books, amount=request.amount, fee_kind=request.fee_kind, investment=request.investment
        )
    rule: Callable[..., Posting] = {
        "fee_payment": rules.fee_payment,
        "income": rules.income,
        "expense": rules.expense,
    }[kind]
    return rule(terms, books, amount=request.amount)
