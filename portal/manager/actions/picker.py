"""The investor picker of the manager's forms: whom each form may name, searched on the server.

A book of tens of thousands of investors never travels to the browser: a picker starts with
the first PICKER_LIMIT investors the form may name and, as the manager types, the callback
(portal/manager/actions/callbacks.py) asks the investor service for the matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backend.investors.interface import KycStatus
from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from portal.components.forms import Field
from portal.context import services

PICKER_LIMIT = 50
"""Investors a picker offers at a time: the first page, then the matches for what is typed."""


@dataclass(frozen=True)
class Picker:
    """Whom one form's investor picker offers (the service checks the choice again on posting)."""

    kyc_status: KycStatus | None = None
    holders_only: bool = False
    """A redemption names only the pool's unit holders."""
    on_a_pool: bool = True
    """Offered on a pool's page, to that pool's managers only."""


PICKERS: dict[str, Picker] = {
    "subscription": Picker(KycStatus.APPROVED),
    "commitment": Picker(KycStatus.APPROVED),
    "redemption": Picker(holders_only=True),
    "kyc": Picker(KycStatus.PENDING, on_a_pool=False),
}


def investor_label(investor_id: int, legal_name: str) -> str:
    return f"{legal_name} (#{investor_id})"


def first_investors(actor: Actor, status: KycStatus | None) -> list[tuple[str, str]]:
    """(value, label) of the first page of investors, for a picker before anything is typed."""
    page = services().investors.list_investors(actor, kyc_status=status, limit=PICKER_LIMIT)
    return [(str(i.id), investor_label(i.id, i.legal_name)) for i in page.items]


def pool_holders(actor: Actor, pool_id: int) -> list[tuple[int, str]]:
    """(investor id, legal name) of the pool's unit holders, in id order, named in one read."""
    positions = services().transactions.pool_positions(actor, pool_id).positions
    held = sorted(p.investor_id for p in positions if p.units > 0)
    names = services().investors.legal_names(actor, held)
    return [(i, names.get(i, "investor")) for i in held]


def holder_matches(search: str, investor_id: int, legal_name: str) -> bool:
    """The investor service's search rule, for a pool's holders already in hand: part of the
    legal name in any case; "#123" is that id only; bare digits are the id or a name's digits."""
    text = search.strip()
    if not text:
        return True
    if text.startswith("#") and text[1:].strip().isdigit():
        return investor_id == int(text[1:].strip())
    if text.isdigit() and investor_id == int(text):
        return True
    return text.casefold() in legal_name.casefold()


def _may_pick(actor: Actor, picker: Picker, pool_id: int | None) -> bool:
    if not (actor.is_admin or actor.role is Role.MANAGER):
        return False
    if not picker.on_a_pool:
        return True
    return pool_id is not None and services().pools.can_manage(actor, pool_id)


def investor_options(
    actor: Actor, action: str, pool_id: int | None, search: str, selected: Any = None
) -> list[dict[str, str]]:
    """The picker's options for what the manager typed: at most PICKER_LIMIT matches, the
    chosen investor kept among them (a dropdown drops a value missing from its options).
    Nothing for someone who may not act on the pool, and nothing for a search the service refuses."""
    picker = PICKERS.get(action)
    if picker is None:
        return []
    try:
        if not _may_pick(actor, picker, pool_id):
            return []
        if picker.holders_only and pool_id is not None:
            found = [h for h in pool_holders(actor, pool_id) if holder_matches(search, *h)][:PICKER_LIMIT]
        else:
            page = services().investors.list_investors(
                actor, kyc_status=picker.kyc_status, search=search, limit=PICKER_LIMIT
            )
            found = [(i.id, i.legal_name) for i in page.items]
        chosen = int(selected) if str(selected or "").isdigit() else None
        if chosen is not None and all(i != chosen for i, _ in found):
            named = services().investors.legal_names(actor, [chosen])  # only one this actor may see
            found = [(chosen, named[chosen]), *found] if chosen in named else found
    except DomainError:
        return []
    return [{"label": investor_label(i, name), "value": str(i)} for i, name in found]


def investor_field(options: Sequence[tuple[str, str]], help: str, label: str = "Investor") -> Field:
    more = f" The first {PICKER_LIMIT} are listed; type part of a name or #id to find others."
    return Field("investor_id", label, "investor", options, required=True, help=help + more)
