"""Metric table monthly_recurring_revenue (metric `monthly_recurring_revenue`, sum per month).

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


class MonthlyRecurringRevenueMetric(_db.Base):
    __tablename__ = "monthly_recurring_revenue"
    # One row per organization, period and dimension values, NULL dimensions
    # counting as equal (the migrations create the same keys).
    __table_args__ = (
        _sa.Index(
            "uq_monthly_recurring_revenue_key",
            "organization_id",
            "period_start",
            "plan",
            unique=True,
            postgresql_nulls_not_distinct=True,
            info={"dialect": "postgresql"},
        ).ddl_if(dialect="postgresql"),
        _sa.Index(
            "uq_monthly_recurring_revenue_key_sqlite",
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
    value: _orm.Mapped[float | None] = _orm.mapped_column("value", _sa.Double(), nullable=True)
