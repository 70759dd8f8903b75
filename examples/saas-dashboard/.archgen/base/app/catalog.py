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


@dataclass(frozen=True)
class ServiceSpec:
    key: str
    name: str
    kind: str
    path: str
    metrics: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()


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
}

METRICS: dict[str, MetricSpec] = {
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
            Condition(
                field="duration_ms",
                op="is not null",
                values=(),
            ),
        ),
        dimensions=(
        ),
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
            Condition(
                field="name",
                op="=",
                values=("login",),
            ),
        ),
        dimensions=(
        ),
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
            Condition(
                field="name",
                op="=",
                values=("purchase",),
            ),
        ),
        dimensions=(
            Dimension(key="plan", attr="plan", column="plan", kind="string"),
        ),
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
            Condition(
                field="name",
                op="=",
                values=("signup",),
            ),
        ),
        dimensions=(
        ),
    ),
}

# What each metric's values are measured in (archgen:unit), for display only:
# {"kind": "currency", "currency": "USD", "minor": True} (cents),
# {"kind": "duration", "base": "ms" or "s"}, {"kind": "percent"}, {"kind": "count"}.
UNITS: dict[str, dict[str, object]] = {
    "average_session_duration": {"kind": "duration", "base": "ms"},
    "monthly_revenue": {"kind": "currency", "currency": "USD", "minor": True},
}

SERVICES: dict[str, ServiceSpec] = {
    "dashboard_metrics": ServiceSpec(
        key="dashboard_metrics",
        name="Dashboard Metrics",
        kind="metrics",
        path="/api/dashboard/overview",
        metrics=("average_session_duration", "daily_active_users", "daily_event_volume", "monthly_revenue", "weekly_signups",),
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
)
