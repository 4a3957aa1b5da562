"""The users service over gRPC: its contract (the Protocol in backend/users/interface.py, as
investment_pools.users.v1.UserService) and a client implementing the Protocol. Verifying
credentials is not a read: it may rehash the password it checked, so it is sent once."""

from __future__ import annotations

from types import ModuleType
from typing import ClassVar

from backend.platform.rpc.client import RpcClient, remote
from backend.platform.rpc.contract import ServiceContract
from backend.protos.investment_pools.users.v1 import users_pb2
from backend.users.interface import UserService

USERS = ServiceContract(
    "users",
    UserService,
    reads=frozenset(
        {
            "active_users",
            "list_users",
            "list_users_page",
            "count_by_role",
            "get_user",
            "find_by_email",
            "find_id_by_email",
            "active_user",
            "contacts",
            "find_colleagues",
            "colleagues",
            "count",
        }
    ),
)


class UserServiceClient(RpcClient):
    contract = USERS
    messages: ClassVar[ModuleType] = users_pb2

    create_user = remote(UserService.create_user)
    create_users = remote(UserService.create_users)
    active_users = remote(UserService.active_users)
    list_users = remote(UserService.list_users)
    list_users_page = remote(UserService.list_users_page)
    count_by_role = remote(UserService.count_by_role)
    get_user = remote(UserService.get_user)
    find_by_email = remote(UserService.find_by_email)
    set_active = remote(UserService.set_active)
    set_role = remote(UserService.set_role)
    set_password = remote(UserService.set_password)
    reset_password = remote(UserService.reset_password)
    set_reporting_currency = remote(UserService.set_reporting_currency)
    verify_credentials = remote(UserService.verify_credentials)
    find_id_by_email = remote(UserService.find_id_by_email)
    active_user = remote(UserService.active_user)
    contacts = remote(UserService.contacts)
    find_colleagues = remote(UserService.find_colleagues)
    colleagues = remote(UserService.colleagues)
    count = remote(UserService.count)
