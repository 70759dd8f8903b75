#!/usr/bin/env bash
# Runs every test of archgen: formatting, lints, unit, snapshot, CLI,
# conformance and end-to-end tests. Installs missing tools first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --all-targets --quiet -- -D warnings
echo "== cargo test"
ARCHGEN_REQUIRE_TOOLS=1 cargo test --all-targets
