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
    "subscriptions": ("subscriptions", "Subscriptions"),
}
# Metric key -> (module, class).
_METRICS = {
    "activation_funnel": ("activation_funnel", "ActivationFunnelMetric"),
    "average_session_duration": ("average_session_duration", "AverageSessionDurationMetric"),
    "customer_churn_rate": ("customer_churn_rate", "CustomerChurnRateMetric"),
    "daily_active_users": ("daily_active_users", "DailyActiveUsersMetric"),
    "daily_event_volume": ("daily_event_volume", "DailyEventVolumeMetric"),
    "feature_users": ("feature_users", "FeatureUsersMetric"),
    "monthly_active_users": ("monthly_active_users", "MonthlyActiveUsersMetric"),
    "monthly_revenue": ("monthly_revenue", "MonthlyRevenueMetric"),
    "monthly_recurring_revenue": ("monthly_recurring_revenue", "MonthlyRecurringRevenueMetric"),
    "signup_cohorts": ("signup_cohorts", "SignupCohortsMetric"),
    "weekly_active_users": ("weekly_active_users", "WeeklyActiveUsersMetric"),
    "weekly_signups": ("weekly_signups", "WeeklySignupsMetric"),
    "feature_adoption": ("feature_adoption", "FeatureAdoptionMetric"),
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
