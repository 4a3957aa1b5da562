"""The services as delivery code sees them: the REST API, the portal, the task adapters and
the seed are handed an object with these attributes and never learn how it was built.

`backend/composition/container.py` is the implementation bound today (in-process); the
gRPC clients of a later issue bind the same attributes, so no delivery code changes.
"""

from __future__ import annotations

from typing import Protocol

from celery import Celery

from backend.audit.service import AuditService
from backend.auth.service import AuthService
from backend.investors.service import InvestorService
from backend.platform.cache import Cache
from backend.platform.config import Settings
from backend.platform.db import Database
from backend.pools.service import PoolService
from backend.users.service import UserService
from ledger.outbox import OutboxRelay
from ledger.previews import PreviewService
from ledger.service import LedgerService
from ledger.transactions import TransactionService
from notifications.service import NotificationService
from reports.service import ReportService
from reports.snapshots import SnapshotStore


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
    def notifications(self) -> NotificationService: ...
    @property
    def reports(self) -> ReportService: ...
    @property
    def snapshots(self) -> SnapshotStore: ...
    @property
    def celery(self) -> Celery: ...
