"""Table audit_log (entity `audit_log`)."""

import datetime as _dt  # noqa: F401
import decimal as _decimal  # noqa: F401
import typing as _t  # noqa: F401
import uuid as _uuid  # noqa: F401

import sqlalchemy as _sa
from sqlalchemy import orm as _orm

from app.core import db as _db


class AuditLog(_db.Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        # Entity lists page through this order (keyset pagination).
        _sa.Index("ix_audit_log_list", "organization_id", "occurred_at", "id", ),
    )

    id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "id",
        _sa.Uuid(),
        primary_key=True,
        default=_uuid.uuid4,
    )
    occurred_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "occurred_at",
        _sa.DateTime(timezone=True),
        nullable=False,
        index=True,
    )
    actor_user_id: _orm.Mapped[_uuid.UUID | None] = _orm.mapped_column(
        "actor_user_id",
        _sa.Uuid(),
        nullable=True,
        index=True,
    )
    action: _orm.Mapped[str] = _orm.mapped_column(
        "action_",
        _sa.String(100),
        nullable=False,
        index=True,
    )
    target: _orm.Mapped[str | None] = _orm.mapped_column(
        "target",
        _sa.String(255),
        nullable=True,
    )
    detail: _orm.Mapped[_t.Any | None] = _orm.mapped_column(
        "detail",
        _sa.JSON(),
        nullable=True,
    )
    ip: _orm.Mapped[str | None] = _orm.mapped_column(
        "ip",
        _sa.String(64),
        nullable=True,
    )
    organization_id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "organization_id",
        _sa.Uuid(),
        # No foreign key: these rows outlive their organization.
        nullable=False,
        index=True,
    )
