from __future__ import annotations

from backend.api.routing import ApiRouter
from backend.platform.actors import Actor
from backend.platform.errors import NotFound
from backend.service_directory import Services
from backend.users.interface import PasswordChange, UserCreate, UserOut


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
