#!/usr/bin/env bash
# Runs a benchmark of the generated saas-dashboard project on a throwaway
# PostgreSQL 15 (port $PGPORT_ARCHGEN, default 55442):
#   bench-project.sh scripts/bench_dashboard.py   (what bench-dashboard.sh runs)
# Builds archgen in release mode, generates the project into a temporary
# folder, and runs the Python script with the project and the database URL.
set -euo pipefail
cd "$(dirname "$0")/.."
script="$1"
cargo build --release --quiet
bash scripts/setup-python.sh >/dev/null
# shellcheck source=scripts/tool-paths.sh
source scripts/tool-paths.sh
export PGPORT_ARCHGEN="${PGPORT_ARCHGEN:-55442}"
bash scripts/pg-throwaway.sh start >/dev/null
work="$(mktemp -d)"
trap 'bash scripts/pg-throwaway.sh stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
url="$(bash scripts/pg-throwaway.sh url)"
target/release/archgen gen blueprints/saas-dashboard.xml -o "$work/app" >/dev/null
DATABASE_URL="$url" "$ARCHGEN_PYTHON" "$script" "$work/app" "${url/postgresql+psycopg/postgresql}"
