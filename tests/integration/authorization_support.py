"""A victim's estate for the authorisation matrices (no tests here).

`manager` (with a co-manager and a granted analyst) runs two pools with books and a draft
pool, a private benchmark and two investors; `investor` is one of them. Everyone else in the
`World` (the other manager, the other investor, the analyst without grants) is an outsider:
the matrices check they can neither read nor change any of it, through the API and through
the portal's callbacks. Every name here carries MARKER, so "did the answer show the victim's
data" is a search for one word.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from backend.composition.container import Container
from backend.investors.interface import CommitmentCreate, InvestorUpdate, SideLetterTerms
from backend.payments.interface import (
    AccountDecision,
    CollectionAccountIn,
    MethodIn,
    PayIn,
    PayoutAccountIn,
    PayoutFileIn,
    PayoutKind,
    StatementFormat,
    StatementUpload,
    WireIn,
)
from backend.platform.actors import Actor, Role
from ledger.interface import CapitalCallRequest, DistributionRequest, TransactionRequest, ValuationRequest
from reports.interface import BenchmarkCreate, BenchmarkLevelsIn
from tests.integration.auth_support import PASSWORD, create_user
from tests.integration.payments_support import confirmed_change
from tests.integration.pools_support import Api, World, closed_pool, open_pool

MARKER = "Quillfeather"
"""In the name of every pool, investor and benchmark of the victim, and in nothing else."""

CONTACT = "back-office@holdings.example"
"""The contact email of the victim's investors: a manager may find an investor by name to
onboard them, but only the investor's own managers see how to reach them."""

OUTSIDERS = ("other_manager", "other_investor", "analyst")
"""Principals with no relation to the victim's objects: they may read none and change none."""

READ_ONLY_INSIDERS = ("investor", "granted_analyst")
"""Principals who may read some of the victim's objects but change none of the pools'."""


@dataclass(frozen=True)
class Estate:
    world: World
    ids: dict[str, int]
    """open_pool, closed_pool, draft_pool, investor, second_investor, entry, benchmark,
    notification, payment_request (the investor's, for the capital call), wire (recorded by an
    admin, awaiting approval), statement_line (an unmatched credit on the buyout's statement),
    co_manager, granted_analyst, newcomer, new_investor_user, and the user ids
    of every principal (`<label>_user`)."""
    tokens: dict[str, str] = field(default_factory=dict)
    """With a payment gateway: `card`, the second investor's saved card (a gateway token), to
    pay their request (`second_request`; the investor's has a wire awaiting approval); and
    `card_payment` in ids, a payment made with it (to refund)."""


def _labelled(world: World, label: str, role: Role) -> Actor:
    email = f"{label}@pools.test"
    user_id = create_user(world.container, email, role)
    world.emails[label] = email
    return Actor(user_id=user_id, role=role, label=email)


def build_estate(world: World) -> Estate:
    c: Container = world.container
    boss = world.manager
    co_manager = _labelled(world, "co_manager", Role.MANAGER)
    granted = _labelled(world, "granted_analyst", Role.ANALYST)
    newcomer = _labelled(world, "newcomer", Role.MANAGER)
    new_investor = _labelled(world, "new_investor_user", Role.INVESTOR)
    second = _labelled(world, "second_investor_user", Role.INVESTOR)

    growth = c.pools.create_pool(boss, open_pool(name=f"{MARKER} Growth Fund")).id
    buyout = c.pools.create_pool(boss, closed_pool(name=f"{MARKER} Buyout I")).id
    draft = c.pools.create_pool(boss, open_pool(name=f"{MARKER} Draft Fund")).id
    american = {
        "style": "american",
        "preferred_return_rate": "0",
        "catch_up_rate": "0",
        "carried_interest_rate": "0.2",
    }
    deals = c.pools.create_pool(
        boss, closed_pool(name=f"{MARKER} Deals I", management_fee=None, waterfall=american)
    ).id
    assert co_manager.user_id is not None and granted.user_id is not None
    c.pools.add_manager(boss, growth, co_manager.user_id)
    c.pools.grant_analyst(boss, growth, granted.user_id)

    investor = world.investor_profile(world.investor, name=f"{MARKER} Holdings Ltd")
    second_investor = world.investor_profile(second, name=f"{MARKER} Family Office")
    for profile in (investor, second_investor):
        c.investors.update_investor(world.admin, profile, InvestorUpdate(contact_email=CONTACT))
    c.transactions.record(
        boss,
        growth,
        TransactionRequest.model_validate(
            {
                "type": "subscription",
                "investor_id": investor,
                "amount": "20000.00",
                "effective_date": "2025-01-02",
            }
        ),
        "estate-subscription",
    )
    c.transactions.record_valuation(
        boss,
        growth,
        ValuationRequest.model_validate({"as_of": "2025-01-03", "net_asset_value": "20000.00"}),
        "estate-valuation",
    )
    world.commit(buyout, investor, "100000.00")
    c.investors.create_commitment(
        boss, buyout, CommitmentCreate.model_validate({"investor_id": second_investor, "amount": "50000.00"})
    )
    c.investors.put_side_letter(
        boss,
        buyout,
        investor,
        SideLetterTerms(reference=f"{MARKER} side letter, clause 4", management_fee_waiver=Decimal("0.1")),
    )
    c.transactions.capital_call(
        boss,
        buyout,
        CapitalCallRequest.model_validate(
            {"amount": "30000.00", "due_date": "2025-02-15", "effective_date": "2025-02-01"}
        ),
        "estate-call",
    )
    # The last entry of its pool, so its owner may reverse it (the control).
    entry = c.transactions.record(
        boss,
        buyout,
        TransactionRequest.model_validate(
            {
                "type": "contribution",
                "investor_id": investor,
                "amount": "20000.00",
                "effective_date": "2025-02-10",
            }
        ),
        "estate-contribution",
    ).id
    benchmark = c.reports.create_benchmark(boss, BenchmarkCreate(name=f"{MARKER} Index", currency="USD")).id
    c.reports.load_levels(
        boss,
        benchmark,
        BenchmarkLevelsIn.model_validate(
            {"levels": [{"date": "2025-01-31", "level": "100"}, {"date": "2025-06-30", "level": "105"}]}
        ),
    )
    c.reports.set_pool_benchmark(boss, growth, benchmark)
    # The call opened a payment request per investor; an admin recorded a wire against the
    # investor's, so the pool's manager may approve it (the four-eyes control).
    request = next(r for r in c.payments.list_requests(boss, pool_id=buyout) if r.investor_id == investor)
    wire = c.payments.record_wire(
        world.admin,
        WireIn.model_validate(
            {
                "request_id": request.id,
                "amount": "5000.00",
                "value_date": "2025-02-12",
                "bank_reference": "EST-1",
            }
        ),
    )
    c.payments.set_collection_account(
        boss,
        buyout,
        CollectionAccountIn(account_name=f"{MARKER} Buyout I GmbH", iban="DE89370400440532013000", bic=None),
    )
    # A credit on the buyout's statement that names no request: the manual match queue.
    unmatched = "2025-02-14,2025-02-14,750.00,EUR,credit,February call,Unknown payer,,,false"
    statement = c.payments.import_statement(boss, buyout, _statement_csv(unmatched))
    c.payments.reconcile(date(2025, 2, 14))  # so an admin has a reconciliation to read
    payouts = _payouts(world, buyout, investor, boss)
    notices = c.notifications.list_for_user(world.investor).items
    assert notices, "the estate's deals notified nobody: the notification probes would test nothing"

    ids = {
        "open_pool": growth,
        "closed_pool": buyout,
        "draft_pool": draft,
        "deal_pool": deals,
        "investor": investor,
        "second_investor": second_investor,
        "entry": entry,
        "benchmark": benchmark,
        "notification": notices[0].id,
        "payment_request": request.id,
        "wire": wire.id,
        "statement_line": statement.results[0].id,
        **payouts,
        "co_manager": _user(co_manager),
        "granted_analyst": _user(granted),
        "newcomer": _user(newcomer),
        "new_investor_user": _user(new_investor),
    }
    for label in ("admin", "manager", "other_manager", "analyst", "investor", "other_investor"):
        ids[f"{label}_user"] = _user(getattr(world, label))
    ids["granted_analyst_user"] = ids["granted_analyst"]
    ids["document"] = c.notifications.documents(world.investor)[0].id  # the buyout call's notice
    ids["delivery"] = _failed_email(c, investor_user=ids["investor_user"], document_id=ids["document"])
    ids["second_request"] = next(r.id for r in c.payments.list_requests(second))
    tokens = {}
    if c.payment_gateway is not None:
        tokens["card"] = c.payments.add_payment_method(second, MethodIn(token="tok_visa")).token
        ids["card_payment"] = _card_payment(world, boss, second, second_investor, tokens["card"])
    return Estate(world, ids, tokens)


def _failed_email(c: Container, investor_user: int, document_id: int) -> int:
    """An email to the investor the mail server refused (the estate's deals are history, which
    is not emailed): what an administrator resends, and with it the notice it carried, which
    the pool's manager resends."""
    from notifications.models import Delivery

    with c.db.writer_session() as session:
        row = Delivery(
            event_id="estate-refused-email",
            user_id=investor_user,
            channel="email",
            kind="capital_call.issued",
            to_address="old-address@pools.test",
            subject=f"{MARKER} Capital call issued",
            text_body="...",
            html_body="...",
            message_id="<estate@pools.localhost>",
            status="failed",
            last_error="refused: 550",
            document_id=document_id,
        )
        session.add(row)
        session.commit()
        return row.id


def _card_payment(world: World, boss: Actor, second: Actor, profile: int, card: str) -> int:
    """The second investor's card payment of a call in a pool of its own (the buyout's last
    entry stays the one to reverse): a payment its manager may refund."""
    c = world.container
    pool = c.pools.create_pool(boss, closed_pool(name=f"{MARKER} Card Pool")).id
    c.investors.create_commitment(
        boss, pool, CommitmentCreate.model_validate({"investor_id": profile, "amount": "10000.00"})
    )
    call = {"amount": "1000.00", "due_date": "2025-02-15", "effective_date": "2025-02-01"}
    c.transactions.capital_call(boss, pool, CapitalCallRequest.model_validate(call), "estate-card-call")
    request = next(r for r in c.payments.list_requests(second) if r.pool_id == pool)
    return c.payments.pay(second, request.id, PayIn(method=card), "estate-card").id


def _payouts(world: World, pool: int, investor: int, boss: Actor) -> dict[str, int]:
    """The investor's verified payout account; a payout file already made (`payout_batch`); a
    payout held for review (`held_payout`) and one released, ready for the next file; and a
    change of account waiting for an admin (`payout_account`). The entries are stand-ins: the
    payouts are opened as the ledger's consumer would."""
    p = world.container.payments
    account = PayoutAccountIn(
        account_name=f"{MARKER} Holdings", iban="FR1420041010050500013M02606", password=PASSWORD
    )
    first = confirmed_change(world.container, world.investor, account)
    p.decide_payout_account(world.admin, first.id, AccountDecision(verify=True, note="call-back"))

    def payout(entry: int) -> int:
        shares = {investor: Decimal("250.00")}
        p.open_payouts_for_entry(
            pool, entry, date(2025, 3, 1), kind=PayoutKind.DISTRIBUTION, shares=shares, currency="EUR"
        )
        return next(x.id for x in p.list_payouts(boss, pool) if x.source_entry_id == entry)

    p.release_payout(boss, payout(900_000_001))
    batch, _ = p.create_payout_file(boss, pool, PayoutFileIn(execution_date=date(2025, 3, 3)))
    held = payout(900_000_002)
    p.release_payout(boss, payout(900_000_003))
    change = confirmed_change(
        world.container, world.investor, account.model_copy(update={"iban": "NL91ABNA0417164300"})
    )
    return {"payout_batch": batch.id, "held_payout": held, "payout_account": change.id}


STATEMENT_HEADER = (
    "booking_date,value_date,amount,currency,direction,reference,payer_name,payer_account,end_to_end_id,is_return"
)


def _statement_csv(*rows: str) -> StatementUpload:
    content = "\n".join([STATEMENT_HEADER, *rows]).encode()
    encoded = base64.b64encode(content).decode()
    return StatementUpload(format=StatementFormat.CSV, filename="statement.csv", content_base64=encoded)


def statement_body(row: str) -> dict[str, Any]:
    """A statement upload's JSON body with one row."""
    return _statement_csv(row).model_dump(mode="json")


def _user(actor: Actor) -> int:
    assert actor.user_id is not None
    return actor.user_id


SNAPSHOT_READS = (
    "/pools/{open_pool}",
    "/pools/{closed_pool}",
    "/pools/{draft_pool}",
    "/pools/{open_pool}/team",
    "/pools/{open_pool}/transactions",
    "/pools/{closed_pool}/transactions",
    "/pools/{deal_pool}/transactions",
    "/pools/{open_pool}/positions",
    "/pools/{closed_pool}/commitments",
    "/pools/{closed_pool}/side-letters",
    "/pools/{open_pool}/benchmark",
    "/investors/{investor}",
    "/investors/{second_investor}",
    "/benchmarks/{benchmark}",
    "/benchmarks/{benchmark}/levels",
    "/payments/requests?pool_id={closed_pool}",
    "/payments/requests/{payment_request}/payments",
    "/pools/{closed_pool}/collection-account",
    "/pools/{closed_pool}/bank-statements/lines",
    "/payments/payouts?pool_id={closed_pool}",
    "/payments/payout-accounts/pending",
)


def books_snapshot(api: Api, estate: Estate) -> dict[str, Any]:
    """What an admin reads of the estate, plus the investor's unread notices: any change an
    outsider's request made shows up here."""
    seen: dict[str, Any] = {}
    for template in SNAPSHOT_READS:
        path = template.format(**estate.ids)
        answer = api.call("GET", "admin", path)
        assert answer.status_code == 200, (path, answer.get_json())
        seen[path] = answer.get_json()
    seen["unread"] = Decimal(
        api.call("GET", "investor", "/notifications?unread_only=true").get_json()["unread"]
    )
    return seen


def realise_deals_with_excess_carry(estate: Estate) -> None:
    """Books on the deal-by-deal pool that need a clawback: deal A doubles (the GP takes 100 of
    carry), deal B loses 400, so the whole fund gives the GP 20 and 80 comes back."""
    c, boss, pool = estate.world.container, estate.world.manager, estate.ids["deal_pool"]
    estate.world.commit(pool, estate.ids["investor"], "1000.00")
    call = {"amount": "1000.00", "due_date": "2025-03-01", "effective_date": "2025-03-01"}
    c.transactions.capital_call(boss, pool, CapitalCallRequest.model_validate(call), "deals-call")
    rows: list[dict[str, Any]] = [
        {"type": "contribution", "investor_id": estate.ids["investor"], "amount": "1000.00"},
        {"type": "purchase", "investment": "Deal A", "amount": "500.00"},
        {"type": "purchase", "investment": "Deal B", "amount": "500.00"},
        {"type": "sale", "investment": "Deal A", "amount": "1000.00", "cost": "500.00"},
        {"type": "sale", "investment": "Deal B", "amount": "100.00", "cost": "500.00"},
    ]
    for k, row in enumerate(rows):
        request = TransactionRequest.model_validate(row | {"effective_date": "2025-03-01"})
        c.transactions.record(boss, pool, request, f"deals-{k}")
    for name, amount in (("Deal A", "1000.00"), ("Deal B", "100.00")):
        body = {"amount": amount, "effective_date": "2025-03-02", "mode": "waterfall", "investment": name}
        paid = DistributionRequest.model_validate(body | {"final_realisation": True})
        c.transactions.distribute(boss, pool, paid, f"deals-{name}")
