"""The one callback behind every manager action form, and the investor picker's search.

Each action is parsed into the service's own request type, previewed (the same rule the write
runs, over the current books, writing nothing), and posted only when the manager confirms
the preview. The idempotency key is made when the confirmation is shown and travels with it,
so a double click on "Confirm" posts once. Every call acts as the signed-in user: the
service decides whether this manager may touch this pool.

Preview reads the fields as they stand (State, not Input: a value typed into a field that
still has the focus counts). Changing a field after a preview withdraws it in the browser
(a client-side callback), so what is posted is always what the manager last saw. A preview
that found an unusual value (`Previewed.concerns`) enables Confirm only once each is ticked.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, MATCH, Input, Output, State, callback, clientside_callback, ctx, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate
from werkzeug.exceptions import BadRequest

from backend.platform.actors import Actor
from backend.platform.errors import DomainError, NotFound, PermissionDenied
from portal.components import forms
from portal.manager.actions.action import Action, Previewed
from portal.manager.actions.capital_call import CAPITAL_CALL
from portal.manager.actions.clawback import CLAWBACK
from portal.manager.actions.commitment import COMMITMENT
from portal.manager.actions.deals import REDEMPTION, SUBSCRIPTION
from portal.manager.actions.distribution import DISTRIBUTION
from portal.manager.actions.kyc import KYC
from portal.manager.actions.parsing import FormError
from portal.manager.actions.performance_fee import PERFORMANCE_FEE
from portal.manager.actions.picker import investor_options
from portal.manager.actions.pool_create import CREATE_POOL
from portal.manager.actions.pool_settings import POOL_SETTINGS
from portal.manager.actions.pool_status import POOL_STATUS
from portal.manager.actions.portfolio_fee import PORTFOLIO_FEE
from portal.manager.actions.reversal import REVERSAL
from portal.manager.actions.side_letter import SIDE_LETTER
from portal.manager.actions.subsequent_close import SUBSEQUENT_CLOSE
from portal.manager.actions.valuation import VALUATION
from portal.shell.session import current_actor

NOT_PERMITTED = "Not permitted: you do not manage this pool."
UNANSWERED = "Tick “Post anyway” under each unusual value first, or change it and preview again."
CHANGED = "Changed since the preview: press Preview again to check it before posting."

ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        CREATE_POOL,
        POOL_SETTINGS,
        POOL_STATUS,
        VALUATION,
        SUBSCRIPTION,
        REDEMPTION,
        CAPITAL_CALL,
        SUBSEQUENT_CLOSE,
        DISTRIBUTION,
        CLAWBACK,
        REVERSAL,
        COMMITMENT,
        SIDE_LETTER,
        PORTFOLIO_FEE,
        PERFORMANCE_FEE,
        KYC,
    )
}


@dataclass
class Outcome:
    """What one press of Preview or Confirm shows."""

    errors: dict[str, str]
    panel: Component | None = None
    pending: dict[str, Any] | None = None
    result: Component | None = None
    done: Any = None


def preview_action(actor: Actor, action: str, pool_id: int | None, values: Mapping[str, Any]) -> Outcome:
    """Parse and preview: on success, a confirmation with a fresh idempotency key."""
    spec = ACTIONS[action]
    try:
        request = spec.parse(values)
        shown = spec.preview(actor, pool_id, request)
    except FormError as exc:
        return Outcome(exc.errors)
    except DomainError as exc:
        return Outcome(_not_permitted(exc) or spec.errors(exc))
    panel, concerns = (shown.panel, list(shown.concerns)) if isinstance(shown, Previewed) else (shown, [])
    pending = {"key": str(uuid.uuid4()), "values": dict(values), "pool_id": pool_id, "concerns": concerns}
    last = (
        "Check the effect above, answer each question, then confirm to post it."
        if concerns
        else "Check the effect above, then confirm to post it."
    )
    confirm = dbc.Alert(
        [panel, _questions(action, concerns), html.P(last, className="small mb-0")],
        color="light",
        className="border",
    )
    return Outcome({}, confirm, pending)


def _questions(action: str, concerns: Sequence[str]) -> Component | None:
    """Each unusual value as a question with its own "Post anyway" tick."""
    if not concerns:
        return None
    questions: Component = dbc.Alert(
        [
            html.Div(
                [
                    html.P(text, className="mb-1 fw-semibold"),
                    dbc.Checkbox(
                        id={"type": forms.ACK, "action": action, "check": str(n)},
                        label="Yes, post anyway",
                        value=False,
                    ),
                ],
                className="mb-2",
            )
            for n, text in enumerate(concerns)
        ],
        color="warning",
        className="mt-2",
        id=f"concerns-{action}",
    )
    return questions


def answered(pending: Mapping[str, Any] | None, acks: Sequence[Any]) -> bool:
    """Whether every unusual value the preview found was confirmed with its tick."""
    if not pending:
        return False
    asked = len(pending.get("concerns") or ())
    return asked == 0 or (len(acks) >= asked and all(bool(a) for a in acks[:asked]))


def confirm_action(
    actor: Actor, action: str, pending: Mapping[str, Any] | None, acks: Sequence[Any] = ()
) -> Outcome:
    """Post exactly what was previewed, with the key made for that preview."""
    if not pending:
        return Outcome({}, result=dbc.Alert("Preview the action first.", color="warning"))
    if not answered(pending, acks):
        return Outcome({}, result=dbc.Alert(UNANSWERED, color="warning"))
    spec = ACTIONS[action]
    try:
        request = spec.parse(pending["values"])
        result = spec.post(actor, pending.get("pool_id"), request, str(pending["key"]))
    except FormError as exc:
        return Outcome(exc.errors)
    except DomainError as exc:
        errors = _not_permitted(exc) or spec.errors(exc)
        return Outcome(errors, result=dbc.Alert("Not posted: see the highlighted fields.", color="danger"))
    return Outcome({}, result=result, done=pending["key"])


def _not_permitted(exc: DomainError) -> dict[str, str] | None:
    if isinstance(exc, (PermissionDenied, NotFound)) and (exc.field in (None, "pool_id")):
        return {"form": NOT_PERMITTED}
    return None


def _act(  # noqa: PLR0917 - Dash passes inputs and states positionally
    preview_clicks: int | None,
    confirm_clicks: int | None,
    acks: list[Any],
    values: list[Any],
    ids: list[dict[str, str]],
    pending: dict[str, Any] | None,
    pool_id: int | None,
) -> tuple[Any, ...]:
    trigger = ctx.triggered_id
    if not isinstance(trigger, Mapping):
        raise PreventUpdate
    action = str(trigger.get("action"))
    if action not in ACTIONS:
        # The id comes from the browser: an action the portal never rendered is a bad request.
        raise BadRequest(f"no such action: {action}")
    names = [i["field"] for i in ids]
    actor = current_actor()
    if actor is None:
        raise PreventUpdate
    if trigger.get("type") == forms.ACK:
        # A "Post anyway" tick: Confirm is enabled once every question is answered.
        disabled = not answered(pending, acks)
        unchanged = [no_update] * len(names)  # a wildcard output wants one answer per field
        return (unchanged, unchanged, no_update, no_update, no_update, disabled, no_update)
    if trigger.get("type") == forms.CONFIRM:
        outcome = confirm_action(actor, action, pending, acks)
        posted = outcome.done is not None
        return _render(
            names,
            outcome,
            panel=None if posted else no_update,
            pending=None if posted else no_update,
            disabled=posted or not answered(pending, acks),
        )
    outcome = preview_action(actor, action, pool_id, dict(zip(names, values, strict=True)))
    return _render(
        names,
        outcome,
        panel=outcome.panel,
        pending=outcome.pending,
        disabled=not answered(outcome.pending, []),
        result=None,
    )


def _search_investors(search: str | None, selected: Any, pool_id: int | None) -> list[dict[str, str]]:
    trigger = ctx.triggered_id
    if not isinstance(trigger, Mapping) or not search:
        # An emptied search (the menu closed, or a choice was made) keeps the options shown:
        # they hold the choice, which the dropdown would clear if it vanished from them.
        raise PreventUpdate
    actor = current_actor()
    if actor is None:
        raise PreventUpdate
    return investor_options(actor, str(trigger["action"]), pool_id, search, selected)


def register_callbacks() -> None:
    """Register the action callbacks with the Dash app being built. Called by portal/site.py
    for every app it builds, so each app gets them once."""
    picker = {"type": forms.FIELD, "action": MATCH, "field": "investor_id"}
    callback(
        Output(picker, "options"),
        Input(picker, "search_value"),
        State(picker, "value"),
        State("pool-id", "data"),
        prevent_initial_call=True,
    )(_search_investors)
    callback(
        Output({"type": forms.ERROR, "action": MATCH, "field": ALL}, "children"),
        Output({"type": forms.FIELD, "action": MATCH, "field": ALL}, "invalid"),
        Output({"type": forms.PANEL, "action": MATCH}, "children"),
        Output({"type": forms.PENDING, "action": MATCH}, "data"),
        Output({"type": forms.RESULT, "action": MATCH}, "children"),
        Output({"type": forms.CONFIRM, "action": MATCH}, "disabled"),
        Output({"type": forms.DONE, "action": MATCH}, "data"),
        Input({"type": forms.PREVIEW, "action": MATCH}, "n_clicks"),
        Input({"type": forms.CONFIRM, "action": MATCH}, "n_clicks"),
        Input({"type": forms.ACK, "action": MATCH, "check": ALL}, "value"),
        State({"type": forms.FIELD, "action": MATCH, "field": ALL}, "value"),
        State({"type": forms.FIELD, "action": MATCH, "field": ALL}, "id"),
        State({"type": forms.PENDING, "action": MATCH}, "data"),
        State("pool-id", "data"),
        prevent_initial_call=True,
    )(_act)
    # A field changed after a preview: the preview no longer shows what would be posted, so it
    # is withdrawn in the browser (no round trip per keystroke) until Preview is pressed again.
    clientside_callback(
        """function (values, pending) {
            var skip = window.dash_clientside.no_update;
            if (!pending) { return [skip, skip, skip]; }
            return [null, true, CHANGED];
        }""".replace("CHANGED", json.dumps(CHANGED)),
        Output({"type": forms.PENDING, "action": MATCH}, "data", allow_duplicate=True),
        Output({"type": forms.CONFIRM, "action": MATCH}, "disabled", allow_duplicate=True),
        Output({"type": forms.RESULT, "action": MATCH}, "children", allow_duplicate=True),
        Input({"type": forms.FIELD, "action": MATCH, "field": ALL}, "value"),
        State({"type": forms.PENDING, "action": MATCH}, "data"),
        prevent_initial_call=True,
    )


def _render(
    names: list[str], outcome: Outcome, *, panel: Any, pending: Any, disabled: bool, result: Any = no_update
) -> tuple[Any, ...]:
    errors = dict(outcome.errors)
    shown = [errors.pop(n, None) for n in names]
    leftover = [
        dbc.Alert(f"{k}: {v}" if k != "form" else v, color="danger", className="py-2 mb-2")
        for k, v in errors.items()
    ]
    if leftover:
        panel = html.Div(leftover)
    return (
        shown,
        [bool(s) for s in shown],
        panel,
        pending,
        outcome.result if outcome.result is not None else result,
        disabled,
        outcome.done if outcome.done is not None else no_update,
    )
