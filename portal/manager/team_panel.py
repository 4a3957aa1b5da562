"""The pool's team on the manager's pool page: its co-managers and analysts, adding one found
by name, and removing one after a confirmation that names the person and the pool.

Every change goes to the pool service as the signed-in user, which decides whether they may
change this pool's team (a forged callback naming another manager's pool is refused there,
not here). People are shown as a manager may know them: by name (an admin also sees email
addresses, on hover). The list is redrawn by the same callback that made the change, so it
never needs a reload. portal/site.py registers the callbacks; the pool page places the panel.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from backend.platform.fields import ID_MAX
from backend.pools.interface import PoolOut, PoolTeamOut, TeamMember
from portal.context import services
from portal.shell.session import current_actor

REMOVE = "team-remove"
"""The type of each member's Remove button id: {"type": REMOVE, "role": ..., "user": ...}."""
ROLES = {"manager": Role.MANAGER, "analyst": Role.ANALYST}
"""The add form's choice -> the role the service requires of the person added."""
TITLES = {"manager": "Co-manager", "analyst": "Analyst"}
NOT_SHOWN = "The team is not shown: you do not manage this pool."


def record_id(value: Any) -> int | None:
    """An id the browser sent, if it can name a row at all (a forged 10**30 names none, and
    SQLite would refuse even to compare it)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        return None
    number = int(value)
    return number if 0 < number <= ID_MAX else None


def label(member: TeamMember) -> str:
    return member.name or f"User #{member.user_id}"


def plain(exc: DomainError) -> str:
    """The service's refusal without the field name it starts with (the API's reader needs it,
    a person does not)."""
    return exc.detail.removeprefix(f"{exc.field}: ") if exc.field else exc.detail


def team_panel(actor: Actor, pool: PoolOut) -> Component:
    """The Team panel for one pool: the list, the add form, the flash and the confirmation."""
    return html.Div(
        [
            dcc.Store(id="team-pool-id", data=pool.id),
            dcc.Store(id="team-pending", data=None),
            html.H2("Team", className="h5 mt-4", id="team"),
            html.P(
                "Co-managers run the pool with you: the same say over its books, terms and team. "
                "Analysts read it and export its data, and change nothing. A pool always keeps "
                "at least one manager.",
                className="small text-body-secondary",
            ),
            html.Div(team_list(actor, pool.id), id="team-list"),
            _add_form(),
            html.Div(id="team-flash"),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle("Remove from the team?")),
                    dbc.ModalBody(id="team-confirm-body"),
                    dbc.ModalFooter(
                        [
                            dbc.Button("Cancel", id="team-confirm-no", color="secondary", size="sm"),
                            dbc.Button("Remove", id="team-confirm-yes", color="danger", size="sm"),
                        ]
                    ),
                ],
                id="team-confirm",
                is_open=False,
            ),
        ]
    )


def team_list(actor: Actor, pool_id: int) -> Component:
    """The pool's managers, then its analysts, as the service shows them to this actor."""
    try:
        team = services().pools.team(actor, pool_id)
    except DomainError:
        refused: Component = dbc.Alert(NOT_SHOWN, color="warning", className="py-2")
        return refused
    rows = [_row(actor, m, "manager", len(team.managers)) for m in team.managers]
    rows += [_row(actor, m, "analyst", len(team.managers)) for m in team.analysts]
    if not team.analysts:
        rows.append(
            html.Tr(html.Td("No analysts have access yet.", colSpan=5, className="small text-body-secondary"))
        )
    head = html.Thead(html.Tr([html.Th(h) for h in ("Name", "Role", "Since", "Account", "")]))
    table: Component = dbc.Table(
        [head, html.Tbody(rows)], size="sm", hover=True, className="mb-2", id="team-table"
    )
    return table


def _row(actor: Actor, member: TeamMember, role: str, managers: int) -> Component:
    you = member.user_id == actor.user_id
    name = html.Span(label(member) + (" (you)" if you else ""), title=member.email or None)
    last = role == "manager" and managers <= 1
    button = dbc.Button(
        "Leave" if you else "Remove",
        id={"type": REMOVE, "role": role, "user": member.user_id},
        size="sm",
        color="outline-danger",
        # The service refuses it too; the disabled button only says so before the click.
        disabled=last,
        title="A pool keeps at least one manager: add another first." if last else None,
    )
    row: Component = html.Tr(
        [
            html.Td(name),
            html.Td(TITLES[role]),
            html.Td(member.since.date().isoformat()),
            html.Td("active" if member.active else "disabled"),
            html.Td(button),
        ]
    )
    return row


def _add_form() -> Component:
    form: Component = dbc.Row(
        [
            dbc.Col(
                dbc.RadioItems(
                    id="team-role",
                    options=[{"label": t, "value": r} for r, t in TITLES.items()],
                    value="manager",
                    inline=True,
                ),
                md="auto",
                className="align-self-center",
            ),
            dbc.Col(
                dcc.Dropdown(
                    id="team-candidate",
                    options=[],
                    searchable=True,
                    placeholder="Type two letters of a name, or a whole email address",
                ),
                md=6,
            ),
            dbc.Col(dbc.Button("Add", id="team-add", color="primary", size="sm"), md="auto"),
        ],
        className="g-2 mb-2",
    )
    return form


def candidates(actor: Actor, pool_id: int | None, role: str | None, search: str) -> list[dict[str, Any]]:
    """Whom the add form offers for what was typed: active users of the chosen role the users
    service finds, less those already on the team. Nothing for someone who may not change the
    pool's team, and nothing for a search the service refuses (too short, too long)."""
    wanted = ROLES.get(str(role))
    if wanted is None or not isinstance(pool_id, int):
        return []
    try:
        team = services().pools.team(actor, pool_id)  # refused unless the actor manages the pool
        found = services().users.find_colleagues(actor, wanted, search)
    except DomainError:
        return []
    on_team = {m.user_id for m in (team.managers if wanted is Role.MANAGER else team.analysts)}
    text = search.strip()
    # Someone without a display name was found by their whole address: offered under it.
    return [{"label": c.display_name or text, "value": c.id} for c in found if c.id not in on_team]


def _member(team: PoolTeamOut, role: str, user_id: int) -> TeamMember | None:
    members = team.managers if role == "manager" else team.analysts
    return next((m for m in members if m.user_id == user_id), None)


Answer = tuple[Any, Any, Any, Any, Any, Any]
"""team-list, team-flash, team-confirm is_open, team-confirm-body, team-pending, team-candidate value."""


def _answer(
    *,
    listed: Any = no_update,
    flash: tuple[str, str] | None = None,
    confirm_open: Any = no_update,
    confirm_body: Any = no_update,
    pending: Any = no_update,
    candidate: Any = no_update,
) -> Answer:
    shown = dbc.Alert(flash[0], color=flash[1], className="py-2", dismissable=True) if flash else None
    return listed, shown, confirm_open, confirm_body, pending, candidate


def _closed(flash: tuple[str, str], listed: Any = no_update) -> Answer:
    """The confirmation closed and forgotten, with a message."""
    return _answer(listed=listed, flash=flash, confirm_open=False, confirm_body=None, pending=None)


def ask_to_remove(actor: Actor, pool_id: int, role: str, user_id: int) -> Answer:
    """The confirmation naming the person and the pool; nothing opens for someone the team
    is not shown to (the service shows it only to those who may change it)."""
    try:
        team = services().pools.team(actor, pool_id)
    except DomainError as exc:
        return _closed((plain(exc), "danger"))
    member = _member(team, role, user_id)
    if member is None:
        return _closed(("They are no longer on the team.", "info"), team_list(actor, pool_id))
    if user_id == actor.user_id:
        text = (
            f"Leave {team.pool_name}? You stop managing it at once: its books, terms and team "
            "are no longer yours to see or change."
        )
    else:
        what = "co-manager" if role == "manager" else "analyst"
        text = f"Remove {label(member)} as {what} of {team.pool_name}? They lose access to the pool at once."
    pending = {"role": role, "user_id": user_id}
    return _answer(confirm_open=True, confirm_body=html.P(text, className="mb-0"), pending=pending)


def remove(actor: Actor, pool_id: int, pending: Mapping[str, Any]) -> Answer:
    """Remove the person the confirmation named from the pool on this page. Only the ids are
    taken from the confirmation (it comes back from the browser); the names shown are read
    again, and the service decides whether this actor may change the team."""
    role, user_id = pending.get("role"), record_id(pending.get("user_id"))
    if role not in ROLES or user_id is None:
        return _closed(("Nothing to remove: choose someone first.", "warning"))
    pools = services().pools
    try:
        team = pools.team(actor, pool_id)
        member = _member(team, role, user_id)
        if role == "manager":
            pools.remove_manager(actor, pool_id, user_id)
        else:
            pools.revoke_analyst(actor, pool_id, user_id)
    except DomainError as exc:
        return _closed((f"Not removed: {plain(exc)}", "danger"))
    if user_id == actor.user_id:
        done = f"You left {team.pool_name}."
    else:
        who = label(member) if member else f"User #{user_id}"
        done = f"{who} is no longer on the team of {team.pool_name}."
    return _closed((done, "success"), team_list(actor, pool_id))


def add(actor: Actor, pool_id: int, role: str | None, candidate: Any) -> Answer:
    """Add the chosen person as a co-manager or an analyst of the pool on this page."""
    if role not in ROLES:
        return _answer(flash=("Choose co-manager or analyst.", "warning"))
    user_id = record_id(candidate)
    if user_id is None:
        return _answer(flash=("Find someone first: type part of their name.", "warning"))
    pools = services().pools
    try:
        if role == "manager":
            pools.add_manager(actor, pool_id, user_id)
        else:
            pools.grant_analyst(actor, pool_id, user_id)
        team = pools.team(actor, pool_id)
    except DomainError as exc:
        return _answer(flash=(f"Not added: {plain(exc)}", "danger"))
    member = _member(team, role, user_id)
    who = label(member) if member else f"User #{user_id}"
    done = f"now co-manages {team.pool_name}" if role == "manager" else f"now reads {team.pool_name}"
    return _answer(listed=team_list(actor, pool_id), flash=(f"{who} {done}.", "success"), candidate=None)


def _act(
    _yes: int | None,
    _add: int | None,
    _removes: list[int | None],
    _no: int | None,
    role: str | None,
    candidate: Any,
    pool_id: Any,
    pending: Any,
) -> Answer:
    actor = current_actor()
    trigger = ctx.triggered_id
    pool = record_id(pool_id)
    if actor is None or trigger is None or pool is None:
        raise PreventUpdate
    if trigger == "team-confirm-no":
        return _answer(confirm_open=False, confirm_body=None, pending=None)
    if trigger == "team-confirm-yes":
        return remove(actor, pool, pending if isinstance(pending, Mapping) else {})
    if trigger == "team-add":
        return add(actor, pool, role, candidate)
    if isinstance(trigger, Mapping) and trigger.get("type") == REMOVE:
        # A list redrawn with new buttons fires this too; only a click asks.
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate
        user = record_id(trigger.get("user"))
        if user is None:
            raise PreventUpdate
        return ask_to_remove(actor, pool, str(trigger.get("role")), user)
    raise PreventUpdate


def _search(search: str | None, role: str | None, pool_id: Any) -> list[dict[str, Any]]:
    if not search:
        # An emptied search (the menu closed, or a choice was made) keeps the options shown:
        # they hold the choice, which the dropdown would clear if it vanished from them.
        raise PreventUpdate
    actor = current_actor()
    if actor is None:
        raise PreventUpdate
    return candidates(actor, record_id(pool_id), role, search)


def register_callbacks() -> None:
    """Register the panel's callbacks with the Dash app being built. Called by portal/site.py for
    every app it builds (portal/page_registry.py says why per app)."""
    callback(
        Output("team-candidate", "options"),
        Input("team-candidate", "search_value"),
        State("team-role", "value"),
        State("team-pool-id", "data"),
        prevent_initial_call=True,
    )(_search)
    callback(
        Output("team-list", "children"),
        Output("team-flash", "children"),
        Output("team-confirm", "is_open"),
        Output("team-confirm-body", "children"),
        Output("team-pending", "data"),
        Output("team-candidate", "value"),
        Input("team-confirm-yes", "n_clicks"),
        Input("team-add", "n_clicks"),
        Input({"type": REMOVE, "role": ALL, "user": ALL}, "n_clicks"),
        Input("team-confirm-no", "n_clicks"),
        State("team-role", "value"),
        State("team-candidate", "value"),
        State("team-pool-id", "data"),
        State("team-pending", "data"),
        prevent_initial_call=True,
    )(_act)
