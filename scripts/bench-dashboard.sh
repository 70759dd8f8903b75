#!/usr/bin/env bash
# Benchmark of the generated saas-dashboard backend on a throwaway PostgreSQL:
# p50 latency of GET /api/dashboard/metrics at 1k and 1M raw events (target:
# ratio <= 1.3), and the aggregator's time for 1M events and 100k subscriptions,
# for all metrics and for each metric kind, against psql running
# the same statements (target: ratio <= 1.5). Prints the figures; exits 0.
exec bash "$(dirname "$0")/bench-project.sh" scripts/bench_dashboard.py
