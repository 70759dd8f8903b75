"""Deletes rows past their retention period: `python -m app.jobs.retention`."""

import sys

from app.core.db import SessionLocal
from app.services.retention import purge


def main() -> int:
    with SessionLocal() as db:
        deleted = purge(db)
    for key, count in deleted.items():
        print(f"{key}: {count} row(s) deleted", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
