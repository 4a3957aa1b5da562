"""Devices a person signs in from: a sign-in from one never seen before warns them (by the
notification service, through the callback the container wires), because a password used
from somewhere new is how an account takeover, and then a payout to a new bank account,
begins.

A person's first device is recorded without a warning (there is nothing to compare with);
every later unknown one warns once, and is known from then on.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from backend.auth.models import KnownDevice
from backend.platform.db import Database
from backend.platform.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class SignInDevice:
    """Who is signing in from where: `key` identifies the device (the portal's device cookie;
    an API client's user agent) and is kept only as a hash; `label` is what the person reads."""

    key: str
    label: str


NewDevice = Callable[[int, str, str, str | None, datetime], None]
"""(user id, fingerprint, label, client address, when): a sign-in from a device never seen."""

_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
    ("python-requests/", "a Python script"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_user_agent(user_agent: str | None) -> str:
    """"Firefox on Windows": enough for a person to recognise their own device."""
    text = user_agent or ""
    browser = next((name for token, name in _BROWSERS if token in text), None)
    system = next((name for token, name in _SYSTEMS if token in text), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return str(browser or system)
    cleaned = re.sub(r"[^\w ./()-]", "", text)[:60].strip()
    return cleaned or "an unknown browser or client"


def fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class DeviceBook:
    def __init__(self, db: Database, clock: Callable[[], datetime], on_new: NewDevice | None) -> None:
        self._db = db
        self._clock = clock
        self._on_new = on_new

    def recognise(self, user_id: int, device: SignInDevice, client_ip: str | None) -> bool:
        """Record the sign-in's device; True (and the person warned) when it is new to them."""
        print_ = fingerprint(device.key)
        now = self._clock()
        with UnitOfWork(self._db, f"user:{user_id}") as uow:
            uow.write_first(KnownDevice.__tablename__, "last_seen_at")
            row = uow.session.get(KnownDevice, (user_id, print_), with_for_update=True)
            if row is not None:
                row.last_seen_at = now
                uow.commit()
                return False
            others = uow.session.scalar(
                select(func.count()).select_from(KnownDevice).where(KnownDevice.user_id == user_id)
            )
        warned = bool(others) and self._warn(user_id, print_, device, client_ip, now)
        if others and not warned:
            return False  # known from the next sign-in only once the person has been told
        try:
            with UnitOfWork(self._db, f"user:{user_id}") as uow:
                uow.session.add(
                    KnownDevice(
                        user_id=user_id,
                        fingerprint=print_,
                        label=device.label[:120],
                        first_seen_at=now,
                        last_seen_at=now,
                    )
                )
                uow.commit()
        except IntegrityError:
            pass  # two sign-ins from it at once: the other recorded it (the warning is one event)
        return warned

    def _warn(
        self, user_id: int, print_: str, device: SignInDevice, client_ip: str | None, now: datetime
    ) -> bool:
        if self._on_new is None:
            return True
        try:
            # Idempotent by (person, device): a retry after a failure here warns once.
            self._on_new(user_id, print_, device.label, client_ip, now)
        except Exception:
            # The sign-in goes ahead; the device stays unknown, so the next one warns again.
            log.exception("could not warn of a sign-in from a new device", extra={"subject_user_id": user_id})
            return False
        return True
