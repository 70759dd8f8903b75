"""Table events (entity `events`)."""

import datetime as _dt  # noqa: F401
import decimal as _decimal  # noqa: F401
import typing as _t  # noqa: F401
import uuid as _uuid  # noqa: F401

import sqlalchemy as _sa
from sqlalchemy import orm as _orm

from app.core import db as _db


class Events(_db.Base):
    __tablename__ = "events"
    __table_args__ = (
        # Entity lists page through this order (keyset pagination).
        _sa.Index("ix_events_list", "organization_id", "occurred_at", "id", ),
    )

    id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "id",
        _sa.Uuid(),
        primary_key=True,
        default=_uuid.uuid4,
    )
    name: _orm.Mapped[str] = _orm.mapped_column(
        "name",
        _sa.String(100),
        nullable=False,
        index=True,
    )
    user_id: _orm.Mapped[str] = _orm.mapped_column(
        "user_id",
        _sa.String(64),
        nullable=False,
        index=True,
    )
    session_id: _orm.Mapped[str | None] = _orm.mapped_column(
        "session_id",
        _sa.String(64),
        nullable=True,
    )
    plan: _orm.Mapped[str | None] = _orm.mapped_column(
        "plan",
        _sa.String(32),
        nullable=True,
    )
    revenue_cents: _orm.Mapped[int | None] = _orm.mapped_column(
        "revenue_cents",
        _sa.BigInteger(),
        nullable=True,
    )
    duration_ms: _orm.Mapped[int | None] = _orm.mapped_column(
        "duration_ms",
        _sa.Integer(),
        nullable=True,
    )
    properties: _orm.Mapped[_t.Any | None] = _orm.mapped_column(
        "properties",
        _sa.JSON(),
        nullable=True,
    )
    occurred_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "occurred_at",
        _sa.DateTime(timezone=True),
        nullable=False,
        index=True,
    )
    organization_id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "organization_id",
        _sa.Uuid(),
        _sa.ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
