"""Table subscriptions (entity `subscriptions`)."""

import datetime as _dt  # noqa: F401
import decimal as _decimal  # noqa: F401
import typing as _t  # noqa: F401
import uuid as _uuid  # noqa: F401

import sqlalchemy as _sa
from sqlalchemy import orm as _orm

from app.core import db as _db


class Subscriptions(_db.Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        # Entity lists page through this order (keyset pagination).
        _sa.Index("ix_subscriptions_list", "organization_id", "started_at", "id", ),
    )

    id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "id",
        _sa.Uuid(),
        primary_key=True,
        default=_uuid.uuid4,
    )
    customer_id: _orm.Mapped[str] = _orm.mapped_column(
        "customer_id",
        _sa.String(64),
        nullable=False,
        index=True,
    )
    plan: _orm.Mapped[str] = _orm.mapped_column(
        "plan",
        _sa.String(32),
        nullable=False,
    )
    amount_cents: _orm.Mapped[int] = _orm.mapped_column(
        "amount_cents",
        _sa.BigInteger(),
        nullable=False,
    )
    interval_months: _orm.Mapped[int] = _orm.mapped_column(
        "interval_months",
        _sa.Integer(),
        nullable=False,
    )
    started_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "started_at",
        _sa.DateTime(timezone=True),
        nullable=False,
        index=True,
    )
    ended_at: _orm.Mapped[_dt.datetime | None] = _orm.mapped_column(
        "ended_at",
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
