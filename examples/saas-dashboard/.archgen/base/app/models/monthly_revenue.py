"""Metric table monthly_revenue (metric `monthly_revenue`, sum per month).

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


class MonthlyRevenueMetric(_db.Base):
    __tablename__ = "monthly_revenue"
    # One row per organization, period and dimension values, NULL dimensions
    # counting as equal (the migrations create the same keys).
    __table_args__ = (
        _sa.Index(
            "uq_monthly_revenue_key",
            "organization_id",
            "period_start",
            "plan",
            unique=True,
            postgresql_nulls_not_distinct=True,
            info={"dialect": "postgresql"},
        ).ddl_if(dialect="postgresql"),
        _sa.Index(
            "uq_monthly_revenue_key_sqlite",
            "organization_id",
            "period_start",
            _sa.text('coalesce("plan", 0)'),
            _sa.text('("plan" IS NULL)'),
            unique=True,
            info={"dialect": "sqlite"},
        ).ddl_if(dialect="sqlite"),
    )

    id: _orm.Mapped[int] = _orm.mapped_column("id", _sa.Integer(), primary_key=True, autoincrement=True)
    organization_id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "organization_id",
        _sa.Uuid(),
        _sa.ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
    )
    period_start: _orm.Mapped[_dt.date] = _orm.mapped_column("period_start", _sa.Date(), nullable=False)
    plan: _orm.Mapped[str | None] = _orm.mapped_column(
        "plan", _sa.String(32), nullable=True
    )
    value: _orm.Mapped[int | None] = _orm.mapped_column("value", _sa.BigInteger(), nullable=True)


class MonthlyRevenueDaily(_db.Base):
    """Daily partial aggregates of `monthly_revenue`: its months are combined from these.

    A new row recomputes its day here, then its month from at most 31 days
    (see app/services/metrics_aggregator.py), whatever the history stored.
    """

    __tablename__ = "monthly_revenue__daily"
    __table_args__ = (
        _sa.Index(
            "uq_monthly_revenue__daily_key",
            "organization_id",
            "day",
            "plan",
            unique=True,
            postgresql_nulls_not_distinct=True,
            info={"dialect": "postgresql"},
        ).ddl_if(dialect="postgresql"),
        _sa.Index(
            "uq_monthly_revenue__daily_key_sqlite",
            "organization_id",
            "day",
            _sa.text('coalesce("plan", 0)'),
            _sa.text('("plan" IS NULL)'),
            unique=True,
            info={"dialect": "sqlite"},
        ).ddl_if(dialect="sqlite"),
    )

    id: _orm.Mapped[int] = _orm.mapped_column("id", _sa.Integer(), primary_key=True, autoincrement=True)
    organization_id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "organization_id",
        _sa.Uuid(),
        _sa.ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
    )
    day: _orm.Mapped[_dt.date] = _orm.mapped_column("day", _sa.Date(), nullable=False)
    plan: _orm.Mapped[str | None] = _orm.mapped_column(
        "plan", _sa.String(32), nullable=True
    )
    # sum, min or max of the day (sum for avg); NULL when the day has no value.
    total: _orm.Mapped[int | None] = _orm.mapped_column(
        "total", _sa.BigInteger(), nullable=True
    )
    # Rows (count) or values (sum, avg) of the day.
    n: _orm.Mapped[int] = _orm.mapped_column("n", _sa.BigInteger(), nullable=False)
