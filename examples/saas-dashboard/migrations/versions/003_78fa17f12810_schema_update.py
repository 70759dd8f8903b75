"""Schema update 3: what changed in the blueprint since the previous revision.

Revision ID: 78fa17f12810
Revises: da8344e2965b
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "78fa17f12810"
down_revision: str | None = "da8344e2965b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _dialect() -> str:
    return op.get_bind().dialect.name


def _short_name(name: str) -> str:
    """A name PostgreSQL can hold (63 bytes), shortened as the models' are."""
    if len(name.encode()) <= 63:
        return name
    return name[:54] + "_" + hashlib.sha256(name.encode()).hexdigest()[:8]


def _create_metric_key(table: str, dimensions: list[str], period: str = "period_start") -> None:
    """One row per organization, period and dimension values; NULL dimensions count as equal."""
    keys: list[str] = ["organization_id", period, *dimensions]
    if not dimensions:
        op.create_index(_short_name(f"uq_{table}_key"), table, keys, unique=True)
    elif _dialect() == "postgresql":
        op.create_index(_short_name(f"uq_{table}_key"), table, keys, unique=True, postgresql_nulls_not_distinct=True)
    else:
        # SQLite treats NULLs as distinct in a unique index: index each
        # dimension as (value or 0, is it NULL) instead.
        exprs: list[str | sa.TextClause] = ["organization_id", period]
        for d in dimensions:
            exprs += [sa.text(f'coalesce("{d}", 0)'), sa.text(f'("{d}" IS NULL)')]
        op.create_index(_short_name(f"uq_{table}_key_sqlite"), table, exprs, unique=True)


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
    op.drop_index(_short_name(f"uq_{table}_key{suffix}"), table_name=table)


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
    op.create_table(
        "activation_funnel",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], name="fk_activation_funnel_organization_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_activation_funnel"),
    )
    _create_metric_key("activation_funnel", ["step"])
    op.create_table(
        "customer_churn_rate",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], name="fk_customer_churn_rate_organization_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_customer_churn_rate"),
    )
    _create_metric_key("customer_churn_rate", [])
    op.create_table(
        "feature_adoption",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], name="fk_feature_adoption_organization_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_feature_adoption"),
    )
    _create_metric_key("feature_adoption", [])
    op.create_table(
        "feature_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], name="fk_feature_users_organization_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_feature_users"),
    )
    _create_metric_key("feature_users", [])
    op.create_table(
        "monthly_active_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], name="fk_monthly_active_users_organization_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_monthly_active_users"),
    )
    _create_metric_key("monthly_active_users", [])
    op.create_table(
        "monthly_recurring_revenue",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("plan", sa.String(32), nullable=True),
        sa.Column("value", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], name="fk_monthly_recurring_revenue_organization_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_monthly_recurring_revenue"),
    )
    _create_metric_key("monthly_recurring_revenue", ["plan"])
    op.create_table(
        "signup_cohorts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_offset", sa.Integer(), nullable=True),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], name="fk_signup_cohorts_organization_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_signup_cohorts"),
    )
    _create_metric_key("signup_cohorts", ["period_offset"])
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("plan", sa.String(32), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("interval_months", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], name="fk_subscriptions_organization_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
    )
    op.create_index("ix_subscriptions_customer_id", "subscriptions", ["customer_id"], unique=False)
    op.create_index("ix_subscriptions_started_at", "subscriptions", ["started_at"], unique=False)
    op.create_index("ix_subscriptions_organization_id", "subscriptions", ["organization_id"], unique=False)
    op.create_index("ix_subscriptions_list", "subscriptions", ["organization_id", "started_at", "id"], unique=False)
    op.create_table(
        "weekly_active_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], name="fk_weekly_active_users_organization_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_weekly_active_users"),
    )
    _create_metric_key("weekly_active_users", [])


def downgrade() -> None:
    _drop_table_if_exists("weekly_active_users__daily")
    op.drop_table("weekly_active_users")
    op.drop_table("subscriptions")
    _drop_table_if_exists("signup_cohorts__daily")
    op.drop_table("signup_cohorts")
    _drop_table_if_exists("monthly_recurring_revenue__daily")
    op.drop_table("monthly_recurring_revenue")
    _drop_table_if_exists("monthly_active_users__daily")
    op.drop_table("monthly_active_users")
    _drop_table_if_exists("feature_users__daily")
    op.drop_table("feature_users")
    _drop_table_if_exists("feature_adoption__daily")
    op.drop_table("feature_adoption")
    _drop_table_if_exists("customer_churn_rate__daily")
    op.drop_table("customer_churn_rate")
    _drop_table_if_exists("activation_funnel__daily")
    op.drop_table("activation_funnel")
