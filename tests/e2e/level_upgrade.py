"""A database made by a project's first revision, holding rows, upgrades to head.

    python tests/e2e/level_upgrade.py PROJECT_DIR

DATABASE_URL names an empty database. The project's first migration predates
the pack's schema level 2 (it is the committed example's); the script
migrates to it, stores rows as that version allowed (a metric period stored
twice, an audit row, a user), upgrades to head and checks what level 2
promises: one row per metric period, the audit log refusing deletes, e-mail
addresses unique per organization. Then it goes down to the first revision
and up again. Prints one line per check; exits non-zero on the first failure.
"""

import datetime as dt
import os
import sys
import uuid
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory


def main() -> int:
    root = Path(sys.argv[1]).resolve()
    sys.path.insert(0, str(root))
    os.chdir(root)
    cfg = Config(str(root / "alembic.ini"))
    cfg.set_main_option("script_location", str(root / "migrations"))
    revisions = list(ScriptDirectory.from_config(cfg).walk_revisions())
    first = revisions[-1].revision
    command.upgrade(cfg, first)
    from app.core.db import engine
    from app.models import ENTITY_MODELS, METRIC_MODELS

    # The models are the head's; the metric tables the first revision made
    # have the same columns (later revisions add tables).
    tables = {m.__tablename__: m.__table__ for m in ENTITY_MODELS.values()}
    existing = set(sa.inspect(engine).get_table_names())
    metrics = [m.__table__ for m in METRIC_MODELS.values() if m.__tablename__ in existing]
    assert metrics, "no metric table"
    org, now = uuid.uuid4(), dt.datetime.now(dt.UTC)

    def user(organization: uuid.UUID) -> sa.Insert:
        return tables["users"].insert().values(
            id=uuid.uuid4(),
            organization_id=organization,
            email="person@example.test",
            password_hash="x",
            role="viewer",
            is_active=True,
            created_at=now,
        )

    with engine.begin() as c:
        c.execute(tables["organizations"].insert().values(id=org, name="Old", created_at=now))
        for t in metrics:
            row = {"organization_id": org, "period_start": dt.date(2024, 1, 1), "value": 1}
            c.execute(t.insert(), [row, {**row, "value": 2}])
        c.execute(
            tables["audit_log"].insert().values(
                id=uuid.uuid4(), organization_id=org, occurred_at=now, action_="old.event"
            )
        )
        c.execute(user(org))
    print(f"stored rows at revision {first} (level 1): {len(metrics)} metric periods stored twice")

    command.upgrade(cfg, "head")
    command.check(cfg)
    with engine.begin() as c:
        for t in metrics:
            values = c.execute(sa.select(t.c.value)).scalars().all()
            assert values == [2], (t.name, values)
    print("upgraded to head: alembic check clean; each metric period once (the newest row kept)")
    try:
        with engine.begin() as c:
            c.execute(sa.text("DELETE FROM audit_log"))
    except sa.exc.DBAPIError as exc:
        assert "append-only" in str(exc), exc
    else:
        raise AssertionError("the audit log accepted a DELETE after the upgrade")
    other = uuid.uuid4()
    with engine.begin() as c:
        c.execute(tables["organizations"].insert().values(id=other, name="New", created_at=now))
        c.execute(user(other))
    print("the audit log refuses DELETE; an address may now have an account in two organizations")
    with engine.begin() as c:
        # Level 1 has e-mail addresses unique across organizations.
        c.execute(tables["users"].delete().where(tables["users"].c.organization_id == other))
    command.downgrade(cfg, first)
    command.upgrade(cfg, "head")
    command.check(cfg)
    print("down to the first revision and up again: alembic check clean")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
