"""Labelled form fields whose ids the action callbacks find by pattern.

Each field is {"type": "af", "action": <action>, "field": <service field name>}: the field is
named as the service names it, so a ValidationFailed(field=...) lands next to its input.

An "investor" field is a searchable dropdown: it starts with a first page of investors, and
a callback (portal/manager/actions/callbacks.py) refills its options from the investor
service as the manager types, so a book of tens of thousands of investors never travels to
the browser.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

FIELD = "af"
ERROR = "af-err"
PREVIEW = "af-preview"
CONFIRM = "af-confirm"
PANEL = "af-panel"
PENDING = "af-pending"
RESULT = "af-result"
_LIVE: dict[str, Any] = {"aria-live": "polite"}
DONE = "af-done"
ACK = "af-ack"
"""A "Post anyway" tick under a preview that found an unusual value: {"type": ACK, "action": a,
"check": n}; Confirm stays disabled until every one is ticked."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, number, date, select, textarea, investor, hidden
    options: Sequence[tuple[str, str]] = ()
    default: Any = None
    help: str = ""
    required: bool = False
    step: str = "any"
    disabled: bool = False
    group: str = ""
    """Fields that belong together (one share class's terms): consecutive fields with the same
    group sit in a bordered set under it as a legend, in narrower columns."""


@dataclass(frozen=True)
class FormSpec:
    action: str
    title: str
    fields: Sequence[Field]
    submit: str = "Preview"
    intro: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def field_id(action: str, name: str) -> dict[str, str]:
    return {"type": FIELD, "action": action, "field": name}


def dom_id(ident: dict[str, str]) -> str:
    """The id Dash writes into the DOM for a pattern id (keys sorted, compact JSON), so a
    <label for=...> points at its input for screen readers and keyboard users."""
    return json.dumps(ident, sort_keys=True, separators=(",", ":"))


INVESTOR_LABELS = dcc.Dropdown.Labels(
    search="Name or #id",
    no_options_found="No investor matches: try part of the legal name, or #id.",
    clear_search="Clear the search",
    clear_selection="Clear the investor",
    select_all="Select all",
    deselect_all="Deselect all",
    selected_count="{num_selected} selected",
)


def _input(action: str, spec: Field) -> Any:
    ident = field_id(action, spec.name)
    common: dict[str, Any] = {"id": ident, "value": spec.default}
    if spec.disabled:
        common["disabled"] = True
    if spec.kind == "investor":
        # The dropdown's button carries the id, so the <label for> below still names it; its
        # placeholder repeats the label because the button also reads out its shown value.
        return dcc.Dropdown(
            options=[{"label": label, "value": value} for value, label in spec.options],
            searchable=True,
            clearable=True,
            placeholder=f"{spec.label}: type a name or #id",
            labels=INVESTOR_LABELS,
            maxHeight=320,
            className="af-investor",
            **common,
        )
    if spec.kind == "hidden":
        return dbc.Input(type="hidden", **common)
    if spec.kind == "select":
        return dbc.Select(
            options=[{"label": label, "value": value} for value, label in spec.options],
            required=spec.required,
            **common,
        )
    if spec.kind == "textarea":
        return dbc.Textarea(rows=2, **common)
    # No debounce: the value reaches the browser's state as it is typed, so Preview reads
    # what the field shows even while it still has the focus (nothing is sent until Preview).
    return dbc.Input(
        type=spec.kind,
        debounce=False,
        required=spec.required,
        step=spec.step if spec.kind == "number" else None,
        **common,
    )


def field_row(action: str, spec: Field, *, compact: bool = False) -> Any:
    if spec.kind == "hidden":
        # Still a field (its value travels with the others) with an error slot, as the action
        # callback's outputs expect one per field; neither is shown.
        return html.Div(
            [
                _input(action, spec),
                html.Div(id={"type": ERROR, "action": action, "field": spec.name}),
            ],
            className="d-none",
        )
    label = spec.label + (" *" if spec.required else "")
    children: list[Component] = [
        dbc.Label(label, className="small fw-semibold mb-1", html_for=dom_id(field_id(action, spec.name))),
        _input(action, spec),
        html.Div(
            id={"type": ERROR, "action": action, "field": spec.name}, className="invalid-feedback d-block"
        ),
    ]
    if spec.help:
        children.append(html.Div(spec.help, className="form-text"))
    if compact:
        return dbc.Col(html.Div(children, className="mb-2"), md=4, lg=3)
    return dbc.Col(html.Div(children, className="mb-3"), md=6, lg=4)


def field_rows(action: str, fields: Sequence[Field]) -> list[Component]:
    """The fields in order; a run of fields with a group is a fieldset of its own, so a reader
    (and a screen reader) sees which code, fee and minimum belong to which class."""
    out: list[Component] = []
    for group, run in itertools.groupby(fields, key=lambda f: f.group):
        if not group:
            out.append(dbc.Row([field_row(action, f) for f in run]))
            continue
        out.append(
            html.Fieldset(
                [
                    html.Legend(group, className="small fw-semibold mb-1 float-none w-auto px-1"),
                    dbc.Row([field_row(action, f, compact=True) for f in run]),
                ],
                className="border rounded px-3 pt-1 mb-3",
            )
        )
    return out


def action_form(spec: FormSpec) -> Any:
    """The form, its preview button, the confirmation panel and the confirm button."""
    a = spec.action
    return dbc.Card(
        [
            dbc.CardHeader(html.H2(spec.title, className="h6 mb-0")),
            dbc.CardBody(
                [
                    html.P(spec.intro, className="small text-body-secondary") if spec.intro else None,
                    *field_rows(a, spec.fields),
                    dbc.Button(
                        spec.submit, id={"type": PREVIEW, "action": a}, color="secondary", className="me-2"
                    ),
                    html.Div(
                        id={"type": PANEL, "action": a},
                        className="mt-3",
                        role="region",
                        **_LIVE,
                    ),
                    dbc.Button(
                        "Confirm and post",
                        id={"type": CONFIRM, "action": a},
                        color="primary",
                        disabled=True,
                        className="mt-2",
                    ),
                    html.Div(id={"type": RESULT, "action": a}, className="mt-3", **_LIVE),
                    _store(a),
                ]
            ),
        ],
        className="mb-4",
        id=f"form-{a}",
    )


def _store(action: str) -> Component:
    return html.Div(
        [
            dcc.Store(id={"type": PENDING, "action": action}, data=None),
            dcc.Store(id={"type": DONE, "action": action}, data=None),
        ]
    )
