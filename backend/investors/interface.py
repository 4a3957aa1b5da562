"""The investors service as its callers see it: investors, KYC, commitments and participation
(a Protocol) and the types that go in and out.

Callers import this module only. The container binds `DatabaseInvestorService` (service.py);
the gRPC client of a later issue implements the same Protocol."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from backend.investors.schemas import (
    INVESTOR_SEARCH_MAX_LENGTH,
    CommitmentCreate,
    CommitmentOut,
    CommitmentPage,
    InvestorCreate,
    InvestorOut,
    InvestorPage,
    InvestorType,
    InvestorUpdate,
    KycStatus,
    Participation,
    Position,
    SideLetterOut,
    SideLetterPage,
    SideLetterTerms,
)
from backend.platform.actors import Actor
from backend.pools.interface import DEFAULT_PAGE_SIZE

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "INVESTOR_SEARCH_MAX_LENGTH",
    "CommitmentCreate",
    "CommitmentOut",
    "CommitmentPage",
    "InvestorCreate",
    "InvestorOut",
    "InvestorPage",
    "InvestorService",
    "InvestorType",
    "InvestorUpdate",
    "KycStatus",
    "Participation",
    "Position",
    "SideLetterOut",
    "SideLetterPage",
    "SideLetterTerms",
]


class InvestorService(Protocol):
    def create_investor(self, actor: Actor, request: InvestorCreate) -> InvestorOut: ...

    def create_investors(self, actor: Actor, requests: Sequence[InvestorCreate]) -> list[InvestorOut]:
        """Many profiles in one transaction, all or none (staff only)."""

    def get_investor(self, actor: Actor, investor_id: int) -> InvestorOut: ...

    def legal_names(self, actor: Actor, investor_ids: Collection[int]) -> dict[int, str]:
        """{investor id: legal name} for the ids the actor may see, in one read (a grid's names)."""

    def list_investors(
        self,
        actor: Actor,
        *,
        kyc_status: KycStatus | None = None,
        search: str | None = None,
        cursor: int | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
    ) -> InvestorPage:
        """All profiles for staff; an investor's own profile for an investor. `search` narrows them
        by legal name or id (module docstring), in the same id order and paging."""

    def update_investor(self, actor: Actor, investor_id: int, update: InvestorUpdate) -> InvestorOut: ...

    def require_kyc_approved(self, investor_id: int) -> None:
        """For the ledger, before it takes money in: the investor must be KYC-approved. Read on the
        primary: a rejection just made must stop the money at once."""

    def kyc_status(self, investor_id: int) -> KycStatus:
        """For other services acting as the system: the investor's KYC status (NotFound naming
        `investor_id` when there is no such investor). Read on the primary."""

    def kyc_statuses(self, investor_ids: Collection[int]) -> dict[int, KycStatus]:
        """KYC status of many investors in one read (on the primary); unknown ids are absent."""

    def addressees(self, investor_ids: Collection[int]) -> dict[int, tuple[int, str]]:
        """{investor id: (user id, legal name)} of many investors in one read (system: who a
        notice goes to); unknown ids are absent."""

    def investor_for_user(self, user_id: int) -> InvestorOut | None:
        """The profile of an investor-role user, or None (system lookup: no authorisation)."""

    def phones_of_users(self, user_ids: Collection[int]) -> dict[int, str]:
        """{user id: contact phone} of the investors who have one (system: SMS notices)."""

    def create_commitment(self, actor: Actor, pool_id: int, request: CommitmentCreate) -> CommitmentOut: ...

    def create_commitments(
        self, actor: Actor, pool_id: int, requests: Sequence[CommitmentCreate]
    ) -> list[CommitmentOut]:
        """Many commitments to one pool, all or none, each checked as one alone would be."""

    def list_commitments(
        self, actor: Actor, pool_id: int, *, cursor: int | None = None, limit: int = DEFAULT_PAGE_SIZE
    ) -> CommitmentPage:
        """A pool's commitments, to whoever may see the pool; an investor sees only their own."""

    def commitments_for_pool(self, pool_id: int) -> list[tuple[int, Decimal]]:
        """(investor id, total committed) per investor, in investor id order: the ledger's basis for
        pro rata capital calls and commitment-based fees. Read on the primary, so a commitment just
        recorded is never left out of a call."""

    def has_commitments(self, pool_id: int) -> bool:
        """Whether anything was committed to the pool (then it cannot be deleted). On the primary."""

    def put_side_letter(
        self, actor: Actor, pool_id: int, investor_id: int, terms: SideLetterTerms
    ) -> SideLetterOut:
        """Record (or replace) a committed investor's own fee and carry terms in a closed-ended
        pool: the pool's managers only; audited with the terms before and after."""

    def check_side_letter(
        self, actor: Actor, pool_id: int, investor_id: int, terms: SideLetterTerms
    ) -> SideLetterOut | None:
        """Every check put_side_letter makes, writing nothing (the portal's preview); the
        investor's letter as it stands, or None."""

    def delete_side_letter(self, actor: Actor, pool_id: int, investor_id: int) -> None:
        """Withdraw a side letter (NotFound when there is none); audited."""

    def list_side_letters(self, actor: Actor, pool_id: int) -> SideLetterPage:
        """A pool's side letters to its managers; an investor's own to the investor; refused to
        analysts."""

    def side_letters_for_pool(self, pool_id: int) -> dict[int, SideLetterOut]:
        """{investor id: side letter} for the ledger's fee and distribution rules (system, primary)."""

    def side_letters_changed_at(self, pool_id: int) -> datetime | None:
        """When any of the pool's side letters last changed, withdrawals included (system)."""

    def participates(self, user_id: int, pool_id: int) -> bool:
        """Whether this user is an investor in the pool. Until the ledger exists that means a
        commitment; holding units of an open-ended pool will count too."""

    def participating_pool_ids(self, user_id: int) -> set[int]: ...

    def participation(self, actor: Actor, investor_id: int, pool_id: int) -> Participation:
        """One investor's figures in one pool, for the investor themselves or the pool's staff."""

    def holdings(self, actor: Actor, investor_id: int) -> list[Participation]:
        """The investor's participation in every pool they are in that the actor may see."""
