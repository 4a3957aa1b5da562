"""The dashboards, one module each: its panels (`build`) and its `SPEC`."""

from __future__ import annotations

from generator.boards import (
    api_and_portal,
    database_and_replicas,
    ledger_and_payments,
    platform_overview,
    workers_and_queues,
)
from generator.spec import Spec

SPECS: tuple[Spec, ...] = (
    platform_overview.SPEC,
    api_and_portal.SPEC,
    ledger_and_payments.SPEC,
    workers_and_queues.SPEC,
    database_and_replicas.SPEC,
)
