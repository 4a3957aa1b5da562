"""The demo data set as `make run` and the local stack show it: a login per role, and on an
empty database the demo books with an open capital call and share classes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from backend.seed.demo_calls import open_demo_calls
from backend.seed.demo_logins import DemoLogin, seed_demo_users
from backend.seed.demo_share_classes import open_demo_share_classes
from backend.seed.loader import needs_seed, seed
from backend.seed.scales import scale_named
from backend.service_directory import Services


def seed_demo(container: Services, say: Callable[[str], None]) -> list[DemoLogin]:
    """The demo logins (made on first run, kept in VAR_DIR); the books once, on an empty database."""
    logins = seed_demo_users(container)
    if needs_seed(container):
        say(seed(container, scale_named("demo"), logins=logins).describe())
        for line in open_demo_calls(container, logins, date.today()):
            say(f"  open call: {line}")
        for line in open_demo_share_classes(container, logins, date.today()):
            say(f"  share classes: {line}")
    return logins
