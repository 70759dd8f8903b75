#!/usr/bin/env bash
# Makes the python-fastapi pack's dependency locks: for each Python version the
# pack supports (app/deps/pins.j2), requirements.lock and requirements-dev.lock
# with hashes, compiled by pip-tools with that Python from the requirements.in
# and requirements-dev.in a generated project holds; and archgen's own test
# venv lock, scripts/python-requirements-py3.XX.txt (those pins plus
# scripts/python-requirements.in). Run it after changing either;
# tests/pack_locks.rs checks that the locks agree with the pins.
#   scripts/lock-python-pack.sh            all versions
#   scripts/lock-python-pack.sh 3.12       one
# Needs the interpreters (python3.11, python3.12, python3.13 on PATH or under
# pyenv) and the package index.
set -euo pipefail
cd "$(dirname "$0")/.."
deps=templates/python-fastapi/app/deps
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.11 3.12 3.13)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --quiet
target/debug/archgen gen blueprints/minimal.xml -o "$work/project" --pack templates/python-fastapi >/dev/null

interpreter() {
  local v="$1" c
  for c in "$(command -v "python$v" 2>/dev/null || true)" "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/"$v".*/bin/python"$v"; do
    if [ -n "$c" ] && [ -x "$c" ] && "$c" -c "import sys; assert sys.version_info[:2] == tuple(map(int, '$v'.split('.')))" 2>/dev/null; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

for v in "${versions[@]}"; do
  py="$(interpreter "$v")" || { echo "lock-python-pack: no Python $v found" >&2; exit 1; }
  echo "lock-python-pack: Python $v ($py)" >&2
  "$py" -m venv "$work/venv-$v"
  "$work/venv-$v/bin/pip" install --quiet --disable-pip-version-check pip-tools==7.6.2
  mkdir -p "$deps/py$v"
  for name in requirements requirements-dev; do
    (cd "$work/project" && CUSTOM_COMPILE_COMMAND="pip-compile --generate-hashes --allow-unsafe -o $name.lock $name.in" \
      "$work/venv-$v/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links \
      --strip-extras -o "$name.lock" "$name.in")
    cp "$work/project/$name.lock" "$deps/py$v/$name.lock"
  done
  # archgen's own test venv: the project's dev pins and the checkers.
  { echo "-r requirements-dev.in"; cat scripts/python-requirements.in; } > "$work/project/archgen-tests.in"
  (cd "$work/project" && CUSTOM_COMPILE_COMMAND="scripts/lock-python-pack.sh $v" \
    "$work/venv-$v/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links \
    --strip-extras -o archgen-tests.txt archgen-tests.in)
  cp "$work/project/archgen-tests.txt" "scripts/python-requirements-py$v.txt"
done
