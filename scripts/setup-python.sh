#!/usr/bin/env bash
# Creates (or reuses) the shared Python venv of archgen's end-to-end tests and
# installs scripts/python-requirements-py3.XX.txt into it with hashes: the
# generated project's locked dev dependencies (the python-fastapi pack's
# pins) and the checkers. Python 3.12 (the pack's default) when the machine
# has it (on PATH or under pyenv), else python3. Idempotent: pip runs only
# when the requirements file or the interpreter changed since the last
# successful install.
# The venv lives at $ARCHGEN_VENV (default: <repo>/target/py-venv); its path
# is the last line printed on stdout. Progress goes to stderr.
# Needs root (or sudo) only when python3 or its venv module must be installed.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="${ARCHGEN_VENV:-$repo/target/py-venv}"
stamp="$venv/.archgen-requirements.sha256"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The interpreter: Python 3.12 if there is one, else python3.
python=""
for c in "$(command -v python3.12 2>/dev/null || true)" "$(pyenv root 2>/dev/null || echo /root/.pyenv)"/versions/3.12.*/bin/python3.12; do
  if [ -n "$c" ] && [ -x "$c" ] && "$c" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
    python="$c"
    break
  fi
done
if [ -z "$python" ]; then
  command -v python3 >/dev/null || apt_install python3
  python="$(command -v python3)"
fi
version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
req="$repo/scripts/python-requirements-py$version.txt"
if [ ! -f "$req" ]; then
  echo "setup-python: no $req (Python $version); scripts/lock-python-pack.sh makes them for 3.11-3.13" >&2
  exit 1
fi

make_venv() { "$python" -m venv "$venv" >/dev/null 2>&1; }
current="$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
if [ "$current" != "$version" ]; then
  echo "setup-python: creating venv $venv (Python $version, $python)" >&2
  rm -rf "$venv"
  if ! make_venv; then
    # Debian's python3 lacks ensurepip until python3-venv is installed.
    rm -rf "$venv"
    apt_install python3-venv
    make_venv
  fi
  rm -f "$stamp"
fi

want="$(cat "$req" <(echo "$python $version") | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup-python: installing $req" >&2
  "$venv/bin/python" -m pip install --disable-pip-version-check -q --require-hashes -r "$req" >&2
  echo "$want" >"$stamp"
else
  echo "setup-python: requirements up to date" >&2
fi

echo "$venv"
