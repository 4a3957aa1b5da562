"""Hands out each service. The one place that knows how a service is reached.

Each split service (users, pools, investors, auth, notifications, payments, reports,
transactions with the previews beside it) is its gRPC client when SERVICE_ENDPOINTS names it,
else the in-process implementation (`local_<name>`, what `app.py rpc serve <name>` serves);
callers cannot tell. The ledger and audit are in process everywhere. The few callers that
need more than a service's Protocol say so where they are bound, and take the local
implementation.

One module past 400 lines on purpose: it is the table of bindings, an entry per service and
per piece of infrastructure, with the late-bound callbacks that join two services beside the
binding that uses them (a new device's warning, a contact change's notice, a pool's reports
forgotten with it). Whoever asks how anything is reached, or what a service is handed,
finds it here and nowhere else; split by family, the late bindings between families would
be spread over the splits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TypeVar

import redis
from celery import Celery
from sqlalchemy.orm import Session

from backend.audit.service import DatabaseAuditService
from backend.auth.access_check import access_tokens
from backend.auth.checked_sessions import AccessEpoch, CheckedSessions
from backend.auth.gateway import GatewayAuthClient
from backend.auth.interface import AuthService
from backend.auth.service import DatabaseAuthService
from backend.auth.sessions import SESSION_ROWS
from backend.auth.tokens import KeyRing
from backend.composition import celery_app
from backend.investors.interface import InvestorService
from backend.investors.rpc import InvestorServiceClient
from backend.investors.schemas import InvestorOut, KycStatus, Position
from backend.investors.service import DatabaseInvestorService
from backend.payments.consumer import EVENT_TYPES as PAYMENT_EVENTS
from backend.payments.consumer import CapitalCallConsumer
from backend.payments.gateway import PaymentGateway
from backend.payments.interface import PaymentService
from backend.payments.rpc import PaymentServiceClient
from backend.payments.service import DatabasePaymentService
from backend.payments.vault import Vault
from backend.platform import trace_context, tracing
from backend.platform.actors import Actor
from backend.platform.aggregate_cache import AggregateCache
from backend.platform.cache import Cache, cache_from_url
from backend.platform.config import Settings
from backend.platform.db import Database
from backend.platform.errors import Unauthenticated
from backend.platform.key_ring import parse_key_ring
from backend.platform.observability import logging_service
from backend.platform.rpc.client import RpcClient
from backend.platform.rpc.credentials import InternalTokens
from backend.platform.secrets_store import (
    load_or_create_internal_token_key,
    load_or_create_jwt_keys_dir,
    load_or_create_payment_data_keys,
    load_or_create_secret_key,
    load_or_create_webhook_secrets,
)
from backend.pools.interface import PoolService
from backend.pools.rpc import PoolServiceClient
from backend.pools.service import DatabasePoolService
from backend.users.interface import UserService
from backend.users.rpc import UserServiceClient
from backend.users.service import ACCOUNT_ROWS, DatabaseUserService
from ledger.events import LedgerEvent
from ledger.interface import PreviewService, TransactionService
from ledger.outbox import DatabaseOutboxRelay, EventBus, Publisher, RabbitPublisher, amqp_url
from ledger.previews import DatabasePreviewService
from ledger.rpc import PreviewServiceClient, TransactionServiceClient
from ledger.service import DatabaseLedgerService
from ledger.transactions import DatabaseTransactionService
from notifications.consumer import EVENT_TYPES as NOTIFIED_EVENTS
from notifications.consumer import LedgerEventConsumer
from notifications.digests import DigestBook
from notifications.documents import DocumentShelf
from notifications.interface import NotificationService
from notifications.mail import FolderMail, MailProvider, SmtpMail
from notifications.outbox import EmailOutbox
from notifications.pdf import BankInstructions
from notifications.person_notices import (
    contact_notices,
    kyc_event_id,
    kyc_notice,
    new_device_event_id,
    new_device_notice,
    password_reset_event_id,
    password_reset_notice,
    payout_code_event_id,
    payout_code_notice,
)
from notifications.preferences import PreferenceBook
from notifications.rate_limit import LocalTokenBucket, RedisTokenBucket, TokenBucket
from notifications.rpc import NotificationServiceClient
from notifications.schemas import Channel, StatementFigures
from notifications.service import DatabaseNotificationService
from notifications.sms import FolderSms, SmsProvider, TwilioSms
from notifications.sms_outbox import SmsOutbox
from notifications.undeliverable import UndeliverableAlerts
from notifications.unsubscribe import unsubscribe_key
from notifications.vault import FolderVault, S3Vault, VaultStore
from reports.interface import ReportService
from reports.rpc import ReportServiceClient
from reports.service import DatabaseReportService
from reports.snapshots import DatabaseSnapshotStore

SNAPSHOT_COUNTDOWN_SECONDS = 2


RpcClientT = TypeVar("RpcClientT", bound=RpcClient)


class Container:
    def __init__(self, settings: Settings, *, db: Database | None = None, cache: Cache | None = None) -> None:
        self.settings = settings
        self._db = db
        self._cache = cache

    @cached_property
    def cache(self) -> Cache:
        return self._cache if self._cache is not None else cache_from_url(self.settings.redis_url)

    @cached_property
    def db(self) -> Database:
        db = self._db if self._db is not None else self._new_database()
        # Whatever changes a user or a session, by any path, voids every app server's reused
        # access checks (backend/auth/checked_sessions.py).
        db.commit_watchers.watch(ACCOUNT_ROWS + SESSION_ROWS, self.access_epoch.advance)
        return db

    def _new_database(self) -> Database:
        s = self.settings
        if s.embedded:
            s.var_dir.mkdir(parents=True, exist_ok=True)
        return Database(
            s.primary_url,
            s.replica_urls,
            positions=self.cache,
            max_lag_seconds=s.replica_max_lag_seconds,
            wait_seconds=s.replica_wait_seconds,
            retry_seconds=s.replica_retry_seconds,
            read_your_writes_seconds=s.read_your_writes_seconds,
        )

    @cached_property
    def access_epoch(self) -> AccessEpoch:
        return AccessEpoch(self.cache)

    @cached_property
    def secret_key(self) -> str:
        return self.settings.secret_key or load_or_create_secret_key(self.settings.var_dir)

    @cached_property
    def jwt_keys_dir(self) -> Path:
        return self.settings.jwt_keys_dir or load_or_create_jwt_keys_dir(self.settings.var_dir)

    @cached_property
    def jwt_keys(self) -> KeyRing:
        return KeyRing(self.jwt_keys_dir, self.settings.jwt_active_kid)

    @cached_property
    def audit(self) -> DatabaseAuditService:
        return DatabaseAuditService(self.db)

    def _client(self, service: str, client: type[RpcClientT]) -> RpcClientT | None:
        """The gRPC client of `service` when SERVICE_ENDPOINTS names it, else None (in process)."""
        target = self.settings.endpoints.get(service)
        if target is None:
            return None
        return client(
            target,
            self.internal_tokens,
            read_timeout=self.settings.rpc_read_timeout_seconds,
            write_timeout=self.settings.rpc_write_timeout_seconds,
        )

    @cached_property
    def users(self) -> UserService:
        """Over gRPC when SERVICE_ENDPOINTS names the users service, else in process."""
        return self._client("users", UserServiceClient) or self.local_users

    @cached_property
    def local_users(self) -> DatabaseUserService:
        """The users service in this process: what `app.py rpc serve users` serves."""
        # Disabling a user or changing a password ends their sessions in the auth service,
        # which is built on this one: reached late, through the lambda.
        return DatabaseUserService(
            self.db,
            self.audit,
            sessions=lambda: self.auth,
            reporting_currencies=self.settings.reporting_currencies,
        )

    @cached_property
    def auth(self) -> AuthService:
        """Over gRPC when SERVICE_ENDPOINTS names the auth service, else in process."""
        target = self.settings.endpoints.get("auth")
        if target is None:
            return self.local_auth
        s = self.settings
        return self.remote_auth(
            target,
            read_timeout=s.rpc_read_timeout_seconds,
            write_timeout=s.rpc_write_timeout_seconds,
            checked=self.checked_sessions,
        )

    @cached_property
    def checked_sessions(self) -> CheckedSessions | None:
        """This process's memory of access checks that passed (backend.auth.checked_sessions),
        or None: reused checks need the epoch shared with every process that changes users or
        sessions (the other app servers, the services), so Redis, not a cache of our own."""
        s = self.settings
        if not s.redis_url or s.access_check_reuse_seconds <= 0:
            return None
        return CheckedSessions(self.access_epoch, s.access_check_reuse_seconds)

    def remote_auth(
        self,
        target: str,
        *,
        read_timeout: float,
        write_timeout: float,
        checked: CheckedSessions | None = None,
    ) -> GatewayAuthClient:
        """The auth service served at `target`, as an app server reaches it: access tokens are
        verified here and their session and user checked together (backend.auth.gateway),
        reused while `checked` allows."""
        return GatewayAuthClient(
            target,
            self.internal_tokens,
            access=access_tokens(self.jwt_keys, self.settings),
            users=lambda: self.users,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            checked=checked,
        )

    @cached_property
    def local_auth(self) -> DatabaseAuthService:
        """The auth service in this process: what `app.py rpc serve auth` serves."""
        return DatabaseAuthService(
            self.db,
            self.audit,
            self.settings,
            keys=self.jwt_keys,
            users=self.users,
            on_new_device=self._warn_of_new_device,
            on_password_reset=self._email_password_reset,
            checked=self.checked_sessions,
        )

    def _warn_of_new_device(
        self, user_id: int, fingerprint: str, label: str, client_ip: str | None, at: datetime
    ) -> None:
        notice = new_device_notice(user_id, label, client_ip, at)
        self.notifications.create_for_event(new_device_event_id(user_id, fingerprint), [notice])

    def _email_password_reset(self, user_id: int, reset_id: int, token: str, expires: datetime) -> None:
        notice = password_reset_notice(user_id, self._sign_in_address(user_id), token, expires)
        self.notifications.create_for_event(password_reset_event_id(reset_id), [notice])

    def _sign_in_address(self, user_id: int) -> str:
        """Where a secret for this person (a reset link, a confirmation code) is emailed, and
        nowhere else: the sign-in address."""
        address = self.users.contacts({user_id}).get(user_id, ("", ""))[0]
        if not address:
            raise LookupError(f"user {user_id} has no active account to email")
        return address

    @cached_property
    def internal_tokens(self) -> InternalTokens:
        """What this process signs its gRPC calls with (backend/platform/rpc/credentials.py)."""
        key = self.settings.internal_token_key or load_or_create_internal_token_key(self.settings.var_dir)
        return InternalTokens(key, issuer=logging_service())

    @cached_property
    def pools(self) -> PoolService:
        """Over gRPC when SERVICE_ENDPOINTS names the pools service, else in process."""
        return self._client("pools", PoolServiceClient) or self.local_pools

    @cached_property
    def local_pools(self) -> DatabasePoolService:
        """The pools service in this process: what `app.py rpc serve pools` serves."""
        # The pool and investor services ask each other questions, so the pool service
        # reaches the investor service late, through these lambdas: binding the methods
        # here would build the investor service, which needs this one, mid-construction.
        return DatabasePoolService(
            self.db,
            self.audit,
            self.users,
            # A pool with a commitment or a journal entry has history: close it, never delete it.
            has_entries=lambda pool_id: (
                self.investors.has_commitments(pool_id) or self.ledger.has_entries(pool_id)
            ),
            participates=lambda user_id, pool_id: pool_id in self._investor_pool_ids(user_id),
            participating_pool_ids=self._investor_pool_ids,
            on_delete=(self._forget_pool_reports,),
        )

    def _forget_pool_reports(self, session: Session, pool_id: int) -> None:
        # Late-bound: the report service needs this one, so it is built on first use. In
        # process even when SERVICE_ENDPOINTS names reports: it joins the pool service's own
        # transaction (a Session), which no call over gRPC can.
        self.local_reports.forget_pool(session, pool_id)

    def _investor_pool_ids(self, user_id: int) -> set[int]:
        """Pools an investor user is in: by commitment, or by holding anything in the books
        (an open-ended pool takes no commitments, only subscriptions)."""
        pool_ids = self.investors.participating_pool_ids(user_id)
        profile = self.investors.investor_for_user(user_id)
        if profile is not None:
            pool_ids |= set(self.ledger.pools_of_investor(profile.id))
        return pool_ids

    @cached_property
    def investors(self) -> InvestorService:
        """Over gRPC when SERVICE_ENDPOINTS names the investors service, else in process."""
        return self._client("investors", InvestorServiceClient) or self.local_investors

    @cached_property
    def local_investors(self) -> DatabaseInvestorService:
        """The investors service in this process: what `app.py rpc serve investors` serves."""
        return DatabaseInvestorService(
            self.db,
            self.audit,
            self.users,
            self.pools,
            positions=self._position_from_books,
            holding_pools=self._pools_held_by,
            on_kyc_decided=self._tell_kyc_decision,
            on_contact_changed=self._tell_contact_change,
        )

    def _tell_contact_change(
        self, investor: InvestorOut, before: dict[str, str | None], at: datetime
    ) -> None:
        now: dict[str, str | None] = {
            "contact_email": investor.contact_email,
            "contact_phone": investor.contact_phone,
        }
        # The new values in the id too: MariaDB keeps whole seconds, and two changes in one
        # second are two changes.
        changed = hashlib.sha256(repr(sorted(now.items())).encode()).hexdigest()[:12]
        event_id = f"contact:{investor.id}:{at.strftime('%Y%m%dT%H%M%S')}:{changed}"
        login = self.users.contacts({investor.user_id}).get(investor.user_id, ("", ""))[0].lower()
        for event, notice in contact_notices(investor.user_id, event_id, before, now, at):
            if notice.email_to is None or notice.email_to.lower() != login:  # the sign-in address has one
                self.notifications.create_for_event(event, [notice])

    def _tell_kyc_decision(self, investor: InvestorOut, _before: KycStatus, at: datetime) -> None:
        # Late-bound: the notification service is built after this one, on first use.
        notice = kyc_notice(investor.user_id, investor.kyc_status.value, at)
        event_id = kyc_event_id(investor.id, investor.kyc_status.value, at)
        self.notifications.create_for_event(event_id, [notice])

    def _pools_held_by(self, investor_ids: Collection[int]) -> dict[int, list[int]]:
        # Late-bound: the ledger is built on first use, after the investor service.
        return self.ledger.pools_of_investors(investor_ids)

    def _position_from_books(self, investor_id: int, pool_id: int) -> Position:
        found = self.transactions.position(investor_id, pool_id)
        if found is None:
            return Position()
        return Position(
            units_held=found.units,
            capital_account=found.value,
            called=found.called,
            recallable=found.recallable,
            contributed=found.contributed,
            distributed=found.distributed,
            fees_borne=found.fees,
        )

    @cached_property
    def transactions(self) -> TransactionService:
        """Over gRPC when SERVICE_ENDPOINTS names the transaction service, else in process."""
        return self._client("transactions", TransactionServiceClient) or self.local_transactions

    @cached_property
    def local_transactions(self) -> DatabaseTransactionService:
        """The transaction service in this process: what `app.py rpc serve transactions` serves.
        It writes through the ledger service, which stays in process everywhere."""
        return DatabaseTransactionService(self.ledger, self.pools, self.investors, self.audit)

    @cached_property
    def previews(self) -> PreviewService:
        """What a transaction would post, for the portal's confirmation step (writes nothing).
        Served beside the transactions, so reached at the transaction service's endpoint."""
        return self._client("transactions", PreviewServiceClient) or self.local_previews

    @cached_property
    def local_previews(self) -> DatabasePreviewService:
        """The previews in this process: the transaction service's own checks (writable_pool,
        side_letters, not on its Protocol), so beside its local implementation."""
        return DatabasePreviewService(
            self.db, self.ledger, self.local_transactions, self.pools, self.investors
        )

    @cached_property
    def ledger_bus(self) -> EventBus:
        """The in-process event bus: where ledger events go in the embedded default."""
        bus = EventBus()
        # In-app notifications consume the ledger's events (capital calls, distributions,
        # valuations, subsequent closes); with a broker they would consume the RabbitMQ
        # exchange instead.
        for event_type in NOTIFIED_EVENTS:
            bus.subscribe(self.notification_consumer, event_type)
        # Each capital call opens a payment request per investor.
        for event_type in PAYMENT_EVENTS:
            bus.subscribe(self.payment_consumer, event_type)
        return bus

    @cached_property
    def payments(self) -> PaymentService:
        """Over gRPC when SERVICE_ENDPOINTS names the payment service, else in process."""
        return self._client("payments", PaymentServiceClient) or self.local_payments

    @cached_property
    def local_payments(self) -> DatabasePaymentService:
        """The payment service in this process: what `app.py rpc serve payments` serves. The
        gateway, its keys and the bank-detail vault are reached from here."""
        return DatabasePaymentService(
            self.db,
            self.audit,
            self.pools,
            self.investors,
            self.transactions,
            webhook_secrets=self.payment_webhook_secrets,
            password_check=self._password_check,
            send_payout_code=self._email_payout_code,
            notifications=self.notifications,
            gateway=lambda: self.payment_gateway,
            vault=lambda: self.payment_vault,
        )

    def _password_check(self, actor: Actor, password: str) -> bool:
        """Step-up for a change of bank details: the signed-in user's password, checked by the
        sign-in path itself (its throttling and lockout apply to guesses made here too)."""
        user = self.users.active_user(actor.user_id) if actor.user_id is not None else None
        if user is None:
            return False
        try:
            self.auth.authenticate(user.email, password, None)
        except Unauthenticated:
            return False
        return True

    def _email_payout_code(
        self, user_id: int, account_id: int, account: str, code: str, expires: datetime
    ) -> None:
        notice = payout_code_notice(user_id, self._sign_in_address(user_id), code, account, expires)
        self.notifications.create_for_event(payout_code_event_id(account_id), [notice])

    @cached_property
    def payment_vault(self) -> Vault:
        text = self.settings.payment_data_keys or load_or_create_payment_data_keys(self.settings.var_dir)
        keys, active = parse_key_ring(text)
        return Vault(keys, active)

    @property
    def payment_gateway(self) -> PaymentGateway | None:
        """The gateway under its current secret key. A key in a file is read on each use and a
        changed one gets a new client, so a rolled key is written there and used from the next
        call, without a restart (the gateway honours the old key for a while after a roll, so
        calls in flight finish)."""
        s = self.settings
        key = s.payment_gateway_api_key
        if s.payment_gateway_api_key_file is not None:
            key = s.payment_gateway_api_key_file.read_text().strip() or None
        if not key:
            return None
        clients = self._gateway_clients
        if key not in clients:
            # Imported here: the Stripe SDK takes about a quarter of a second to import, paid
            # otherwise by every process started (workers, services, commands) with or without
            # a gateway configured.
            from backend.payments.stripe_gateway import StripeGateway

            clients.clear()  # the old key's client goes with the old key
            clients[key] = StripeGateway(
                key, base_url=s.payment_gateway_url, timeout=s.payment_gateway_timeout_seconds
            )
        return clients[key]

    @cached_property
    def _gateway_clients(self) -> dict[str, PaymentGateway]:
        return {}

    def payment_webhook_secrets(self) -> list[str]:
        configured = self.settings.payment_webhook_secrets
        if configured:
            return [s.strip() for s in configured.split(",") if s.strip()]
        return load_or_create_webhook_secrets(self.settings.var_dir)

    @cached_property
    def payment_consumer(self) -> CapitalCallConsumer:
        return CapitalCallConsumer(lambda: self.payments, lambda: self.pools, lambda: self.ledger)

    @property
    def payment_catch_up(self) -> CapitalCallConsumer:
        return self.payment_consumer

    @cached_property
    def notifications(self) -> NotificationService:
        """Over gRPC when SERVICE_ENDPOINTS names the notification service, else in process."""
        return self._client("notifications", NotificationServiceClient) or self.local_notifications

    @cached_property
    def local_notifications(self) -> DatabaseNotificationService:
        """The notification service in this process: what `app.py rpc serve notifications`
        serves. Its providers (SMTP, Twilio, the document vault) are reached from here."""
        s = self.settings
        key = unsubscribe_key(self.secret_key)
        outbox = EmailOutbox(
            self.db,
            lambda: self.mail_provider,
            self.users.contacts,
            sender=s.mail_from,
            portal_url=s.portal_url or f"http://{s.host}:{s.port}",
            preferences=PreferenceBook(self.db),
            unsubscribe_key=key,
            attachments=self.documents.content_for_email,
            on_undeliverable=self._undeliverable_alerts,
            bucket=self.email_bucket,
            bucket_key=f"email:{s.smtp_host or 'folder'}",
            digests=DigestBook(self.db),
        )
        portal = s.portal_url or f"http://{s.host}:{s.port}"
        callback = f"{portal.rstrip('/')}/api/v1/notifications/sms-status"
        texted = s.twilio_account_sid is not None
        sms = SmsOutbox(
            self.db,
            lambda: self.sms_provider,
            self.investors.phones_of_users,
            sender=s.sms_sender_name,
            status_callback=callback if texted else None,
            bucket=self.sms_bucket,
            bucket_key=f"sms:{s.twilio_account_sid or 'folder'}",
            preferences=PreferenceBook(self.db),
            on_undeliverable=self._undeliverable_alerts,
        )
        signing = (s.twilio_auth_token or "", callback) if texted else None
        return DatabaseNotificationService(
            self.db,
            outbox,
            unsubscribe_key=key,
            documents=self.documents,
            sms=sms,
            sms_signing=signing,
            statement_figures=self._statement_figures,
            providers=self._providers_described(),
        )

    def _providers_described(self) -> dict[Channel, tuple[str, float]]:
        s = self.settings
        if s.smtp_host:
            tls = "STARTTLS" if s.smtp_starttls else "no TLS"
            mail = f"SMTP relay {s.smtp_host}:{s.smtp_port} ({tls})"
        else:
            mail = "embedded: .eml files in var/outbox/"
        sid = s.twilio_account_sid
        sms = f"Twilio account …{sid[-4:]}" if sid else "embedded: .json files in var/sms/"
        return {
            Channel.EMAIL: (mail, s.email_rate_per_second),
            Channel.SMS: (sms, s.sms_rate_per_second),
        }

    def _statement_figures(self, actor: Actor, pool_id: int, period: str) -> list[StatementFigures]:
        """Each investor's statement of the pool from the reports service, as the actor may read
        it (the two services are peers: the composition hands one's answer to the other)."""
        positions = self.transactions.pool_positions(actor, pool_id).positions
        return [
            StatementFigures.model_validate(
                self.reports.statement(actor, p.investor_id, pool_id, period=period).model_dump()
            )
            for p in positions
            if p.committed or p.units or p.value
        ]

    @cached_property
    def sms_provider(self) -> SmsProvider:
        """Twilio when TWILIO_ACCOUNT_SID is set; else .json files in var/sms/ (embedded)."""
        s = self.settings
        if s.twilio_account_sid:
            return TwilioSms(
                s.twilio_account_sid,
                s.twilio_auth_token or "",
                s.twilio_from_number or "",
                base_url=s.twilio_base_url,
            )
        return FolderSms(s.var_dir / "sms")

    @cached_property
    def sms_bucket(self) -> TokenBucket:
        """The SMS provider's rate, shared by every worker through Redis when there is one."""
        return self._token_bucket(self.settings.sms_rate_per_second, self.settings.sms_burst)

    @cached_property
    def email_bucket(self) -> TokenBucket:
        """The email provider's rate, shared by every worker through Redis when there is one."""
        return self._token_bucket(self.settings.email_rate_per_second, self.settings.email_burst)

    def _token_bucket(self, rate_per_second: float, burst: int) -> TokenBucket:
        if self.settings.redis_url:
            client = redis.Redis.from_url(self.settings.redis_url)
            return RedisTokenBucket(client, rate_per_second=rate_per_second, burst=burst)
        return LocalTokenBucket(rate_per_second=rate_per_second, burst=burst)

    @cached_property
    def _undeliverable_alerts(self) -> UndeliverableAlerts:
        return UndeliverableAlerts(
            self.db,
            lambda pool_id: self.pools.pool_terms(pool_id).manager_ids,
            # Late-bound: the notification service is being built when this is made.
            lambda event_id, items: self.notifications.create_for_event(event_id, items),  # noqa: PLW0108
        )

    @cached_property
    def documents(self) -> DocumentShelf:
        return DocumentShelf(self.db, lambda: self.document_vault, lambda: self.pools, lambda: self.investors)

    @cached_property
    def document_vault(self) -> VaultStore:
        """An S3-compatible bucket when DOCUMENTS_S3_BUCKET is set; else files under var/."""
        s = self.settings
        if s.documents_s3_bucket:
            return S3Vault(
                s.documents_s3_bucket, endpoint_url=s.documents_s3_endpoint, region=s.documents_s3_region
            )
        return FolderVault(s.var_dir / "documents")

    def _bank_for_notice(self, pool_id: int) -> BankInstructions | None:
        details = self.payments.pool_bank_details(pool_id)
        if details is None:
            return None
        return BankInstructions(account_holder=details.account_name, iban=details.iban, bic=details.bic)

    @cached_property
    def mail_provider(self) -> MailProvider:
        """The SMTP relay when SMTP_HOST is set; else .eml files in var/outbox/ (embedded)."""
        s = self.settings
        if s.smtp_host:
            return SmtpMail(
                s.smtp_host,
                s.smtp_port,
                starttls=s.smtp_starttls,
                username=s.smtp_username,
                password=s.smtp_password,
            )
        return FolderMail(s.var_dir / "outbox")

    @cached_property
    def notification_consumer(self) -> LedgerEventConsumer:
        # The consumer is the notification service's own intake, so it runs beside the service
        # in this process even when SERVICE_ENDPOINTS names notifications: it issues the
        # event's PDF notices (issue_documents, not on the Protocol: it hands over the planned
        # notices to render), which no call over gRPC carries.
        return LedgerEventConsumer(
            lambda: self.local_notifications,
            lambda: self.pools,
            lambda: self.investors,
            self._bank_for_notice,
            ledger=lambda: self.ledger,
        )

    @cached_property
    def ledger_publisher(self) -> Publisher:
        """RabbitMQ when CELERY_BROKER_URL is an AMQP URL, else the in-process bus."""
        url = amqp_url(self.settings.celery_broker_url)
        return RabbitPublisher(url) if url else self.ledger_bus

    @cached_property
    def ledger_relay(self) -> DatabaseOutboxRelay:
        # With a broker, each published batch schedules the snapshots of the pools it
        # touched; the embedded default computes reports on demand (cached by version).
        broker = amqp_url(self.settings.celery_broker_url) is not None
        return DatabaseOutboxRelay(
            self.db, self.ledger_publisher, on_published=self.schedule_snapshots if broker else None
        )

    @cached_property
    def celery(self) -> Celery:
        """The Celery app, configured for this container's settings and bound to it."""
        # A worker building its portal has bound this container already: binding again
        # would reconfigure (and drop the connections of) the app it is starting with.
        if celery_app.bound() is not self:
            celery_app.bind(self)
        return celery_app.celery

    def schedule_snapshots(self, events: Sequence[LedgerEvent]) -> None:
        """One snapshot task per pool touched, a few seconds out so a burst is folded into one.
        Each is queued in the trace of the pool's last event (the relay's publish of it), so
        the task's run is a span of the API call that changed the pool."""
        last_of_pool = {event.pool_id: event for event in events}
        for pool_id in sorted(last_of_pool):
            parent = trace_context.parse_traceparent(last_of_pool[pool_id].traceparent)
            with tracing.span("schedule snapshot", parent, attributes={"pool.id": pool_id}):
                self.celery.send_task(
                    celery_app.snapshot_pool.name, args=(pool_id,), countdown=SNAPSHOT_COUNTDOWN_SECONDS
                )

    @cached_property
    def ledger(self) -> DatabaseLedgerService:
        # Embedded default: each commit is published to the in-process bus right after it.
        # With a broker, `python app.py ledger relay` publishes (a process of its own).
        in_process = amqp_url(self.settings.celery_broker_url) is None
        return DatabaseLedgerService(
            self.db,
            after_commit=self.ledger_relay.drain if in_process else None,
            aggregates=AggregateCache(self.cache),
        )

    @cached_property
    def reports(self) -> ReportService:
        """Over gRPC when SERVICE_ENDPOINTS names the report service, else in process."""
        return self._client("reports", ReportServiceClient) or self.local_reports

    @cached_property
    def local_reports(self) -> DatabaseReportService:
        """The report service in this process: what `app.py rpc serve reports` serves."""
        return DatabaseReportService(
            self.db,
            self.ledger,
            self.pools,
            self.investors,
            aggregates=AggregateCache(self.cache),
            audit=self.audit,
        )

    @cached_property
    def snapshots(self) -> DatabaseSnapshotStore:
        # In process beside its own copy of the report service, whatever SERVICE_ENDPOINTS
        # says: the store is the report service's (its tables), and a recompute reports its
        # progress through a callback (on_pool), which no call over gRPC carries.
        return DatabaseSnapshotStore(self.db, self.ledger, self.local_reports, self.transactions)
