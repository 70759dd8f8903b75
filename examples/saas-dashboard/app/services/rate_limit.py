"""Failed-login rate limiting, per account and per client IP.

In-process and in-memory: each worker process counts on its own and a
restart forgets. Behind several workers or replicas, put a shared limiter
(a reverse proxy or Redis) in front, or lower the limits accordingly.
"""

import threading
import time
from collections import defaultdict, deque

from app.core.config import get_settings

_lock = threading.Lock()
_failures: dict[str, deque[float]] = defaultdict(deque)


def _prune(key: str, now: float, window: float) -> deque[float]:
    q = _failures[key]
    while q and q[0] <= now - window:
        q.popleft()
    return q


def blocked(account: str, ip: str) -> bool:
    """True when the account or the IP has too many recent failures."""
    # archgen:control login-rate-limit
    s = get_settings()
    now = time.monotonic()
    with _lock:
        acc = _prune(f"acct:{account}", now, s.LOGIN_FAILURE_WINDOW_SECONDS)
        by_ip = _prune(f"ip:{ip}", now, s.LOGIN_FAILURE_WINDOW_SECONDS)
        return (
            len(acc) >= s.LOGIN_MAX_FAILURES_PER_ACCOUNT
            or len(by_ip) >= s.LOGIN_MAX_FAILURES_PER_IP
        )


MAX_TRACKED = 100_000


def failed(account: str, ip: str) -> None:
    now = time.monotonic()
    with _lock:
        if len(_failures) > MAX_TRACKED:
            # Bounded memory: forget the keys with no recent failure.
            window = get_settings().LOGIN_FAILURE_WINDOW_SECONDS
            for key in [k for k, q in _failures.items() if not q or q[-1] <= now - window]:
                del _failures[key]
        _failures[f"acct:{account}"].append(now)
        _failures[f"ip:{ip}"].append(now)


def succeeded(account: str) -> None:
    with _lock:
        _failures.pop(f"acct:{account}", None)


def reset() -> None:
    with _lock:
        _failures.clear()
