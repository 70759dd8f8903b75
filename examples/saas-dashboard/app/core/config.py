"""Settings from the environment (and a .env file), validated at start-up."""

import ipaddress
from functools import lru_cache

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./app.db"
ENVIRONMENTS = ("development", "test", "staging", "production")
# Secrets nobody may run with outside development.
PLACEHOLDER_SECRETS = frozenset(
    {
        "",
        "change-me",
        "changeme",
        "change-me-in-production",
        "secret",
        "dev",
        "development",
        "insecure",
        "please-change-me",
    }
)
MIN_SECRET_LENGTH = 32


class DatabaseSettings(BaseSettings):
    """What Alembic and the jobs need: only the database URL."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    DATABASE_URL: str = DEFAULT_DATABASE_URL


class HashingSettings(BaseSettings):
    """Argon2id cost (RFC 9106's second recommendation by default)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    ARGON2_TIME_COST: int = 3
    ARGON2_MEMORY_KIB: int = 65536
    ARGON2_PARALLELISM: int = 4


class Settings(DatabaseSettings, HashingSettings):
    APP_ENV: str = "production"
    SECRET_KEY: str = "change-me"
    # False is honoured only when APP_ENV=development.
    COOKIE_SECURE: bool = True
    SESSION_IDLE_MINUTES: int = 30
    SESSION_ABSOLUTE_HOURS: int = 12
    # Failed sign-ins (kept in the database, shared by every process; see
    # app/services/rate_limit.py): per (account, client address), from the
    # LOGIN_FREE_FAILURES-th failure on each next attempt waits twice as long,
    # from LOGIN_BACKOFF_BASE_SECONDS up to LOGIN_BACKOFF_MAX_SECONDS; per
    # address, at most LOGIN_MAX_FAILURES_PER_IP within the window.
    LOGIN_FREE_FAILURES: int = 5
    LOGIN_BACKOFF_BASE_SECONDS: float = 1.0
    LOGIN_BACKOFF_MAX_SECONDS: float = 900.0
    LOGIN_MAX_FAILURES_PER_IP: int = 50
    LOGIN_FAILURE_WINDOW_SECONDS: int = 900
    # Reverse proxies whose X-Forwarded-For / Forwarded headers name the
    # client: comma-separated addresses or networks ("10.0.0.0/8,::1").
    # Empty: the socket peer is the client.
    TRUSTED_PROXIES: str = ""
    INGEST_MAX_ROWS: int = 10000
    # Request bodies are cut off at these sizes (chunked ones included): 413.
    INGEST_MAX_BYTES: int = 10 * 1024 * 1024
    MAX_BODY_BYTES: int = 1024 * 1024
    # Rows dated further ahead are refused (clock skew allowance).
    INGEST_MAX_FUTURE_MINUTES: int = 1440
    # How long a batch without row keys is remembered, to refuse its retry.
    INGEST_IDEMPOTENCY_HOURS: int = 24
    PAGE_SIZE_MAX: int = 500
    # The longest range one metric series request may ask for, in days.
    SERIES_MAX_DAYS: int = 3660
    # The worker (python -m app.jobs.worker): how often it aggregates what
    # arrived, and how often it deletes rows past their retention.
    AGGREGATE_EVERY_SECONDS: int = 300
    RETENTION_EVERY_SECONDS: int = 3600
    # The worker touches this file every turn; `python -m app.jobs.worker
    # --check` (its health check) tells whether it is fresh.
    WORKER_HEARTBEAT_FILE: str = "/tmp/app-worker-heartbeat"
    # GET /metrics (Prometheus) asks for `Authorization: Bearer <token>` when set.
    METRICS_TOKEN: str = ""
    # Log lines: one JSON object each (json) or plain text (text).
    LOG_FORMAT: str = "json"
    LOG_LEVEL: str = "INFO"

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        if self.APP_ENV not in ENVIRONMENTS:
            raise ValueError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}")
        if self.APP_ENV != "development":
            secret = self.SECRET_KEY.strip()
            if (
                secret.lower() in PLACEHOLDER_SECRETS
                or secret.lower().startswith("change")
                or len(secret) < MIN_SECRET_LENGTH
            ):
                raise ValueError(
                    "SECRET_KEY is a placeholder or shorter than "
                    f"{MIN_SECRET_LENGTH} characters; set a random secret "
                    "(python -c 'import secrets; print(secrets.token_urlsafe(48))') "
                    "or run with APP_ENV=development"
                )
        if self.SESSION_IDLE_MINUTES <= 0 or self.SESSION_ABSOLUTE_HOURS <= 0:
            raise ValueError("session lifetimes must be positive")
        _ = self.trusted_proxies  # refuses a malformed TRUSTED_PROXIES at start-up
        return self

    @property
    def trusted_proxies(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        try:
            return tuple(
                ipaddress.ip_network(part.strip(), strict=False)
                for part in self.TRUSTED_PROXIES.split(",")
                if part.strip()
            )
        except ValueError as exc:
            raise ValueError(f"TRUSTED_PROXIES: {exc}") from exc

    @property
    def cookie_secure(self) -> bool:
        """Secure cookies everywhere except an explicit development opt-out."""
        return self.COOKIE_SECURE or self.APP_ENV != "development"

    @property
    def docs_enabled(self) -> bool:
        return self.APP_ENV == "development"


@lru_cache
def get_settings() -> Settings:
    return Settings()
