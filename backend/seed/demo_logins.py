"""Demo logins for the embedded default: one per role, passwords generated on first run.

The passwords live in var/demo-logins.json (git-ignored) so that no credential is ever
committed, and `make run` can still print working logins.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from backend.platform.actors import Actor, Role
from backend.platform.errors import Conflict
from backend.service_directory import Services
from backend.users.interface import UserCreate


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    email: str
    password: str


def demo_logins(var_dir: Path) -> list[DemoLogin]:
    path = var_dir / "demo-logins.json"
    if path.exists():
        stored = json.loads(path.read_text())
    else:
        stored = {
            role.value: {"email": f"{role.value}@demo.local", "password": secrets.token_urlsafe(12)}
            for role in Role
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    return [DemoLogin(Role(r), v["email"], v["password"]) for r, v in stored.items()]


def seed_demo_users(container: Services) -> list[DemoLogin]:
    operator = Actor.operator("seed")
    logins = demo_logins(container.settings.var_dir)
    for login in logins:
        with contextlib.suppress(Conflict):  # seeding is re-runnable
            container.users.create_user(
                operator,
                UserCreate(
                    email=login.email,
                    role=login.role,
                    password=login.password,
                    display_name=f"Demo {login.role.value}",
                ),
            )
    return logins
