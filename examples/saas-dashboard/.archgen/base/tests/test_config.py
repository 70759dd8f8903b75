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


def test_tests_refuse_a_database_not_named_for_tests() -> None:
    from tests.conftest import test_database_url

    assert test_database_url({}, "/tmp/x") == "sqlite:////tmp/x/test.db"
    # DATABASE_URL (production's, say) is never used.
    assert test_database_url({"DATABASE_URL": "postgresql+psycopg://u@db/prod"}, "/tmp/x").startswith("sqlite:")
    ok = "postgresql+psycopg://u@localhost:5432/app_test"
    assert test_database_url({"TEST_DATABASE_URL": ok}, "/tmp/x") == ok
    assert test_database_url({"TEST_DATABASE_URL": "sqlite:////tmp/y/check_test.db"}, "/tmp/x").endswith("check_test.db")
    for bad in ("postgresql+psycopg://u@localhost:5432/app", "sqlite:////tmp/y/app.db"):
        with pytest.raises(ValueError, match="_test"):
            test_database_url({"TEST_DATABASE_URL": bad}, "/tmp/x")
