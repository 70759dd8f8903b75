#!/usr/bin/env bash
# Installs what archgen's tests need beyond the Rust toolchain, when missing.
# Idempotent: each step checks first. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# xmllint proves the example blueprints valid against the official XSDs.
command -v xmllint >/dev/null || apt_install libxml2-utils
# Debian's Chromium and its driver run the generated dashboard page headless.
{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || apt_install chromium chromium-driver

# Node 20 and npm: the project the node-minimal pack makes runs `npm ci` and
# `node --test` in tests/e2e.rs (sql.js comes from its lock, per project).
command -v npm >/dev/null || apt_install nodejs npm

# axe-core (npm, locked in tests/browser/package-lock.json) for the browser
# test's accessibility scan.
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  command -v npm >/dev/null || apt_install nodejs npm
  npm ci --prefix tests/browser --no-audit --no-fund --silent
fi

rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
