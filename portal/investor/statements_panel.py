"""The investor's "Statements for all my pools" card: every pool's statement for a period
in one workbook, built in a background job whose investor is the session's (see
portal/jobs/tickets.py), so a crafted request cannot build another investor's."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from portal.components.progress import download_ready, job_buttons, job_status, refused
from portal.investor.data import statement_periods
from portal.investor.jobs import generate_statements
from portal.jobs.job import Job
from portal.shared.pools import visible_pools

JOB = "investor-statements-job"


def all_statements(actor: Actor, today: date) -> Any:
    """The card that generates every pool's statement for a period into one workbook."""
    pools = visible_pools(actor).values()
    inception = min((p.inception_date for p in pools), default=today)
    periods = statement_periods(today, min(inception, today))
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    html.Span("Statements for all my pools", className="fw-semibold"),
                    html.Span("one XLSX workbook, a sheet per pool", className="small text-body-secondary"),
                ],
                className="d-flex justify-content-between",
            ),
            dbc.CardBody(
                [
                    html.Div(
                        [
                            dbc.Label(
                                "Statement period",
                                html_for="investor-statements-period",
                                className="visually-hidden",
                            ),
                            dbc.Select(
                                id="investor-statements-period",
                                options=[{"label": label, "value": query} for label, query in periods],
                                value=periods[0][1],
                                size="sm",
                                style={"width": "14rem"},
                                className="me-2",
                            ),
                            *job_buttons(JOB, "Generate statements", disabled=not pools),
                        ],
                        className="d-flex align-items-center",
                    ),
                    job_status(JOB),
                ]
            ),
        ],
        className="mt-3",
        id="investor-statements-all",
    )


def statements_job(job: Job, query: str | None) -> Any:
    """The job's result: a link to the workbook, or why there is none."""
    actor = job.actor
    if actor is None or actor.role is not Role.INVESTOR:
        return refused("Not permitted: sign in as an investor.", f"{JOB}-refused")
    try:
        prepared = generate_statements(job, actor, query or "")
    except DomainError as exc:
        return refused(f"No statements: {exc}", f"{JOB}-refused")
    if prepared is None:
        return refused("You have no holdings in that period.", f"{JOB}-refused")
    return download_ready(
        f"Download {prepared.download_name}",
        prepared.url,
        f"{JOB}-ready",
        f"{prepared.rows} pool{'s' if prepared.rows != 1 else ''}; the link works for you for an hour",
    )
