"""PostgreSQL benchmark of a generated saas-dashboard project's data path (see bench-pipeline.sh).

    python bench_pipeline.py PROJECT_DIR PSQL_URL

1. Ingestion: batches of 1,000 events with ids, POSTed to the real HTTP
   server (uvicorn, one worker), against a bare psycopg `executemany` of the
   same kind of rows with the same dedup (INSERT … ON CONFLICT (id) DO
   NOTHING, a commit per batch), interleaved in one run. Events per second,
   and their ratio (target >= 0.5).
2. The scheduled aggregation run after 1,000 new events arrived through the
   API, on top of 1M stored events (spread over the past 365 days, already
   aggregated) and on an empty history. Median of 5 runs each, in process
   (run_scheduled) and as the worker's command (a new process); the ratio
   1M/empty (target <= 2).
"""

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid

from bench_dashboard import free_port, open_project, wait_health

BATCH = 1_000
ROUNDS = 25


def main() -> int:
    project, psql_url = os.path.abspath(sys.argv[1]), sys.argv[2]
    env, cli, org = open_project(project)
    api_key = cli("-m", "app.cli", "create-api-key", "--org", org)

    import httpx2 as httpx
    import psycopg
    from sqlalchemy import text

    from app.core.db import engine
    from app.services.metrics_aggregator import aggregate, run_scheduled

    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)

    def batch() -> list[dict[str, object]]:
        rows = []
        for _ in range(BATCH):
            kind = rng.choice(["login", "signup", "purchase", "view"])
            rows.append({
                "id": str(uuid.uuid4()),
                "name": kind,
                "user_id": f"u{rng.randrange(5000)}",
                "session_id": f"s{rng.randrange(10**6)}",
                "plan": rng.choice(["free", "pro", "team"]),
                "revenue_cents": rng.randrange(100, 1000) if kind == "purchase" else None,
                "duration_ms": rng.randrange(10_000),
                "properties": {"source": "bench"},
                "occurred_at": (now - dt.timedelta(seconds=rng.randrange(86_400))).isoformat(),
            })
        return rows

    def truncate() -> None:
        with engine.begin() as c:
            c.execute(text("TRUNCATE events, aggregation_queue, ingest_batches, job_runs, daily_active_users, "
                           "weekly_signups, monthly_revenue, average_session_duration, daily_event_volume"))

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--workers", "1",
         "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sql = ("INSERT INTO events (id, organization_id, name, user_id, session_id, plan, revenue_cents, "
           "duration_ms, properties, occurred_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
           "ON CONFLICT (id) DO NOTHING")
    try:
        wait_health(port)
        truncate()
        http_times, bare_times = [], []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": api_key}) as client, \
                psycopg.connect(psql_url) as conn:
            for i in range(ROUNDS + 2):
                rows = batch()
                body = json.dumps(rows).encode()
                t0 = time.perf_counter()
                r = client.post("/api/ingest/events", content=body, headers={"Content-Type": "application/json"})
                elapsed = time.perf_counter() - t0
                assert r.status_code == 201 and r.json()["inserted"] == BATCH, r.text[:300]
                params = [(uuid.UUID(x["id"]), org, x["name"], x["user_id"], x["session_id"], x["plan"],
                           x["revenue_cents"], x["duration_ms"], json.dumps(x["properties"]),
                           dt.datetime.fromisoformat(x["occurred_at"])) for x in batch()]
                t1 = time.perf_counter()
                with conn.cursor() as cur:
                    cur.executemany(sql, params)
                conn.commit()
                bare = time.perf_counter() - t1
                if i >= 2:  # the first rounds warm both up
                    http_times.append(elapsed)
                    bare_times.append(bare)
        http_rate = BATCH / statistics.median(http_times)
        bare_rate = BATCH / statistics.median(bare_times)
        print(f"ingestion, batches of {BATCH}: HTTP {http_rate:,.0f} events/s, bare psycopg executemany "
              f"{bare_rate:,.0f} events/s (medians of {ROUNDS})")
        ratio = http_rate / bare_rate
        print(f"ingestion HTTP/bare: {ratio:.2f} (target >= 0.5: {'PASS' if ratio >= 0.5 else 'FAIL'})", flush=True)

        def scheduled_after_new_events(history: int) -> tuple[float, float]:
            in_process, as_command = [], []
            for k in range(5):
                with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": api_key}) as c:
                    r = c.post("/api/ingest/events", content=json.dumps(batch()).encode(),
                               headers={"Content-Type": "application/json"})
                    assert r.status_code == 201, r.text[:300]
                if k % 2 == 0:
                    t0 = time.perf_counter()
                    run_scheduled()
                    in_process.append(time.perf_counter() - t0)
                else:
                    t0 = time.perf_counter()
                    cli("-m", "app.jobs.aggregate")
                    as_command.append(time.perf_counter() - t0)
            print(f"  {history:>9} stored events: scheduled run {statistics.median(in_process) * 1e3:.1f} ms in "
                  f"process, {statistics.median(as_command) * 1e3:.0f} ms as a command", flush=True)
            return statistics.median(in_process), statistics.median(as_command)

        print("scheduled run after 1,000 new events (medians):")
        truncate()
        empty = scheduled_after_new_events(0)
        truncate()
        with engine.begin() as c:
            c.execute(text(
                "INSERT INTO events (id, organization_id, name, user_id, plan, revenue_cents, duration_ms, occurred_at) "
                "SELECT gen_random_uuid(), CAST(:org AS uuid), (ARRAY['login','signup','purchase','view'])[1 + i % 4], "
                "'u' || (i % 5000), (ARRAY['free','pro','team'])[1 + i % 3], "
                "CASE WHEN i % 4 = 2 THEN 100 + i % 900 END, CASE WHEN i % 5 = 0 THEN NULL ELSE i % 10000 END, "
                "now() - interval '1 day' - (i % 364) * interval '1 day' - (i % 86400) * interval '1 second' "
                "FROM generate_series(1, 1000000) AS i"), {"org": org})
            c.execute(text("ANALYZE events"))
        aggregate(now.date() - dt.timedelta(days=400), now.date())
        full = scheduled_after_new_events(1_000_000)
        for label, a, b in (("in process", full[0], empty[0]), ("as a command", full[1], empty[1])):
            ratio = a / b
            print(f"scheduled run 1M/empty, {label}: {ratio:.2f} (target <= 2: {'PASS' if ratio <= 2 else 'FAIL'})")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
