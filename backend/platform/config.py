"""Typed settings read from the environment, with embedded defaults when unset.

Unset DATABASE_URL, REDIS_URL and CELERY_BROKER_URL select the embedded adapters
(SQLite under var/, in-process cache, eager tasks), so `make run` needs nothing
installed. Production sets every one of them; see README.md.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.platform.actors import Role

# A shard's name as the directory stores it (pool_shards.shard, 64 characters at most).
_SHARD_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    var_dir: Path = Field(default=Path("var"), alias="VAR_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    # Comma separated because that is what an operator types into an env file.
    database_replica_urls: str = Field(default="", alias="DATABASE_REPLICA_URLS")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    celery_broker_url: str | None = Field(default=None, alias="CELERY_BROKER_URL")
    secret_key: str | None = Field(default=None, alias="SECRET_KEY")
    jwt_keys_dir: Path | None = Field(default=None, alias="JWT_KEYS_DIR")
    jwt_active_kid: str | None = Field(default=None, alias="JWT_ACTIVE_KID")
    jwt_issuer: str = Field(default="investment-pools", alias="JWT_ISSUER")
    jwt_audience: str = Field(default="investment-pools-api", alias="JWT_AUDIENCE")
    access_token_ttl_seconds: int = Field(default=900, alias="ACCESS_TOKEN_TTL_SECONDS", gt=0)
    refresh_token_ttl_seconds: int = Field(default=14 * 24 * 3600, alias="REFRESH_TOKEN_TTL_SECONDS", gt=0)
    login_max_failures_per_account: int = Field(default=5, alias="LOGIN_MAX_FAILURES", gt=0)
    login_max_failures_per_ip: int = Field(default=50, alias="LOGIN_MAX_FAILURES_PER_IP", gt=0)
    login_lockout_seconds: int = Field(default=900, alias="LOGIN_LOCKOUT_SECONDS", gt=0)
    # How long an emailed password-reset link works (single use; a newer one voids it).
    password_reset_ttl_seconds: int = Field(default=3600, alias="PASSWORD_RESET_TTL_SECONDS", gt=0)
    replica_max_lag_seconds: float = Field(default=5.0, alias="REPLICA_MAX_LAG_SECONDS", ge=0)
    replica_wait_seconds: float = Field(default=0.5, alias="REPLICA_WAIT_SECONDS", ge=0)
    replica_retry_seconds: float = Field(default=5.0, alias="REPLICA_RETRY_SECONDS", ge=0)
    read_your_writes_seconds: float = Field(default=30.0, alias="READ_YOUR_WRITES_SECONDS", ge=0)
    session_cookie_secure: bool | None = Field(default=None, alias="SESSION_COOKIE_SECURE")
    # How many reverse proxies (nginx, a cloud load balancer) stand in front of the app servers.
    # Their X-Forwarded-For/-Proto are trusted for exactly that many hops: per-IP login
    # throttling must see the client's address, not the balancer's.
    trusted_proxy_hops: int = Field(default=0, alias="TRUSTED_PROXY_HOPS", ge=0, le=5)
    # Prometheus scrapes /metrics with "Authorization: Bearer <token>". Unset, /metrics
    # answers only loopback clients that came through no proxy (the embedded demo, a
    # scraper on the same host); everyone else gets 404.
    metrics_token: str | None = Field(default=None, alias="METRICS_TOKEN", min_length=16, repr=False)
    # The processes that serve no HTTP of their own (worker, beat, relay, consumers) answer
    # /metrics on METRICS_HOST:METRICS_PORT (or their --metrics-port); unset, they serve none.
    # One port per process on a host; 0.0.0.0 in a pod, for Prometheus to reach.
    metrics_port: int | None = Field(default=None, alias="METRICS_PORT", gt=0, lt=65536)
    metrics_host: str = Field(default="127.0.0.1", alias="METRICS_HOST", min_length=1)
    # The hour (UTC) beat has the whole books verified each day (`ledger verify`, a read of
    # every posting on the primary: seconds per million), after the night's snapshots and
    # reconciliation; /metrics reports the last run and an alert says when it is a day old.
    ledger_verify_hour_utc: int = Field(default=3, alias="LEDGER_VERIFY_HOUR_UTC", ge=0, le=23)
    # The payment gateway's webhook signing secrets, comma separated: during a rotation both
    # the old and the new one verify. Unset: read from <var_dir>/payment_webhook_secrets (one
    # per line, re-read on every webhook so a rotation needs no restart), made on first use.
    payment_webhook_secrets: str | None = Field(default=None, alias="PAYMENT_WEBHOOK_SECRETS", repr=False)
    # The payment gateway (Stripe's API): its secret key, and its address when it is not
    # Stripe's own (the sandbox in tests). Unset: no gateway rail; investors pay by wire.
    payment_gateway_api_key: str | None = Field(default=None, alias="PAYMENT_GATEWAY_API_KEY", repr=False)
    # Or the key in a file (a mounted secret), which wins when set: read on each use, so writing
    # a rolled key there takes effect on the next call, without a restart.
    payment_gateway_api_key_file: Path | None = Field(default=None, alias="PAYMENT_GATEWAY_API_KEY_FILE")
    payment_gateway_url: str | None = Field(default=None, alias="PAYMENT_GATEWAY_URL")
    # How long one call to the gateway may take (the SDK's own default is 80 s, three tries):
    # past it the attempt is left pending and asked about again, by its key, later.
    payment_gateway_timeout_seconds: float = Field(
        default=15.0, gt=0, le=120, alias="PAYMENT_GATEWAY_TIMEOUT_SECONDS"
    )
    # Email (notifications/mail.py). Unset SMTP_HOST: messages are written as .eml files to
    # <var_dir>/outbox/ (the embedded default). Production sets the relay, with STARTTLS and
    # a login; MAIL_FROM is the sender people see; PORTAL_URL makes the links in messages.
    smtp_host: str | None = Field(default=None, alias="SMTP_HOST")
    smtp_port: int = Field(default=587, alias="SMTP_PORT", gt=0, lt=65536)
    smtp_starttls: bool = Field(default=True, alias="SMTP_STARTTLS")
    smtp_username: str | None = Field(default=None, alias="SMTP_USERNAME")
    smtp_password: str | None = Field(default=None, alias="SMTP_PASSWORD", repr=False)
    mail_from: str = Field(default="Investment Pools <notices@pools.localhost>", alias="MAIL_FROM")
    portal_url: str | None = Field(default=None, alias="PORTAL_URL")  # unset: this server's own
    # SMS (notifications/sms.py): Twilio when TWILIO_ACCOUNT_SID is set (TWILIO_BASE_URL points
    # the SDK elsewhere: a regional edge, or a test's stand-in); else each text is written as a
    # .json file under <var_dir>/sms/ (the embedded default). The rate is the provider's: a
    # long code takes about one message a second; every worker shares it through Redis.
    twilio_account_sid: str | None = Field(default=None, alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str | None = Field(default=None, alias="TWILIO_AUTH_TOKEN", repr=False)
    twilio_from_number: str | None = Field(default=None, alias="TWILIO_FROM_NUMBER")
    twilio_base_url: str | None = Field(default=None, alias="TWILIO_BASE_URL")
    sms_rate_per_second: float = Field(default=1.0, gt=0, le=1000, alias="SMS_RATE_PER_SECOND")
    sms_burst: int = Field(default=10, ge=1, le=10000, alias="SMS_BURST")
    sms_sender_name: str = Field(default="Investment Pools", max_length=40, alias="SMS_SENDER_NAME")
    # The email provider's sending rate, shared by every worker through Redis like the SMS one.
    # 14 a second is Amazon SES's default quota once out of its sandbox; beyond its rate a
    # relay answers 4xx ("454 Throttling failure") and the messages only come back as retries.
    # A relay that allows more (or less: a Gmail or Microsoft 365 account) is set here.
    email_rate_per_second: float = Field(default=14.0, gt=0, le=100000, alias="EMAIL_RATE_PER_SECOND")
    email_burst: int = Field(default=14, ge=1, le=100000, alias="EMAIL_BURST")
    # The document vault (notifications/vault.py): notices and statements as issued. Unset
    # bucket: files under <var_dir>/documents/ (the embedded default). Production names an
    # S3-compatible bucket; credentials come from the usual AWS environment or instance role.
    documents_s3_bucket: str | None = Field(default=None, alias="DOCUMENTS_S3_BUCKET")
    documents_s3_endpoint: str | None = Field(default=None, alias="DOCUMENTS_S3_ENDPOINT")
    documents_s3_region: str = Field(default="us-east-1", alias="DOCUMENTS_S3_REGION")
    # The key ring that seals bank details at rest: "kid:base64(32 bytes)" entries, comma
    # separated, the first one active (backend/payments/vault.py). Unset: generated into
    # <var_dir>/payment_data_keys on first use.
    payment_data_keys: str | None = Field(default=None, alias="PAYMENT_DATA_KEYS", repr=False)
    # The reporting currency figures are consolidated into for a user who has not chosen one
    # (docs/business-logic.md, "Reporting currency and FX rates"): REPORTING_CURRENCY_DEFAULT
    # for everyone, or per role (REPORTING_CURRENCY_MANAGER=USD...). ISO codes; the users
    # service refuses a code the platform does not know when it starts.
    reporting_currency_default: str = Field(
        default="EUR", alias="REPORTING_CURRENCY_DEFAULT", pattern=r"^[A-Z]{3}$"
    )
    reporting_currency_admin: str | None = Field(
        default=None, alias="REPORTING_CURRENCY_ADMIN", pattern=r"^[A-Z]{3}$"
    )
    reporting_currency_manager: str | None = Field(
        default=None, alias="REPORTING_CURRENCY_MANAGER", pattern=r"^[A-Z]{3}$"
    )
    reporting_currency_investor: str | None = Field(
        default=None, alias="REPORTING_CURRENCY_INVESTOR", pattern=r"^[A-Z]{3}$"
    )
    reporting_currency_analyst: str | None = Field(
        default=None, alias="REPORTING_CURRENCY_ANALYST", pattern=r"^[A-Z]{3}$"
    )
    # Database backups (backend/backup/): where backups and archived binary logs are kept,
    # the key ring that seals them ("kid:base64(32 bytes)", first active; unset: generated
    # into <var_dir>/backup_keys, which must then be kept apart from the backups), and how
    # many full backups the retention policy keeps, with their incrementals and binlogs.
    backup_dir: Path | None = Field(default=None, alias="BACKUP_DIR")
    backup_keys: str | None = Field(default=None, alias="BACKUP_KEYS", repr=False)
    backup_keep_full: int = Field(default=4, ge=1, le=1000, alias="BACKUP_KEEP_FULL")
    # The figures every backup command leaves for node_exporter's textfile collector (unset:
    # <BACKUP_DIR>/metrics/backup.prom; point the collector's directory at it).
    backup_metrics_file: Path | None = Field(default=None, alias="BACKUP_METRICS_FILE")
    # The services reached over gRPC instead of in process: "pools=10.0.0.5:50051,users=..."
    # (backend/platform/rpc). Unset: every service in process, as `make run` runs.
    service_endpoints: str = Field(default="", alias="SERVICE_ENDPOINTS")
    # Shard by pool (docs/scaling.md; the simulation's `app.py shards` commands): each shard's
    # database as "a=mysql+pymysql://...,b=...". Unset: one database, no shards.
    shard_urls: str = Field(default="", alias="SHARD_URLS", repr=False)
    # The key every process signs its gRPC calls' internal tokens with (at least 32
    # characters; unset: generated into <var_dir>/internal_token_key, for one machine).
    internal_token_key: str | None = Field(default=None, alias="INTERNAL_TOKEN_KEY", repr=False)
    # Deadlines of a gRPC call: a read (retried while the service is unavailable) and a write.
    rpc_read_timeout_seconds: float = Field(default=5.0, gt=0, le=300, alias="RPC_READ_TIMEOUT_SECONDS")
    rpc_write_timeout_seconds: float = Field(default=30.0, gt=0, le=600, alias="RPC_WRITE_TIMEOUT_SECONDS")
    # How long an app server reuses an access check that passed, when the auth service is
    # remote and REDIS_URL is set (backend/auth/checked_sessions.py); 0 checks every request.
    access_check_reuse_seconds: float = Field(default=5.0, ge=0, le=60, alias="ACCESS_CHECK_REUSE_SECONDS")
    host: str = Field(default="127.0.0.1", alias="HOST")
    port: int = Field(default=8050, alias="PORT", gt=0, lt=65536)
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")

    @property
    def embedded(self) -> bool:
        """True when no external database is configured: the `make run` demo."""
        return self.database_url is None

    @cached_property
    def primary_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'pools.sqlite3').resolve()}"

    @cached_property
    def replica_urls(self) -> list[str]:
        return [u.strip() for u in self.database_replica_urls.split(",") if u.strip()]

    @cached_property
    def endpoints(self) -> dict[str, str]:
        """SERVICE_ENDPOINTS as service -> host:port."""
        found: dict[str, str] = {}
        for item in self.service_endpoints.split(","):
            if item.strip():
                name, sep, target = item.partition("=")
                if not sep or not name.strip() or not target.strip():
                    raise ValueError(f"SERVICE_ENDPOINTS: {item.strip()!r} is not service=host:port")
                found[name.strip()] = target.strip()
        return found

    @cached_property
    def shards(self) -> dict[str, str]:
        """SHARD_URLS as shard name -> database URL."""
        found: dict[str, str] = {}
        for item in self.shard_urls.split(","):
            if item.strip():
                name, sep, url = item.partition("=")
                if not sep or not _SHARD_NAME.fullmatch(name.strip()) or not url.strip():
                    # Named without the URL: it may carry a password.
                    raise ValueError(
                        f"SHARD_URLS: item {len(found) + 1} is not name=url (a name of letters, "
                        "digits, _ and -)"
                    )
                found[name.strip()] = url.strip()
        return found

    @cached_property
    def reporting_currencies(self) -> dict[Role, str]:
        """Each role's default reporting currency: its own setting, else the default."""
        per_role = {
            Role.ADMIN: self.reporting_currency_admin,
            Role.MANAGER: self.reporting_currency_manager,
            Role.INVESTOR: self.reporting_currency_investor,
            Role.ANALYST: self.reporting_currency_analyst,
        }
        return {role: code or self.reporting_currency_default for role, code in per_role.items()}


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; keyword overrides win (tests, CLI flags)."""
    return Settings(**overrides)  # type: ignore[arg-type]
