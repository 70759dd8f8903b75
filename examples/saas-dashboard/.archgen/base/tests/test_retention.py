"""Rows older than their entity's retention period are deleted by the retention job."""

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.catalog import ENTITIES
from app.jobs import retention as retention_job
from app.models import ENTITY_MODELS
from app.services.retention import RETENTION, purge
from tests import factories as f

NOW = dt.datetime(2030, 6, 1, 12, 0, tzinfo=dt.UTC)


def test_retention_listed_from_blueprint() -> None:
    for key, spec in ENTITIES.items():
        if key == "audit_log":
            # The database refuses deletions from the audit log.
            assert key not in RETENTION
        elif spec.retention_days and spec.time_field:
            assert RETENTION[key] == spec.retention_days
    assert set(RETENTION) <= set(ENTITIES)


@pytest.mark.parametrize("key", sorted(RETENTION))
def test_rows_past_retention_are_deleted(db: Session, key: str) -> None:
    spec = ENTITIES[key]
    days = RETENTION[key]
    field = spec.field(spec.time_field or "")
    org = f.org(db)
    old_moment = NOW - dt.timedelta(days=days + 2)
    new_moment = NOW - dt.timedelta(days=max(days - 2, 0))
    if field.kind == "date":
        old_moment, new_moment = old_moment.date(), new_moment.date()
    old = f.row(db, key, org, {spec.time_field: old_moment})
    new = f.row(db, key, org, {spec.time_field: new_moment})
    db.commit()
    old_pk, new_pk = f.pk_of(key, old), f.pk_of(key, new)
    deleted = purge(db, NOW)
    assert deleted[key] >= 1
    model = ENTITY_MODELS[key]
    pk = next(p for p in spec.fields if p.pk)
    db.expire_all()
    remaining = set(db.scalars(select(getattr(model, pk.attr))))
    assert old_pk not in remaining
    assert new_pk in remaining


def test_retention_job_runs(db: Session) -> None:
    assert retention_job.main() == 0
    for key in RETENTION:
        model = ENTITY_MODELS[key]
        assert db.scalar(select(func.count()).select_from(model)) == 0


def test_expired_sessions_are_purged(db: Session) -> None:
    from app.api.deps import SessionRow

    org = f.org(db)
    u = f.user(db, org)
    for i, expires in enumerate((NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=1))):
        db.add(SessionRow(id=f"{i:064d}", organization_id=org, user_id=u.id, csrf_token="x",
                          created_at=NOW, last_seen_at=NOW, expires_at=expires))
    db.commit()
    assert purge(db, NOW)["expired_sessions"] == 1
    assert db.scalar(select(func.count()).select_from(SessionRow)) == 1
