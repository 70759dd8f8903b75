"""Request ids, access logs and Prometheus metrics.

RequestContext, an ASGI middleware (the outermost), gives every request an
id — the X-Request-ID header when a trusted proxy (TRUSTED_PROXIES) sent a
well-formed one, else a new one — returns it in X-Request-ID, logs one
access line per request (app/core/logs.py) and counts it.

GET /metrics (app/api/health.py) serves, in Prometheus' text format:

- app_http_requests_total{method, route, status} and
  app_http_request_duration_seconds{method, route}: this process's requests,
  by route template (never by raw path);
- app_ingest_rows_total{entity, outcome}: rows inserted, duplicate, refused;
- from the database at each scrape, so whatever process did the work:
  app_aggregation_last_success_timestamp_seconds{job},
  app_aggregation_last_duration_seconds{job} and
  app_metric_data_age_seconds{metric} (since the metric was last computed).
"""

import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from app.core import logs
from app.core.config import get_settings
from app.core.db import SessionLocal, as_utc, utcnow
from app.core.tables import JobRun, MetricState

log = logging.getLogger("app.access")
REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "app_http_requests_total", "HTTP requests answered.", ["method", "route", "status"], registry=REGISTRY
)
LATENCY = Histogram(
    "app_http_request_duration_seconds",
    "Time to answer HTTP requests.",
    ["method", "route"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
INGEST_ROWS = Counter(
    "app_ingest_rows_total", "Rows sent for ingestion, by outcome.", ["entity", "outcome"], registry=REGISTRY
)
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class DatabaseCollector(Collector):
    """Aggregation runs and data freshness, read from the database at each scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        success = GaugeMetricFamily(
            "app_aggregation_last_success_timestamp_seconds", "When the job last succeeded.", labels=["job"]
        )
        duration = GaugeMetricFamily(
            "app_aggregation_last_duration_seconds", "How long the job's last successful run took.", labels=["job"]
        )
        age = GaugeMetricFamily(
            "app_metric_data_age_seconds", "Seconds since the metric was last computed.", labels=["metric"]
        )
        now = utcnow()
        with SessionLocal() as db:
            newest = (
                select(JobRun.job, func.max(JobRun.id).label("id"))
                .where(JobRun.status == "succeeded")
                .group_by(JobRun.job)
                .subquery()
            )
            for run in db.scalars(select(JobRun).join(newest, JobRun.id == newest.c.id)):
                finished, started = as_utc(run.finished_at), as_utc(run.started_at)
                if finished is not None and started is not None:
                    success.add_metric([run.job], finished.timestamp())
                    duration.add_metric([run.job], (finished - started).total_seconds())
            for state in db.scalars(select(MetricState)):
                computed = as_utc(state.computed_at)
                if computed is not None:
                    age.add_metric([state.metric], max(0.0, (now - computed).total_seconds()))
        yield success
        yield duration
        yield age


REGISTRY.register(DatabaseCollector())


def trusted_peer(peer: str | None) -> bool:
    """Whether the socket peer is one of TRUSTED_PROXIES."""
    try:
        address = ipaddress.ip_address(peer or "")
    except ValueError:
        return False
    return any(address in net for net in get_settings().trusted_proxies)


class RequestContext:
    """Request id, access log line and request metrics, for every HTTP request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # archgen:control request-id
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        client = scope.get("client")
        peer = client[0] if client else None
        rid = given if given and REQUEST_ID.fullmatch(given) and trusted_peer(peer) else uuid.uuid4().hex
        rid_token = logs.request_id.set(rid)
        # The organization, once a dependency knows it (app/api/deps.py sets
        # request.state.organization, which lives in this dict).
        state = scope.setdefault("state", {})
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            took = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope.get("method", "")
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(took)
            org_token = logs.organization.set(state.get("organization"))
            log.info(
                "%s %s %s",
                method,
                route,
                status,
                extra={"method": method, "route": route, "status": status, "duration_ms": round(took * 1000, 2)},
            )
            logs.organization.reset(org_token)
            logs.request_id.reset(rid_token)
