"""Settings refuse unsafe values outside development."""

import pytest
from pydantic import ValidationError

from app.core.config import Settings


@pytest.mark.parametrize("secret", ["change-me", "changeme", "", "short-secret"])
def test_placeholder_secret_refused_in_production(secret: str) -> None:
    with pytest.raises(ValidationError):
        Settings(APP_ENV="production", SECRET_KEY=secret)


def test_placeholder_secret_allowed_in_development() -> None:
    s = Settings(APP_ENV="development", SECRET_KEY="change-me")
    assert s.APP_ENV == "development"


def test_real_secret_accepted() -> None:
    s = Settings(APP_ENV="production", SECRET_KEY="x" * 48)
    assert s.cookie_secure


def test_cookie_secure_false_only_in_development() -> None:
    assert Settings(APP_ENV="production", SECRET_KEY="y" * 48, COOKIE_SECURE=False).cookie_secure
    assert not Settings(APP_ENV="development", COOKIE_SECURE=False).cookie_secure


def test_unknown_environment_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(APP_ENV="prod", SECRET_KEY="z" * 48)
