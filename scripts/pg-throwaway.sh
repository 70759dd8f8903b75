#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for archgen's end-to-end tests.
#   pg-throwaway.sh start  installs Debian's postgresql-15 when missing, then
#                          starts a cluster on 127.0.0.1:$PORT with trust auth
#                          and the databases "archgen" and "archgen_test"
#                          (does nothing if running)
#   pg-throwaway.sh url    prints the SQLAlchemy URL of that database
#   pg-throwaway.sh reset  drops and recreates those two databases
#   pg-throwaway.sh stop   stops the cluster and deletes its folder
# PORT is $PGPORT_ARCHGEN (default 55432); the cluster lives in
# /tmp/archgen-pg-$PORT, owned by the postgres user (initdb refuses root).
# Run as root (or with sudo available).
set -euo pipefail

port="${PGPORT_ARCHGEN:-55432}"
dir="/tmp/archgen-pg-$port"
data="$dir/data"
bin=/usr/lib/postgresql/15/bin

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_pg() { (cd / && as_root runuser -u postgres -- "$@"); }
running() { [ -f "$data/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }
psql_() { "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

install_pg() {
  [ -x "$bin/pg_ctl" ] && return 0
  echo "pg-throwaway: installing postgresql-15" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
}

start() {
  install_pg
  if running; then
    echo "pg-throwaway: already running on 127.0.0.1:$port" >&2
  else
    if [ ! -f "$data/PG_VERSION" ]; then
      as_root rm -rf "$dir"
      as_root install -d -o postgres -g postgres -m 700 "$dir"
      as_pg "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start -o \
      "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c fsync=off" >/dev/null; then
      echo "pg-throwaway: start failed; server log:" >&2
      as_root tail -n 20 "$dir/server.log" >&2
      exit 1
    fi
    echo "pg-throwaway: started on 127.0.0.1:$port ($dir)" >&2
  fi
  # archgen, and archgen_test for the generated projects' tests (they run
  # only on a database whose name ends in _test).
  for db in archgen archgen_test; do
    if [ -z "$(psql_ -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
      psql_ -c "CREATE DATABASE $db"
    fi
  done
}

reset() {
  for db in archgen archgen_test; do
    psql_ -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  done
}

stop() {
  if running; then as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
  as_root rm -rf "$dir"
  echo "pg-throwaway: stopped and removed $dir" >&2
}

case "${1:-}" in
  start) start ;;
  reset) reset ;;
  stop) stop ;;
  url) echo "postgresql+psycopg://postgres@127.0.0.1:$port/archgen" ;;
  *) echo "usage: $0 start|url|reset|stop" >&2; exit 2 ;;
esac
