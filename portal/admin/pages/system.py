"""System (admin): database primary and replicas with lag, cache, broker, Celery, outbox; and
"Recompute analytics" for every pool, a background job with progress and Cancel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from dash.development.base_component import Component

from backend.platform.actors import Actor, Role
from portal.admin.data import StatusRow, system_status
from portal.components.progress import job_buttons, job_options, job_status
from portal.jobs.job import Job
from portal.jobs.recompute import recompute_job, recompute_panel_note
from portal.page_registry import Page
from portal.shell.access import restricted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/admin/system", name="System")

JOB = "system-recompute"

COLOURS = {"ok": "success", "down": "danger", "not configured": "secondary"}


def status_table(rows: list[StatusRow]) -> Any:
    body = [
        html.Tr(
            [
                html.Td(r.component),
                html.Td(dbc.Badge(r.state, color=COLOURS.get(r.state, "secondary"))),
                html.Td(r.detail, className="small"),
            ],
            id=f"status-{r.component.replace(' ', '-')}",
        )
        for r in rows
    ]
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in ("Component", "State", "Detail")]))
    return dbc.Table([head, html.Tbody(body)], hover=True, size="sm", responsive=True, id="system-status")


@PAGE.layout
@restricted(Role.ADMIN)
def layout(actor: Actor) -> Component:
    return html.Div(
        [
            html.Div(
                [
                    html.H1("System", className="h3 mb-0", id="page-title"),
                    html.Span(id="system-checked", className="small text-body-secondary"),
                ],
                className="d-flex justify-content-between align-items-baseline mb-3",
            ),
            dcc.Interval(id="system-poll", interval=10_000),
            dcc.Loading(html.Div(id="system-content"), delay_show=300),
            dbc.Card(
                [
                    dbc.CardHeader("Analytics snapshots", className="fw-semibold"),
                    dbc.CardBody(
                        [
                            html.Div(
                                [
                                    *job_buttons(JOB, "Recompute analytics"),
                                    html.Span(
                                        recompute_panel_note(Role.ADMIN),
                                        className="small text-body-secondary ms-2",
                                    ),
                                ],
                                className="d-flex align-items-center",
                            ),
                            job_status(JOB),
                        ]
                    ),
                ],
                className="mt-3",
                id="system-recompute-panel",
            ),
        ]
    )


@PAGE.callback(
    Output("system-content", "children"),
    Output("system-checked", "children"),
    Input("system-poll", "n_intervals"),
)
def _refresh(_ticks: int | None) -> tuple[Any, str]:
    actor = current_actor()
    if actor is None or not actor.is_admin:
        return None, ""
    checked = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return dbc.Card(dbc.CardBody(status_table(system_status()))), f"Checked {checked} · every 10 s"


@PAGE.callback(Output(f"{JOB}-result", "children"), Input(f"{JOB}-start", "n_clicks"), **job_options(JOB))
def _recompute(job: Job, _clicks: int | None) -> Any:
    return recompute_job(job, Role.ADMIN, JOB)
