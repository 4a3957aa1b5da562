"""Investors and commitments over REST: profiles (KYC status by staff only), commitments and
side letters.

Every decision about who may do what is the investor service's; these handlers only
translate HTTP to its methods (and service page ids to opaque cursors).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from backend.api.pagination import Page, PageQuery, encode_cursor
from backend.api.routing import ApiRouter
from backend.investors.interface import (
    INVESTOR_SEARCH_MAX_LENGTH,
    CommitmentCreate,
    CommitmentOut,
    InvestorCreate,
    InvestorOut,
    InvestorUpdate,
    KycStatus,
    SideLetterOut,
    SideLetterPage,
    SideLetterTerms,
)
from backend.platform.actors import Actor
from backend.service_directory import Services


class InvestorPageOut(Page[InvestorOut]):
    """One page of investor profiles in id order."""


class InvestorListQuery(PageQuery):
    kyc_status: KycStatus | None = Field(default=None, description="Only investors with this KYC status.")
    # The bound sits on the inner type so the OpenAPI parameter, built from the annotation, shows it.
    search: Annotated[str, StringConstraints(max_length=INVESTOR_SEARCH_MAX_LENGTH)] | None = Field(
        default=None,
        description='Part of the legal name, in any case; "#123" is investor 123, and bare digits '
        "match that id as well as names containing them.",
        examples=["harbour", "#123"],
    )


class CommitmentPageOut(Page[CommitmentOut]):
    """One page of a pool's commitments in id order."""


def register(router: ApiRouter, container: Services) -> None:
    @router.operation(
        "GET",
        "/investors",
        summary="Investor profiles (all for staff; your own for an investor)",
        tag="investors",
        query=InvestorListQuery,
        response=InvestorPageOut,
    )
    def list_investors(actor: Actor, query: InvestorListQuery) -> InvestorPageOut:
        page = container.investors.list_investors(
            actor,
            kyc_status=query.kyc_status,
            search=query.search,
            cursor=query.after_id(),
            limit=query.limit,
        )
        return InvestorPageOut(items=page.items, next_cursor=encode_cursor(page.next_cursor))

    @router.operation(
        "POST",
        "/investors",
        summary="Create an investor profile (manager or admin)",
        tag="investors",
        body=InvestorCreate,
        response=InvestorOut,
        status=201,
        errors=(409,),
    )
    def create_investor(actor: Actor, body: InvestorCreate) -> InvestorOut:
        return container.investors.create_investor(actor, body)

    @router.operation(
        "GET",
        "/investors/{investor_id}",
        summary="One investor profile",
        tag="investors",
        response=InvestorOut,
        errors=(404,),
    )
    def get_investor(actor: Actor, investor_id: int) -> InvestorOut:
        return container.investors.get_investor(actor, investor_id)

    @router.operation(
        "PATCH",
        "/investors/{investor_id}",
        summary="Change a profile (an investor: contact details only; kyc_status: manager or admin)",
        tag="investors",
        body=InvestorUpdate,
        response=InvestorOut,
        errors=(404,),
    )
    def update_investor(actor: Actor, investor_id: int, body: InvestorUpdate) -> InvestorOut:
        return container.investors.update_investor(actor, investor_id, body)

    @router.operation(
        "POST",
        "/pools/{pool_id}/commitments",
        summary="Record a KYC-approved investor's commitment to a closed-ended pool",
        tag="commitments",
        body=CommitmentCreate,
        response=CommitmentOut,
        status=201,
        errors=(404, 409),
    )
    def create_commitment(actor: Actor, pool_id: int, body: CommitmentCreate) -> CommitmentOut:
        return container.investors.create_commitment(actor, pool_id, body)

    @router.operation(
        "GET",
        "/pools/{pool_id}/commitments",
        summary="A pool's commitments (an investor sees only their own)",
        tag="commitments",
        query=PageQuery,
        response=CommitmentPageOut,
        errors=(404,),
    )
    def list_commitments(actor: Actor, pool_id: int, query: PageQuery) -> CommitmentPageOut:
        page = container.investors.list_commitments(
            actor, pool_id, cursor=query.after_id(), limit=query.limit
        )
        return CommitmentPageOut(items=page.items, next_cursor=encode_cursor(page.next_cursor))

    @router.operation(
        "PUT",
        "/pools/{pool_id}/side-letters/{investor_id}",
        summary="Record or replace a committed investor's side letter (own fee and carry terms)",
        tag="commitments",
        body=SideLetterTerms,
        response=SideLetterOut,
        errors=(403, 404, 409),
    )
    def put_side_letter(actor: Actor, pool_id: int, investor_id: int, body: SideLetterTerms) -> SideLetterOut:
        return container.investors.put_side_letter(actor, pool_id, investor_id, body)

    @router.operation(
        "DELETE",
        "/pools/{pool_id}/side-letters/{investor_id}",
        summary="Withdraw an investor's side letter: the pool's terms apply to them again",
        tag="commitments",
        status=204,
        errors=(403, 404, 409),
    )
    def delete_side_letter(actor: Actor, pool_id: int, investor_id: int) -> None:
        container.investors.delete_side_letter(actor, pool_id, investor_id)

    @router.operation(
        "GET",
        "/pools/{pool_id}/side-letters",
        summary="A pool's side letters (its managers); an investor sees only their own",
        tag="commitments",
        response=SideLetterPage,
        errors=(403, 404),
    )
    def list_side_letters(actor: Actor, pool_id: int) -> SideLetterPage:
        return container.investors.list_side_letters(actor, pool_id)
