"""The authorisation matrix over the REST API: every operation in the OpenAPI document, for
every principal, against objects that principal does not own.

Each operation has one probe: the request its owner makes successfully (the control, run
last, so the probe is known to name a real object with a valid body). Before the control,
every principal who must not make that request makes it too, and each must get 403 or 404
and leave the books exactly as an admin read them before. Listing operations answer
everyone, so there the check is that no outsider's answer names the victim (MARKER) while
the owner's does. Role operations (create a pool, a user...) are refused to the roles that
may not make them. A new operation without a probe fails the coverage test.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import pytest

from backend.composition.container import Container
from ledger.interface import TransactionRequest
from tests.integration.authorization_support import (
    CONTACT,
    MARKER,
    OUTSIDERS,
    READ_ONLY_INSIDERS,
    Estate,
    books_snapshot,
    build_estate,
    realise_deals_with_excess_carry,
    statement_body,
)
from tests.integration.pools_support import Api, make_world, open_pool

# Their settings point the payment service at the test's own gateway sandbox.
pytestmark = pytest.mark.payment_gateway

Body = Callable[[Estate, str], Any]


EVERYONE = ("admin", "manager", "other_manager", "analyst", "granted_analyst", "investor", "other_investor")


@dataclass(frozen=True)
class Probe:
    path: str
    """The request's path under /api/v1, with the estate's ids in braces."""
    owner: str
    """Who makes this exact request successfully: the control."""
    body: Body | None = None
    kind: Literal["object", "listing", "role"] = "object"
    allowed: tuple[str, ...] = ()
    """For a role operation: every principal who may make it (the rest are refused)."""
    also_refused: tuple[str, ...] = ()
    """Insiders who may read the object but must not make this request."""
    finders: tuple[str, ...] = ()
    """Outsiders who may find the object (a manager looking up an investor by name to onboard
    them): they get an answer, but never the investor's contact details (CONTACT)."""
    empty_for: tuple[str, ...] = ()
    """Outsiders who get an empty answer: their view of the object (holdings in pools they
    manage) has nothing in it."""


def _self_or(target: str) -> Body:
    """A body naming the caller's own user (to add themselves), or `target` for the owner."""
    return lambda estate, who: {
        "user_id": estate.ids[f"{who}_user"] if who != "manager" else estate.ids[target]
    }


def _subscription(estate: Estate, who: str) -> dict[str, Any]:
    return {
        "type": "subscription",
        "investor_id": estate.ids["investor"],
        "amount": "10000.00",
        "effective_date": "2025-01-03",  # the day of the last mark: forward pricing
    }


def _close_body(estate: Estate, who: str) -> dict[str, Any]:
    """A subsequent close of the buyout. Before the owner's control only, the books are made
    ready for one: the second investor pays the rest of its call, and a new investor commits."""
    if who == "manager":
        world, c = estate.world, estate.world.container
        pool = estate.ids["closed_pool"]
        rest = {
            "type": "contribution",
            "investor_id": estate.ids["second_investor"],
            "amount": "10000.00",
            "effective_date": "2025-02-12",
        }
        c.transactions.record(world.manager, pool, TransactionRequest.model_validate(rest), "close-rest")
        late = world.investor_profile(world.other_investor, name="Late Partners LP")
        world.commit(pool, late, "50000.00")
    return {"closing_date": "2025-03-01"}


def _clawback_body(estate: Estate, who: str) -> dict[str, Any]:
    """The final clawback of the deal-by-deal pool; before the owner's control only, the books
    are made to need one."""
    if who == "manager":
        realise_deals_with_excess_carry(estate)
    return {"effective_date": "2025-03-03"}


def _pool_body(estate: Estate, who: str) -> Any:
    return open_pool(name=f"{who}'s new fund").model_dump(mode="json")


def _investor_body(estate: Estate, who: str) -> dict[str, Any]:
    return {
        "user_id": estate.ids["new_investor_user"],
        "legal_name": "Newly Onboarded Ltd",
        "investor_type": "entity",
        "country": "FR",
    }


def _user_body(estate: Estate, who: str) -> dict[str, Any]:
    return {"email": f"made-by-{who}@pools.test", "role": "admin", "password": "a long enough password"}


V = "/api/v1"
MATRIX: dict[tuple[str, str], Probe] = {
    # pools
    ("GET", f"{V}/pools"): Probe("/pools", "manager", kind="listing"),
    ("POST", f"{V}/pools"): Probe(
        "/pools", "other_manager", _pool_body, "role", ("admin", "manager", "other_manager")
    ),
    ("GET", f"{V}/pools/{{pool_id}}"): Probe("/pools/{open_pool}", "manager"),
    ("PATCH", f"{V}/pools/{{pool_id}}"): Probe(
        "/pools/{draft_pool}", "manager", lambda e, w: {"name": "Renamed"}
    ),
    ("DELETE", f"{V}/pools/{{pool_id}}"): Probe("/pools/{draft_pool}", "manager"),
    ("POST", f"{V}/pools/{{pool_id}}/close"): Probe("/pools/{closed_pool}/close", "manager"),
    ("POST", f"{V}/pools/{{pool_id}}/liquidate"): Probe("/pools/{open_pool}/liquidate", "manager"),
    # The team: its managers only; an investor or a granted analyst sees the pool, not its team.
    ("GET", f"{V}/pools/{{pool_id}}/team"): Probe(
        "/pools/{open_pool}/team", "manager", also_refused=READ_ONLY_INSIDERS
    ),
    ("POST", f"{V}/pools/{{pool_id}}/managers"): Probe(
        "/pools/{open_pool}/managers", "manager", _self_or("newcomer")
    ),
    ("DELETE", f"{V}/pools/{{pool_id}}/managers/{{user_id}}"): Probe(
        "/pools/{open_pool}/managers/{co_manager}", "manager"
    ),
    ("POST", f"{V}/pools/{{pool_id}}/analysts"): Probe(
        "/pools/{open_pool}/analysts", "manager", _self_or("analyst_user")
    ),
    ("DELETE", f"{V}/pools/{{pool_id}}/analysts/{{user_id}}"): Probe(
        "/pools/{open_pool}/analysts/{granted_analyst}", "manager"
    ),
    # the books
    ("GET", f"{V}/pools/{{pool_id}}/transactions"): Probe("/pools/{open_pool}/transactions", "manager"),
    ("POST", f"{V}/pools/{{pool_id}}/transactions"): Probe(
        "/pools/{open_pool}/transactions", "manager", _subscription
    ),
    ("POST", f"{V}/pools/{{pool_id}}/transactions/batch"): Probe(
        "/pools/{open_pool}/transactions/batch",
        "manager",
        lambda e, w: {"transactions": [_subscription(e, w)]},
    ),
    ("POST", f"{V}/pools/{{pool_id}}/valuations"): Probe(
        "/pools/{open_pool}/valuations",
        "manager",
        lambda e, w: {"as_of": "2025-01-31", "net_asset_value": "20100.00"},
    ),
    ("POST", f"{V}/pools/{{pool_id}}/capital-calls"): Probe(
        "/pools/{closed_pool}/capital-calls",
        "manager",
        lambda e, w: {"amount": "10000.00", "due_date": "2025-03-15", "effective_date": "2025-03-01"},
    ),
    ("POST", f"{V}/pools/{{pool_id}}/subsequent-closes"): Probe(
        "/pools/{closed_pool}/subsequent-closes", "manager", _close_body
    ),
    ("POST", f"{V}/pools/{{pool_id}}/clawbacks"): Probe(
        "/pools/{deal_pool}/clawbacks", "manager", _clawback_body
    ),
    ("POST", f"{V}/pools/{{pool_id}}/distributions"): Probe(
        "/pools/{closed_pool}/distributions",
        "manager",
        lambda e, w: {"amount": "1000.00", "effective_date": "2025-02-20", "mode": "waterfall"},
    ),
    ("POST", f"{V}/transactions/{{entry_id}}/reversal"): Probe(
        "/transactions/{entry}/reversal", "manager", lambda e, w: {"memo": "booked twice"}
    ),
    ("GET", f"{V}/pools/{{pool_id}}/positions"): Probe("/pools/{open_pool}/positions", "manager"),
    ("GET", f"{V}/pools/{{pool_id}}/investments"): Probe("/pools/{closed_pool}/investments", "manager"),
    ("GET", f"{V}/pools/{{pool_id}}/commitments"): Probe("/pools/{closed_pool}/commitments", "manager"),
    ("POST", f"{V}/pools/{{pool_id}}/commitments"): Probe(
        "/pools/{closed_pool}/commitments",
        "manager",
        lambda e, w: {"investor_id": e.ids["investor"], "amount": "25000.00"},
    ),
    # A commercial term between the manager and one investor: analysts, even granted, see none.
    ("GET", f"{V}/pools/{{pool_id}}/side-letters"): Probe(
        "/pools/{closed_pool}/side-letters", "manager", also_refused=("granted_analyst",)
    ),
    ("PUT", f"{V}/pools/{{pool_id}}/side-letters/{{investor_id}}"): Probe(
        "/pools/{closed_pool}/side-letters/{investor}",
        "manager",
        lambda e, w: {"reference": "Amended letter", "management_fee_rate": "0.015"},
    ),
    ("DELETE", f"{V}/pools/{{pool_id}}/side-letters/{{investor_id}}"): Probe(
        "/pools/{closed_pool}/side-letters/{investor}", "manager"
    ),
    # reports
    ("GET", f"{V}/pools/{{pool_id}}/nav-history"): Probe("/pools/{open_pool}/nav-history", "manager"),
    ("GET", f"{V}/pools/{{pool_id}}/performance"): Probe("/pools/{open_pool}/performance", "manager"),
    ("GET", f"{V}/pools/{{pool_id}}/benchmark"): Probe("/pools/{open_pool}/benchmark", "manager"),
    ("PUT", f"{V}/pools/{{pool_id}}/benchmark"): Probe(
        "/pools/{open_pool}/benchmark", "manager", lambda e, w: {"benchmark_id": e.ids["benchmark"]}
    ),
    ("GET", f"{V}/benchmarks"): Probe("/benchmarks", "manager", kind="listing"),
    ("POST", f"{V}/benchmarks"): Probe(
        "/benchmarks",
        "other_manager",
        lambda e, w: {"name": f"{w}'s index", "currency": "USD"},
        "role",
        ("admin", "manager", "other_manager"),
    ),
    ("GET", f"{V}/benchmarks/{{benchmark_id}}"): Probe("/benchmarks/{benchmark}", "manager"),
    ("GET", f"{V}/benchmarks/{{benchmark_id}}/levels"): Probe("/benchmarks/{benchmark}/levels", "manager"),
    ("POST", f"{V}/benchmarks/{{benchmark_id}}/levels"): Probe(
        "/benchmarks/{benchmark}/levels",
        "manager",
        lambda e, w: {"levels": [{"date": "2025-07-31", "level": "500"}]},
        also_refused=("co_manager",),
    ),
    # FX reference rates: shared reference data only an admin loads and every role reads.
    ("GET", f"{V}/fx-rates"): Probe("/fx-rates", "investor", kind="role", allowed=EVERYONE),
    ("POST", f"{V}/fx-rates"): Probe(
        "/fx-rates",
        "admin",
        lambda e, w: {"rates": [{"date": "2025-01-03", "currency": "USD", "rate": "1.0850"}]},
        "role",
        ("admin",),
    ),
    # investors
    ("GET", f"{V}/investors"): Probe("/investors", "manager", kind="listing", finders=("other_manager",)),
    ("POST", f"{V}/investors"): Probe(
        "/investors", "other_manager", _investor_body, "role", ("admin", "manager", "other_manager")
    ),
    ("GET", f"{V}/investors/{{investor_id}}"): Probe(
        "/investors/{investor}", "investor", finders=("other_manager",)
    ),
    ("PATCH", f"{V}/investors/{{investor_id}}"): Probe(
        "/investors/{investor}",
        "manager",
        lambda e, w: {"kyc_status": "rejected", "contact_email": "attacker@evil.example"},
    ),
    ("GET", f"{V}/investors/{{investor_id}}/holdings"): Probe(
        "/investors/{investor}/holdings", "investor", empty_for=("other_manager",)
    ),
    ("GET", f"{V}/investors/{{investor_id}}/performance"): Probe(
        "/investors/{investor}/performance", "investor"
    ),
    ("GET", f"{V}/investors/{{investor_id}}/statements"): Probe(
        "/investors/{investor}/statements?pool_id={open_pool}&period=2025-Q1", "investor"
    ),
    # exports
    **{
        ("GET", f"{V}/exports/{name}.{fmt}"): Probe(f"/exports/{name}.{fmt}?pool_id={{open_pool}}", "manager")
        for name in ("entries", "nav-history", "performance", "positions", "transactions")
        for fmt in ("csv", "xlsx")
    },
    **{
        ("GET", f"{V}/exports/statements.{fmt}"): Probe(
            f"/exports/statements.{fmt}?investor_id={{investor}}&pool_id={{open_pool}}&period=2025-Q1",
            "investor",
        )
        for fmt in ("csv", "xlsx")
    },
    # payments
    ("GET", f"{V}/payments/requests"): Probe(
        "/payments/requests?pool_id={closed_pool}", "manager", empty_for=("other_investor",)
    ),  # an investor asking about any pool gets their own requests in it: none
    ("GET", f"{V}/payments"): Probe(
        "/payments?pool_id={closed_pool}", "manager", empty_for=("other_investor",)
    ),  # an investor's history in any pool is their own: none in the victim's
    ("GET", f"{V}/payments/gateway-health"): Probe(
        "/payments/gateway-health", "admin", kind="role", allowed=("admin",)
    ),
    ("GET", f"{V}/payments/requests/{{request_id}}"): Probe(
        "/payments/requests/{payment_request}", "investor"
    ),
    ("GET", f"{V}/payments/requests/{{request_id}}/payments"): Probe(
        "/payments/requests/{payment_request}/payments", "investor"
    ),
    ("GET", f"{V}/payments/requests/{{request_id}}/wire-instructions"): Probe(
        "/payments/requests/{payment_request}/wire-instructions", "investor"
    ),
    ("GET", f"{V}/pools/{{pool_id}}/collection-account"): Probe(
        "/pools/{closed_pool}/collection-account", "manager"
    ),
    ("PUT", f"{V}/pools/{{pool_id}}/collection-account"): Probe(
        "/pools/{closed_pool}/collection-account",
        "manager",
        lambda e, w: {"account_name": f"{w}'s account", "iban": "GB29NWBK60161331926819"},
    ),
    ("POST", f"{V}/payments/requests/{{request_id}}/pay"): Probe(
        "/payments/requests/{second_request}/pay",
        "second_investor_user",
        lambda e, w: {"method": e.tokens["card"]},
        also_refused=("investor",),
    ),
    ("POST", f"{V}/payments/{{payment_id}}/refunds"): Probe(
        "/payments/{card_payment}/refunds",
        "manager",
        lambda e, w: {"amount": "10.00", "reason": f"asked by {w}"},
        also_refused=("second_investor_user",),
    ),
    ("POST", f"{V}/pools/{{pool_id}}/bank-statements"): Probe(
        "/pools/{closed_pool}/bank-statements",
        "manager",
        lambda e, w: statement_body(f"2025-02-15,2025-02-15,10.00,EUR,credit,from {w},Someone,,,false"),
    ),
    ("GET", f"{V}/pools/{{pool_id}}/bank-statements/lines"): Probe(
        "/pools/{closed_pool}/bank-statements/lines", "manager"
    ),
    ("POST", f"{V}/payments/statement-lines/{{line_id}}/match"): Probe(
        "/payments/statement-lines/{statement_line}/match",
        "manager",
        lambda e, w: {"request_id": e.ids["second_request"]},
    ),
    ("GET", f"{V}/payments/reconciliation"): Probe(
        "/payments/reconciliation", "admin", kind="role", allowed=("admin",)
    ),
    ("POST", f"{V}/payments/reconciliation"): Probe(
        "/payments/reconciliation", "admin", lambda e, w: {"on": "2025-02-14"}, "role", ("admin",)
    ),
    ("POST", f"{V}/payments/wires"): Probe(
        "/payments/wires",
        "manager",
        lambda e, w: {
            "request_id": e.ids["payment_request"],
            "amount": "1000.00",
            "value_date": "2025-02-13",
            "bank_reference": f"WIRE-{w}",
        },
    ),
    ("POST", f"{V}/payments/{{payment_id}}/decision"): Probe(
        "/payments/{wire}/decision", "manager", lambda e, w: {"approve": True}
    ),
    ("GET", f"{V}/payments/payout-accounts/pending"): Probe(
        "/payments/payout-accounts/pending", "admin", kind="role", allowed=("admin",)
    ),
    ("POST", f"{V}/payments/payout-accounts/{{account_id}}/decision"): Probe(
        "/payments/payout-accounts/{payout_account}/decision",
        "admin",
        lambda e, w: {"verify": True, "note": f"call-back by {w}"},
        "role",
        ("admin",),
    ),
    ("GET", f"{V}/payments/payouts"): Probe(
        "/payments/payouts?pool_id={closed_pool}", "manager", empty_for=("other_investor",)
    ),
    ("POST", f"{V}/payments/payouts/{{payout_id}}/release"): Probe(
        "/payments/payouts/{held_payout}/release", "manager", also_refused=("investor",)
    ),
    ("POST", f"{V}/pools/{{pool_id}}/payout-files"): Probe(
        "/pools/{closed_pool}/payout-files",
        "manager",
        lambda e, w: {"execution_date": "2025-03-10"},
        also_refused=("investor",),
    ),
    ("POST", f"{V}/pools/{{pool_id}}/payout-transfers"): Probe(
        "/pools/{closed_pool}/payout-transfers", "manager", also_refused=("investor",)
    ),
    ("GET", f"{V}/payments/payout-files/{{batch_id}}"): Probe(
        "/payments/payout-files/{payout_batch}", "manager", also_refused=("investor",)
    ),
    # users and the caller's own inbox
    ("GET", f"{V}/notifications/deliveries"): Probe(
        "/notifications/deliveries", "admin", kind="role", allowed=("admin",)
    ),
    ("POST", f"{V}/notifications/deliveries/{{delivery_id}}/resend"): Probe(
        "/notifications/deliveries/{delivery}/resend", "admin", kind="role", allowed=("admin",)
    ),
    ("GET", f"{V}/notifications/providers"): Probe(
        "/notifications/providers", "admin", kind="role", allowed=("admin",)
    ),
    ("GET", f"{V}/notifications/template-previews"): Probe(
        "/notifications/template-previews?kind=capital_call.issued", "admin", kind="role", allowed=("admin",)
    ),
    ("GET", f"{V}/notifications/document-previews"): Probe(
        "/notifications/document-previews?kind=capital_call_notice", "admin", kind="role", allowed=("admin",)
    ),
    ("GET", f"{V}/users"): Probe("/users", "admin", kind="role", allowed=("admin",)),
    ("POST", f"{V}/users"): Probe("/users", "admin", _user_body, "role", ("admin",)),
    ("PUT", f"{V}/users/{{user_id}}/role"): Probe(
        "/users/{new_investor_user}/role", "admin", lambda e, w: {"role": "analyst"}, "role", ("admin",)
    ),
    ("PUT", f"{V}/users/{{user_id}}/active"): Probe(
        "/users/{new_investor_user}/active", "admin", lambda e, w: {"active": False}, "role", ("admin",)
    ),
    ("POST", f"{V}/users/{{user_id}}/password-reset"): Probe(
        "/users/{new_investor_user}/password-reset", "admin", kind="role", allowed=("admin",)
    ),
    ("GET", f"{V}/notifications"): Probe("/notifications", "investor", kind="listing"),
    ("GET", f"{V}/documents"): Probe("/documents", "investor", kind="listing"),
    ("POST", f"{V}/pools/{{pool_id}}/statements"): Probe(
        "/pools/{closed_pool}/statements", "manager", body=lambda e, who: {"period": "2025-Q1"}
    ),
    ("GET", f"{V}/documents/{{document_id}}/pdf"): Probe("/documents/{document}/pdf", "investor"),
    ("POST", f"{V}/documents/{{document_id}}/resend"): Probe(
        "/documents/{document}/resend", "manager", also_refused=("investor",)
    ),
    ("POST", f"{V}/notifications/{{notification_id}}/read"): Probe(
        "/notifications/{notification}/read", "investor", also_refused=("manager", "admin")
    ),
}

SELF_SCOPED: dict[tuple[str, str], str] = {
    ("POST", f"{V}/auth/token"): "signs in with the caller's own password: test_auth_api.py",
    ("POST", f"{V}/auth/refresh"): "names only the caller's own token family: test_sessions_end.py",
    ("POST", f"{V}/auth/logout"): "ends the caller's own session: test_sessions_end.py",
    ("GET", f"{V}/me"): "the caller's own identity: test_auth_api.py",
    ("GET", f"{V}/notification-preferences/language"): "the caller's own language: test_notice_languages.py",
    ("PUT", f"{V}/notification-preferences/language"): "the caller's own language: test_notice_languages.py",
    ("GET", f"{V}/notification-preferences/digest"): "the caller's own digest: test_notification_digests.py",
    ("PUT", f"{V}/notification-preferences/digest"): "the caller's own digest: test_notification_digests.py",
    ("POST", f"{V}/me/password"): "the caller's own password, old one required: test_auth_api.py",
    ("PUT", f"{V}/me/reporting-currency"): "the caller's own reporting currency: test_fx_rates.py",
    ("GET", f"{V}/payments/methods"): "the caller's own saved methods: test_payments_gateway.py",
    (
        "POST",
        f"{V}/payments/methods",
    ): "saves a gateway token to the caller's own customer: test_payments_gateway.py",
    ("POST", f"{V}/payments/methods/remove"): "only the caller's own methods: test_payments_gateway.py",
    ("GET", f"{V}/payments/payout-accounts"): "the caller's own accounts, masked: test_payments_payouts.py",
    ("POST", f"{V}/payments/payout-accounts"): "changes the caller's own account, with their password; "
    "an admin verifies it: test_payments_payouts.py",
    (
        "POST",
        f"{V}/payments/payout-accounts/{{account_id}}/confirmation",
    ): "only the caller's own change, with the code emailed to them; every other principal is "
    "refused with the right code: test_payout_account_codes.py",
    ("GET", f"{V}/notification-preferences"): "the caller's own choices: test_notification_preferences.py",
    ("PUT", f"{V}/notification-preferences"): "changes only the caller's own choice: "
    "test_notification_preferences.py",
    ("POST", f"{V}/notification-preferences/unsubscribe"): "public: the signed token names the person "
    "and kind, a changed person is refused: test_notification_preferences.py",
    ("POST", f"{V}/notifications/sms-status"): "public: only the SMS provider's signature is a credential, "
    "and it names the provider's own message ids: test_notifications_sms.py",
    ("POST", f"{V}/payments/webhooks/stripe"): "public: only the gateway's signature is a credential, "
    "and it names the gateway's own objects: test_payments_service.py",
}
"""Operations that take no object id: nothing of anyone else's can be named."""


def _probers(method: str, probe: Probe) -> tuple[str, ...]:
    if probe.kind == "role":
        return tuple(p for p in EVERYONE if p not in probe.allowed)
    probers = OUTSIDERS + probe.also_refused
    if method != "GET":
        probers += tuple(p for p in READ_ONLY_INSIDERS if p != probe.owner)
    return probers


def _operations(api: Api) -> set[tuple[str, str]]:
    doc = api.client.get(f"{V}/openapi.json").get_json()
    return {
        (method.upper(), path)
        for path, item in doc["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_operation_in_the_openapi_document_has_a_probe(container: Container) -> None:
    operations = _operations(Api(make_world(container)))
    assert operations - set(MATRIX) - set(SELF_SCOPED) == set(), "operations without a probe"
    assert set(MATRIX) | set(SELF_SCOPED) <= operations, "probes of operations that no longer exist"


def _call(api: Api, method: str, who: str, path: str, body: Any) -> Any:
    headers = {**api.headers(who), "Idempotency-Key": str(uuid.uuid4())}
    return api.client.open(V + path, method=method, headers=headers, json=body)


def _attack(api: Api, estate: Estate, operation: tuple[str, str]) -> None:
    """Every principal who must not make this request makes it, and gets nothing."""
    method, _ = operation
    probe = MATRIX[operation]
    path = probe.path.format(**estate.ids)
    for who in _probers(method, probe):
        body = probe.body(estate, who) if probe.body else None
        answer = _call(api, method, who, path, body)
        text = answer.get_data().decode("utf-8", "replace")
        if who in probe.finders:
            assert answer.status_code == 200 and MARKER in text, (who, text[:500])
            assert CONTACT not in text, f"{who} sees the contact details of investors not theirs"
        elif who in probe.empty_for:
            assert answer.status_code == 200 and answer.get_json() == [], (who, text[:500])
        elif probe.kind == "listing":
            assert answer.status_code in (200, 403), (who, text[:500])
            assert MARKER not in text, f"{who} sees the victim's objects in {method} {path}"
        else:
            assert answer.status_code in (403, 404), (who, answer.status_code, text[:500])
            assert MARKER not in text, (who, text[:500])


def _control(api: Api, estate: Estate, operation: tuple[str, str]) -> None:
    """The owner's identical request succeeds: the probe named a real object, validly."""
    method, _ = operation
    probe = MATRIX[operation]
    body = probe.body(estate, probe.owner) if probe.body else None
    control = _call(api, method, probe.owner, probe.path.format(**estate.ids), body)
    text = control.get_data().decode("utf-8", "replace")
    assert 200 <= control.status_code < 300, (operation, probe.owner, control.status_code, text[:500])
    if probe.kind == "listing":
        assert MARKER in text, f"{probe.owner}'s listing should show the victim's objects"


READS = sorted(op for op in MATRIX if op[0] == "GET")
WRITES = sorted(op for op in MATRIX if op[0] != "GET")


def test_no_principal_reads_what_they_may_not(container: Container) -> None:
    """Every read operation on one estate: reads change nothing, so they share it."""
    estate = build_estate(make_world(container))
    api = Api(estate.world)
    before = books_snapshot(api, estate)
    for operation in READS:
        _attack(api, estate, operation)
        _control(api, estate, operation)
    assert books_snapshot(api, estate) == before
    assert len(READS) >= 25, "the read probes shrank"


@pytest.mark.parametrize("operation", WRITES, ids=" ".join)
def test_no_principal_changes_what_they_do_not_own(container: Container, operation: tuple[str, str]) -> None:
    """One write operation on a fresh estate: the refused attempts first, then the owner's."""
    estate = build_estate(make_world(container))
    api = Api(estate.world)
    before = books_snapshot(api, estate)
    _attack(api, estate, operation)
    assert books_snapshot(api, estate) == before, "a refused request changed the victim's books"
    _control(api, estate, operation)
