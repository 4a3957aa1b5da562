"""`python app.py users ...`: accounts without the portal, as the operator.

    users create --email E --role R [--name N] --password-stdin
    users list | disable --email E | enable --email E | set-password --email E --password-stdin

Passwords are read from stdin's first line, never from the command line (shell history,
the process list)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from backend.composition.container import Container
from backend.platform.actors import Actor, Role
from backend.platform.config import Settings


def add_users_parser(sub: Any) -> None:
    users = sub.add_parser("users", help="manage users without the portal")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    create = users_sub.add_parser("create")
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--name")
    create.add_argument("--password-stdin", action="store_true")
    users_sub.add_parser("list")
    for verb in ("disable", "enable"):
        users_sub.add_parser(verb).add_argument("--email", required=True)
    set_password = users_sub.add_parser("set-password", help="reset a password (read from stdin)")
    set_password.add_argument("--email", required=True)
    set_password.add_argument("--password-stdin", action="store_true")
    users.set_defaults(func=cmd_users)


def _password_from_stdin(args: argparse.Namespace) -> str | None:
    """The password on stdin's first line; None (after saying why) without --password-stdin."""
    if not args.password_stdin:
        print("error: --password-stdin is required (passwords never go on the command line)", file=sys.stderr)
        return None
    return sys.stdin.readline().rstrip("\n")


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    from backend.users.schemas import UserCreate

    container = Container(settings)
    operator = Actor.operator(getpass.getuser())
    if args.users_command == "create":
        password = _password_from_stdin(args)
        if password is None:
            return 2
        user = container.users.create_user(
            operator,
            UserCreate(
                email=args.email, role=Role(args.role), password=password, display_name=args.name or ""
            ),
        )
        print(f"created user {user.id} {user.email} ({user.role.value})")
    elif args.users_command == "list":
        for user in container.users.list_users(operator):
            state = "active" if user.is_active else "disabled"
            print(f"{user.id}\t{user.email}\t{user.role.value}\t{state}")
    elif args.users_command == "set-password":
        password = _password_from_stdin(args)
        if password is None:
            return 2
        found = container.users.find_by_email(operator, args.email)
        container.users.set_password(operator, found.id, password)
        print(f"set the password of user {found.id} {found.email}; their sessions have ended")
    elif args.users_command in ("disable", "enable"):
        found = container.users.find_by_email(operator, args.email)
        user = container.users.set_active(operator, found.id, args.users_command == "enable")
        print(f"{args.users_command}d user {user.id} {user.email}")
    return 0
