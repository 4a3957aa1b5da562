"""A pool's share classes in the settings and new-pool forms: a few rows of class terms, read
back into the pool service's ShareClassTerms, with its refusals shown under the row they name.

Each row's fields are named ``share_classes.<row>.<term>``. The service numbers classes by
their place in the list it is sent, which skips empty and removed rows, so every parse keeps
which form row each class came from (``ClassRows.rows``) to put the service's words back under
the right field, naming the class.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from backend.platform.errors import DomainError
from backend.pools.interface import ShareClassTerms
from portal.components.forms import Field
from portal.formatting import money, number
from portal.manager.actions.parsing import (
    FormError,
    domain_errors,
    exact_text,
    flag,
    fraction_of_percent,
    percent_of_fraction,
)

PREFIX = "share_classes"
REMOVE = "remove"
NEW_ROWS = 2
"""Empty rows offered under the classes a pool has: more are added by saving and editing again."""
MOST = 20
"""The pool service's limit on classes (PoolSettings.share_classes' max_length)."""
CLASS_LABELS: dict[str, str] = {
    "class_id": "Code",
    "name": "Name",
    "currency": "Currency",
    "hedged": "Currency hedged",
    "management_fee_rate": "Management fee (% p.a.)",
    "performance_fee_rate": "Performance fee (% of gains)",
    "performance_fee_crystallisation": "Performance fee crystallises",
    "performance_fee_on_redemption": "Fee on a leaver's own gain",
    "minimum_subscription": "Minimum first subscription",
    "minimum_subsequent_subscription": "Minimum top-up",
    "initial_nav_per_unit": "Launch NAV per unit",
}
"""The terms a row shows, in order. Terms it does not show (e.g. when the class's fee
crystallises) are kept from the class as it was, so an edit never drops them."""
RATES = ("management_fee_rate", "performance_fee_rate")
CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "hedged": (("false", "No"), ("true", "Yes")),
    "performance_fee_crystallisation": (
        ("", "Whenever charged"),
        ("monthly", "Monthly"),
        ("quarterly", "Quarterly"),
        ("annually", "Annually"),
    ),
    "performance_fee_on_redemption": (("true", "Taken at redemption"), ("false", "Not taken")),
}
"""The terms chosen from a list; the first choice is the term's default."""
FLAGS = ("hedged", "performance_fee_on_redemption")
UNUSUAL: dict[str, tuple[Decimal, str]] = {
    "management_fee_rate": (Decimal("0.05"), "management fee {} p.a."),
    "performance_fee_rate": (Decimal("0.30"), "performance fee {}"),
}
CODE_RULE = "up to 16 letters, digits, '.', '_' or '-', starting with a letter or digit"
_SERVICE_FIELD = re.compile(r"^share_classes\[(\d+)\](?:\.(\w+))?$")
_YES_REMOVE = (("false", "Keep"), ("true", "Remove"))


def field_name(row: int, term: str) -> str:
    return f"{PREFIX}.{row}.{term}"


@dataclass(frozen=True)
class ClassRows:
    """The classes the form sends, in order, and the form row each one came from."""

    classes: list[ShareClassTerms]
    rows: tuple[int, ...]


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def _form_value(term: str, value: Any) -> Any:
    if value is None:
        return "" if term in CHOICES else None
    if term in FLAGS:
        return "true" if value else "false"
    if term in RATES:
        return percent_of_fraction(value)
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def class_fields(classes: Sequence[ShareClassTerms], *, fixed: bool, new_pool: bool = False) -> list[Field]:
    """A row per class, prefilled, then NEW_ROWS empty rows for new classes. `fixed`: the pool
    has entries, so a class's code stays and it cannot be removed (holdings name it)."""
    fields: list[Field] = []
    rows = min(len(classes) + NEW_ROWS, MOST)
    for row in range(rows):
        current = classes[row] if row < len(classes) else None
        if current is not None:
            group = f"Share class {current.class_id}" + (f" — {current.name}" if current.name else "")
        else:
            group = "New share class" + (" (open-ended pools only)" if new_pool else "")
        for term, label in CLASS_LABELS.items():
            extra = _term_extra(term, new=current is None, fixed=fixed)
            value = _form_value(term, getattr(current, term)) if current is not None else None
            if term in CHOICES and value is None:
                value = CHOICES[term][0][0]
            fields.append(
                Field(
                    field_name(row, term),
                    label,
                    _kind(term),
                    CHOICES.get(term, ()),
                    default=value,
                    group=group,
                    **extra,
                )
            )
        if current is not None:
            fields.append(
                Field(
                    field_name(row, REMOVE),
                    "Keep or remove",
                    "select",
                    _YES_REMOVE,
                    default="false",
                    group=group,
                    disabled=fixed,
                    help="Kept: holdings and marks name it." if fixed else "",
                )
            )
    return fields


_HELP = {
    "management_fee_rate": "In percent: 1.5 is 1.5%.",
    "performance_fee_rate": "In percent: 1.5 is 1.5%.",
    "initial_nav_per_unit": "Empty: the pool's launch NAV per unit.",
    "currency": "ISO code it deals in, e.g. EUR. Empty: the pool's.",
}
_FIXED_ONCE_BOOKED = ("class_id", "currency", "hedged")
"""What holdings and past prices name: a class's code, currency and hedging."""


def _term_extra(term: str, *, new: bool, fixed: bool) -> dict[str, Any]:
    if term == "class_id" and new:
        return {"help": "e.g. A or I-EUR. A row left empty adds no class."}
    if term in _FIXED_ONCE_BOOKED and fixed and not new:
        return {"disabled": True, "help": "Fixed: the pool has entries in its books."}
    return {"help": _HELP[term]} if term in _HELP else {}


def _kind(term: str) -> str:
    if term in CHOICES:
        return "select"
    return "text" if term in ("class_id", "name", "currency") else "number"


def _typed(v: Mapping[str, Any], row: int, term: str) -> Any:
    raw = exact_text(v.get(field_name(row, term)))
    if term in RATES:
        raw = fraction_of_percent(raw)
    if term in FLAGS and raw not in (None, ""):
        return flag(raw)
    return raw.strip() if isinstance(raw, str) else raw


def parse_classes(v: Mapping[str, Any], before: Sequence[ShareClassTerms]) -> ClassRows | None:
    """The classes the form's rows describe, or None when the form has no class rows (its
    classes then stay as they are). Row n < len(before) edits before[n]; an empty new row is
    no class; a removed row is left out."""
    rows = sorted({int(k.split(".")[1]) for k in v if k.startswith(f"{PREFIX}.") and k.count(".") == 2})
    if not rows:
        return None
    classes: list[ShareClassTerms] = []
    kept: list[int] = []
    errors: dict[str, str] = {}
    for row in rows:
        current = before[row] if row < len(before) else None
        if current is not None and flag(v.get(field_name(row, REMOVE), "false")):
            continue
        typed = {term: _typed(v, row, term) for term in CLASS_LABELS}
        # A new row's lists always have a choice made: only what is typed makes it a class.
        if current is None and all(typed[t] in (None, "") for t in typed if t not in CHOICES):
            continue
        data: dict[str, Any] = current.model_dump() if current is not None else {}
        for term, value in typed.items():
            if value not in (None, ""):
                data[term] = value
            elif term == "class_id":
                data.pop(term, None)
            else:  # emptied: the term's own default (no fee, no minimum, the pool's price)
                data[term] = ShareClassTerms.model_fields[term].default
        code = typed["class_id"] or f"in row {row + 1}"
        if not typed["class_id"]:
            errors[field_name(row, "class_id")] = f"Class {code}: give the class a code, e.g. A or I-EUR."
            continue
        try:
            classes.append(ShareClassTerms.model_validate(data))
        except ValidationError as exc:
            for err in exc.errors(include_url=False, include_input=False):
                term = str(err["loc"][0]) if err["loc"] else "class_id"
                label = CLASS_LABELS.get(term, term.replace("_", " ")).lower()
                name = field_name(row, term) if term in CLASS_LABELS else "form"
                says = CODE_RULE if term == "class_id" else err["msg"]
                errors.setdefault(name, f"Class {code}, {label}: {says}")
            continue
        kept.append(row)
    if errors:
        raise FormError(errors)
    return ClassRows(classes, tuple(kept))


def class_problems(
    exc: DomainError, classes: Sequence[ShareClassTerms], rows: Sequence[int]
) -> dict[str, str]:
    """The service's refusal of the classes sent, under the form row it names, with the class
    and the term in its words; a refusal of the classes as a whole is the form's."""
    detail = next(iter(domain_errors(exc).values()))
    found = _SERVICE_FIELD.match(exc.field or "")
    if found is None:
        return {"form": f"Share classes: {detail}"}
    index, term = int(found[1]), found[2] or "class_id"
    code = classes[index].class_id if index < len(classes) else str(index + 1)
    label = CLASS_LABELS.get(term, term.replace("_", " ")).lower()
    shown = f"Class {code}, {label}: {detail}"
    if index < len(rows) and term in CLASS_LABELS:
        return {field_name(rows[index], term): shown}
    return {"form": shown}


@contextmanager
def class_errors(classes: Sequence[ShareClassTerms], rows: Sequence[int]) -> Iterator[None]:
    """Within: a service refusal naming the share classes becomes the form's, under its row."""
    try:
        yield
    except DomainError as exc:
        if not (exc.field or "").startswith(PREFIX):
            raise
        raise FormError(class_problems(exc, classes, rows)) from None


def class_text(c: ShareClassTerms, currency: str) -> str:
    """ "A — Retail: 1.5% p.a. / 20% of gains, from $1,000.00 (top-ups $100.00), launched at ..." """
    named = f"{c.class_id} — {c.name}" if c.name else c.class_id
    launch = "the pool's" if c.initial_nav_per_unit is None else number(c.initial_nav_per_unit, 6)
    dealt = c.currency or currency
    in_currency = "" if dealt == currency else f" in {dealt}" + (", hedged" if c.hedged else ", unhedged")
    return (
        f"{named}{in_currency}: {_percent(c.management_fee_rate)} p.a. / {_percent(c.performance_fee_rate)} "
        f"of gains, from {money(c.minimum_subscription, dealt)} "
        f"(top-ups {money(c.minimum_subsequent_subscription, dealt)}), launch NAV per unit {launch}"
    )


def _term_text(term: str, value: Any, currency: str) -> str:
    if value is None:
        return "the pool's" if term == "initial_nav_per_unit" else "none"
    if term in RATES:
        return _percent(value)
    if term.startswith("minimum"):
        return money(value, currency)
    if isinstance(value, Decimal):
        return number(value, 6)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(getattr(value, "value", value)) or "none"


def class_changes(
    before: Sequence[ShareClassTerms], after: Sequence[ShareClassTerms], currency: str
) -> list[tuple[str, str, str]]:
    """(what, now, after): a class added or removed is one row, a class edited a row per term."""
    old = {c.class_id: c for c in before}
    new = {c.class_id: c for c in after}
    rows: list[tuple[str, str, str]] = []
    for code in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(code), new.get(code)
        if a is None and b is not None:
            rows.append((f"Share class {code}", "none", class_text(b, currency)))
        elif b is None and a is not None:
            rows.append((f"Share class {code}", class_text(a, currency), "removed"))
        elif a is not None and b is not None:
            for term in ShareClassTerms.model_fields:
                x, y = getattr(a, term), getattr(b, term)
                if x != y:
                    label = CLASS_LABELS.get(term, term.replace("_", " ").capitalize())
                    rows.append(
                        (
                            f"Class {code}: {label}",
                            _term_text(term, x, currency),
                            _term_text(term, y, currency),
                        )
                    )
    return rows


def unusual_class_rates(classes: Sequence[ShareClassTerms]) -> list[str]:
    """A question for each class rate far above the market's usual (a likely typo)."""
    asked: list[str] = []
    for c in classes:
        for term, (ceiling, wording) in UNUSUAL.items():
            rate: Decimal = getattr(c, term)
            if rate > ceiling:
                shown = f"{rate * 100:.2f}%"
                asked.append(f"Class {c.class_id}'s {wording.format(shown)} is unusually high. Post anyway?")
    return asked
