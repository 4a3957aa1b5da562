"""The auth service over gRPC: its contract (the Protocol in backend/auth/interface.py, as
investment_pools.auth.v1.AuthService) and a client implementing the Protocol.

Signing in is not a read: it counts failures and audits, so it is sent once. Checking a
session or an access token is (the gateway asks on every request), and so retried when the
service is briefly unavailable. Purging expired state acts for nobody (beat's task)."""

from __future__ import annotations

from types import ModuleType
from typing import ClassVar

from backend.auth.interface import AuthService
from backend.platform.rpc.client import RpcClient, remote
from backend.platform.rpc.contract import ServiceContract
from backend.protos.investment_pools.auth.v1 import auth_pb2

AUTH = ServiceContract(
    "auth",
    AuthService,
    reads=frozenset({"session_is_live", "actor_from_access_token", "actor_for_user_id"}),
)


class AuthServiceClient(RpcClient):
    contract = AUTH
    messages: ClassVar[ModuleType] = auth_pb2

    authenticate = remote(AuthService.authenticate)
    login_for_tokens = remote(AuthService.login_for_tokens)
    start_portal_session = remote(AuthService.start_portal_session)
    session_is_live = remote(AuthService.session_is_live)
    end_session = remote(AuthService.end_session)
    revoke_user_sessions = remote(AuthService.revoke_user_sessions)
    request_password_reset = remote(AuthService.request_password_reset)
    request_own_password_reset = remote(AuthService.request_own_password_reset)
    reset_password = remote(AuthService.reset_password)
    issue_tokens = remote(AuthService.issue_tokens)
    refresh = remote(AuthService.refresh)
    logout = remote(AuthService.logout)
    actor_from_access_token = remote(AuthService.actor_from_access_token)
    actor_for_user_id = remote(AuthService.actor_for_user_id)
    purge_expired = remote(AuthService.purge_expired)
