"""The controls of a background job: Start and Cancel buttons, a progress bar, the result.

Every job on the portal uses the same ids under a prefix, so a page lays out
``job_buttons(prefix, ...)`` and ``job_status(prefix)`` and declares its callback with
``**job_options(prefix)``: Dash then disables Start and enables Cancel while the job runs,
shows the bar (value, max and its "n of m" label come from the job's progress reports), hides
the previous result until the new one arrives, and sends Cancel to the job's manager.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, html

POLL_MS = 500


def ids(prefix: str) -> dict[str, str]:
    return {
        "start": f"{prefix}-start",
        "cancel": f"{prefix}-cancel",
        "running": f"{prefix}-running",
        "bar": f"{prefix}-bar",
        "result": f"{prefix}-result",
    }


def job_buttons(
    prefix: str, start_label: str, *, disabled: bool = False, color: str = "primary"
) -> list[Any]:
    i = ids(prefix)
    return [
        dbc.Button(start_label, id=i["start"], color=color, size="sm", className="me-2", disabled=disabled),
        dbc.Button("Cancel", id=i["cancel"], color="secondary", outline=True, size="sm", disabled=True),
    ]


def job_status(prefix: str) -> html.Div:
    i = ids(prefix)
    return html.Div(
        [
            html.Div(
                dbc.Progress(
                    id=i["bar"],
                    value=0,
                    max=1,
                    label="Starting…",
                    striped=True,
                    animated=True,
                    style={"height": "1.4rem"},
                ),
                id=i["running"],
                className="my-2",
                style={"display": "none"},
            ),
            html.Div(id=i["result"], className="my-2"),
        ]
    )


def job_options(prefix: str) -> dict[str, Any]:
    """The keyword arguments of the job's ``dash.callback``: background, progress, running, cancel."""
    i = ids(prefix)
    return {
        "background": True,
        "prevent_initial_call": True,
        "interval": POLL_MS,
        "progress": [Output(i["bar"], "value"), Output(i["bar"], "max"), Output(i["bar"], "label")],
        "progress_default": [0, 1, "Starting…"],
        "running": [
            (Output(i["start"], "disabled"), True, False),
            (Output(i["cancel"], "disabled"), False, True),
            (Output(i["running"], "style"), {"display": "block"}, {"display": "none"}),
            (Output(i["result"], "style"), {"display": "none"}, {"display": "block"}),
        ],
        "cancel": [Input(i["cancel"], "n_clicks")],
    }


def refused(message: str, ident: str) -> Any:
    return dbc.Alert(message, color="warning", id=ident, className="mb-0 py-2")


def download_ready(text: str, url: str, ident: str, note: str = "") -> Any:
    return dbc.Alert(
        [
            html.A(text, href=url, id=f"{ident}-link", className="alert-link"),
            html.Span(f" · {note}" if note else "", className="small"),
        ],
        color="success",
        id=ident,
        className="mb-0 py-2",
    )
