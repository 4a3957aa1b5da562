"""The pools service over gRPC: its contract (the Protocol in backend/pools/interface.py,
as investment_pools.pools.v1.PoolService) and a client implementing the Protocol. The
server is the generic one (backend/platform/rpc/server.py) over DatabasePoolService."""

from __future__ import annotations

from types import ModuleType
from typing import ClassVar

from backend.platform.rpc.client import RpcClient, remote
from backend.platform.rpc.contract import ServiceContract
from backend.pools.interface import PoolService
from backend.protos.investment_pools.pools.v1 import pools_pb2

POOLS = ServiceContract(
    "pools",
    PoolService,
    reads=frozenset(
        {
            "check_pool",
            "get_pool",
            "list_pools",
            "pool_names",
            "pool_terms",
            "terms_of_pools",
            "all_pool_ids",
            "can_read",
            "can_manage",
            "managed_among",
            "require_manage",
            "check_update",
            "team",
        }
    ),
)


class PoolServiceClient(RpcClient):
    contract = POOLS
    messages: ClassVar[ModuleType] = pools_pb2

    create_pool = remote(PoolService.create_pool)
    check_pool = remote(PoolService.check_pool)
    get_pool = remote(PoolService.get_pool)
    list_pools = remote(PoolService.list_pools)
    pool_names = remote(PoolService.pool_names)
    pool_terms = remote(PoolService.pool_terms)
    terms_of_pools = remote(PoolService.terms_of_pools)
    all_pool_ids = remote(PoolService.all_pool_ids)
    can_read = remote(PoolService.can_read)
    can_manage = remote(PoolService.can_manage)
    managed_among = remote(PoolService.managed_among)
    require_manage = remote(PoolService.require_manage)
    update_pool = remote(PoolService.update_pool)
    check_update = remote(PoolService.check_update)
    close_pool = remote(PoolService.close_pool)
    liquidate_pool = remote(PoolService.liquidate_pool)
    finish_liquidation = remote(PoolService.finish_liquidation)
    delete_pool = remote(PoolService.delete_pool)
    team = remote(PoolService.team)
    add_manager = remote(PoolService.add_manager)
    remove_manager = remote(PoolService.remove_manager)
    grant_analyst = remote(PoolService.grant_analyst)
    revoke_analyst = remote(PoolService.revoke_analyst)
