#!/usr/bin/env bash
# Runs every test of archgen: formatting, lints, unit, snapshot, CLI,
# conformance and end-to-end tests (generated projects' own tests, on SQLite
# and PostgreSQL, their linters, and a headless-browser test).
# Installs what is missing first: xmllint, the Python venv with the
# generated projects' dependencies and linters, PostgreSQL 15, Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/setup-python.sh >/dev/null
# shellcheck source=scripts/tool-paths.sh
source scripts/tool-paths.sh

bash scripts/pg-throwaway.sh start >/dev/null
trap 'bash scripts/pg-throwaway.sh stop >/dev/null 2>&1 || true' EXIT
ARCHGEN_PG_URL="$(bash scripts/pg-throwaway.sh url)"
export ARCHGEN_PG_URL

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --all-targets --quiet -- -D warnings
echo "== cargo test"
ARCHGEN_REQUIRE_TOOLS=1 cargo test --all-targets
