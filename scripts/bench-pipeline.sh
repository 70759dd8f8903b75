#!/usr/bin/env bash
# Benchmark of the generated saas-dashboard project's data path on a
# throwaway PostgreSQL: ingestion through the HTTP server against a bare
# psycopg executemany with the same dedup (target: ratio >= 0.5), and the
# scheduled aggregation run after 1,000 new events on 1M stored ones against
# the same run on an empty history (target: ratio <= 2). Prints the figures;
# exits 0.
exec bash "$(dirname "$0")/bench-project.sh" scripts/bench_pipeline.py
