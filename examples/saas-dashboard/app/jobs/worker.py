"""The scheduler: `python -m app.jobs.worker` (the compose file's worker service).

Every AGGREGATE_EVERY_SECONDS it runs the scheduled aggregation (what
arrived since the last run, plus the current periods: see
app/services/metrics_aggregator.py); every RETENTION_EVERY_SECONDS it
deletes rows past their retention (app/services/retention.py). A failed step
is logged and retried at its next turn; SIGTERM or SIGINT ends the worker
after the step in progress. `--once` runs each step once and exits with 1
if one failed.

Each turn of the loop touches WORKER_HEARTBEAT_FILE; `--check` (the
container's health check) exits 0 while that file is fresh.
"""

import argparse
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.core.config import get_settings
from app.core.db import SessionLocal
from app.core.logs import configure_logging
from app.services.metrics_aggregator import run_scheduled
from app.services.retention import purge

log = logging.getLogger("app.worker")


def aggregate_step() -> None:
    result = run_scheduled()
    log.info("aggregation run %s: %s queued period(s) recomputed", result.run_id, result.claimed)


def retention_step() -> None:
    # archgen:control retention-scheduled
    with SessionLocal() as db:
        deleted = purge(db)
    log.info("retention: %s", ", ".join(f"{k} {v}" for k, v in deleted.items()) or "nothing to delete")


def run_step(name: str, step: Callable[[], None]) -> bool:
    try:
        step()
    except Exception:
        log.exception("%s failed; retrying at its next turn", name)
        return False
    return True


def heartbeat_is_fresh(now: float | None = None) -> bool:
    """True when the loop touched its heartbeat file within three turns."""
    settings = get_settings()
    try:
        age = (now or time.time()) - os.stat(settings.WORKER_HEARTBEAT_FILE).st_mtime
    except OSError:
        return False
    return age <= 3 * max(settings.AGGREGATE_EVERY_SECONDS, 1) + 60


def main(argv: list[str] | None = None, stop: threading.Event | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.jobs.worker", description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="run each step once, then exit")
    parser.add_argument("--check", action="store_true", help="exit 0 while a running worker's heartbeat is fresh")
    args = parser.parse_args(argv)
    if args.check:
        return 0 if heartbeat_is_fresh() else 1
    configure_logging()
    settings = get_settings()
    steps: list[tuple[str, Callable[[], None], int]] = [
        ("aggregation", aggregate_step, settings.AGGREGATE_EVERY_SECONDS),
        ("retention", retention_step, settings.RETENTION_EVERY_SECONDS),
    ]
    if args.once:
        return 0 if all([run_step(name, step) for name, step, _ in steps]) else 1
    stop = stop or threading.Event()

    def on_signal(_signum: int, _frame: Any) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    due = {name: 0.0 for name, _, _ in steps}
    beat = Path(settings.WORKER_HEARTBEAT_FILE)
    while not stop.is_set():
        beat.touch()
        now = time.monotonic()
        for name, step, every in steps:
            if now >= due[name] and not stop.is_set():
                run_step(name, step)
                due[name] = time.monotonic() + max(every, 1)
        stop.wait(max(0.0, min(due.values()) - time.monotonic()))
    log.info("worker stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
