"""The services as delivery code sees them: the REST API, the portal, the task adapters and
the seed are handed an object with these attributes and never learn how it was built.

`backend/composition/container.py` is the implementation bound today (in-process); the
gRPC clients of a later issue bind the same attributes, so no delivery code changes.
"""

from __future__ import annotations

from typing import Protocol

from celery import Celery

from backend.audit.interface import AuditService
from backend.auth.interface import AuthService
from backend.investors.interface import InvestorService
from backend.payments.interface import LedgerCatchUp, PaymentService
from backend.platform.cache import Cache
from backend.platform.config import Settings
from backend.platform.db import Database
from backend.pools.interface import PoolService
from backend.users.interface import UserService
from ledger.interface import LedgerService, OutboxRelay, PreviewService, TransactionService
from notifications.interface import NotificationService
from reports.interface import ReportService, SnapshotStore


class Services(Protocol):
    settings: Settings

    @property
    def db(self) -> Database: ...
    @property
    def cache(self) -> Cache: ...
    @property
    def audit(self) -> AuditService: ...
    @property
    def users(self) -> UserService: ...
    @property
    def auth(self) -> AuthService: ...
    @property
    def pools(self) -> PoolService: ...
    @property
    def investors(self) -> InvestorService: ...
    @property
    def transactions(self) -> TransactionService: ...
    @property
    def previews(self) -> PreviewService: ...
    @property
    def ledger(self) -> LedgerService: ...
    @property
    def ledger_relay(self) -> OutboxRelay: ...
    @property
    def payments(self) -> PaymentService: ...
    @property
    def payment_catch_up(self) -> LedgerCatchUp: ...
    @property
    def notifications(self) -> NotificationService: ...
    @property
    def reports(self) -> ReportService: ...
    @property
    def snapshots(self) -> SnapshotStore: ...
    @property
    def celery(self) -> Celery: ...
