"""Table users (entity `users`)."""

import datetime as _dt  # noqa: F401
import decimal as _decimal  # noqa: F401
import typing as _t  # noqa: F401
import uuid as _uuid  # noqa: F401

import sqlalchemy as _sa
from sqlalchemy import orm as _orm

from app.core import db as _db


class Users(_db.Base):
    __tablename__ = "users"
    __table_args__ = (
        _sa.UniqueConstraint(
            "organization_id",
            "email",
            name="uq_users_email",
        ),
        # Entity lists page through this order (keyset pagination).
        _sa.Index("ix_users_list", "organization_id", "created_at", "id", ),
    )

    id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "id",
        _sa.Uuid(),
        primary_key=True,
        default=_uuid.uuid4,
    )
    email: _orm.Mapped[str] = _orm.mapped_column(
        "email",
        _sa.String(255),
        nullable=False,
    )
    password_hash: _orm.Mapped[str] = _orm.mapped_column(
        "password_hash",
        _sa.String(255),
        nullable=False,
    )
    role: _orm.Mapped[str] = _orm.mapped_column(
        "role",
        _sa.String(20),
        nullable=False,
    )
    is_active: _orm.Mapped[bool] = _orm.mapped_column(
        "is_active",
        _sa.Boolean(),
        nullable=False,
    )
    created_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "created_at",
        _sa.DateTime(timezone=True),
        nullable=False,
    )
    display_name: _orm.Mapped[str | None] = _orm.mapped_column(
        "display_name",
        _sa.String(120),
        nullable=True,
    )
    organization_id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "organization_id",
        _sa.Uuid(),
        _sa.ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
