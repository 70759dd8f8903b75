"""PostgreSQL benchmark of a generated saas-dashboard project (see bench-dashboard.sh).

    python bench_dashboard.py PROJECT_DIR PSQL_URL

Prints, for 1k raw events with 100 subscriptions and 1M raw events with
100k subscriptions: the p50 latency of GET /api/dashboard/metrics, and the
aggregator's time against psql running the very statements it issued, for
all metrics and for each metric kind on its own (simple, ratio, rolling,
snapshot, cohort, funnel).
"""

import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable

EMAIL, PASSWORD = "bench@example.com", "bench password 0123456789"


def open_project(project: str) -> tuple[dict[str, str], "Callable[..., str]", str]:
    """Enters the generated project, migrates its database, creates an organization.

    Returns the environment to run it with, a function running
    `python ARGS...` in it (its stdout), and the organization's id.
    """
    os.chdir(project)
    sys.path.insert(0, project)
    env = dict(os.environ, APP_ENV="development", COOKIE_SECURE="false",
               SECRET_KEY="bench-secret-0123456789abcdef0123456789abcdef")
    os.environ.update(env)

    def cli(*args: str) -> str:
        return subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True, text=True).stdout.strip()

    cli("-m", "alembic", "upgrade", "head")
    return env, cli, cli("-m", "app.cli", "create-org", "Bench")


def main() -> int:
    project, psql_url = os.path.abspath(sys.argv[1]), sys.argv[2]
    env, cli, org = open_project(project)
    cli("-m", "app.cli", "create-user", "--org", org, "--email", EMAIL, "--password", PASSWORD, "--role", "viewer")

    import httpx2 as httpx
    import psycopg
    from sqlalchemy import event, text

    from app.catalog import METRICS
    from app.core.db import engine
    from app.services.metrics_aggregator import aggregate

    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
        if statements is not None and parameters is not None and not executemany:
            raw = conn.connection.dbapi_connection
            statements.append(psycopg.ClientCursor(raw).mogrify(statement, parameters))

    today = dt.datetime.now(dt.UTC).date()
    first = today - dt.timedelta(days=89)
    results = {}
    per_kind: dict[tuple[int, str], tuple[float, float]] = {}
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--log-level", "warning"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_health(port)
        def timed(keys: list[str] | None) -> tuple[float, float, int]:
            """Median of 3: the aggregator's backfill of the 90 days, and psql replaying its statements."""
            agg_times, psql_times = [], []
            for _ in range(3):
                statements.clear()
                t0 = time.perf_counter()
                aggregate(first, today, keys)
                agg_times.append(time.perf_counter() - t0)
                script = "BEGIN;\n" + "".join(s.rstrip().rstrip(";") + ";\n" for s in statements) + "COMMIT;\n"
                with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
                    f.write(script)
                t0 = time.perf_counter()
                subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", f.name, psql_url], check=True,
                               stdout=subprocess.DEVNULL)
                psql_times.append(time.perf_counter() - t0)
                os.unlink(f.name)
            return statistics.median(agg_times), statistics.median(psql_times), len(statements)

        kinds = ["simple", "ratio", "rolling", "snapshot", "cohort", "funnel"]
        for n in (1_000, 1_000_000):
            subscriptions = n // 10
            with engine.begin() as c:
                c.execute(text("TRUNCATE events, subscriptions"))
                c.execute(text(
                    "INSERT INTO events (id, organization_id, name, user_id, plan, revenue_cents, duration_ms, occurred_at) "
                    "SELECT gen_random_uuid(), CAST(:org AS uuid), "
                    "(ARRAY['login','signup','purchase','view','activation','feature_used'])[1 + i % 6], "
                    "'u' || (i % 5000), (ARRAY['free','pro','team'])[1 + i % 3], "
                    "CASE WHEN i % 6 = 2 THEN 100 + i % 900 END, CASE WHEN i % 5 = 0 THEN NULL ELSE i % 10000 END, "
                    "now() - (i % 90) * interval '1 day' - (i % 3600) * interval '1 second' "
                    "FROM generate_series(1, :n) AS i"), {"org": org, "n": n})
                # Subscriptions over 400 days, a third of them ended, monthly and yearly.
                c.execute(text(
                    "INSERT INTO subscriptions (id, organization_id, customer_id, plan, amount_cents, interval_months, "
                    "started_at, ended_at) "
                    "SELECT gen_random_uuid(), CAST(:org AS uuid), 'c' || (i % (:n / 2 + 1)), "
                    "(ARRAY['free','pro','team'])[1 + i % 3], 900 + (i % 50) * 100, (ARRAY[1, 12])[1 + i % 2], "
                    "now() - (i % 400) * interval '1 day', "
                    "CASE WHEN i % 3 = 0 THEN now() - (i % 400) * interval '1 day' + (10 + i % 200) * interval '1 day' END "
                    "FROM generate_series(1, :n) AS i"), {"org": org, "n": subscriptions})
                c.execute(text("ANALYZE events"))
                c.execute(text("ANALYZE subscriptions"))
            agg, psql_s, count = timed(None)
            lat = dashboard_p50(port)
            results[n] = (agg, psql_s, lat, count)
            print(f"{n:>9} events, {subscriptions:>6} subscriptions: aggregator {agg:.3f} s, psql {psql_s:.3f} s "
                  f"({count} statements), GET /api/dashboard/metrics p50 {lat * 1e3:.2f} ms", flush=True)
            for kind in kinds:
                keys = [k for k, m in METRICS.items() if m.kind == kind]
                if not keys:
                    continue
                agg, psql_s, count = timed(keys)
                per_kind[(n, kind)] = (agg, psql_s)
                print(f"{'':>9} {kind:<8} ({', '.join(keys)}): aggregator {agg:.3f} s, psql {psql_s:.3f} s, "
                      f"ratio {agg / psql_s:.2f} ({count} statements)", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    small, big = results[1_000], results[1_000_000]
    lat_ratio = big[2] / small[2]
    agg_ratio = big[0] / big[1]
    print(f"latency ratio 1M/1k: {lat_ratio:.2f} (target <= 1.3: {'PASS' if lat_ratio <= 1.3 else 'FAIL'})")
    print(f"aggregator/psql at 1M: {agg_ratio:.2f} (target <= 1.5: {'PASS' if agg_ratio <= 1.5 else 'FAIL'})")
    for (n, kind), (agg, psql_s) in sorted(per_kind.items()):
        if n == 1_000_000:
            r = agg / psql_s
            print(f"{kind} kind, aggregator/psql at 1M: {r:.2f} (target <= 1.5: {'PASS' if r <= 1.5 else 'FAIL'})")
    return 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_health(port: int) -> None:
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the app did not start")


def dashboard_p50(port: int, runs: int = 300) -> float:
    import httpx2 as httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
        r = c.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
        r.raise_for_status()
        for _ in range(20):
            c.get("/api/dashboard/metrics").raise_for_status()
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            c.get("/api/dashboard/metrics").raise_for_status()
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


if __name__ == "__main__":
    sys.exit(main())
