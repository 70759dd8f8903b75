"""The worker runs the scheduled jobs: aggregation of what arrived, and retention."""

import datetime as dt
import os
import threading
import time

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.core.db import utcnow
from app.core.tables import AggregationQueue, IngestBatch, JobRun
from app.jobs import worker
from app.models import ENTITY_MODELS
from tests import factories as f


def _expired_records(db: Session) -> None:
    """An expired session, a batch remembered too long and a queued period."""
    org = f.org(db)
    u = f.user(db, org)
    long_ago = utcnow() - dt.timedelta(days=30)
    sessions = ENTITY_MODELS["sessions"]
    db.execute(
        insert(sessions).values(
            id="x" * 64,
            organization_id=org,
            user_id=u.id,
            csrf_token="y" * 32,
            created_at=long_ago,
            last_seen_at=long_ago,
            expires_at=long_ago,
        )
    )
    db.execute(
        insert(IngestBatch).values(
            organization_id=org,
            entity="anything",
            fingerprint="z" * 64,
            body_sha256="z" * 64,
            row_count=1,
            inserted=1,
            created_at=long_ago,
        )
    )
    db.execute(
        insert(AggregationQueue).values(
            metric="no_longer_in_the_blueprint", organization_id=org, day=dt.date(2024, 1, 1), queued_at=long_ago
        )
    )
    db.commit()


def _count(db: Session, model: object) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]


def test_worker_runs_aggregation_and_retention(db: Session) -> None:
    _expired_records(db)
    assert worker.main(["--once"]) == 0
    assert _count(db, ENTITY_MODELS["sessions"]) == 0
    assert _count(db, IngestBatch) == 0
    assert _count(db, AggregationQueue) == 0
    runs = db.scalars(select(JobRun)).all()
    assert [r.status for r in runs] == ["succeeded"]


def test_worker_repeats_until_stopped(db: Session, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AGGREGATE_EVERY_SECONDS", "1")
    monkeypatch.setenv("WORKER_HEARTBEAT_FILE", str(tmp_path / "beat"))
    get_settings.cache_clear()
    stop = threading.Event()
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(worker.main([], stop)))
    thread.start()
    deadline = time.monotonic() + 30
    while _count(db, JobRun) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    thread.join(30)
    assert codes == [0]
    assert _count(db, JobRun) >= 2


def test_the_health_check_follows_the_heartbeat(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    beat = tmp_path / "beat"
    monkeypatch.setenv("WORKER_HEARTBEAT_FILE", str(beat))
    get_settings.cache_clear()
    assert worker.main(["--check"]) == 1
    beat.touch()
    assert worker.main(["--check"]) == 0
    stale = time.time() - 3 * get_settings().AGGREGATE_EVERY_SECONDS - 120
    os.utime(beat, (stale, stale))
    assert worker.main(["--check"]) == 1
