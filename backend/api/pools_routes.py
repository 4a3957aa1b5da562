"""Pools over REST: create, list, read, change settings, close, liquidate, delete, and the
pool's team (co-managers, analysts with read access).

Every decision about who may do what is the pool service's; these handlers only translate
HTTP to its methods (and service page ids to opaque cursors).
"""

from __future__ import annotations

from pydantic import Field

from backend.api.pagination import Page, PageQuery, encode_cursor
from backend.api.routing import ApiRouter
from backend.platform.actors import Actor
from backend.pools.interface import (
    AnalystGrantOut,
    PoolCreate,
    PoolKind,
    PoolOut,
    PoolStatus,
    PoolTeamOut,
    PoolUpdate,
    UserRef,
)
from backend.service_directory import Services


class PoolPageOut(Page[PoolOut]):
    """One page of pools in id order."""


class PoolListQuery(PageQuery):
    status: PoolStatus | None = Field(default=None, description="Only pools with this status.")
    kind: PoolKind | None = Field(default=None, description="Only pools of this kind.")


def register(router: ApiRouter, container: Services) -> None:
    @router.operation(
        "GET",
        "/pools",
        summary="The pools the caller may see",
        tag="pools",
        query=PoolListQuery,
        response=PoolPageOut,
    )
    def list_pools(actor: Actor, query: PoolListQuery) -> PoolPageOut:
        page = container.pools.list_pools(
            actor, status=query.status, kind=query.kind, cursor=query.after_id(), limit=query.limit
        )
        return PoolPageOut(items=page.items, next_cursor=encode_cursor(page.next_cursor))

    @router.operation(
        "POST",
        "/pools",
        summary="Create a pool (manager or admin)",
        tag="pools",
        body=PoolCreate,
        response=PoolOut,
        status=201,
    )
    def create_pool(actor: Actor, body: PoolCreate) -> PoolOut:
        return container.pools.create_pool(actor, body)

    @router.operation(
        "GET",
        "/pools/{pool_id}",
        summary="One pool and its terms",
        tag="pools",
        response=PoolOut,
        errors=(404,),
    )
    def get_pool(actor: Actor, pool_id: int) -> PoolOut:
        return container.pools.get_pool(actor, pool_id)

    @router.operation(
        "PATCH",
        "/pools/{pool_id}",
        summary="Change a pool's settings (its managers or an admin)",
        tag="pools",
        body=PoolUpdate,
        response=PoolOut,
        errors=(404, 409),
    )
    def update_pool(actor: Actor, pool_id: int, body: PoolUpdate) -> PoolOut:
        return container.pools.update_pool(actor, pool_id, body)

    @router.operation(
        "DELETE",
        "/pools/{pool_id}",
        summary="Delete a pool that has nothing booked; otherwise close it",
        tag="pools",
        status=204,
        errors=(404, 409),
    )
    def delete_pool(actor: Actor, pool_id: int) -> None:
        container.pools.delete_pool(actor, pool_id)

    @router.operation(
        "POST",
        "/pools/{pool_id}/close",
        summary="Close a pool to new money",
        tag="pools",
        response=PoolOut,
        errors=(404, 409),
    )
    def close_pool(actor: Actor, pool_id: int) -> PoolOut:
        return container.pools.close_pool(actor, pool_id)

    @router.operation(
        "POST",
        "/pools/{pool_id}/liquidate",
        summary="Start winding a pool up",
        tag="pools",
        response=PoolOut,
        errors=(404, 409),
    )
    def liquidate_pool(actor: Actor, pool_id: int) -> PoolOut:
        return container.pools.liquidate_pool(actor, pool_id)

    @router.operation(
        "GET",
        "/pools/{pool_id}/team",
        summary="A pool's managers and analysts by name (its managers; admins also see emails)",
        tag="pools",
        response=PoolTeamOut,
        errors=(403, 404),
    )
    def pool_team(actor: Actor, pool_id: int) -> PoolTeamOut:
        return container.pools.team(actor, pool_id)

    @router.operation(
        "POST",
        "/pools/{pool_id}/managers",
        summary="Add a co-manager to a pool, by user id or email (its managers or an admin)",
        tag="pools",
        body=UserRef,
        response=PoolOut,
        status=201,
        errors=(403, 404, 409, 422),
    )
    def add_pool_manager(actor: Actor, pool_id: int, body: UserRef) -> PoolOut:
        return container.pools.add_manager(actor, pool_id, body.user)

    @router.operation(
        "DELETE",
        "/pools/{pool_id}/managers/{user_id}",
        summary="Remove a manager from a pool, themselves included; the last manager stays",
        tag="pools",
        response=PoolOut,
        errors=(403, 404, 409),
    )
    def remove_pool_manager(actor: Actor, pool_id: int, user_id: int) -> PoolOut:
        return container.pools.remove_manager(actor, pool_id, user_id)

    @router.operation(
        "POST",
        "/pools/{pool_id}/analysts",
        summary="Give an analyst read access to a pool, by user id or email (its managers or an admin)",
        tag="pools",
        body=UserRef,
        response=AnalystGrantOut,
        status=201,
        errors=(403, 404, 409, 422),
    )
    def grant_pool_analyst(actor: Actor, pool_id: int, body: UserRef) -> AnalystGrantOut:
        return container.pools.grant_analyst(actor, pool_id, body.user)

    @router.operation(
        "DELETE",
        "/pools/{pool_id}/analysts/{user_id}",
        summary="Withdraw an analyst's access to a pool",
        tag="pools",
        status=204,
        errors=(403, 404),
    )
    def revoke_pool_analyst(actor: Actor, pool_id: int, user_id: int) -> None:
        container.pools.revoke_analyst(actor, pool_id, user_id)
