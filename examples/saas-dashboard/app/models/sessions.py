"""Table sessions (entity `sessions`)."""

import datetime as _dt  # noqa: F401
import decimal as _decimal  # noqa: F401
import typing as _t  # noqa: F401
import uuid as _uuid  # noqa: F401

import sqlalchemy as _sa
from sqlalchemy import orm as _orm

from app.core import db as _db


class Sessions(_db.Base):
    __tablename__ = "sessions"
    __table_args__ = (
        # Entity lists page through this order (keyset pagination).
        _sa.Index("ix_sessions_list", "organization_id", "created_at", "id", ),
    )

    id: _orm.Mapped[str] = _orm.mapped_column(
        "id",
        _sa.String(64),
        primary_key=True,
    )
    user_id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "user_id",
        _sa.Uuid(),
        _sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    csrf_token: _orm.Mapped[str] = _orm.mapped_column(
        "csrf_token",
        _sa.String(64),
        nullable=False,
    )
    created_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "created_at",
        _sa.DateTime(timezone=True),
        nullable=False,
    )
    last_seen_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "last_seen_at",
        _sa.DateTime(timezone=True),
        nullable=False,
    )
    expires_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "expires_at",
        _sa.DateTime(timezone=True),
        nullable=False,
    )
    organization_id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "organization_id",
        _sa.Uuid(),
        _sa.ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
