"""Administration (admin): who may sign in, what happened lately and whether the platform is
healthy, at a glance, with the way into Users, Audit and System.

The figures come from what the admin pages already compute (portal.admin.data): the users
service for accounts, the audit service for events, the readiness checks for health. They
are gathered by a callback rather than in the layout, so the page shell and its links show at
once and a slow health probe (a broker ping) only delays its own figures. Each card stands
alone: one that cannot be read says so instead of taking the page down.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from dash.development.base_component import Component

from backend.platform.actors import Actor, Role
from portal.admin.data import StatusRow, audit_rows, system_status, user_counts
from portal.components.placeholder import page_placeholder
from portal.page_registry import Page
from portal.shell.access import restricted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/admin", name="Administration")

RECENT_EVENTS = 10
REFRESH_MS = 30_000
STATE_COLOURS = {"ok": "success", "down": "danger", "not configured": "secondary"}
SECTIONS = (
    ("Users", "/admin/users", "Accounts, their roles, who is disabled."),
    ("Audit", "/admin/audit", "Every state change with the actor who made it."),
    ("System", "/admin/system", "Database, replicas, cache, broker, workers, outbox."),
)


class UserCounts(NamedTuple):
    """Accounts per role, and how many of them are disabled."""

    active: Mapping[str, int]
    disabled: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.active.values()) + sum(self.disabled.values())

    @property
    def total_disabled(self) -> int:
        return sum(self.disabled.values())


def tally(counts: Mapping[str, tuple[int, int]]) -> UserCounts:
    """From portal.admin.data.user_counts ({role: (active, disabled)}, counted by the database)."""
    return UserCounts(
        {role: active for role, (active, _) in counts.items()},
        {role: disabled for role, (_, disabled) in counts.items()},
    )


def health_headline(rows: Sequence[StatusRow]) -> tuple[str, str]:
    """(what to say, badge colour) for the whole platform: down wins over everything."""
    down = [r.component for r in rows if r.state == "down"]
    if down:
        return f"{len(down)} down: {', '.join(down)}", "danger"
    if not rows:
        return "No checks ran", "secondary"
    return "All running components healthy", "success"


# -- cards ---------------------------------------------------------------------------------------


def _card(title: str, body: Any, link: tuple[str, str], ident: str) -> Any:
    label, href = link
    return dbc.Card(
        [
            dbc.CardHeader(html.H2(title, className="h6 mb-0")),
            dbc.CardBody(body),
            dbc.CardFooter(dcc.Link(label, href=href, id=f"{ident}-link"), className="small"),
        ],
        className="h-100",
        id=ident,
    )


def users_card(counts: UserCounts) -> Any:
    rows = [
        html.Tr(
            [
                html.Td(role.value),
                html.Td(str(counts.active[role.value]), className="text-end"),
                html.Td(str(counts.disabled[role.value]), className="text-end"),
            ],
            id=f"admin-users-{role.value}",
        )
        for role in Role
    ]
    head = html.Thead(
        html.Tr(
            [
                html.Th("Role", scope="col"),
                html.Th("Active", scope="col", className="text-end"),
                html.Th("Disabled", scope="col", className="text-end"),
            ]
        )
    )
    summary = f"{counts.total} accounts, {counts.total_disabled} disabled."
    return _card(
        "Users",
        [
            html.P(summary, className="mb-2", id="admin-users-summary"),
            dbc.Table([head, html.Tbody(rows)], size="sm", className="mb-0"),
        ],
        ("Manage users", "/admin/users"),
        "admin-users-card",
    )


def health_card(rows: Sequence[StatusRow]) -> Any:
    headline, colour = health_headline(rows)
    items = [
        html.Li(
            [
                dbc.Badge(r.state, color=STATE_COLOURS.get(r.state, "secondary"), className="me-2"),
                r.component,
            ],
            title=r.detail,
            className="mb-1",
        )
        for r in rows
    ]
    return _card(
        "System health",
        [
            html.P(dbc.Badge(headline, color=colour, className="fs-6"), id="admin-health-headline"),
            html.Ul(items, className="list-unstyled mb-0 small", id="admin-health-list"),
        ],
        ("System details", "/admin/system"),
        "admin-health-card",
    )


def audit_card(events: Sequence[Mapping[str, Any]]) -> Any:
    if not events:
        body: Any = html.P(
            "No audit events yet: changes appear here as soon as anyone makes one.",
            className="text-body-secondary mb-0",
            id="admin-audit-empty",
        )
    else:
        head = html.Thead(
            html.Tr([html.Th(h, scope="col") for h in ("When (UTC)", "Actor", "Action", "Object")])
        )
        rows = [
            html.Tr(
                [
                    html.Td(e["when"], className="text-nowrap"),
                    html.Td(e["actor"]),
                    # The audit page holds the whole trail and its filters.
                    html.Td(dcc.Link(e["action"], href="/admin/audit")),
                    html.Td(e["object"]),
                ],
                title=e["change"],
            )
            for e in events
        ]
        body = dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-0")
    return _card(
        f"Recent activity (last {RECENT_EVENTS})",
        body,
        ("Open the audit log", "/admin/audit"),
        "admin-audit-card",
    )


def _unavailable(title: str, ident: str, exc: Exception) -> Any:
    return dbc.Alert(
        [html.Strong(f"{title}: "), f"cannot be read right now ({type(exc).__name__})."],
        color="warning",
        id=ident,
    )


def _guarded(build: Callable[[], Any], title: str, ident: str) -> Any:
    try:
        return build()
    except Exception as exc:  # one card's trouble (a database down) must not blank the page
        return _unavailable(title, ident, exc)


def dashboard(actor: Actor) -> Any:
    users = _guarded(lambda: users_card(tally(user_counts(actor))), "Users", "admin-users-card")
    health = _guarded(lambda: health_card(system_status()), "System health", "admin-health-card")
    audit = _guarded(
        lambda: audit_card(audit_rows(actor, None, None, None, RECENT_EVENTS)),
        "Recent activity",
        "admin-audit-card",
    )
    return html.Div(
        [
            dbc.Row(
                [dbc.Col(users, md=6, className="mb-3"), dbc.Col(health, md=6, className="mb-3")],
                className="g-3",
            ),
            audit,
        ]
    )


def sections() -> Any:
    return dbc.Row(
        [
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.H2(dcc.Link(title, href=href), className="h6 mb-1"),
                            html.P(text, className="small text-body-secondary mb-0"),
                        ]
                    ),
                    className="h-100",
                ),
                md=4,
                className="mb-3",
            )
            for title, href, text in SECTIONS
        ],
        className="g-3",
        id="admin-sections",
    )


@PAGE.layout
@restricted(Role.ADMIN)
def layout(actor: Actor) -> Component:
    return html.Div(
        [
            html.Div(
                [
                    html.H1("Administration", className="h3 mb-0", id="page-title"),
                    html.Span(id="admin-as-of", className="small text-body-secondary"),
                ],
                className="d-flex justify-content-between align-items-baseline mb-3",
            ),
            sections(),
            dcc.Interval(id="admin-poll", interval=REFRESH_MS),
            dcc.Loading(
                html.Div(page_placeholder("Loading the figures…"), id="admin-content"),
                delay_show=150,
                show_initially=False,  # the placeholder says so; a spinner on top jumped as it went
            ),
        ]
    )


@PAGE.callback(
    Output("admin-content", "children"),
    Output("admin-as-of", "children"),
    Input("admin-poll", "n_intervals"),
)
def _refresh(_ticks: int | None) -> tuple[Any, str]:
    actor = current_actor()
    if actor is None or not actor.is_admin:
        return None, ""
    as_of = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return dashboard(actor), f"As of {as_of} · refreshes every {REFRESH_MS // 1000} s"
