"""Failed sign-ins, throttled without locking anyone out.

- Per (account, client address): up to LOGIN_FREE_FAILURES failures within
  LOGIN_FAILURE_WINDOW_SECONDS may follow each other at once; from that
  failure on, the next attempt from that address for that account must
  wait, each time twice as long (LOGIN_BACKOFF_BASE_SECONDS, then double,
  up to LOGIN_BACKOFF_MAX_SECONDS). Someone who knows an e-mail address cannot
  lock its owner out: the owner, signing in from their own address, is not
  slowed down by failures from another.
- Per client address: at most LOGIN_MAX_FAILURES_PER_IP failures within the
  window, whatever the accounts (one address trying many).

The counts live in the login_throttle table, so every process and replica
shares them; keys are SHA-256 hashes, so the table holds no e-mail address
or IP. The client address is what app.api.deps.client_ip says (proxies'
headers only from TRUSTED_PROXIES).
"""

import datetime as dt
import hashlib

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.core.db import as_utc, dialect_insert, utcnow
from app.core.tables import LoginThrottle

_T = LoginThrottle.__table__


def _key(kind: str, *parts: str) -> str:
    return hashlib.sha256("\x1f".join((kind, *parts)).encode()).hexdigest()


def _keys(account: str, ip: str) -> tuple[str, str]:
    return _key("account-address", account, ip), _key("address", ip)


def retry_after(db: Session, account: str, ip: str, now: dt.datetime | None = None) -> float | None:
    """Seconds until `account` may try again from `ip`, or None when it may now."""
    # archgen:control login-rate-limit
    now = now or utcnow()
    wait = 0.0
    for blocked in db.scalars(select(_T.c.blocked_until).where(_T.c.key_hash.in_(_keys(account, ip)))):
        until = as_utc(blocked)
        if until is not None and until > now:
            wait = max(wait, (until - now).total_seconds())
    return wait or None


def _count(db: Session, key: str, now: dt.datetime, window: dt.timedelta) -> tuple[int, dt.datetime]:
    """Adds one failure to `key` (a new window when the last is over); (failures, window start)."""
    stale = _T.c.window_start < now - window
    stmt = dialect_insert(_T, db.get_bind().dialect.name).values(
        key_hash=key, failures=1, window_start=now, blocked_until=None
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[_T.c.key_hash],
        set_={
            "failures": case((stale, 1), else_=_T.c.failures + 1),
            "window_start": case((stale, now), else_=_T.c.window_start),
        },
    ).returning(_T.c.failures, _T.c.window_start)
    failures, start = db.execute(stmt).one()
    return int(failures), as_utc(start) or now


def failed(db: Session, account: str, ip: str, now: dt.datetime | None = None) -> None:
    """Counts a failed sign-in; the caller commits."""
    s = get_settings()
    now = now or utcnow()
    window = dt.timedelta(seconds=s.LOGIN_FAILURE_WINDOW_SECONDS)
    pair, address = _keys(account, ip)
    failures, _ = _count(db, pair, now, window)
    if failures >= s.LOGIN_FREE_FAILURES:
        delay = s.LOGIN_BACKOFF_BASE_SECONDS * 2 ** min(failures - s.LOGIN_FREE_FAILURES, 40)
        until = now + dt.timedelta(seconds=min(delay, s.LOGIN_BACKOFF_MAX_SECONDS))
        db.execute(update(_T).where(_T.c.key_hash == pair).values(blocked_until=until))
    failures, start = _count(db, address, now, window)
    if failures >= s.LOGIN_MAX_FAILURES_PER_IP:
        db.execute(update(_T).where(_T.c.key_hash == address).values(blocked_until=start + window))


def succeeded(db: Session, account: str, ip: str) -> None:
    """A correct password from `ip`: that pair starts afresh; the caller commits."""
    pair, _ = _keys(account, ip)
    db.execute(delete(_T).where(_T.c.key_hash == pair))


def purge(db: Session, now: dt.datetime | None = None) -> int:
    """Deletes counts whose window is over and that block nothing; the caller commits."""
    now = now or utcnow()
    window = dt.timedelta(seconds=get_settings().LOGIN_FAILURE_WINDOW_SECONDS)
    result = db.execute(
        delete(_T).where(
            _T.c.window_start < now - window,
            or_(_T.c.blocked_until.is_(None), _T.c.blocked_until < now),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
