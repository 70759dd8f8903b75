"""The database: engine, sessions and the declarative base.

SQLite (./app.db) is the embedded default; DATABASE_URL switches to
PostgreSQL (postgresql+psycopg://user:password@host:5432/name).
Timestamps are stored in UTC.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from app.core.config import DatabaseSettings


def short_name(name: str) -> str:
    """A constraint or index name PostgreSQL can hold (63 bytes): longer ones
    keep their first 54 bytes, then `_` and 8 hex digits of their SHA-256,
    on every database, as archgen shortens the names in the migrations."""
    if len(name.encode()) <= 63:
        return name
    return name[:54] + "_" + hashlib.sha256(name.encode()).hexdigest()[:8]


def _column_0(constraint: Any) -> str:
    return str(next(iter(constraint.columns)).name)


NAMING_CONVENTION: dict[str, Any] = {
    "ix_name": lambda c, t: short_name(f"ix_{t.name}_{_column_0(c)}"),
    "uq_name": lambda c, t: short_name(f"uq_{t.name}_{_column_0(c)}"),
    "fk_name": lambda c, t: short_name(f"fk_{t.name}_{_column_0(c)}"),
    "pk_name": lambda c, t: short_name(f"pk_{t.name}"),
    "ix": "%(ix_name)s",
    "uq": "%(uq_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "%(fk_name)s",
    "pk": "%(pk_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def database_url() -> str:
    return DatabaseSettings().DATABASE_URL


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # A writer waits up to 30 s for another's transaction (aggregation
        # runs hold the write lock while they recompute).
        eng = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(eng, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return eng
    return create_engine(url, pool_pre_ping=True)


engine = make_engine(database_url())
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


def get_db() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """Aware UTC; naive values (SQLite hands them back) are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def lock_id(name: str) -> int:
    """A stable signed 64-bit id for a PostgreSQL advisory lock."""
    return int.from_bytes(hashlib.sha256(f"app-lock:{name}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def serialized(name: str, bind: Engine | None = None) -> Iterator[Connection]:
    """One write transaction that holds the lock `name` until it ends.

    PostgreSQL: a transaction-level advisory lock, so transactions under the
    same name run one after another and others go on. SQLite: BEGIN
    IMMEDIATE, which holds the database's write lock from the first
    statement (SQLite has one writer at a time anyway). Commits on success,
    rolls back on any error.
    """
    eng = bind or engine
    with eng.connect() as conn:
        if conn.dialect.name == "sqlite":
            # Autocommit at the driver level, so that we decide how the
            # transaction begins.
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")
            return
        with conn.begin():
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id(name)})
            yield conn


def dialect_insert(target: Any, dialect: str) -> Any:
    """The database's own INSERT, which has on_conflict_do_nothing/_do_update."""
    if dialect == "postgresql":
        return postgresql.insert(target)
    if dialect == "sqlite":
        return sqlite.insert(target)
    raise RuntimeError(f"supported databases are SQLite and PostgreSQL, not {dialect}")
