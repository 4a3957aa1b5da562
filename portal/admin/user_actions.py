"""What an admin does to accounts on the Users page: a new user, another role, disabling or
enabling, a password-reset email. Each is asked in a confirmation naming the person, then
done by the users or auth service as the signed-in user, which decides whether they may (a
forged callback from anyone else is refused there, not here); the answer is the service's own
words, and the grid is redrawn without a reload.

Only ids come back from the browser (the selected row, the pending action): names shown in
the confirmation and the result are read again from the service.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import html, no_update
from dash.development.base_component import Component
from pydantic import ValidationError

from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from backend.users.interface import ROLE_WORDS, UserCreate, UserOut
from portal.context import services

ROLE_OPTIONS = [{"label": ROLE_WORDS[r], "value": r.value} for r in Role]
ACTIONS = ("new", "role", "active", "reset")
PICK_FIRST = "Select an account in the grid first."
NOTHING_ASKED = "Nothing to confirm: choose an action first."

Answer = tuple[Any, Any, Any, Any, Any, Any, Any, Any, Any]
"""users-refresh data, users-flash, users-modal is_open, users-modal-title, users-modal-body,
users-new-form hidden, users-role-form hidden, users-pending data, users-role-choice value."""


def role_word(role: Role) -> str:
    return ROLE_WORDS[role]


def _a(role: Role) -> str:
    word = ROLE_WORDS[role].lower()
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def who(user: UserOut) -> str:
    """ "Ana Example (ana@example.com)": a name alone may be shared, an address is not."""
    return f"{user.display_name} ({user.email})" if user.display_name else user.email


def plain(exc: DomainError) -> str:
    """The service's refusal without the field name it starts with."""
    said = exc.detail.removeprefix(f"{exc.field}: ") if exc.field else exc.detail
    return said[:1].upper() + said[1:]


def reset_hours() -> str:
    seconds = services().settings.password_reset_ttl_seconds
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour" + ("" if hours == 1 else "s")
    minutes = max(1, seconds // 60)
    return f"{minutes} minutes"


def modal() -> Component:
    """The one confirmation dialog: its text, and the fields of the action being asked."""
    new_form = html.Div(
        [
            dbc.Label("Email", html_for="users-new-email", className="small mb-1"),
            dbc.Input(id="users-new-email", type="email", maxLength=254, className="mb-2"),
            dbc.Label("Name", html_for="users-new-name", className="small mb-1"),
            dbc.Input(id="users-new-name", maxLength=120, className="mb-2"),
            dbc.Label("Role", html_for="users-new-role", className="small mb-1"),
            dbc.Select(
                id="users-new-role", options=ROLE_OPTIONS, value=Role.INVESTOR.value, className="mb-2"
            ),
            dbc.Checkbox(
                id="users-new-invite",
                label="Email them a link to choose their own password (recommended)",
                value=True,
                className="mb-2",
            ),
            dbc.Label(
                "Or an initial password (12 characters or more)",
                html_for="users-new-password",
                className="small mb-1",
            ),
            dbc.Input(id="users-new-password", type="password", maxLength=256, autoComplete="new-password"),
        ],
        id="users-new-form",
        hidden=True,
    )
    role_form = html.Div(
        [
            dbc.Label("New role", html_for="users-role-choice", className="small mb-1"),
            dbc.RadioItems(id="users-role-choice", options=ROLE_OPTIONS, value=None, inline=True),
        ],
        id="users-role-form",
        hidden=True,
    )
    dialog: Component = dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(id="users-modal-title")),
            dbc.ModalBody([html.Div(id="users-modal-body", className="mb-2"), new_form, role_form]),
            dbc.ModalFooter(
                [
                    dbc.Button("Cancel", id="users-cancel", color="secondary", size="sm"),
                    dbc.Button("Confirm", id="users-confirm", color="primary", size="sm"),
                ]
            ),
        ],
        id="users-modal",
        is_open=False,
    )
    return dialog


def toolbar() -> Component:
    bar: Component = html.Div(
        [
            dbc.Button("New user", id="users-new", color="primary", size="sm", className="me-2"),
            dbc.Button(
                "Change role", id="users-role", color="outline-secondary", size="sm", className="me-2"
            ),
            dbc.Button(
                "Disable / enable", id="users-active", color="outline-secondary", size="sm", className="me-2"
            ),
            dbc.Button("Send password reset", id="users-reset", color="outline-secondary", size="sm"),
        ],
        className="mb-2",
    )
    return bar


def _answer(
    *,
    refresh: Any = no_update,
    flash: tuple[str, str] | None = None,
    is_open: Any = no_update,
    title: Any = no_update,
    body: Any = no_update,
    new_hidden: Any = no_update,
    role_hidden: Any = no_update,
    pending: Any = no_update,
    role_choice: Any = no_update,
) -> Answer:
    shown = dbc.Alert(flash[0], color=flash[1], className="py-2", dismissable=True) if flash else no_update
    return refresh, shown, is_open, title, body, new_hidden, role_hidden, pending, role_choice


def closed(flash: tuple[str, str] | None = None, *, refresh: Any = no_update) -> Answer:
    return _answer(refresh=refresh, flash=flash, is_open=False, pending=None)


def _selected(rows: Any) -> int | None:
    if (
        isinstance(rows, list)
        and rows
        and isinstance(rows[0], Mapping)
        and isinstance(rows[0].get("id"), int)
    ):
        return int(rows[0]["id"])
    return None


def ask(actor: Actor, action: str, rows: Any) -> Answer:
    """Open the confirmation for `action` on the selected account (read again as this actor:
    nothing opens for someone who may not read accounts)."""
    if action == "new":
        text = "Create an account. They sign in with their email address."
        return _answer(
            is_open=True,
            title="New user",
            body=text,
            new_hidden=False,
            role_hidden=True,
            pending={"action": "new"},
        )
    user_id = _selected(rows)
    if user_id is None:
        return _answer(flash=(PICK_FIRST, "warning"))
    try:
        user = services().users.get_user(actor, user_id)
    except DomainError as exc:
        return closed((plain(exc), "danger"))
    pending = {"action": action, "user_id": user.id}
    if action == "role":
        text = (
            f"{who(user)} is {_a(user.role)} now. Choose their new role: their sessions end, and the "
            "new role applies from their next sign-in."
        )
        return _answer(
            is_open=True,
            title="Change role",
            body=text,
            new_hidden=True,
            role_hidden=False,
            pending=pending,
            role_choice=user.role.value,
        )
    if action == "active":
        pending["active"] = not user.is_active
        if user.is_active:
            title, text = (
                "Disable account",
                (
                    f"Disable {who(user)}? They are signed out everywhere at once and cannot sign in until "
                    "enabled again."
                ),
            )
        else:
            title, text = "Enable account", f"Enable {who(user)}? They can sign in again with their password."
        return _answer(
            is_open=True, title=title, body=text, new_hidden=True, role_hidden=True, pending=pending
        )
    text = (
        f"Email {who(user)} a link to choose a new password? It works once, for {reset_hours()}; an "
        "earlier link stops working. Their password stays as it is until they use it."
    )
    return _answer(
        is_open=True,
        title="Send password reset",
        body=text,
        new_hidden=True,
        role_hidden=True,
        pending=pending,
    )


def confirm(actor: Actor, pending: Any, role_choice: Any, new: Mapping[str, Any]) -> Answer:
    """Do what the confirmation asked, through the services (which decide whether this actor
    may); the result in plain words, and the grid told to redraw."""
    if not isinstance(pending, Mapping) or pending.get("action") not in ACTIONS:
        return closed((NOTHING_ASKED, "warning"))
    action = str(pending["action"])
    if action == "new":
        return _create(actor, new)
    user_id = pending.get("user_id")
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return closed((PICK_FIRST, "warning"))
    role = Role(str(role_choice)) if role_choice in {r.value for r in Role} else None
    active = pending.get("active")
    if (action == "role" and role is None) or (action == "active" and not isinstance(active, bool)):
        return _answer(flash=("Choose the new role." if action == "role" else NOTHING_ASKED, "warning"))
    try:
        done = _do(actor, action, user_id, role, active is True)
    except DomainError as exc:
        return closed((f"Not done: {plain(exc)}", "danger"), refresh=secrets.token_hex(4))
    return closed((done, "success"), refresh=secrets.token_hex(4))


def _do(actor: Actor, action: str, user_id: int, role: Role | None, active: bool) -> str:
    c = services()
    if action == "role" and role is not None:
        user = c.users.set_role(actor, user_id, role)
        return f"{who(user)} is now {_a(role)}; their sessions were ended."
    if action == "active":
        user = c.users.set_active(actor, user_id, active)
        if active:
            return f"{who(user)} is active again; they can sign in."
        return f"{who(user)} is disabled; their sessions were ended."
    user = c.auth.request_password_reset(actor, user_id)
    return f"A password-reset email is on its way to {user.email}; the link works once, for {reset_hours()}."


def _create(actor: Actor, new: Mapping[str, Any]) -> Answer:
    invite = bool(new.get("invite"))
    password = str(new.get("password") or "")
    if not invite and not password:
        return _answer(flash=("Set an initial password, or tick the email link instead.", "warning"))
    try:
        request = UserCreate.model_validate(
            {
                "email": str(new.get("email") or ""),
                "display_name": str(new.get("name") or "").strip(),
                "role": str(new.get("role") or ""),
                # With the email link, a random password nobody knows holds the place until used.
                "password": secrets.token_urlsafe(32) if invite else password,
            }
        )
    except ValidationError as exc:  # the first problem, in words
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "input"
        message = "12 to 256 characters" if field == "password" else str(first["msg"])
        named = {"display_name": "Name", "email": "Email", "role": "Role", "password": "Password"}
        return _answer(flash=(f"{named.get(field, field)}: {message}.", "warning"))
    c = services()
    try:
        user = c.users.create_user(actor, request)
    except DomainError as exc:
        return _answer(flash=(f"Not created: {plain(exc)}", "danger"))
    done = f"{who(user)} was created as {_a(user.role)}"
    if invite:
        try:
            c.auth.request_password_reset(actor, user.id)
        except DomainError as exc:
            note = f"{done}, but the password email was not sent: {plain(exc)} Use Send password reset."
            return closed((note, "warning"), refresh=secrets.token_hex(4))
        done += f"; an email with a link to choose their password is on its way to {user.email}"
    else:
        done += " with the password you set"
    return closed((done + ".", "success"), refresh=secrets.token_hex(4))
