"""What every manager action family provides: parse the form, preview the effect, post it.

A family module (capital call, distribution, valuation, ...) builds one `Action` from its
three functions; portal/manager/actions/callbacks.py looks actions up by the name the form
carries in its component ids.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dash.development.base_component import Component

from backend.platform.actors import Actor
from backend.platform.errors import DomainError
from portal.manager.actions.parsing import domain_errors


@dataclass(frozen=True)
class Previewed:
    """A preview that found values far from the usual (a 7% management fee, NAV halved in a
    day): each concern is a question the manager answers with "Post anyway" before Confirm
    is enabled. Not a rule -- the service takes these values -- a second look at a likely typo."""

    panel: Component
    concerns: Sequence[str] = ()


@dataclass(frozen=True)
class Action:
    name: str
    parse: Callable[[Mapping[str, Any]], Any]
    preview: Callable[[Actor, int | None, Any], Component | Previewed]
    post: Callable[[Actor, int | None, Any, str], Component]
    aliases: Mapping[str, str] = field(default_factory=dict)
    """The service's field name -> this form's, where they differ."""

    def errors(self, exc: DomainError) -> dict[str, str]:
        return {self.aliases.get(k, k): v for k, v in domain_errors(exc).items()}
