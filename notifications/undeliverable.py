"""When a notice cannot be delivered for good (an address or number refused, a text bounced,
three days of outages), the pool's managers are told in the app: a capital call nobody
received is a default waiting to happen, and only a person can reach the investor another
way and correct their details. Once per delivery (the alert's event id is the delivery's)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from backend.platform.db import Database
from backend.platform.unit_of_work import ReadView
from notifications.catalogue import worded
from notifications.models import Delivery
from notifications.schemas import NotificationIn, NotificationKind

log = logging.getLogger(__name__)

ManagersOf = Callable[[int], Sequence[int]]
"""pool id -> the user ids of its managers (the pools service)."""
Create = Callable[[str, list[NotificationIn]], int]
"""(event id, notifications) -> how many were created (the notification centre)."""


class UndeliverableAlerts:
    def __init__(self, db: Database, managers_of: ManagersOf, create: Create) -> None:
        self._db = db
        self._managers_of = managers_of
        self._create = create

    def __call__(self, delivery_id: int) -> None:
        try:
            self._alert(delivery_id)
        except Exception:  # the send it follows has finished; an alert lost is logged, not raised
            log.exception("could not tell the managers of undeliverable delivery %s", delivery_id)

    def _alert(self, delivery_id: int) -> None:
        with ReadView(self._db) as view:
            row = view.session.get(Delivery, delivery_id)
            if row is None or row.pool_id is None or row.kind == NotificationKind.UNDELIVERABLE.value:
                return
            pool_id, kind, channel = row.pool_id, row.kind, row.channel
            to, why, person = row.to_address, row.last_error, row.user_id
        managers = [m for m in self._managers_of(pool_id) if m != person]
        if not managers:
            return
        what = kind.split(".")[0].replace("_", " ")
        by = "SMS" if channel == "sms" else channel
        items = [
            NotificationIn(
                user_id=manager,
                kind=NotificationKind.UNDELIVERABLE,
                pool_id=pool_id,
                title_words=worded("A %(what)s notice could not be delivered", what=what),
                body_words=worded(
                    "By %(channel)s to %(to)s: %(why)s. Reach them another way and correct their "
                    "contact details.",
                    channel=by,
                    to=to,
                    why=why,
                ),
                link=f"/manager/pools/{pool_id}",
            )
            for manager in managers
        ]
        self._create(f"undeliverable:{delivery_id}", items)
