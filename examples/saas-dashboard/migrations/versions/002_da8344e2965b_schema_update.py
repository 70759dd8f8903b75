"""Schema update 2: what changed in the blueprint since the previous revision.

Revision ID: da8344e2965b
Revises: 7819e4a4da31
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "da8344e2965b"
down_revision: str | None = "7819e4a4da31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _dialect() -> str:
    return op.get_bind().dialect.name


def _create_metric_key(table: str, dimensions: list[str], period: str = "period_start") -> None:
    """One row per organization, period and dimension values; NULL dimensions count as equal."""
    keys: list[str] = ["organization_id", period, *dimensions]
    if not dimensions:
        op.create_index(f"uq_{table}_key", table, keys, unique=True)
    elif _dialect() == "postgresql":
        op.create_index(f"uq_{table}_key", table, keys, unique=True, postgresql_nulls_not_distinct=True)
    else:
        # SQLite treats NULLs as distinct in a unique index: index each
        # dimension as (value or 0, is it NULL) instead.
        exprs: list[str | sa.TextClause] = ["organization_id", period]
        for d in dimensions:
            exprs += [sa.text(f'coalesce("{d}", 0)'), sa.text(f'("{d}" IS NULL)')]
        op.create_index(f"uq_{table}_key_sqlite", table, exprs, unique=True)


def _keep_newest_row(table: str, dimensions: list[str]) -> None:
    """Deletes all but the newest row of each (organization, period, dimensions)."""
    keys = ", ".join(f'"{c}"' for c in ["organization_id", "period_start", *dimensions])
    op.execute(
        f'DELETE FROM "{table}" WHERE id NOT IN '
        f'(SELECT keep FROM (SELECT max(id) AS keep FROM "{table}" GROUP BY {keys}) AS newest)'
    )


def _drop_table_if_exists(table: str) -> None:
    if sa.inspect(op.get_bind()).has_table(table):
        op.drop_table(table)


def _drop_metric_key(table: str, has_dimensions: bool) -> None:
    suffix = "_sqlite" if has_dimensions and _dialect() == "sqlite" else ""
    op.drop_index(f"uq_{table}_key{suffix}", table_name=table)


def _create_pipeline_tables() -> None:
    op.create_table(
        "ingest_batches",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("entity", sa.String(100), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_ingest_batches_organization_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("organization_id", "entity", "fingerprint", name="pk_ingest_batches"),
    )
    op.create_index("ix_ingest_batches_created_at", "ingest_batches", ["created_at"], unique=False)
    op.create_table(
        "aggregation_queue",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("metric", sa.String(100), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_aggregation_queue_organization_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_aggregation_queue"),
    )
    op.create_index("ix_aggregation_queue_metric_id", "aggregation_queue", ["metric", "id"], unique=False)
    op.create_table(
        "metric_state",
        sa.Column("metric", sa.String(100), nullable=False),
        sa.Column("definition", sa.String(64), nullable=False),
        sa.Column("rebuilt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("metric", name="pk_metric_state"),
    )
    op.create_table(
        "job_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("job", sa.String(100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("watermark", sa.BigInteger(), nullable=True),
        sa.Column("periods", sa.Integer(), nullable=False),
        sa.Column("detail", sa.String(2000), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_job_runs"),
    )
    op.create_index("ix_job_runs_job_started_at", "job_runs", ["job", "started_at"], unique=False)
    op.create_table(
        "login_throttle",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_hash", name="pk_login_throttle"),
    )
    op.create_index("ix_login_throttle_blocked_until", "login_throttle", ["blocked_until"], unique=False)


def _drop_pipeline_tables() -> None:
    for table in ("login_throttle", "job_runs", "metric_state", "aggregation_queue", "ingest_batches"):
        op.drop_table(table)


# Every column of audit_log but these two must stay as written; those two
# may change only to apply an erasure recorded in audit_erasures.
_ERASABLE = ("actor_user_id", "target")


def _create_audit_guard(columns: list[str]) -> None:
    """audit_log and audit_erasures refuse UPDATE, DELETE (and TRUNCATE) in the database."""
    if _dialect() == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE'
                   AND (to_jsonb(NEW) - 'actor_user_id' - 'target') = (to_jsonb(OLD) - 'actor_user_id' - 'target')
                   AND EXISTS (
                       SELECT 1 FROM audit_erasures e
                       WHERE e.organization_id = OLD.organization_id
                         AND (NEW.actor_user_id IS NOT DISTINCT FROM OLD.actor_user_id
                              OR (OLD.actor_user_id = e.subject AND NEW.actor_user_id = e.pseudonym))
                         AND (NEW.target IS NOT DISTINCT FROM OLD.target
                              OR (OLD.target = e.subject_target AND NEW.target = e.pseudonym_target))
                   )
                THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
                    USING ERRCODE = 'insufficient_privilege',
                          HINT = 'audit rows change only to apply an erasure recorded in audit_erasures';
            END
            $$
            """
        )
        op.execute(
            """
            CREATE FUNCTION audit_erasures_guard() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_erasures is append-only: % refused', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        )
        for table in ("audit_log", "audit_erasures"):
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_guard()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_guard()"
            )
        return
    kept = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns if c not in _ERASABLE)
    op.execute(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log WHEN NOT ("
        f"{kept} AND EXISTS (SELECT 1 FROM audit_erasures e "
        "WHERE e.organization_id = OLD.organization_id "
        "AND (NEW.actor_user_id IS OLD.actor_user_id "
        "OR (OLD.actor_user_id = e.subject AND NEW.actor_user_id = e.pseudonym)) "
        "AND (NEW.target IS OLD.target "
        "OR (OLD.target = e.subject_target AND NEW.target = e.pseudonym_target)))) "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END"
    )
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_erasures_no_{action.lower()} BEFORE {action} ON audit_erasures "
            f"BEGIN SELECT RAISE(ABORT, 'audit_erasures is append-only: {action} refused'); END"
        )


def _drop_audit_guard() -> None:
    if _dialect() == "postgresql":
        for table in ("audit_log", "audit_erasures"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_guard()")
        return
    for name in ("audit_log_no_delete", "audit_log_no_update", "audit_erasures_no_update", "audit_erasures_no_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _create_audit_erasures() -> None:
    op.create_table(
        "audit_erasures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.Uuid(), nullable=False),
        sa.Column("pseudonym", sa.Uuid(), nullable=False),
        sa.Column("subject_target", sa.String(255), nullable=False),
        sa.Column("pseudonym_target", sa.String(255), nullable=False),
        sa.Column("erased_by", sa.Uuid(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_erasures"),
    )
    op.create_index("ix_audit_erasures_organization_id", "audit_erasures", ["organization_id"], unique=False)


def upgrade() -> None:
    # The platform's level 2: the ingestion, aggregation and sign-in tables;
    # unique keys on metric tables; unique values per organization; the
    # audit log kept in the database beyond its organization, append-only.
    _create_pipeline_tables()
    # Overlapping runs could store a period twice: keep the newest row, so
    # that the unique key can be made (metric_state is empty, so the next
    # aggregation run recomputes every metric whole, exactly).
    _keep_newest_row("average_session_duration", [])
    op.drop_index("ix_average_session_duration_org_period", table_name="average_session_duration")
    _create_metric_key("average_session_duration", [])
    # Overlapping runs could store a period twice: keep the newest row, so
    # that the unique key can be made (metric_state is empty, so the next
    # aggregation run recomputes every metric whole, exactly).
    _keep_newest_row("daily_active_users", [])
    op.drop_index("ix_daily_active_users_org_period", table_name="daily_active_users")
    _create_metric_key("daily_active_users", [])
    # Overlapping runs could store a period twice: keep the newest row, so
    # that the unique key can be made (metric_state is empty, so the next
    # aggregation run recomputes every metric whole, exactly).
    _keep_newest_row("daily_event_volume", ["name"])
    op.drop_index("ix_daily_event_volume_org_period", table_name="daily_event_volume")
    _create_metric_key("daily_event_volume", ["name"])
    # Overlapping runs could store a period twice: keep the newest row, so
    # that the unique key can be made (metric_state is empty, so the next
    # aggregation run recomputes every metric whole, exactly).
    _keep_newest_row("monthly_revenue", ["plan"])
    op.drop_index("ix_monthly_revenue_org_period", table_name="monthly_revenue")
    _create_metric_key("monthly_revenue", ["plan"])
    # Filled by the next aggregation run (metric_state has no row for it yet).
    op.create_table(
        "monthly_revenue__daily",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("plan", sa.String(32), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=True),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_monthly_revenue__daily_organization_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_monthly_revenue__daily"),
    )
    _create_metric_key("monthly_revenue__daily", ["plan"], "day")

    # Overlapping runs could store a period twice: keep the newest row, so
    # that the unique key can be made (metric_state is empty, so the next
    # aggregation run recomputes every metric whole, exactly).
    _keep_newest_row("weekly_signups", [])
    op.drop_index("ix_weekly_signups_org_period", table_name="weekly_signups")
    _create_metric_key("weekly_signups", [])
    # Filled by the next aggregation run (metric_state has no row for it yet).
    op.create_table(
        "weekly_signups__daily",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=True),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_weekly_signups__daily_organization_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_weekly_signups__daily"),
    )
    _create_metric_key("weekly_signups__daily", [], "day")

    with op.batch_alter_table("api_keys") as batch:
        batch.drop_constraint("uq_api_keys_key_hash", type_="unique")
        batch.create_unique_constraint("uq_api_keys_key_hash", ["organization_id", "key_hash"])
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_email", type_="unique")
        batch.create_unique_constraint("uq_users_email", ["organization_id", "email"])
    op.create_index("ix_api_keys_list", "api_keys", ["organization_id", "created_at", "id"], unique=False)
    op.create_index("ix_audit_log_list", "audit_log", ["organization_id", "occurred_at", "id"], unique=False)
    op.create_index("ix_events_list", "events", ["organization_id", "occurred_at", "id"], unique=False)
    op.create_index("ix_sessions_list", "sessions", ["organization_id", "created_at", "id"], unique=False)
    op.create_index("ix_users_list", "users", ["organization_id", "created_at", "id"], unique=False)
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint("fk_audit_log_organization_id", type_="foreignkey")
    _create_audit_erasures()
    _create_audit_guard(["id", "occurred_at", "actor_user_id", "action_", "target", "detail", "ip", "organization_id"])



def downgrade() -> None:
    _drop_audit_guard()
    op.drop_table("audit_erasures")
    with op.batch_alter_table("audit_log") as batch:
        batch.create_foreign_key(
            "fk_audit_log_organization_id", "organizations", ["organization_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_constraint("uq_api_keys_key_hash", type_="unique")
        batch.create_unique_constraint("uq_api_keys_key_hash", ["key_hash"])
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_email", type_="unique")
        batch.create_unique_constraint("uq_users_email", ["email"])
    op.drop_index("ix_api_keys_list", table_name="api_keys")
    op.drop_index("ix_audit_log_list", table_name="audit_log")
    op.drop_index("ix_events_list", table_name="events")
    op.drop_index("ix_sessions_list", table_name="sessions")
    op.drop_index("ix_users_list", table_name="users")
    _drop_metric_key("average_session_duration", False)
    op.create_index("ix_average_session_duration_org_period", "average_session_duration", ["organization_id", "period_start"], unique=False)
    _drop_metric_key("daily_active_users", False)
    op.create_index("ix_daily_active_users_org_period", "daily_active_users", ["organization_id", "period_start"], unique=False)
    _drop_metric_key("daily_event_volume", True)
    op.create_index("ix_daily_event_volume_org_period", "daily_event_volume", ["organization_id", "period_start"], unique=False)
    op.drop_table("monthly_revenue__daily")
    _drop_metric_key("monthly_revenue", True)
    op.create_index("ix_monthly_revenue_org_period", "monthly_revenue", ["organization_id", "period_start"], unique=False)
    op.drop_table("weekly_signups__daily")
    _drop_metric_key("weekly_signups", False)
    op.create_index("ix_weekly_signups_org_period", "weekly_signups", ["organization_id", "period_start"], unique=False)
    _drop_pipeline_tables()

