"""Audit log, append-only in the database; GDPR export and erasure; access logging of personal data."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.catalog import ENTITIES, METRICS, SERVICES
from app.core.db import engine
from app.models import ENTITY_MODELS
from app.services import audit
from app.services.metrics_aggregator import aggregate
from tests import factories as f

AuditLog = ENTITY_MODELS["audit_log"]


def _actions(db: Session) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(AuditLog.action).order_by(AuditLog.occurred_at)))


def test_logins_are_audited(client: TestClient, db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    client.post("/api/auth/login", json={"email": u.email, "password": "wrong password!"})
    csrf = f.login(client, u.email)
    client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    actions = _actions(db)
    assert "auth.login_failed" in actions
    assert "auth.login" in actions
    assert "auth.logout" in actions


def test_permission_changes_and_admin_actions_are_audited(client: TestClient, db: Session) -> None:
    org = f.org(db)
    _, csrf = f.signed_in(client, db, org, "admin")
    h = {"X-CSRF-Token": csrf}
    target = f.user(db, org, "viewer")
    assert client.patch(f"/api/admin/users/{target.id}", json={"role": "analyst"}, headers=h).status_code == 200
    assert client.post("/api/admin/api-keys", json={}, headers=h).status_code == 201
    actions = _actions(db)
    assert "admin.user_changed" in actions
    assert "admin.api_key_created" in actions
    row = db.scalar(select(AuditLog).where(AuditLog.action == "admin.user_changed"))
    assert row.detail == {"role": ["viewer", "analyst"]}


@pytest.mark.skipif(not METRICS, reason="no metrics to export")
def test_data_exports_are_audited(client: TestClient, db: Session) -> None:
    org = f.org(db)
    f.seed_metric_sources(db, org, seed=3, rows_per_source=5)
    aggregate(f.START.date(), f.START.date().replace(year=f.START.year + 1))
    f.signed_in(client, db, org, "analyst")
    key = next(iter(METRICS))
    assert client.get(f"/api/dashboard/export/{key}").status_code == 200
    assert "data.export" in _actions(db)


def test_audit_log_is_append_only(db: Session) -> None:
    org = f.org(db)
    audit.record(db, organization_id=org, action="test.event")
    db.commit()
    row = db.scalar(select(AuditLog))
    row.action = "tampered"
    with pytest.raises(PermissionError):
        db.commit()
    db.rollback()
    db.delete(db.scalar(select(AuditLog)))
    with pytest.raises(PermissionError):
        db.commit()
    db.rollback()


def _plain_sql_refused(statement: str) -> None:
    """`statement` run by hand, outside the application, fails and changes nothing."""
    with engine.connect() as conn:
        with pytest.raises(DBAPIError) as caught:
            with conn.begin():
                conn.execute(text(statement))
    assert "append-only" in str(caught.value)


def test_audit_log_refuses_plain_sql_changes(db: Session) -> None:
    org = f.org(db)
    audit.record(db, organization_id=org, action="test.event", target="user:someone")
    db.commit()
    assert audit.guard_installed(db)
    _plain_sql_refused("DELETE FROM audit_log")
    _plain_sql_refused("UPDATE audit_log SET target = 'tampered'")
    _plain_sql_refused("UPDATE audit_log SET actor_user_id = NULL")
    if engine.dialect.name == "postgresql":
        _plain_sql_refused("TRUNCATE audit_log")
    db.expire_all()
    assert list(db.scalars(select(AuditLog.target))) == ["user:someone"]


def test_deleting_an_organization_keeps_its_audit_rows(db: Session) -> None:
    org = f.org(db)
    f.user(db, org, "admin")
    audit.record(db, organization_id=org, action="test.event")
    db.commit()
    with engine.begin() as conn:
        conn.execute(delete(ENTITY_MODELS["organizations"]).where(ENTITY_MODELS["organizations"].id == org))
    db.expire_all()
    assert db.get(ENTITY_MODELS["organizations"], org) is None
    assert list(db.scalars(select(AuditLog.action).where(AuditLog.organization_id == org))) == ["test.event"]


def test_only_a_recorded_erasure_may_pseudonymise(db: Session) -> None:
    org = f.org(db)
    person = f.user(db, org)
    audit.record(db, organization_id=org, action="test.event", actor_user_id=person.id, target=f"user:{person.id}")
    db.commit()
    alias = audit.pseudonym(person.id)
    # Without a recorded erasure, swapping in the pseudonym is refused too.
    with pytest.raises(DBAPIError):
        db.execute(update(AuditLog).values(actor_user_id=alias))
        db.flush()
    db.rollback()
    assert audit.pseudonymise(db, org, person.id) == 1
    db.commit()
    row = db.scalar(select(AuditLog))
    assert (row.actor_user_id, row.target, row.action) == (alias, f"user:{alias}", "test.event")
    # The erasure record itself is append-only.
    _plain_sql_refused("DELETE FROM audit_erasures")


def test_data_inventory_lists_pii_and_retention(client: TestClient, db: Session) -> None:
    org = f.org(db)
    f.signed_in(client, db, org, "admin")
    r = client.get("/api/compliance/data-inventory")
    assert r.status_code == 200
    listed = {e["entity"]: e for e in r.json()["entities"]}
    for key, spec in ENTITIES.items():
        if spec.pii_fields:
            assert listed[key]["pii_fields"] == list(spec.pii_fields)
        if spec.retention_days and spec.time_field:
            assert listed[key]["retention_days"] == spec.retention_days


def test_gdpr_export_and_erasure(client: TestClient, make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    org = f.org(db)
    _, csrf = f.signed_in(client, db, org, "admin")
    h = {"X-CSRF-Token": csrf}
    person = f.user(db, org, "viewer")
    email, person_id = person.email, person.id
    other = make_client()
    f.login(other, email)
    r = client.get(f"/api/compliance/users/{person.id}/export")
    assert r.status_code == 200
    exported = r.json()
    assert exported["user"]["email"] == person.email
    assert any(e["action"] == "auth.login" for e in exported["audit_log"])
    r = client.post(f"/api/compliance/users/{person.id}/erase", headers=h)
    assert r.status_code == 200
    db.expire_all()
    erased = db.get(ENTITY_MODELS["users"], person_id)
    assert erased.email != email and not erased.is_active
    # The audit log keeps the events, under a pseudonym.
    actors = set(db.scalars(select(AuditLog.actor_user_id)))
    assert person.id not in actors
    assert audit.pseudonym(person.id) in actors
    targets = set(db.scalars(select(AuditLog.target)))
    assert f"user:{person.id}" not in targets
    assert other.get("/api/auth/me").status_code == 401
    r = other.post("/api/auth/login", json={"email": email, "password": f.PASSWORD})
    assert r.status_code == 401


def test_pii_reads_are_logged(client: TestClient, db: Session) -> None:
    org = f.org(db)
    f.signed_in(client, db, org, "admin")
    assert client.get("/api/admin/users").status_code == 200
    assert "pii.read" in _actions(db)
    assert isinstance(SERVICES, dict)
