"""Recomputes the metric tables for a date range (both ends inclusive).

    python -m app.jobs.aggregate --from 2024-01-01 --to 2024-01-31 [--metric KEY ...]

A day, week or month overlapping the range is recomputed whole; running a
range twice gives the same tables. Without --from/--to: yesterday and today (UTC).
Job `metrics_aggregation_service`: average_session_duration, daily_active_users, daily_event_volume, monthly_revenue, weekly_signups.
"""

import argparse
import datetime as dt
import sys

from app.catalog import METRICS
from app.core.db import SessionLocal, utcnow
from app.services.metrics_aggregator import aggregate

JOBS: dict[str, tuple[str, ...]] = {
    "metrics_aggregation_service": ("average_session_duration", "daily_active_users", "daily_event_volume", "monthly_revenue", "weekly_signups",),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.jobs.aggregate", description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="date_from", type=dt.date.fromisoformat, help="YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=dt.date.fromisoformat, help="YYYY-MM-DD")
    parser.add_argument("--metric", action="append", choices=sorted(METRICS), help="only this metric")
    parser.add_argument("--job", choices=sorted(JOBS), help="only this job's metrics")
    args = parser.parse_args(argv)
    today = utcnow().date()
    date_to = args.date_to or today
    date_from = args.date_from or min(date_to, today - dt.timedelta(days=1))
    if date_to < date_from:
        parser.error("--to is before --from")
    keys: list[str] = list(args.metric or [])
    if args.job:
        keys += [k for k in JOBS[args.job] if k not in keys]
    with SessionLocal() as db:
        done = aggregate(db, date_from, date_to, keys or None)
    for key, (first, last) in done.items():
        print(f"{key}: periods {first.isoformat()} .. {last.isoformat()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
