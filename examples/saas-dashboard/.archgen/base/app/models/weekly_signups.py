"""Metric table weekly_signups (metric `weekly_signups`, count per week).

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


class WeeklySignupsMetric(_db.Base):
    __tablename__ = "weekly_signups"
    # One row per organization, period and dimension values, NULL dimensions
    # counting as equal (the migrations create the same keys).
    __table_args__ = (
        _sa.Index("uq_weekly_signups_key", "organization_id", "period_start", unique=True),
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


class WeeklySignupsDaily(_db.Base):
    """Daily partial aggregates of `weekly_signups`: its weeks are combined from these.

    A new row recomputes its day here, then its week from at most 31 days
    (see app/services/metrics_aggregator.py), whatever the history stored.
    """

    __tablename__ = "weekly_signups__daily"
    __table_args__ = (
        _sa.Index("uq_weekly_signups__daily_key", "organization_id", "day", unique=True),
    )

    id: _orm.Mapped[int] = _orm.mapped_column("id", _sa.Integer(), primary_key=True, autoincrement=True)
    organization_id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "organization_id",
        _sa.Uuid(),
        _sa.ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
    )
    day: _orm.Mapped[_dt.date] = _orm.mapped_column("day", _sa.Date(), nullable=False)
    # sum, min or max of the day (sum for avg); NULL when the day has no value.
    total: _orm.Mapped[int | None] = _orm.mapped_column(
        "total", _sa.BigInteger(), nullable=True
    )
    # Rows (count) or values (sum, avg) of the day.
    n: _orm.Mapped[int] = _orm.mapped_column("n", _sa.BigInteger(), nullable=False)
