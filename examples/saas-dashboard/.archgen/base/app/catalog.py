"""What the blueprint declared, as data: entities, metrics, services.

Generic code (ingestion, aggregation, listing, tests) reads these specs, so
behaviour follows the blueprint without hand-written per-table code.
"""

from dataclasses import dataclass

ROLES = ("admin", "analyst", "viewer")
# Each role may do what the roles after it may do.
ROLE_RANK = {"viewer": 1, "analyst": 2, "admin": 3}
COMPLIANCE = ("soc2", "gdpr",)
HAS_FRONTEND = True
# Columns never returned by any endpoint.
SECRET_COLUMNS = {
    "users": frozenset({"password_hash"}),
    "sessions": frozenset({"id", "csrf_token"}),
    "api_keys": frozenset({"key_hash"}),
}


@dataclass(frozen=True)
class FieldSpec:
    key: str
    attr: str
    column: str
    kind: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    pk: bool = False
    nullable: bool = False
    unique: bool = False
    index: bool = False
    pii: bool = False
    reference: str | None = None


@dataclass(frozen=True)
class EntitySpec:
    key: str
    name: str
    table: str
    origin: str
    tenant: bool
    fields: tuple[FieldSpec, ...]
    time_field: str | None = None
    retention_days: int | None = None
    # A link table's two references: one row per pair.
    pair: tuple[str, ...] = ()

    def field(self, key: str) -> FieldSpec:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    @property
    def pii_fields(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields if f.pii)


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    values: tuple[object, ...] = ()


@dataclass(frozen=True)
class Dimension:
    key: str
    attr: str
    column: str
    kind: str
    # Made by the metric's kind, not read from a field: a cohort's
    # period_offset, a funnel's step.
    derived: bool = False


@dataclass(frozen=True)
class MetricSpec:
    key: str
    name: str
    table: str
    measure: str
    field: str | None
    source: str
    grain: str
    time_field: str
    value_type: str
    conditions: tuple[Condition, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    # simple, ratio, rolling, snapshot, cohort or funnel; what the kind needs:
    kind: str = "simple"
    # ratio: numerator / denominator * scale (metric keys)
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    # rolling: the window, in days, ending on each day
    window_days: int | None = None
    # snapshot: rows active from start_field until end_field (or for ever)
    start_field: str | None = None
    end_field: str | None = None
    # sum(field / divisor): a field key or a number
    divisor_field: str | None = None
    divisor_number: float | None = None
    # cohort: members by their first `first` row; active by `then` rows; N periods
    first: tuple[Condition, ...] = ()
    then: tuple[Condition, ...] = ()
    periods: int | None = None
    # funnel: each step's conditions, in order; the days from the first step
    steps: tuple[tuple[Condition, ...], ...] = ()
    within_days: int | None = None

    @property
    def source_dimensions(self) -> tuple[Dimension, ...]:
        return tuple(d for d in self.dimensions if not d.derived)


@dataclass(frozen=True)
class ServiceSpec:
    key: str
    name: str
    kind: str
    path: str
    metrics: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()


ENTITIES: dict[str, EntitySpec] = {
    "organizations": EntitySpec(
        key="organizations",
        name="Organizations",
        table="organizations",
        origin="platform",
        tenant=False,
        time_field="created_at",
        retention_days=None,
        fields=(
            FieldSpec(
                key="id",
                attr="id",
                column="id",
                kind="uuid",
                length=None,
                precision=None,
                scale=None,
                pk=True,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="name",
                attr="name",
                column="name",
                kind="string",
                length=200,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="created_at",
                attr="created_at",
                column="created_at",
                kind="timestamp",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
        ),
    ),
    "users": EntitySpec(
        key="users",
        name="Users",
        table="users",
        origin="platform",
        tenant=True,
        time_field="created_at",
        retention_days=None,
        fields=(
            FieldSpec(
                key="id",
                attr="id",
                column="id",
                kind="uuid",
                length=None,
                precision=None,
                scale=None,
                pk=True,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="email",
                attr="email",
                column="email",
                kind="string",
                length=255,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=True,
                index=False,
                pii=True,
                reference=None,
            ),
            FieldSpec(
                key="password_hash",
                attr="password_hash",
                column="password_hash",
                kind="string",
                length=255,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="role",
                attr="role",
                column="role",
                kind="string",
                length=20,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="is_active",
                attr="is_active",
                column="is_active",
                kind="boolean",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="created_at",
                attr="created_at",
                column="created_at",
                kind="timestamp",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="display_name",
                attr="display_name",
                column="display_name",
                kind="string",
                length=120,
                precision=None,
                scale=None,
                pk=False,
                nullable=True,
                unique=False,
                index=False,
                pii=True,
                reference=None,
            ),
        ),
    ),
    "sessions": EntitySpec(
        key="sessions",
        name="Sessions",
        table="sessions",
        origin="platform",
        tenant=True,
        time_field="created_at",
        retention_days=None,
        fields=(
            FieldSpec(
                key="id",
                attr="id",
                column="id",
                kind="string",
                length=64,
                precision=None,
                scale=None,
                pk=True,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="user_id",
                attr="user_id",
                column="user_id",
                kind="uuid",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=True,
                pii=False,
                reference="users",
            ),
            FieldSpec(
                key="csrf_token",
                attr="csrf_token",
                column="csrf_token",
                kind="string",
                length=64,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="created_at",
                attr="created_at",
                column="created_at",
                kind="timestamp",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="last_seen_at",
                attr="last_seen_at",
                column="last_seen_at",
                kind="timestamp",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="expires_at",
                attr="expires_at",
                column="expires_at",
                kind="timestamp",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
        ),
    ),
    "api_keys": EntitySpec(
        key="api_keys",
        name="API keys",
        table="api_keys",
        origin="platform",
        tenant=True,
        time_field="created_at",
        retention_days=None,
        fields=(
            FieldSpec(
                key="id",
                attr="id",
                column="id",
                kind="uuid",
                length=None,
                precision=None,
                scale=None,
                pk=True,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="name",
                attr="name",
                column="name",
                kind="string",
                length=100,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="prefix",
                attr="prefix",
                column="prefix",
                kind="string",
                length=16,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=True,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="key_hash",
                attr="key_hash",
                column="key_hash",
                kind="string",
                length=128,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=True,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="created_at",
                attr="created_at",
                column="created_at",
                kind="timestamp",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="revoked_at",
                attr="revoked_at",
                column="revoked_at",
                kind="timestamp",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=True,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
        ),
    ),
    "audit_log": EntitySpec(
        key="audit_log",
        name="Audit log",
        table="audit_log",
        origin="platform",
        tenant=True,
        time_field="occurred_at",
        retention_days=None,
        fields=(
            FieldSpec(
                key="id",
                attr="id",
                column="id",
                kind="uuid",
                length=None,
                precision=None,
                scale=None,
                pk=True,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="occurred_at",
                attr="occurred_at",
                column="occurred_at",
                kind="timestamp",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=True,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="actor_user_id",
                attr="actor_user_id",
                column="actor_user_id",
                kind="uuid",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=True,
                unique=False,
                index=True,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="action",
                attr="action",
                column="action_",
                kind="string",
                length=100,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=True,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="target",
                attr="target",
                column="target",
                kind="string",
                length=255,
                precision=None,
                scale=None,
                pk=False,
                nullable=True,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="detail",
                attr="detail",
                column="detail",
                kind="json",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=True,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="ip",
                attr="ip",
                column="ip",
                kind="string",
                length=64,
                precision=None,
                scale=None,
                pk=False,
                nullable=True,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
        ),
    ),
    "events": EntitySpec(
        key="events",
        name="Events",
        table="events",
        origin="blueprint",
        tenant=True,
        time_field="occurred_at",
        retention_days=360,
        fields=(
            FieldSpec(
                key="id",
                attr="id",
                column="id",
                kind="uuid",
                length=None,
                precision=None,
                scale=None,
                pk=True,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="name",
                attr="name",
                column="name",
                kind="string",
                length=100,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=True,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="user_id",
                attr="user_id",
                column="user_id",
                kind="string",
                length=64,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=True,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="session_id",
                attr="session_id",
                column="session_id",
                kind="string",
                length=64,
                precision=None,
                scale=None,
                pk=False,
                nullable=True,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="plan",
                attr="plan",
                column="plan",
                kind="string",
                length=32,
                precision=None,
                scale=None,
                pk=False,
                nullable=True,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="revenue_cents",
                attr="revenue_cents",
                column="revenue_cents",
                kind="bigint",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=True,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="duration_ms",
                attr="duration_ms",
                column="duration_ms",
                kind="integer",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=True,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="properties",
                attr="properties",
                column="properties",
                kind="json",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=True,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="occurred_at",
                attr="occurred_at",
                column="occurred_at",
                kind="timestamp",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=True,
                pii=False,
                reference=None,
            ),
        ),
    ),
    "subscriptions": EntitySpec(
        key="subscriptions",
        name="Subscriptions",
        table="subscriptions",
        origin="blueprint",
        tenant=True,
        time_field="started_at",
        retention_days=None,
        fields=(
            FieldSpec(
                key="id",
                attr="id",
                column="id",
                kind="uuid",
                length=None,
                precision=None,
                scale=None,
                pk=True,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="customer_id",
                attr="customer_id",
                column="customer_id",
                kind="string",
                length=64,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=True,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="plan",
                attr="plan",
                column="plan",
                kind="string",
                length=32,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="amount_cents",
                attr="amount_cents",
                column="amount_cents",
                kind="bigint",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="interval_months",
                attr="interval_months",
                column="interval_months",
                kind="integer",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="started_at",
                attr="started_at",
                column="started_at",
                kind="timestamp",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=False,
                unique=False,
                index=True,
                pii=False,
                reference=None,
            ),
            FieldSpec(
                key="ended_at",
                attr="ended_at",
                column="ended_at",
                kind="timestamp",
                length=None,
                precision=None,
                scale=None,
                pk=False,
                nullable=True,
                unique=False,
                index=False,
                pii=False,
                reference=None,
            ),
        ),
    ),
}

METRICS: dict[str, MetricSpec] = {
    "activation_funnel": MetricSpec(
        key="activation_funnel",
        name="Activation Funnel",
        table="activation_funnel",
        measure="funnel",
        field="user_id",
        source="events",
        grain="week",
        time_field="occurred_at",
        value_type="integer",
        conditions=(
        ),
        dimensions=(
            Dimension(key="step", attr="step", column="step", kind="integer", derived=True),
        ),
        kind="funnel",
        steps=(
            (Condition(field="name", op="=", values=("signup",)), ),
            (Condition(field="name", op="=", values=("activation",)), ),
            (Condition(field="name", op="=", values=("purchase",)), ),
        ),
        within_days=14,
    ),
    "average_session_duration": MetricSpec(
        key="average_session_duration",
        name="Average Session Duration",
        table="average_session_duration",
        measure="avg",
        field="duration_ms",
        source="events",
        grain="day",
        time_field="occurred_at",
        value_type="float",
        conditions=(
            Condition(field="duration_ms", op="is not null", values=()),
        ),
        dimensions=(
        ),
        kind="simple",
    ),
    "customer_churn_rate": MetricSpec(
        key="customer_churn_rate",
        name="Customer Churn Rate",
        table="customer_churn_rate",
        measure="churn",
        field="customer_id",
        source="subscriptions",
        grain="month",
        time_field="started_at",
        value_type="float",
        conditions=(
        ),
        dimensions=(
        ),
        kind="snapshot",
        start_field="started_at",
        end_field="ended_at",
    ),
    "daily_active_users": MetricSpec(
        key="daily_active_users",
        name="Daily Active Users",
        table="daily_active_users",
        measure="count_distinct",
        field="user_id",
        source="events",
        grain="day",
        time_field="occurred_at",
        value_type="integer",
        conditions=(
            Condition(field="name", op="=", values=("login",)),
        ),
        dimensions=(
        ),
        kind="simple",
    ),
    "daily_event_volume": MetricSpec(
        key="daily_event_volume",
        name="Daily Event Volume",
        table="daily_event_volume",
        measure="count",
        field=None,
        source="events",
        grain="day",
        time_field="occurred_at",
        value_type="integer",
        conditions=(
        ),
        dimensions=(
            Dimension(key="name", attr="name", column="name", kind="string"),
        ),
        kind="simple",
    ),
    "feature_users": MetricSpec(
        key="feature_users",
        name="Feature Users",
        table="feature_users",
        measure="count_distinct",
        field="user_id",
        source="events",
        grain="day",
        time_field="occurred_at",
        value_type="integer",
        conditions=(
            Condition(field="name", op="=", values=("feature_used",)),
        ),
        dimensions=(
        ),
        kind="simple",
    ),
    "monthly_active_users": MetricSpec(
        key="monthly_active_users",
        name="Monthly Active Users",
        table="monthly_active_users",
        measure="count_distinct",
        field="user_id",
        source="events",
        grain="day",
        time_field="occurred_at",
        value_type="integer",
        conditions=(
        ),
        dimensions=(
        ),
        kind="rolling",
        window_days=30,
    ),
    "monthly_revenue": MetricSpec(
        key="monthly_revenue",
        name="Monthly Revenue",
        table="monthly_revenue",
        measure="sum",
        field="revenue_cents",
        source="events",
        grain="month",
        time_field="occurred_at",
        value_type="integer",
        conditions=(
            Condition(field="name", op="=", values=("purchase",)),
        ),
        dimensions=(
            Dimension(key="plan", attr="plan", column="plan", kind="string"),
        ),
        kind="simple",
    ),
    "monthly_recurring_revenue": MetricSpec(
        key="monthly_recurring_revenue",
        name="Monthly Recurring Revenue",
        table="monthly_recurring_revenue",
        measure="sum",
        field="amount_cents",
        source="subscriptions",
        grain="month",
        time_field="started_at",
        value_type="float",
        conditions=(
        ),
        dimensions=(
            Dimension(key="plan", attr="plan", column="plan", kind="string"),
        ),
        kind="snapshot",
        start_field="started_at",
        end_field="ended_at",
        divisor_field="interval_months",
    ),
    "signup_cohorts": MetricSpec(
        key="signup_cohorts",
        name="Signup Cohorts",
        table="signup_cohorts",
        measure="cohort",
        field="user_id",
        source="events",
        grain="week",
        time_field="occurred_at",
        value_type="integer",
        conditions=(
        ),
        dimensions=(
            Dimension(key="period_offset", attr="period_offset", column="period_offset", kind="integer", derived=True),
        ),
        kind="cohort",
        first=(Condition(field="name", op="=", values=("signup",)), ),
        then=(Condition(field="name", op="=", values=("login",)), ),
        periods=12,
    ),
    "weekly_active_users": MetricSpec(
        key="weekly_active_users",
        name="Weekly Active Users",
        table="weekly_active_users",
        measure="count_distinct",
        field="user_id",
        source="events",
        grain="day",
        time_field="occurred_at",
        value_type="integer",
        conditions=(
        ),
        dimensions=(
        ),
        kind="rolling",
        window_days=7,
    ),
    "weekly_signups": MetricSpec(
        key="weekly_signups",
        name="Weekly Signups",
        table="weekly_signups",
        measure="count",
        field=None,
        source="events",
        grain="week",
        time_field="occurred_at",
        value_type="integer",
        conditions=(
            Condition(field="name", op="=", values=("signup",)),
        ),
        dimensions=(
        ),
        kind="simple",
    ),
    "feature_adoption": MetricSpec(
        key="feature_adoption",
        name="Feature Adoption",
        table="feature_adoption",
        measure="ratio",
        field=None,
        source="events",
        grain="day",
        time_field="occurred_at",
        value_type="float",
        conditions=(
        ),
        dimensions=(
        ),
        kind="ratio",
        numerator="feature_users",
        denominator="daily_active_users",
        scale=100.0,
    ),
}

# What each metric's values are measured in (archgen:unit), for display only:
# {"kind": "currency", "currency": "USD", "minor": True} (cents),
# {"kind": "duration", "base": "ms" or "s"}, {"kind": "percent"}, {"kind": "count"}.
UNITS: dict[str, dict[str, object]] = {
    "average_session_duration": {"kind": "duration", "base": "ms"},
    "customer_churn_rate": {"kind": "percent"},
    "monthly_revenue": {"kind": "currency", "currency": "USD", "minor": True},
    "monthly_recurring_revenue": {"kind": "currency", "currency": "USD", "minor": True},
    "feature_adoption": {"kind": "percent"},
}

SERVICES: dict[str, ServiceSpec] = {
    "dashboard_metrics": ServiceSpec(
        key="dashboard_metrics",
        name="Dashboard Metrics",
        kind="metrics",
        path="/api/dashboard/overview",
        metrics=("activation_funnel", "average_session_duration", "customer_churn_rate", "daily_active_users", "daily_event_volume", "feature_adoption", "feature_users", "monthly_active_users", "monthly_revenue", "monthly_recurring_revenue", "signup_cohorts", "weekly_active_users", "weekly_signups",),
        entities=(),
    ),
    "events_explorer": ServiceSpec(
        key="events_explorer",
        name="Events Explorer",
        kind="entity_list",
        path="/api/events",
        metrics=(),
        entities=("events",),
    ),
}

# Entities POST /api/ingest/<key> accepts (blueprint tables only: platform
# tables such as users are managed through their own endpoints).
INGESTED: tuple[str, ...] = (
    "events",
    "subscriptions",
)
