"""Recomputes the metric tables.

    python -m app.jobs.aggregate [--metric KEY ...] [--job JOB]
    python -m app.jobs.aggregate --from 2024-01-01 --to 2024-01-31 [--metric KEY ...]

Without a range (what the worker runs on schedule): every period that rows
ingested since the previous run fall into, whatever their timestamps, plus
the current period of each metric. With --from/--to (a backfill, both ends
inclusive, UTC): every day, week or month overlapping the range, whole.
Running either twice gives the same tables; runs may overlap safely.
Each run is recorded in the job_runs table.
Job `metrics_aggregation_service`: activation_funnel, average_session_duration, customer_churn_rate, daily_active_users, daily_event_volume, feature_adoption, feature_users, monthly_active_users, monthly_revenue, monthly_recurring_revenue, signup_cohorts, weekly_active_users, weekly_signups.
"""

import argparse
import datetime as dt
import sys

from app.catalog import METRICS
from app.services.metrics_aggregator import aggregate, run_scheduled

JOBS: dict[str, tuple[str, ...]] = {
    "metrics_aggregation_service": ("activation_funnel", "average_session_duration", "customer_churn_rate", "daily_active_users", "daily_event_volume", "feature_adoption", "feature_users", "monthly_active_users", "monthly_revenue", "monthly_recurring_revenue", "signup_cohorts", "weekly_active_users", "weekly_signups",),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.jobs.aggregate", description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="date_from", type=dt.date.fromisoformat, help="YYYY-MM-DD (backfill)")
    parser.add_argument("--to", dest="date_to", type=dt.date.fromisoformat, help="YYYY-MM-DD (backfill)")
    parser.add_argument("--metric", action="append", choices=sorted(METRICS), help="only this metric")
    parser.add_argument("--job", choices=sorted(JOBS), help="only this job's metrics")
    args = parser.parse_args(argv)
    keys: list[str] = list(args.metric or [])
    if args.job:
        keys += [k for k in JOBS[args.job] if k not in keys]
    if (args.date_from is None) != (args.date_to is None):
        parser.error("a backfill needs both --from and --to")
    if args.date_from is not None:
        if args.date_to < args.date_from:
            parser.error("--to is before --from")
        done = aggregate(args.date_from, args.date_to, keys or None)
        for key, (first, last) in done.items():
            print(f"{key}: periods {first.isoformat()} .. {last.isoformat()}", file=sys.stderr)
        return 0
    result = run_scheduled(keys or None, job=args.job or "scheduled")
    for key, span in result.periods.items():
        if span is not None:
            print(f"{key}: periods {span[0].isoformat()} .. {span[1].isoformat()}", file=sys.stderr)
    print(f"run {result.run_id}: {result.claimed} queued period(s) recomputed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
