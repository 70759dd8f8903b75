"""Metric table weekly_active_users (metric `weekly_active_users`, count_distinct per day).

Written only by app/services/metrics_aggregator.py: one row per
organization, period and dimension values (a unique key holds it). Re-running
a period replaces it.
"""

import datetime as _dt  # noqa: F401
import decimal as _decimal  # noqa: F401
import typing as _t  # noqa: F401
import uuid as _uuid

import sqlalchemy as _sa
from sqlalchemy import orm as _orm

from app.core import db as _db


class WeeklyActiveUsersMetric(_db.Base):
    __tablename__ = "weekly_active_users"
    # One row per organization, period and dimension values, NULL dimensions
    # counting as equal (the migrations create the same keys).
    __table_args__ = (
        _sa.Index("uq_weekly_active_users_key", "organization_id", "period_start", unique=True),
    )

    id: _orm.Mapped[int] = _orm.mapped_column("id", _sa.Integer(), primary_key=True, autoincrement=True)
    organization_id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "organization_id",
        _sa.Uuid(),
        _sa.ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
    )
    period_start: _orm.Mapped[_dt.date] = _orm.mapped_column("period_start", _sa.Date(), nullable=False)
    value: _orm.Mapped[int | None] = _orm.mapped_column("value", _sa.BigInteger(), nullable=True)
