from __future__ import annotations

from backend.api.routing import ApiRouter
from backend.platform.actors import Actor
from backend.platform.errors import NotFound
from backend.service_directory import Services
from backend.users.interface import (
    ActiveChange,
    PasswordChange,
    ReportingCurrencyIn,
    RoleChange,
    UserCreate,
    UserOut,
)


def register(router: ApiRouter, container: Services) -> None:
    @router.operation("GET", "/me", summary="The calling user", tag="users", response=UserOut)
    def get_me(actor: Actor) -> UserOut:
        if actor.user_id is None:  # an operator identity has no user record
            raise NotFound("the caller is not a user")
        return container.users.get_user(actor, actor.user_id)

    @router.operation(
        "POST",
        "/me/password",
        summary="Change the caller's password; every session of theirs ends, this one too",
        tag="users",
        body=PasswordChange,
        status=204,
        errors=(409,),
    )
    def change_my_password(actor: Actor, body: PasswordChange) -> None:
        if actor.user_id is None:  # an operator identity has no password here
            raise NotFound("the caller is not a user")
        container.users.set_password(
            actor, actor.user_id, body.new_password, current_password=body.current_password
        )

    @router.operation(
        "PUT",
        "/me/reporting-currency",
        summary="Choose the currency the caller's consolidated figures are shown in (null: the default)",
        tag="users",
        body=ReportingCurrencyIn,
        response=UserOut,
        errors=(404,),
    )
    def put_my_reporting_currency(actor: Actor, body: ReportingCurrencyIn) -> UserOut:
        if actor.user_id is None:  # an operator identity has no user record
            raise NotFound("the caller is not a user")
        return container.users.set_reporting_currency(actor, actor.user_id, body.currency)

    @router.operation("GET", "/users", summary="All users (admin)", tag="users", response=list[UserOut])
    def list_users(actor: Actor) -> list[UserOut]:
        return container.users.list_users(actor)

    @router.operation(
        "POST",
        "/users",
        summary="Create a user (admin)",
        tag="users",
        body=UserCreate,
        response=UserOut,
        status=201,
        errors=(409,),
    )
    def create_user(actor: Actor, body: UserCreate) -> UserOut:
        return container.users.create_user(actor, body)

    @router.operation(
        "PUT",
        "/users/{user_id}/role",
        summary="Give a user another role (admin); their sessions end, the last active admin stays one",
        tag="users",
        body=RoleChange,
        response=UserOut,
        errors=(404, 409),
    )
    def put_user_role(actor: Actor, user_id: int, body: RoleChange) -> UserOut:
        return container.users.set_role(actor, user_id, body.role)

    @router.operation(
        "PUT",
        "/users/{user_id}/active",
        summary="Disable or enable a user (admin); disabling ends their sessions",
        tag="users",
        body=ActiveChange,
        response=UserOut,
        errors=(404, 409),
    )
    def put_user_active(actor: Actor, user_id: int, body: ActiveChange) -> UserOut:
        return container.users.set_active(actor, user_id, body.active)

    @router.operation(
        "POST",
        "/users/{user_id}/password-reset",
        summary="Email a user a one-time link to choose a new password (admin); older links stop working",
        tag="users",
        response=UserOut,
        status=202,
        errors=(404, 409, 503),
    )
    def post_user_password_reset(actor: Actor, user_id: int) -> UserOut:
        return container.auth.request_password_reset(actor, user_id)
