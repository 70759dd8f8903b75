#!/usr/bin/env bash
# Proves the venv's checkers work: each must pass a good file and reject a bad
# one. Run after scripts/setup-python.sh. Exits non-zero on any surprise.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tool-paths.sh

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fails=0
expect() { # expect 0|fail LABEL CMD...
  local want="$1" label="$2" rc=0
  shift 2
  "$@" >"$tmp/out" 2>&1 || rc=$?
  if { [ "$want" = 0 ] && [ "$rc" = 0 ]; } || { [ "$want" = fail ] && [ "$rc" != 0 ]; }; then
    echo "ok   $label (exit $rc)"
  else
    echo "FAIL $label (exit $rc, wanted $want)"; sed 's/^/     /' "$tmp/out"; fails=1
  fi
}

expect 0 "python imports" "$ARCHGEN_PYTHON" -c \
  'import fastapi, sqlalchemy, alembic, pydantic_settings, psycopg, argon2, httpx, selenium'

cat >"$tmp/Dockerfile.good" <<'EOF'
FROM python:3.11-slim-bookworm AS build
WORKDIR /app
COPY pyproject.toml ./
COPY src ./src
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim-bookworm
RUN useradd --create-home --uid 10001 app
WORKDIR /app
COPY --from=build /install /usr/local
USER 10001
EXPOSE 8000
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
EOF
cat >"$tmp/Dockerfile.bad" <<'EOF'
FROM python:latest
RUN apt-get update && apt-get install -y curl
CMD ["python"]
EOF
expect 0 "hadolint good Dockerfile" "$ARCHGEN_HADOLINT" --no-color "$tmp/Dockerfile.good"
expect fail "hadolint bad Dockerfile" "$ARCHGEN_HADOLINT" --no-color "$tmp/Dockerfile.bad"

cat >"$tmp/ci.good.yml" <<'EOF'
name: ci
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    services:
      db:
        image: postgres:15
        env:
          POSTGRES_PASSWORD: postgres
        ports: ["5432:5432"]
        options: >-
          --health-cmd "pg_isready -U postgres" --health-interval 5s
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install -e ".[dev]"
      - run: pytest -q
        env:
          DATABASE_URL: postgresql+psycopg://postgres:postgres@localhost:5432/postgres
EOF
cat >"$tmp/ci.bad.yml" <<'EOF'
name: ci
on:
  push:
    branch: main
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ matrix.python }}
        with:
          python-version: "3.11"
EOF
expect 0 "actionlint good workflow" "$ARCHGEN_ACTIONLINT" -no-color -shellcheck= -pyflakes= "$tmp/ci.good.yml"
expect fail "actionlint bad workflow" "$ARCHGEN_ACTIONLINT" -no-color -shellcheck= -pyflakes= "$tmp/ci.bad.yml"

cat >"$tmp/compose.good.yaml" <<'EOF'
services:
  api:
    build: .
    environment:
      DATABASE_URL: postgresql+psycopg://app:${POSTGRES_PASSWORD:-app}@db:5432/app
    ports: ["8000:8000"]
    depends_on:
      db:
        condition: service_healthy
  worker:
    build: .
    command: ["python", "-m", "app.worker"]
    depends_on:
      db:
        condition: service_healthy
  db:
    image: postgres:15
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-app}
      POSTGRES_DB: app
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U app -d app"]
      interval: 5s
      retries: 10
EOF
cat >"$tmp/compose.bad.yaml" <<'EOF'
services:
  api:
    build: .
    depends_on:
      database:
        condition: service_healthy
EOF
expect 0 "compose config good" "$ARCHGEN_COMPOSE" -f "$tmp/compose.good.yaml" config --quiet
expect fail "compose config bad" "$ARCHGEN_COMPOSE" -f "$tmp/compose.bad.yaml" config --quiet

cat >"$tmp/good.py" <<'EOF'
from typing import Annotated

from fastapi import Depends, FastAPI

app = FastAPI()


def get_db() -> int:
    return 1


@app.get("/items")
def items(db: Annotated[int, Depends(get_db)]) -> int:
    return db
EOF
printf 'import os, sys\nprint(undefined_name)\n' >"$tmp/bad.py"
expect 0 "ruff good file" "$ARCHGEN_RUFF" check --no-cache "$tmp/good.py"
expect fail "ruff bad file" "$ARCHGEN_RUFF" check --no-cache "$tmp/bad.py"

exit "$fails"
