"""Form values to a service's request: the one parser every manager action goes through.

A form sends strings (and, from <input type=number>, JSON numbers); the service takes its own
pydantic request. Parsing keeps numbers exact, leaves empty fields out so the request's own
defaults apply, and reports every problem under the field it belongs to, named as the service
names it, so the form can show it next to its input.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ValidationError

from backend.platform.errors import DomainError


class FormError(Exception):
    """Problems with the form, by field name (the service's field names)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def today() -> date:
    return date.today()


def filled_in(values: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that were filled in: an empty one is left to the request's default."""
    return {k: v for k, v in values.items() if v not in (None, "")}


def exact_text(value: Any) -> Any:
    # Numbers from <input type=number> arrive as JSON numbers: keep them exact as text.
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def fraction_of_percent(value: Any) -> Any:
    """A rate typed as a percentage (2 for 2%) as the fraction the services take ("0.02"),
    exactly: the decimal point moves, nothing is rounded. Anything that is not a number is
    passed on as typed, for the request's parser to name the field."""
    text = exact_text(value)
    if text in (None, ""):
        return text
    try:
        percent = Decimal(str(text).strip())
    except InvalidOperation:
        return text
    if not percent.is_finite():
        return text
    return format(percent.scaleb(-2), "f")


def percent_of_fraction(value: Decimal) -> str:
    """A stored rate (0.020000) as the form shows it: 2."""
    return format(value.scaleb(2).normalize(), "f")


YES_NO = (("true", "Yes"), ("false", "No"))
"""A yes/no select's options, as ``flag`` reads them back."""


def flag(value: Any) -> bool:
    return str(value).lower() in {"true", "1", "yes", "on"}


def parse_request(model: type[BaseModel], data: Mapping[str, Any]) -> Any:
    """`data` as the service's `model`, or FormError naming each field that is wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors(include_url=False, include_input=False):
            name = ".".join(str(part) for part in err["loc"]) or "form"
            errors.setdefault(name, err["msg"])
        raise FormError(errors) from None


def domain_errors(exc: DomainError) -> dict[str, str]:
    """A service error, by field. The detail often starts with "field: " already."""
    name = exc.field or "form"
    detail = exc.detail
    prefix = f"{name}: "
    if detail.startswith(prefix):
        detail = detail[len(prefix) :]
    return {name: detail}


def require_pool(pool_id: int | None) -> int:
    if pool_id is None:
        raise FormError({"form": "Pick a pool first."})
    return pool_id
