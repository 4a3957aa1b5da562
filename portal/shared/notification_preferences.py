"""How each kind of notice reads on a page, and the table where a person chooses which kinds
reach them in the app and by email (the notifications page, every role, shows it).

One switch per kind and channel, its id {"type": PREF, "kind": ..., "channel": ...}, so one
callback saves whichever changed. The kind and channel come from the browser, the person
never does: the service saves for the session's actor only. Formal notices are shown on and
locked, and the service refuses to switch them off whatever the browser sends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from notifications.interface import LANGUAGES, Channel, DigestFrequency, NotificationKind, PreferenceOut
from portal.context import services
from portal.formatting import DASH
from portal.shared.payments import LIVE

PREF = "notif-pref"
FLASH = "notif-pref-flash"

KIND_LABELS = {
    NotificationKind.CAPITAL_CALL: "Capital calls",
    NotificationKind.DISTRIBUTION: "Distributions",
    NotificationKind.VALUATION: "Valuations",
    NotificationKind.PAYMENT_REMINDER: "Payment reminders",
    NotificationKind.PAYMENT_RECEIVED: "Payments received",
    NotificationKind.PAYMENT_FAILED: "Payments that failed",
    NotificationKind.PAYMENT_REFUNDED: "Refunds",
    NotificationKind.BANK_DETAILS: "Bank detail changes",
    NotificationKind.STATEMENT: "Capital account statements",
    NotificationKind.UNDELIVERABLE: "Notices that could not be delivered",
    NotificationKind.REDEMPTION_SETTLED: "Redemptions paid out",
    NotificationKind.KYC_STATUS: "KYC review decisions",
    NotificationKind.NEW_DEVICE: "Sign-ins from a new device",
    NotificationKind.CONTACT_DETAILS: "Contact detail changes",
    NotificationKind.PASSWORD_RESET: "Password-reset links",
    NotificationKind.OPERATOR_ALERT: "Operator alerts (administrators)",
}
CHANNELS = {Channel.IN_APP: "In the app", Channel.EMAIL: "By email", Channel.SMS: "By text message"}
"""The table's columns, in order."""
FORMAL_NOTE = "formal notice: always sent in the app and by email"


def kind_label(kind: NotificationKind) -> str:
    return KIND_LABELS.get(kind, kind.value)


def what(kind: NotificationKind, channel: Channel) -> str:
    """ "Valuations by email": a switch's accessible name and the confirmation's subject."""
    return f"{kind_label(kind)} {CHANNELS[channel].lower()}"


def pref_id(kind: NotificationKind, channel: Channel) -> dict[str, str]:
    return {"type": PREF, "kind": kind.value, "channel": channel.value}


def _switch(choice: PreferenceOut | None, kind: NotificationKind, channel: Channel) -> Component:
    if choice is None:
        return html.Span(DASH)
    # The column header says the channel and the row header the kind; the label repeats both
    # for a screen reader that lands on the switch alone.
    switch: Component = dbc.Switch(
        id=pref_id(kind, channel),
        value=choice.enabled,
        disabled=choice.mandatory,
        label=what(kind, channel),
        label_class_name="visually-hidden",
        class_name="mb-0",
    )
    return switch


def _row(kind: NotificationKind, chosen: Mapping[Channel, PreferenceOut]) -> Component:
    formal = any(p.mandatory for p in chosen.values())
    head: list[Component] = [html.Span(kind_label(kind))]
    if formal:
        head.append(html.Div(FORMAL_NOTE, className="small text-body-secondary fw-normal"))
    return html.Tr(
        [html.Th(head, scope="row"), *(html.Td(_switch(chosen.get(c), kind, c)) for c in CHANNELS)],
        id=f"notif-pref-row-{kind.value}",
    )


def _concerns(actor: Actor, kind: NotificationKind) -> bool:
    """Whether the person has a choice about this kind: operator alerts go to administrators,
    undeliverable notices to the pools' managers; a switch for neither would only puzzle. A
    password-reset link is emailed whatever anyone chooses, and nowhere else."""
    if kind is NotificationKind.OPERATOR_ALERT:
        return actor.is_admin
    if kind is NotificationKind.UNDELIVERABLE:
        return actor.role in (Role.MANAGER, Role.ADMIN)
    # No choice to make about a password-reset link: emailed to the sign-in address only, always.
    return kind is not NotificationKind.PASSWORD_RESET


def preferences_section(actor: Actor) -> Component:
    try:
        found = services().notifications.preferences(actor)
    except DomainError as exc:  # an operator's session, or a deployment that keeps none
        none: Component = dbc.Alert(f"No preferences to choose here: {exc}", color="secondary")
        return none
    by_kind: dict[NotificationKind, dict[Channel, PreferenceOut]] = {}
    for choice in found:
        if choice.channel in CHANNELS and _concerns(actor, choice.kind):
            by_kind.setdefault(choice.kind, {})[choice.channel] = choice
    table = dbc.Table(
        [
            html.Thead(
                html.Tr(
                    [html.Th("Notice", scope="col")]
                    + [html.Th(name, scope="col") for name in CHANNELS.values()]
                )
            ),
            html.Tbody([_row(kind, chosen) for kind, chosen in by_kind.items()]),
        ],
        size="sm",
        hover=True,
        className="align-middle mb-2",
        id="notif-prefs",
    )
    return html.Div(
        [
            html.P(
                "Choose which notices you get in the app, by email and by text message (sent to the "
                "phone on your investor profile); a change is saved at once. Capital calls, "
                "distributions, statements, bank and contact detail changes are formal notices: always "
                "sent in the app and by email, as they have legal or money consequences.",
                className="small text-body-secondary",
            ),
            table,
            html.Div(id=FLASH, role="status", **LIVE),
            _digest(actor),
            _language(actor),
        ],
        style={"maxWidth": "40rem"},  # two switch columns: a full-width table spreads them apart
    )


DIGEST = "notif-digest"
DIGEST_FLASH = "notif-digest-flash"
DIGEST_WORDS = {
    DigestFrequency.OFF: "No digest: each valuation as chosen above",
    DigestFrequency.DAILY: "A daily digest (each morning, yesterday's valuations)",
    DigestFrequency.WEEKLY: "A weekly digest (on Monday mornings, last week's valuations)",
}


def _choice(
    legend: str,
    radio: str,
    flash: str,
    options: list[dict[str, str]],
    value: str,
    *notes: Any,
    inline: bool = False,
) -> Component:
    """One setting chosen among a few (the digest, the language): saved at once, said in `flash`."""
    return html.Fieldset(
        [
            html.Legend(legend, className="h6 mt-3"),
            dbc.RadioItems(id=radio, options=options, value=value, inline=inline),
            *notes,
            html.Div(id=flash, role="status", **LIVE),
        ]
    )


def _digest(actor: Actor) -> Component:
    try:
        chosen = services().notifications.digest(actor).frequency
    except DomainError:
        return html.Div()
    options = [{"label": words, "value": f.value} for f, words in DIGEST_WORDS.items()]
    return _choice("Valuation news by email", DIGEST, DIGEST_FLASH, options, chosen.value)


LANGUAGE = "notif-language"
LANGUAGE_FLASH = "notif-language-flash"
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}


def _language(actor: Actor) -> Component:
    try:
        chosen = services().notifications.language(actor).language
    except DomainError:
        return html.Div()
    options = [{"label": LANGUAGE_NAMES.get(code, code), "value": code} for code in LANGUAGES]
    note = html.Div(
        "The bell, emails and text messages from now on; documents stay in English.",
        className="small text-body-secondary",
    )
    return _choice("Language of your notices", LANGUAGE, LANGUAGE_FLASH, options, chosen, note, inline=True)


def _saved(store: Callable[[], str]) -> Component:
    """Store a choice; "Saved: <what it now is>", or why not."""
    try:
        what = store()
    except DomainError as exc:
        refused: Component = dbc.Alert(f"Not saved: {exc}", color="danger", className="py-2 small")
        return refused
    saved: Component = dbc.Alert(f"Saved: {what}", color="success", className="py-2 small", dismissable=True)
    return saved


def save_language(actor: Actor, value: Any) -> Component:
    if not isinstance(value, str):
        raise PreventUpdate

    def store() -> str:
        done = services().notifications.set_language(actor, value).language
        return f"notices in {LANGUAGE_NAMES.get(done, done)}"

    return _saved(store)


def save_digest(actor: Actor, value: Any) -> Component:
    try:
        frequency = DigestFrequency(value)
    except ValueError:
        raise PreventUpdate from None

    def store() -> str:
        done = services().notifications.set_digest(actor, frequency).frequency
        return DIGEST_WORDS[done].split(" (")[0].lower()

    return _saved(store)


def save(actor: Actor, trigger: Any, wanted: Any) -> tuple[Component, dict[tuple[str, str], bool]]:
    """Save one switch for `actor`; the message, and every (kind, channel) as it now applies."""
    if not isinstance(trigger, Mapping) or trigger.get("type") != PREF:
        raise PreventUpdate
    try:
        kind, channel = NotificationKind(trigger["kind"]), Channel(trigger["channel"])
    except (KeyError, ValueError):
        raise PreventUpdate from None
    if channel not in CHANNELS:
        raise PreventUpdate
    notifications = services().notifications
    enabled = wanted is True
    try:
        before = {(p.kind, p.channel): p.enabled for p in notifications.preferences(actor)}
        # A switch re-rendered with its own state must not store today's default as a choice:
        # it would stop following the default when that changes.
        if before.get((kind, channel)) == enabled:
            raise PreventUpdate
        done = notifications.set_preference(actor, kind, channel, enabled)
        message: Component = dbc.Alert(
            f"Saved: {what(kind, channel)} {'on' if done.enabled else 'off'}",
            color="success",
            className="py-2 small",
            dismissable=True,
        )
        now = notifications.preferences(actor)
    except DomainError as exc:
        reason = exc.detail.removeprefix(f"{exc.field}: ") if exc.field else exc.detail
        message = dbc.Alert(
            f"Not saved: {what(kind, channel)}: {reason}", color="danger", className="py-2 small"
        )
        try:
            now = notifications.preferences(actor)
        except DomainError:
            return message, {}
    return message, {(p.kind.value, p.channel.value): p.enabled for p in now}
