"""Test set-up: a throwaway database, migrated with Alembic, emptied before each test.

The tests never touch DATABASE_URL's database. Without TEST_DATABASE_URL
they use a fresh SQLite file in a temporary folder. TEST_DATABASE_URL may
name another database (PostgreSQL, say) only when its name ends in `_test`:
it is migrated to head and EVERY TABLE IS EMPTIED before each test, so the
tests refuse to start on anything that does not look like a test database
(running pytest inside a production container cannot wipe it).
"""

import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from sqlalchemy.engine import make_url


def test_database_url(environ: Mapping[str, str], scratch: str) -> str:
    """The database the tests may use, or ValueError saying why not."""
    url = environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{scratch}/test.db"
    parsed = make_url(url)
    name = parsed.database or ""
    stem = Path(name).stem if parsed.get_backend_name() == "sqlite" else name
    if not stem.endswith("_test"):
        raise ValueError(
            f"TEST_DATABASE_URL names the database {name!r}; the tests empty every table, so they run "
            "only on a database whose name ends in '_test' (or, without TEST_DATABASE_URL, on SQLite)"
        )
    return url


_TMP = tempfile.mkdtemp(prefix="app-tests-")
try:
    os.environ["DATABASE_URL"] = test_database_url(os.environ, _TMP)
except ValueError as exc:
    sys.exit(f"refusing to run the tests: {exc}")
os.environ["APP_ENV"] = "test"
os.environ["SECRET_KEY"] = "test-secret-key-that-is-long-enough-0123456789"
os.environ["COOKIE_SECURE"] = "true"
# Cheaper Argon2 for the tests only (production keeps the defaults).
os.environ.setdefault("ARGON2_TIME_COST", "1")
os.environ.setdefault("ARGON2_MEMORY_KIB", "8192")
os.environ.setdefault("ARGON2_PARALLELISM", "1")

import pytest  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import delete, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.core.config import get_settings  # noqa: E402
from app.core.db import Base, SessionLocal, engine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASE_URL = "https://testserver"


def alembic_config() -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return cfg


@pytest.fixture(scope="session", autouse=True)
def _migrated() -> Iterator[None]:
    command.upgrade(alembic_config(), "head")
    yield
    engine.dispose()


# Tables whose rows the database refuses to delete (the audit log).
GUARDED = ("audit_log", "audit_erasures")


def empty_every_table() -> None:
    """Deletes every row; the audit log's triggers are lifted for that moment only."""
    with engine.begin() as conn:
        guarded = [t for t in GUARDED if t in Base.metadata.tables]
        triggers: list[str] = []
        if guarded and conn.dialect.name == "postgresql":
            for t in guarded:
                conn.execute(text(f"ALTER TABLE {t} DISABLE TRIGGER USER"))
        elif guarded:
            triggers = list(
                conn.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (:a, :b)"),
                    {"a": GUARDED[0], "b": GUARDED[1]},
                )
            )
            for name, _ in triggers:
                conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
        if guarded and conn.dialect.name == "postgresql":
            for t in guarded:
                conn.execute(text(f"ALTER TABLE {t} ENABLE TRIGGER USER"))
        for _, sql in triggers:
            conn.exec_driver_sql(sql)


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    empty_every_table()
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


@pytest.fixture
def app():  # type: ignore[no-untyped-def]
    from app.main import create_app

    return create_app()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url=BASE_URL) as c:
        yield c


@pytest.fixture
def make_client(app):  # type: ignore[no-untyped-def]
    """Another browser: its own cookie jar (and, if given, its own client address)."""
    clients: list[TestClient] = []

    def factory(address: str = "testclient") -> TestClient:
        c = TestClient(app, base_url=BASE_URL, client=(address, 50000))
        clients.append(c)
        return c

    yield factory
    for c in clients:
        c.close()
