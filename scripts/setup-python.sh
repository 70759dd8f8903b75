#!/usr/bin/env bash
# Creates (or reuses) the shared Python venv of archgen's end-to-end tests and
# installs scripts/python-requirements.txt into it. Idempotent: pip runs only
# when the requirements file changed since the last successful install.
# The venv lives at $ARCHGEN_VENV (default: <repo>/target/py-venv); its path
# is the last line printed on stdout. Progress goes to stderr.
# Needs root (or sudo) only when python3 or its venv module must be installed.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="${ARCHGEN_VENV:-$repo/target/py-venv}"
req="$repo/scripts/python-requirements.txt"
stamp="$venv/.archgen-requirements.sha256"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

make_venv() { python3 -m venv "$venv" >/dev/null 2>&1; }

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c '' 2>/dev/null; then
  echo "setup-python: creating venv $venv" >&2
  rm -rf "$venv"
  command -v python3 >/dev/null || apt_install python3
  if ! make_venv; then
    # Debian's python3 lacks ensurepip until python3-venv is installed.
    rm -rf "$venv"
    apt_install python3-venv
    make_venv
  fi
  rm -f "$stamp"
fi

want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup-python: installing $req" >&2
  "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$req" >&2
  echo "$want" >"$stamp"
else
  echo "setup-python: requirements up to date" >&2
fi

echo "$venv"
