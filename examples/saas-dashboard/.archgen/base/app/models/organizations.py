"""Table organizations (entity `organizations`)."""

import datetime as _dt  # noqa: F401
import decimal as _decimal  # noqa: F401
import typing as _t  # noqa: F401
import uuid as _uuid  # noqa: F401

import sqlalchemy as _sa
from sqlalchemy import orm as _orm

from app.core import db as _db


class Organizations(_db.Base):
    __tablename__ = "organizations"

    id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "id",
        _sa.Uuid(),
        primary_key=True,
        default=_uuid.uuid4,
    )
    name: _orm.Mapped[str] = _orm.mapped_column(
        "name",
        _sa.String(200),
        nullable=False,
    )
    created_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "created_at",
        _sa.DateTime(timezone=True),
        nullable=False,
    )
