"""Table api_keys (entity `api_keys`)."""

import datetime as _dt  # noqa: F401
import decimal as _decimal  # noqa: F401
import typing as _t  # noqa: F401
import uuid as _uuid  # noqa: F401

import sqlalchemy as _sa
from sqlalchemy import orm as _orm

from app.core import db as _db


class ApiKeys(_db.Base):
    __tablename__ = "api_keys"
    __table_args__ = (
        _sa.UniqueConstraint(
            "organization_id",
            "key_hash",
            name="uq_api_keys_key_hash",
        ),
        # Entity lists page through this order (keyset pagination).
        _sa.Index("ix_api_keys_list", "organization_id", "created_at", "id", ),
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
    )
    prefix: _orm.Mapped[str] = _orm.mapped_column(
        "prefix",
        _sa.String(16),
        nullable=False,
        index=True,
    )
    key_hash: _orm.Mapped[str] = _orm.mapped_column(
        "key_hash",
        _sa.String(128),
        nullable=False,
    )
    created_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "created_at",
        _sa.DateTime(timezone=True),
        nullable=False,
    )
    revoked_at: _orm.Mapped[_dt.datetime | None] = _orm.mapped_column(
        "revoked_at",
        _sa.DateTime(timezone=True),
        nullable=True,
    )
    organization_id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "organization_id",
        _sa.Uuid(),
        _sa.ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
