"""The authorisation matrix over the portal: every Dash callback and every page, posted by
every outsider with the victim's ids, as a forged request from a signed-in browser would.

A Dash callback takes its ids from the browser (a pool id in a store, a dropdown's value, a
notification's button id, a pending confirmation), so each is as much an API as a REST
route. For each callback the probe names the victim's objects in every input and state
value; every outsider's answer must not show the victim (MARKER) and must leave the books as
they were, while the owner's identical request shows them (the control). The action form's
confirmation is forged from the owner's own preview: an outsider replaying it posts nothing.
A callback without a probe fails the coverage test.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.composition.container import Container
from notifications.interface import Channel, NotificationKind
from portal.components import forms
from portal.manager.actions.callbacks import ACTIONS
from portal.manager.actions.forms import settings_values
from portal.manager.actions.pool_terms import settings_of
from portal.manager.pages.pool import ACTION_TABS
from portal.shared.notification_preferences import CHANNELS, PREF
from portal.site import PAGES
from tests.integration.auth_support import PASSWORD
from tests.integration.authorization_support import (
    MARKER,
    OUTSIDERS,
    READ_ONLY_INSIDERS,
    Estate,
    books_snapshot,
    build_estate,
    realise_deals_with_excess_carry,
)
from tests.integration.pools_support import Api, make_world
from tests.integration.portal_support import csrf_cookie, login, render_page

# Their settings point the payment service at the test's own gateway sandbox.
pytestmark = pytest.mark.payment_gateway


@pytest.fixture
def backend_name() -> str:
    """On MariaDB, as production runs. What this matrix adds to the API's is the portal's own
    part: which ids a callback takes from the browser and which service call it makes with
    them, the same whichever database is behind the services; the services' object-level
    checks themselves are probed on SQLite and MariaDB alike by
    tests/integration/test_authorization_matrix_api.py. SQLite here as well cost 113 s more
    of the suite's test time (summed over its workers) and proved nothing the two together
    do not."""
    return "mariadb"


Values = Callable[[Estate], dict[str, Any]]


@dataclass(frozen=True)
class CallbackProbe:
    output: str
    """A piece of the callback's output key in the app's callback_map, unique to it."""
    owner: str
    """Who sees the victim's objects through this callback with these values."""
    values: Values
    """Input and state values by "component-id.property" (ALL wildcards: a list of
    (concrete id, value) pairs)."""
    shows: str = MARKER
    """What the owner's answer contains (and no outsider's)."""
    probers: tuple[str, ...] = OUTSIDERS
    job: bool = False
    """A background callback: the answer is a job handle; the probe waits for the job and
    polls its result, which is what the check reads."""


DOWNLOAD = "\\u002fdownloads\\u002f"
"""A download link, as Dash escapes it in JSON."""


def _victim_pool(e: Estate) -> dict[str, Any]:
    return {"pool-id.data": e.ids["open_pool"], "pool-refresh.data": None}


def _pay_second_request(e: Estate) -> dict[str, Any]:
    """ "Pay now" on the second investor's request with their saved card."""
    request = e.ids["second_request"]
    pay, method, key = ({"type": t, "request": request} for t in ("inv-pay", "inv-pay-method", "inv-pay-key"))
    return {
        "inv-pay.n_clicks": [(pay, 1)],
        "inv-method-remove.n_clicks": [],
        "inv-method-add.n_clicks": None,
        "inv-pay-method.value": [(method, e.tokens["card"])],
        "inv-pay-method.id": [(method, method)],
        "inv-pay-key.data": [(key, str(uuid.uuid4()))],
        "inv-pay-key.id": [(key, key)],
        "inv-method-token.value": None,
        "investor-payments-refresh.data": None,
    }


def _approve_victims_wire(e: Estate) -> dict[str, Any]:
    """Approve the wire an admin recorded against the investor's request in the victim's pool."""
    decide = {"type": "mgr-wire-decide", "payment": e.ids["wire"], "approve": "yes"}
    blank = dict.fromkeys(
        (
            "wire-record.n_clicks",
            "statement-import.n_clicks",
            "account-save.n_clicks",
            "wire-request.value",
            "wire-amount.value",
            "wire-value-date.value",
            "wire-bank-ref.value",
            "statement-file.contents",
            "statement-file.filename",
            "account-name.value",
            "account-iban.value",
            "account-bic.value",
            "mgr-pay-refresh.data",
        )
    )
    return blank | {
        "mgr-wire-decide.n_clicks": [(decide, 1)],
        "mgr-line-match.n_clicks": [],
        "mgr-line-request.value": [],
        "mgr-line-request.id": [],
        "mgr-pay-pool.value": e.ids["closed_pool"],
        "statement-format.value": "camt053",
    }


def _release_victims_payout(e: Estate) -> dict[str, Any]:
    release = {"type": "mgr-payout-release", "payout": e.ids["held_payout"]}
    return {
        "mgr-payout-release.n_clicks": [(release, 1)],
        "payout-file-create.n_clicks": None,
        "payout-transfers-send.n_clicks": None,
        "mgr-pay-pool.value": e.ids["closed_pool"],
        "payout-file-date.value": None,
        "mgr-payouts-refresh.data": None,
    }


def _verify_victims_account(e: Estate) -> dict[str, Any]:
    account = e.ids["payout_account"]
    decide = {"type": "admin-account-decide", "account": account, "verify": "yes"}
    note = {"type": "admin-account-note", "account": account}
    return {
        "admin-account-decide.n_clicks": [(decide, 1)],
        "admin-account-note.value": [(note, "call-back to the number on file")],
        "admin-account-note.id": [(note, note)],
        "admin-pay-refresh.data": None,
    }


def _valuations_by_email_on(e: Estate) -> dict[str, Any]:
    """Switch "Valuations by email" on; the switch ids name a kind and a channel, never a person."""
    ids = [{"type": PREF, "kind": k.value, "channel": c.value} for k in NotificationKind for c in CHANNELS]
    on = {"type": PREF, "kind": NotificationKind.VALUATION.value, "channel": Channel.EMAIL.value}
    ids.remove(on)
    return {
        "notif-pref.value": [(on, True), *((i, False) for i in ids)],
        "notif-pref.id": [(i, i) for i in [on, *ids]],
    }


ROWS = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}
CALLBACKS: list[CallbackProbe] = [
    CallbackProbe("pool-body.children", "manager", _victim_pool),
    CallbackProbe(
        "pool-actions.children",
        "manager",
        lambda e: {"pool-body-drawn.data": e.ids["open_pool"]},
        shows="Subscription",
    ),
    CallbackProbe(
        "pool-panes-opened.data",
        "manager",
        lambda e: {
            "pool-action-tabs.active_tab": "valuation",
            "pool-panes-opened.data": ["money-in"],
            "pool-id.data": e.ids["open_pool"],
            "action-pane.children@outputs": [{"type": "action-pane", "tab": t} for t, _l, _a in ACTION_TABS],
        },
        shows="Record a valuation",
    ),
    CallbackProbe(
        "tx-grid.getRowsResponse",
        "manager",
        lambda e: {
            "tx-grid.getRowsRequest": ROWS,
            "pool-id.data": e.ids["closed_pool"],
            "tx-cursors.data": None,
        },
        shows='"rowCount":2',
    ),
    CallbackProbe(
        '"field":"investor_id","type":"af"}.options',
        "manager",
        lambda e: {
            "af.search_value": "Quill",
            "af.value": None,
            "pool-id.data": e.ids["open_pool"],
        },
    ),
    *(
        CallbackProbe(
            "analyst-grid.rowData",
            "granted_analyst",
            lambda e, dataset=dataset: {  # type: ignore[misc]
                "analyst-dataset.value": dataset,
                "analyst-pool.value": str(e.ids["open_pool"]),
                "analyst-type.value": None,
                "analyst-investor.value": None,
                "analyst-from.value": None,
                "analyst-to.value": None,
                "analyst-frequency.value": "monthly",
                "analyst-version.data": None,
            },
            shows='"rowData":[{',
        )
        for dataset in ("entries", "transactions", "positions", "nav-history", "performance")
    ),
    CallbackProbe(
        "analyst-job-result.children",
        "granted_analyst",
        lambda e: {
            "analyst-job-start.n_clicks": 1,
            "analyst-dataset.value": "positions",
            "analyst-pool.value": str(e.ids["open_pool"]),
            "analyst-type.value": None,
            "analyst-investor.value": None,
            "analyst-from.value": None,
            "analyst-to.value": None,
            "analyst-frequency.value": None,
            "analyst-job-format.value": "csv",
        },
        shows=DOWNLOAD,
        job=True,
    ),
    CallbackProbe(
        "analyst-version.data",
        "granted_analyst",
        lambda e: {
            "analyst-poll.n_intervals": 1,
            "analyst-pool.value": str(e.ids["open_pool"]),
            "analyst-version.data": None,
        },
        shows="",
    ),
    CallbackProbe(
        "bell-changed.data",
        "investor",
        lambda e: {
            "bell-read.n_clicks": [({"type": "bell-read", "id": e.ids["notification"]}, 1)],
            "bell-read-all.n_clicks": None,
            "bell-changed.data": None,
        },
        shows="1",
        probers=(*OUTSIDERS, "manager"),
    ),
    # The caller's own data, whatever the browser sends: an outsider's answer is their own.
    CallbackProbe(
        "overview-cards.children",
        "manager",
        lambda e: {
            "overview-status.value": None,
            "overview-kind.value": None,
            "overview-currency.value": None,
        },
    ),
    CallbackProbe("pools-list.children", "manager", lambda e: {"af-done.data": {"posted": True}}),
    CallbackProbe(
        "overview-recompute-result.children",
        "manager",
        lambda e: {"overview-recompute-start.n_clicks": 1},
        shows="Recomputed",
        job=True,
    ),
    CallbackProbe(
        "investor-content.children",
        "investor",
        lambda e: {"investor-version.data": None, "investor-currency.value": None},
    ),
    CallbackProbe(
        "investor-statements-job-result.children",
        "investor",
        lambda e: {
            "investor-statements-job-start.n_clicks": 1,
            "investor-statements-period.value": "period=2025-Q1",
        },
        shows=DOWNLOAD,
        job=True,
    ),
    CallbackProbe(
        "investor-version.data",
        "investor",
        lambda e: {"investor-poll.n_intervals": 1, "investor-version.data": None},
        shows="",
    ),
    CallbackProbe(
        "notifications-page.children",
        "investor",
        lambda e: {"notif-kind.value": "", "notif-unread.value": [], "notif-refresh.data": None},
    ),
    CallbackProbe(
        "notif-refresh.data",
        "investor",
        lambda e: {"notif-read-all.n_clicks": 1, "notif-refresh.data": None},
        shows="1",
        probers=(*OUTSIDERS, "manager"),
    ),
    CallbackProbe(
        "notif-pref-flash.children",
        "investor",
        _valuations_by_email_on,
        shows="",  # the caller's own choices: every prober saves their own, and nobody else's
        probers=(*OUTSIDERS, "manager"),
    ),
    CallbackProbe(
        "notif-language-flash.children",
        "investor",
        lambda e: {"notif-language.value": "de"},
        shows="",  # the caller's own choice: every prober saves their own, and nobody else's
        probers=(*OUTSIDERS, "manager"),
    ),
    CallbackProbe(
        "notif-digest-flash.children",
        "investor",
        lambda e: {"notif-digest.value": "weekly"},
        shows="",  # the caller's own choice: every prober saves their own, and nobody else's
        probers=(*OUTSIDERS, "manager"),
    ),
    CallbackProbe("doc-table.children", "investor", lambda e: {"doc-kind.value": "", "doc-pool.value": 0}),
    CallbackProbe(
        "doc-kind.value",
        "manager",
        lambda e: {
            "doc-issue.n_clicks": 1,
            "doc-issue-pool.value": e.ids["closed_pool"],
            "doc-issue-period.value": "2025-Q1",
        },
        shows="issued now",
        probers=(*OUTSIDERS, *READ_ONLY_INSIDERS),
    ),
    CallbackProbe(
        "doc-file.data",
        "investor",
        lambda e: {"doc-grid.cellRendererData": {"value": {"action": "pdf", "id": e.ids["document"]}}},
        shows="JVBERi0",  # "%PDF-" in base64: the notice itself; an outsider is told it is not found
    ),
    CallbackProbe(
        "doc-resend-flash.children",
        "manager",
        lambda e: {"doc-grid.cellRendererData": {"value": {"action": "resend", "id": e.ids["document"]}}},
        shows="Queued again to",  # an outsider is told the notice is not found
        probers=(*OUTSIDERS, "investor"),
    ),
    CallbackProbe(
        "bell-count.children",
        "investor",
        lambda e: {"bell-poll.n_intervals": 1, "bell-changed.data": None, "bell-key.data": None},
    ),
    CallbackProbe(
        "pool-refresh.data", "manager", lambda e: {"af-done.data": [], "pool-refresh.data": None}, shows=""
    ),
    # The pool's team: whom the add form finds, and removing the co-manager (the confirmation
    # forged with the victim's pool and person), by every outsider and read-only insider.
    CallbackProbe(
        "team-candidate.options",
        "manager",
        lambda e: {
            "team-candidate.search_value": "newcomer@pools.test",
            "team-role.value": "manager",
            "team-pool-id.data": e.ids["open_pool"],
        },
        shows='"label"',
        probers=(*OUTSIDERS, *READ_ONLY_INSIDERS),
    ),
    CallbackProbe(
        "team-flash.children",
        "manager",
        lambda e: {
            "team-confirm-yes.n_clicks": 1,
            "team-add.n_clicks": None,
            "team-remove.n_clicks": [],
            "team-confirm-no.n_clicks": None,
            "team-role.value": "manager",
            "team-candidate.value": None,
            "team-pool-id.data": e.ids["open_pool"],
            "team-pending.data": {"role": "manager", "user_id": e.ids["co_manager"]},
        },
        probers=(*OUTSIDERS, *READ_ONLY_INSIDERS),
    ),
    # Admin pages: every other role is refused the admin's view of everything.
    CallbackProbe(
        "admin-content.children", "admin", lambda e: {"admin-poll.n_intervals": 1}, shows="Manage users"
    ),
    CallbackProbe(
        "users-grid.rowData",
        "admin",
        lambda e: {"users-search.value": "granted", "users-refresh.data": None},
        shows="granted_analyst@",
    ),
    # The admin's actions on accounts: a forged Confirm (another role for the new investor) does
    # nothing for anyone else; the admin's own makes them an analyst.
    CallbackProbe(
        "users-flash.children",
        "admin",
        lambda e: {
            "users-confirm.n_clicks": 1,
            "users-new.n_clicks": None,
            "users-role.n_clicks": None,
            "users-active.n_clicks": None,
            "users-reset.n_clicks": None,
            "users-cancel.n_clicks": None,
            "users-grid.selectedRows": [],
            "users-pending.data": {"action": "role", "user_id": e.ids["new_investor_user"]},
            "users-role-choice.value": "analyst",
            "users-new-email.value": None,
            "users-new-name.value": None,
            "users-new-role.value": None,
            "users-new-invite.value": None,
            "users-new-password.value": None,
        },
        shows="is now an analyst",
    ),
    CallbackProbe(
        "audit-grid.rowData",
        "admin",
        lambda e: {
            "audit-object.value": None,
            "audit-action.value": None,
            "audit-text.value": None,
            "audit-limit.value": 200,
        },
    ),
    CallbackProbe(
        "audit-detail-body.children",
        "admin",
        lambda e: {"audit-grid.selectedRows": [{"id": 1, "action": "probe.noted", "after": '{"a": 1}'}]},
        shows="probe.noted",
    ),
    CallbackProbe(
        "system-content.children", "admin", lambda e: {"system-poll.n_intervals": 1}, shows="ledger outbox"
    ),
    # Payments: the investor's own requests and methods; the manager's pool; the admin's runs.
    CallbackProbe(
        "investor-payments-content.children", "investor", lambda e: {"investor-payments-refresh.data": None}
    ),
    CallbackProbe(
        "investor-payments-flash.children",
        "second_investor_user",
        _pay_second_request,
        shows="Payment P-",
        probers=(*OUTSIDERS, "investor"),
    ),
    CallbackProbe(
        "mgr-pay-content.children",
        "manager",
        lambda e: {"mgr-pay-pool.value": e.ids["closed_pool"], "mgr-pay-refresh.data": None},
    ),
    CallbackProbe("mgr-pay-flash.children", "manager", _approve_victims_wire, shows="approved"),
    CallbackProbe(
        "investor-payouts-panel.children", "investor", lambda e: {"investor-payouts-refresh.data": None}
    ),
    CallbackProbe(
        "mgr-payouts-panel.children",
        "manager",
        lambda e: {"mgr-pay-pool.value": e.ids["closed_pool"], "mgr-payouts-refresh.data": None},
    ),
    CallbackProbe("mgr-payouts-flash.children", "manager", _release_victims_payout, shows="released"),
    CallbackProbe(
        "mgr-refund-flash.children",
        "manager",
        lambda e: {
            "refund-send.n_clicks": 1,
            "refund-payment.value": f"P-{e.ids['card_payment']}",
            "refund-amount.value": "5.00",
            "refund-reason.value": "probe",
            "refund-key.data": "probe-key",
            "mgr-pay-refresh.data": None,
        },
        shows="partially refunded",
    ),
    CallbackProbe("admin-accounts-flash.children", "admin", _verify_victims_account, shows="verified"),
    CallbackProbe(
        "admin-email-log.children",
        "admin",
        lambda e: {
            "admin-email-status.value": "failed",
            "admin-email-channel.value": "email",
            "admin-email-kind.value": "",
            "admin-email-search.value": "old-address",
            "admin-email-refresh.data": None,
        },
    ),
    CallbackProbe(
        "admin-email-flash.children",
        "admin",
        lambda e: {
            "admin-email-grid.cellRendererData": {"value": {"action": "resend", "id": e.ids["delivery"]}},
            "admin-email-refresh.data": None,
        },
        shows="Queued again",
    ),
    # Template previews: sample figures, nobody's, yet the templates are the admins' to see.
    CallbackProbe(
        "admin-preview.children",
        "admin",
        lambda e: {"admin-preview-kind.value": "email:capital_call.issued"},
        shows="Capital call issued: Harbour Private Equity I",
    ),
    CallbackProbe(
        "admin-preview-file.data",
        "admin",
        lambda e: {
            "admin-preview-download.n_clicks": 1,
            "admin-preview-kind.value": "document:capital_call_notice",
        },
        shows="JVBERi0",  # "%PDF-" in base64: the sample notice
    ),
    CallbackProbe(
        "admin-pay-content.children", "admin", lambda e: {"admin-pay-refresh.data": None}, shows="Gateway and"
    ),
    CallbackProbe(
        "admin-pay-flash.children",
        "admin",
        lambda e: {"recon-run.n_clicks": 1, "recon-date.value": "2025-02-14", "admin-pay-refresh.data": None},
        shows="Reconciled",
    ),
    CallbackProbe(
        "system-recompute-result.children",
        "admin",
        lambda e: {"system-recompute-start.n_clicks": 1},
        shows="Recomputed",
        job=True,
    ),
]
NOT_PROBED_HERE = {
    "investor-payouts-flash.children": "changes the caller's own payout account, with their password, "
    "and confirms the caller's own change with its code: test_portal_payments.py, "
    "test_payout_account_codes.py",
    "-cancel.id": "a job's cancel button: client-side, never reaches the server",
    "_pages_dummy.children": "Dash pages' client-side title updater",
    f"{forms.ERROR}": "the action form: test_a_forged_confirmation_posts_nothing below",
    f'"type":"{forms.PENDING}"}}.data@': "withdraws an action form's preview when a field changes: "
    "client-side, never reaches the server",
    "_pages_content.children": "page routing: test_no_outsider_page_shows_the_victim below",
    "navbar-collapse.is_open": "the phone menu's toggle: client-side, never reaches the server",
    "theme-menu.label": "the light/dark theme menu: client-side, never reaches the server",
}

ADMIN_PROBERS = ("manager", "other_manager", "analyst", "granted_analyst", "investor", "other_investor")


@dataclass
class Browsers:
    estate: Estate
    api: Api
    """The REST API of the same app: one app per test, as Dash hands the callbacks registered
    while an app is built to the first app that serves a request."""
    clients: dict[str, FlaskClient] = field(default_factory=dict)

    def as_(self, who: str) -> FlaskClient:
        if who not in self.clients:
            client = self.api.client.application.test_client()
            answer = login(client, self.estate.world.emails[who], PASSWORD)
            assert answer.status_code == 303, answer.get_data(as_text=True)[:300]
            client.get("/_dash-dependencies")  # Dash registers the callbacks on its first request
            self.clients[who] = client
        return self.clients[who]


@pytest.fixture
def browsers(container: Container) -> Iterator[Browsers]:
    estate = build_estate(make_world(container))
    browsers = Browsers(estate, Api(estate.world))
    # The investor's unread notices are part of every snapshot; their first portal sign-in
    # after the API's is a new device, whose warning is news, not a change by a prober.
    browsers.as_("investor")
    yield browsers


def _dash(app: Flask) -> Any:
    return app.extensions["portal_dash"]


def _callback(app: Flask, output: str) -> tuple[str, dict[str, Any]]:
    found = [(k, v) for k, v in _dash(app).callback_map.items() if output in k]
    assert len(found) == 1, f"{output!r} names {len(found)} callbacks"
    return found[0]


def _parse_id(raw: str) -> Any:
    return json.loads(raw) if raw.startswith("{") else raw


def _short(ident: Any) -> str:
    return str(ident["type"]) if isinstance(ident, dict) else str(ident)


def _items(specs: list[dict[str, Any]], values: dict[str, Any], match: dict[str, Any]) -> list[Any]:
    items: list[Any] = []
    for spec in specs:
        ident = _parse_id(spec["id"])
        key = f"{_short(ident)}.{spec['property']}"
        assert key in values, f"the probe gives no value for {key}"
        value = values[key]
        if isinstance(ident, dict) and any(v == ["ALL"] for v in ident.values()):
            items.append([{"id": i, "property": spec["property"], "value": v} for i, v in value])
            continue
        if isinstance(ident, dict):
            ident = {k: (match.get(k) if v == ["MATCH"] else v) for k, v in ident.items()}
        items.append({"id": ident, "property": spec["property"], "value": value})
    return items


def _outputs(key: str, match: dict[str, Any], values: dict[str, Any]) -> list[Any]:
    """The request's outputs; an ALL output whose probe names its concrete ids under
    "type.property@outputs" lists them (as the browser lists those in the page)."""
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    outs: list[Any] = []
    for part in parts:
        raw, _, prop = part.rpartition(".")
        ident = _parse_id(raw.split("@")[0] if not raw.startswith("{") else raw)
        listed = f"{_short(ident)}.{prop.split('@')[0]}@outputs"
        if isinstance(ident, dict) and listed in values:
            outs.append([{"id": i, "property": prop.split("@")[0]} for i in values[listed]])
            continue
        if isinstance(ident, dict):
            ident = {k: (match.get(k) if v == ["MATCH"] else v) for k, v in ident.items()}
        outs.append({"id": ident, "property": prop.split("@")[0]})
    return outs


def _prop_id(ident: Any) -> str:
    """A component id as dash-renderer writes it in changedPropIds."""
    return json.dumps(ident, sort_keys=True, separators=(",", ":")) if isinstance(ident, dict) else str(ident)


def post_probe(client: FlaskClient, probe: CallbackProbe, estate: Estate) -> Any:
    key, spec = _callback(client.application, probe.output)
    match = {"action": "subscription"}
    inputs = _items(spec["inputs"], probe.values(estate), match)
    outputs = _outputs(key, match, probe.values(estate))
    first = inputs[0][0] if isinstance(inputs[0], list) and inputs[0] else inputs[0]
    changed = [f"{_prop_id(first['id'])}.{first['property']}"] if first else []
    body = {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "changedPropIds": changed,
        "state": _items(spec["state"], probe.values(estate), match),
    }
    headers = {"X-CSRFToken": csrf_cookie(client)}
    started = client.post("/_dash-update-component", json=body, headers=headers)
    if not probe.job or started.status_code != 200 or "cacheKey" not in (started.get_json() or {}):
        return started
    handles = started.get_json()
    jobs = _dash(client.application)._background_manager
    jobs.wait(handles["job"].rpartition("~")[0])  # the signed handle is the job's key
    query = {"cacheKey": handles["cacheKey"], "job": handles["job"]}
    return client.post("/_dash-update-component", json=body, headers=headers, query_string=query)


def test_every_callback_has_a_probe(browsers: Browsers) -> None:
    client = browsers.as_("admin")
    keys = list(_dash(client.application).callback_map)
    unprobed = [
        k
        for k in keys
        if not any(p.output in k for p in CALLBACKS) and not any(n in k for n in NOT_PROBED_HERE)
    ]
    assert unprobed == []


@pytest.mark.parametrize("index", range(len(CALLBACKS)), ids=lambda i: CALLBACKS[i].output[:40])
def test_no_outsider_callback_shows_or_changes_the_victims_objects(browsers: Browsers, index: int) -> None:
    probe = CALLBACKS[index]
    estate, api = browsers.estate, browsers.api
    before = books_snapshot(api, estate)
    probers = ADMIN_PROBERS if probe.owner == "admin" else probe.probers
    for who in probers:
        answer = post_probe(browsers.as_(who), probe, estate)
        text = answer.get_data().decode("utf-8", "replace")
        assert answer.status_code < 500, (who, text[:500])
        assert MARKER not in text, (who, text[:500])
        if probe.shows and probe.shows != "1":
            assert probe.shows not in text, (who, text[:500])
    assert books_snapshot(api, estate) == before, "an outsider's callback changed the victim's books"

    control = post_probe(browsers.as_(probe.owner), probe, estate)
    assert control.status_code == 200, control.get_data(as_text=True)[:500]
    assert probe.shows in control.get_data(as_text=True)


# The action form: an outsider who forges the confirmation of the victim's action (a fresh
# key, values that would post for the victim's manager, the victim's pool) posts nothing.
def _settings_rename(e: Estate) -> dict[str, Any]:
    pool = e.world.container.pools.get_pool(e.world.manager, e.ids["draft_pool"])
    settings = settings_of(pool)
    values = settings_values(settings)
    return {**values, "name": f"{MARKER} Renamed", "baseline": settings.model_dump_json()}


@dataclass(frozen=True)
class ForgedAction:
    pool: str | None
    """The victim's pool the confirmation names (its key in Estate.ids)."""
    values: Values
    posted: str
    """What the owner's result shows once posted."""


def _clawback_values(estate: Estate) -> dict[str, Any]:
    """A final clawback on the deal-by-deal pool, its deals realised first (by its manager)."""
    realise_deals_with_excess_carry(estate)
    return {"effective_date": "2025-03-03", "interim": "false", "memo": ""}


FORGED: dict[str, ForgedAction] = {
    "valuation": ForgedAction(
        "open_pool", lambda e: {"as_of": "2025-01-31", "net_asset_value": "21000.00", "memo": ""}, "Posted"
    ),
    "subscription": ForgedAction(
        "open_pool",
        lambda e: {
            "investor_id": str(e.ids["investor"]),
            "amount": "10000.00",
            "effective_date": "2025-01-03",
            "memo": "",
        },
        "Posted",
    ),
    "redemption": ForgedAction(
        "open_pool",
        lambda e: {
            "investor_id": str(e.ids["investor"]),
            "units": "100",
            "effective_date": "2025-01-03",
            "memo": "",
        },
        "Posted",
    ),
    "commitment": ForgedAction(
        "closed_pool",
        lambda e: {
            "investor_id": str(e.ids["investor"]),
            "amount": "5000.00",
            "effective_date": "2025-02-20",
        },
        "Posted",
    ),
    "side_letter": ForgedAction(
        "closed_pool",
        lambda e: {
            "investor_id": str(e.ids["investor"]),
            "reference": "Amended letter",
            "management_fee_rate": "1.5",
            "management_fee_waiver": None,
            "carried_interest_rate": None,
            "gp_commitment": "false",
        },
        "Posted",
    ),
    "capital_call": ForgedAction(
        "closed_pool",
        lambda e: {
            "amount": "10000.00",
            "percent_of_commitment": None,
            "due_date": "2025-03-15",
            "effective_date": "2025-03-01",
            "memo": "",
        },
        "Posted",
    ),
    "portfolio_company_fee": ForgedAction(
        "closed_pool",
        lambda e: {
            "fee_kind": "transaction",
            "amount": "1000.00",
            "investment": "Acme Robotics",
            "effective_date": "2025-03-01",
            "memo": "",
        },
        "Posted",
    ),
    "distribution": ForgedAction(
        "closed_pool",
        lambda e: {"amount": "1000.00", "mode": "waterfall", "effective_date": "2025-03-01", "memo": ""},
        "Posted",
    ),
    "clawback": ForgedAction("deal_pool", _clawback_values, "Posted"),
    "reversal": ForgedAction(
        "closed_pool",
        lambda e: {"entry_id": str(e.ids["entry"]), "memo": "keyed twice", "effective_date": None},
        "Posted",
    ),
    # A pool without classes, its fee given (the estate's NAV per unit never rose); a classed
    # pool's is forged in test_portal_share_classes.py.
    "performance_fee": ForgedAction(
        "open_pool", lambda e: {"effective_date": "2025-01-31", "amount": "100.00", "memo": ""}, "Posted"
    ),
    "pool_status": ForgedAction("open_pool", lambda e: {"status": "close"}, "Posted"),
    "pool_settings": ForgedAction("draft_pool", _settings_rename, "Posted"),
    "kyc": ForgedAction(
        None, lambda e: {"investor_id": str(e.ids["investor"]), "kyc_status": "rejected"}, "Posted"
    ),
}
NOT_FORGED = {
    "create_pool": "creates a pool of the caller's own: it names no victim",
    "subsequent_close": "needs a pool with calls paid, a later commitment and no distribution, which the "
    "shared estate has not (its distribution control runs first): forged by another manager and an "
    "investor in test_subsequent_closes_api.py::test_the_portal_form_previews_the_close_and_only_the_"
    "pools_manager_posts_it",
}


def test_every_action_has_a_forged_confirmation() -> None:
    assert sorted(ACTIONS) == sorted([*FORGED, *NOT_FORGED])


def _confirm(client: FlaskClient, action: str, pending: dict[str, Any]) -> dict[str, Any]:
    """POST the action callback's Confirm as dash-renderer does; the outputs by component."""
    key = next(k for k in _dash(client.application).callback_map if forms.ERROR in k and forms.PANEL in k)
    names = list(pending["values"])
    one = {
        k: {"type": k, "action": action} for k in (forms.PREVIEW, forms.CONFIRM, forms.PANEL, forms.PENDING)
    }
    one |= {k: {"type": k, "action": action} for k in (forms.RESULT, forms.DONE)}

    def fid(name: str) -> dict[str, str]:
        return {"type": forms.FIELD, "action": action, "field": name}

    body = {
        "output": key,
        "outputs": [
            [
                {"id": {"type": forms.ERROR, "action": action, "field": n}, "property": "children"}
                for n in names
            ],
            [{"id": fid(n), "property": "invalid"} for n in names],
            *({"id": one[k], "property": p} for k, p in ((forms.PANEL, "children"), (forms.PENDING, "data"))),
            *(
                {"id": one[k], "property": p}
                for k, p in ((forms.RESULT, "children"), (forms.CONFIRM, "disabled"))
            ),
            {"id": one[forms.DONE], "property": "data"},
        ],
        "inputs": [
            {"id": one[forms.PREVIEW], "property": "n_clicks", "value": 1},
            {"id": one[forms.CONFIRM], "property": "n_clicks", "value": 1},
            [],  # no "Post anyway" ticks: the forged values ask no question
        ],
        "state": [
            [{"id": fid(n), "property": "value", "value": v} for n, v in pending["values"].items()],
            [{"id": fid(n), "property": "id", "value": fid(n)} for n in names],
            {"id": one[forms.PENDING], "property": "data", "value": pending},
            {"id": "pool-id", "property": "data", "value": pending["pool_id"]},
        ],
        "changedPropIds": [_prop_id(one[forms.CONFIRM]) + ".n_clicks"],
    }
    answer = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_cookie(client)})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    out: dict[str, Any] = answer.get_json()["response"]
    done = out.get(_prop_id(one[forms.DONE]), {}).get("data")
    return {"text": answer.get_data(as_text=True), "done": done}


@pytest.mark.parametrize("action", sorted(FORGED))
def test_a_forged_confirmation_posts_nothing(browsers: Browsers, action: str) -> None:
    forged = FORGED[action]
    estate, api = browsers.estate, browsers.api
    values = forged.values(estate)
    pool_id = estate.ids[forged.pool] if forged.pool else None
    before = books_snapshot(api, estate)
    for who in (*OUTSIDERS, *READ_ONLY_INSIDERS):
        pending = {"key": str(uuid.uuid4()), "values": values, "pool_id": pool_id}
        out = _confirm(browsers.as_(who), action, pending)
        assert out["done"] is None and forged.posted not in out["text"], (who, out["text"][:500])
        assert books_snapshot(api, estate) == before, f"{who}'s forged {action} changed the books"

    control = _confirm(
        browsers.as_("manager"), action, {"key": str(uuid.uuid4()), "values": values, "pool_id": pool_id}
    )
    assert control["done"] is not None and forged.posted in control["text"], control["text"][-1500:]
    assert books_snapshot(api, estate) != before


# Pages: every page of the portal, the victim's pool pages included, shows an outsider nothing
# of the victim's.
PAGE_PATHS: dict[str, tuple[str, ...]] = {
    "/": ("/",),
    "/notifications": ("/notifications",),
    "/documents": ("/documents",),
    "/404": ("/404", "/manager/pools/{open_pool}/x"),
    "/admin": ("/admin",),
    "/admin/users": ("/admin/users",),
    "/admin/audit": ("/admin/audit",),
    "/admin/system": ("/admin/system",),
    "/admin/payments": ("/admin/payments",),
    "/admin/emails": ("/admin/emails",),
    "/analyst": ("/analyst",),
    "/investor": ("/investor",),
    "/investor/payments": ("/investor/payments",),
    "/manager": ("/manager",),
    "/manager/pools": ("/manager/pools",),
    "/manager/payments": ("/manager/payments", "/manager/payments?pool={closed_pool}"),
    "/manager/pools/pool": (
        "/manager/pools/{open_pool}",
        "/manager/pools/{closed_pool}",
        "/manager/pools/{draft_pool}",
    ),
}
OWNER_SEES = {
    "/manager/pools": "manager",
    "/manager/payments": "manager",
    "/analyst": "granted_analyst",
}
"""Pages whose layout itself names the victim's objects to the one who may see them (the others,
a pool's own page among them, load them through the callbacks probed above)."""


def test_every_page_has_its_paths() -> None:
    assert sorted(PAGE_PATHS) == sorted(page.path for page in PAGES)


def test_no_outsider_page_shows_the_victim(browsers: Browsers) -> None:
    estate = browsers.estate
    paths = [p.format(**estate.ids) for group in PAGE_PATHS.values() for p in group]
    for who in OUTSIDERS:
        for path in paths:
            text = render_page(browsers.as_(who), path)
            assert MARKER not in text, (who, path, text[:500])
    for template, owner in OWNER_SEES.items():
        assert MARKER in render_page(browsers.as_(owner), template.format(**estate.ids)), template
