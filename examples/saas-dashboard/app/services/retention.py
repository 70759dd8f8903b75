"""Deletes rows older than their entity's retention period."""

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.catalog import ENTITIES
from app.core.config import get_settings
from app.core.db import utcnow
from app.core.tables import IngestBatch, JobRun
from app.models import ENTITY_MODELS
from app.services import rate_limit

# Finished aggregation runs are kept this long.
JOB_RUNS_KEPT = dt.timedelta(days=90)
# Entity key -> days rows are kept (by their time field), from the blueprint.
# The audit log never expires here: the database refuses deletions from it
# (see COMPLIANCE_REPORT.md); archive it outside the application if needed.
RETENTION: dict[str, int] = {
    key: spec.retention_days
    for key, spec in ENTITIES.items()
    if spec.retention_days and spec.time_field and key != "audit_log"
}


def purge(db: Session, now: dt.datetime | None = None) -> dict[str, int]:
    """Deletes expired rows of every entity with a retention period; commits."""
    # archgen:control data-retention
    now = now or utcnow()
    deleted: dict[str, int] = {}
    for key, days in RETENTION.items():
        spec = ENTITIES[key]
        model = ENTITY_MODELS[key]
        field = spec.field(spec.time_field or "")
        column = getattr(model, field.attr)
        cutoff: dt.date | dt.datetime = now - dt.timedelta(days=days)
        if field.kind == "date":
            cutoff = cutoff.date()
        result = db.execute(delete(model).where(column < cutoff))
        deleted[key] = int(getattr(result, "rowcount", 0) or 0)
    # Expired sign-in sessions go too, and the platform's short-lived records.
    sessions = ENTITY_MODELS["sessions"]
    result = db.execute(delete(sessions).where(sessions.expires_at < now))
    deleted["expired_sessions"] = int(getattr(result, "rowcount", 0) or 0)
    remembered = now - dt.timedelta(hours=get_settings().INGEST_IDEMPOTENCY_HOURS)
    result = db.execute(delete(IngestBatch).where(IngestBatch.created_at < remembered))
    deleted["ingest_batches"] = int(getattr(result, "rowcount", 0) or 0)
    deleted["login_throttle"] = rate_limit.purge(db, now)
    result = db.execute(
        delete(JobRun).where(JobRun.finished_at.is_not(None), JobRun.started_at < now - JOB_RUNS_KEPT)
    )
    deleted["job_runs"] = int(getattr(result, "rowcount", 0) or 0)
    db.commit()
    return deleted
