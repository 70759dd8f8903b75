#!/usr/bin/env bash
# Benchmark of the generated saas-dashboard backend on a throwaway PostgreSQL:
# p50 latency of GET /api/dashboard/metrics at 1k and 1M raw events (target:
# ratio <= 1.3), and the aggregator's time for 1M events against psql running
# the same statements (target: ratio <= 1.5). Prints the figures; exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bash scripts/setup-python.sh >/dev/null
# shellcheck source=scripts/tool-paths.sh
source scripts/tool-paths.sh
export PGPORT_ARCHGEN="${PGPORT_ARCHGEN:-55442}"
bash scripts/pg-throwaway.sh start >/dev/null
trap 'bash scripts/pg-throwaway.sh stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
work="$(mktemp -d)"
url="$(bash scripts/pg-throwaway.sh url)"
target/release/archgen gen blueprints/saas-dashboard.xml -o "$work/app" >/dev/null
DATABASE_URL="$url" "$ARCHGEN_PYTHON" scripts/bench_dashboard.py "$work/app" "${url/postgresql+psycopg/postgresql}"
