"""Every table: one module per entity and one per metric, and the platform's own."""

from importlib import import_module

from app.core import tables as _platform_tables  # noqa: F401  (registers them)
from app.core.db import Base

# Entity key -> (module, class).
_ENTITIES = {
    "organizations": ("organizations", "Organizations"),
    "users": ("users", "Users"),
    "sessions": ("sessions", "Sessions"),
    "api_keys": ("api_keys", "ApiKeys"),
    "audit_log": ("audit_log", "AuditLog"),
    "events": ("events", "Events"),
}
# Metric key -> (module, class).
_METRICS = {
    "average_session_duration": ("average_session_duration", "AverageSessionDurationMetric"),
    "daily_active_users": ("daily_active_users", "DailyActiveUsersMetric"),
    "daily_event_volume": ("daily_event_volume", "DailyEventVolumeMetric"),
    "monthly_revenue": ("monthly_revenue", "MonthlyRevenueMetric"),
    "weekly_signups": ("weekly_signups", "WeeklySignupsMetric"),
}
# Metric key -> (module, class) of its daily partial aggregates (weekly and
# monthly metrics whose measure combines from days).
_DAILY = {
    "monthly_revenue": ("monthly_revenue", "MonthlyRevenueDaily"),
    "weekly_signups": ("weekly_signups", "WeeklySignupsDaily"),
}


def _load(spec: dict[str, tuple[str, str]]) -> dict[str, type[Base]]:
    return {
        key: getattr(import_module(f"app.models.{module}"), cls) for key, (module, cls) in spec.items()
    }


# Entity key -> model class.
ENTITY_MODELS: dict[str, type[Base]] = _load(_ENTITIES)
# Metric key -> metric table model class.
METRIC_MODELS: dict[str, type[Base]] = _load(_METRICS)
# Metric key -> its daily partials' model class.
DAILY_MODELS: dict[str, type[Base]] = _load(_DAILY)


def load_all() -> None:
    """Importing this package registers every table on Base.metadata."""
