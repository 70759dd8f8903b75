"""The platform's own tables, beside the blueprint's entities and metrics.

- ingest_batches: batches already stored, so that a retried batch is not
  stored twice (see app/api/ingest.py).
- aggregation_queue: the (metric, organization, day) triples that rows
  ingested since the last scheduled run fall into; the run claims and
  recomputes them (see app/services/metrics_aggregator.py).
- metric_state: which definition each metric's table was computed with; a
  changed definition makes the next run recompute the metric whole.
- job_runs: one row per aggregation run: when, how it ended, how far it got.
- login_throttle: failed sign-ins per (account, client address) and per
  address, shared by every process (see app/services/rate_limit.py).
- audit_erasures: each GDPR erasure's pseudonym; the database lets an
  audit row change only to apply a recorded erasure (see app/services/audit.py).
"""

import datetime as _dt
import uuid as _uuid

import sqlalchemy as _sa
from sqlalchemy import orm as _orm

from app.core import db as _db

# SQLite makes only INTEGER PRIMARY KEY columns auto-increment.
_SERIAL = _sa.BigInteger().with_variant(_sa.Integer(), "sqlite")


class IngestBatch(_db.Base):
    """A stored batch: its fingerprint (the Idempotency-Key header or the body's hash)."""

    __tablename__ = "ingest_batches"

    organization_id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "organization_id",
        _sa.Uuid(),
        _sa.ForeignKey("organizations.id", ondelete="CASCADE"),
        primary_key=True,
    )
    entity: _orm.Mapped[str] = _orm.mapped_column("entity", _sa.String(100), primary_key=True)
    fingerprint: _orm.Mapped[str] = _orm.mapped_column("fingerprint", _sa.String(64), primary_key=True)
    body_sha256: _orm.Mapped[str] = _orm.mapped_column("body_sha256", _sa.String(64), nullable=False)
    row_count: _orm.Mapped[int] = _orm.mapped_column("row_count", _sa.Integer(), nullable=False)
    inserted: _orm.Mapped[int] = _orm.mapped_column("inserted", _sa.Integer(), nullable=False)
    created_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "created_at", _sa.DateTime(timezone=True), nullable=False, index=True
    )


class AggregationQueue(_db.Base):
    """A (UTC) day of a metric that new rows fall into, waiting for the next run."""

    __tablename__ = "aggregation_queue"
    __table_args__ = (_sa.Index("ix_aggregation_queue_metric_id", "metric", "id"),)

    id: _orm.Mapped[int] = _orm.mapped_column("id", _SERIAL, primary_key=True, autoincrement=True)
    metric: _orm.Mapped[str] = _orm.mapped_column("metric", _sa.String(100), nullable=False)
    organization_id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "organization_id",
        _sa.Uuid(),
        _sa.ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
    )
    day: _orm.Mapped[_dt.date] = _orm.mapped_column("day", _sa.Date(), nullable=False)
    queued_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "queued_at", _sa.DateTime(timezone=True), nullable=False
    )


class MetricState(_db.Base):
    """The definition a metric's table (and daily partials) were last computed whole with."""

    __tablename__ = "metric_state"

    metric: _orm.Mapped[str] = _orm.mapped_column("metric", _sa.String(100), primary_key=True)
    definition: _orm.Mapped[str] = _orm.mapped_column("definition", _sa.String(64), nullable=False)
    rebuilt_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "rebuilt_at", _sa.DateTime(timezone=True), nullable=False
    )
    # When a run last brought the metric up to date (the dashboard's "data as of").
    computed_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "computed_at", _sa.DateTime(timezone=True), nullable=False
    )


class JobRun(_db.Base):
    """One aggregation run: started, finished, status, and its watermark."""

    __tablename__ = "job_runs"
    __table_args__ = (_sa.Index("ix_job_runs_job_started_at", "job", "started_at"),)

    id: _orm.Mapped[int] = _orm.mapped_column("id", _SERIAL, primary_key=True, autoincrement=True)
    job: _orm.Mapped[str] = _orm.mapped_column("job", _sa.String(100), nullable=False)
    started_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "started_at", _sa.DateTime(timezone=True), nullable=False
    )
    finished_at: _orm.Mapped[_dt.datetime | None] = _orm.mapped_column(
        "finished_at", _sa.DateTime(timezone=True), nullable=True
    )
    # running, succeeded or failed. A killed run stays "running"; its claims
    # were never committed, so the next run finds them in the queue again.
    status: _orm.Mapped[str] = _orm.mapped_column("status", _sa.String(20), nullable=False)
    # The highest aggregation_queue id this run claimed and recomputed.
    watermark: _orm.Mapped[int | None] = _orm.mapped_column("watermark", _sa.BigInteger(), nullable=True)
    periods: _orm.Mapped[int] = _orm.mapped_column("periods", _sa.Integer(), nullable=False)
    detail: _orm.Mapped[str | None] = _orm.mapped_column("detail", _sa.String(2000), nullable=True)


class LoginThrottle(_db.Base):
    """Recent failed sign-ins of one key: an (account, address) pair or an address."""

    __tablename__ = "login_throttle"

    # SHA-256 of the key, so that no e-mail address or IP is stored here.
    key_hash: _orm.Mapped[str] = _orm.mapped_column("key_hash", _sa.String(64), primary_key=True)
    failures: _orm.Mapped[int] = _orm.mapped_column("failures", _sa.Integer(), nullable=False)
    window_start: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "window_start", _sa.DateTime(timezone=True), nullable=False
    )
    blocked_until: _orm.Mapped[_dt.datetime | None] = _orm.mapped_column(
        "blocked_until", _sa.DateTime(timezone=True), nullable=True, index=True
    )


class AuditErasure(_db.Base):
    """A GDPR erasure: the erased user's id and the pseudonym that replaces it."""

    __tablename__ = "audit_erasures"

    id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column("id", _sa.Uuid(), primary_key=True, default=_uuid.uuid4)
    # Like audit_log: no foreign key, so the record outlives its organization.
    organization_id: _orm.Mapped[_uuid.UUID] = _orm.mapped_column(
        "organization_id", _sa.Uuid(), nullable=False, index=True
    )
    subject: _orm.Mapped[_uuid.UUID] = _orm.mapped_column("subject", _sa.Uuid(), nullable=False)
    pseudonym: _orm.Mapped[_uuid.UUID] = _orm.mapped_column("pseudonym", _sa.Uuid(), nullable=False)
    subject_target: _orm.Mapped[str] = _orm.mapped_column("subject_target", _sa.String(255), nullable=False)
    pseudonym_target: _orm.Mapped[str] = _orm.mapped_column("pseudonym_target", _sa.String(255), nullable=False)
    erased_by: _orm.Mapped[_uuid.UUID | None] = _orm.mapped_column("erased_by", _sa.Uuid(), nullable=True)
    erased_at: _orm.Mapped[_dt.datetime] = _orm.mapped_column(
        "erased_at", _sa.DateTime(timezone=True), nullable=False
    )
