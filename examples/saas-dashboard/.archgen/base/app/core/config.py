"""Settings from the environment (and a .env file), validated at start-up."""

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
    # Failed logins per account and per client IP within the window
    # (counted in this process; see app/services/rate_limit.py).
    LOGIN_MAX_FAILURES_PER_ACCOUNT: int = 5
    LOGIN_MAX_FAILURES_PER_IP: int = 20
    LOGIN_FAILURE_WINDOW_SECONDS: int = 900
    INGEST_MAX_ROWS: int = 10000
    INGEST_MAX_BYTES: int = 10 * 1024 * 1024
    PAGE_SIZE_MAX: int = 500

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
        return self

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
