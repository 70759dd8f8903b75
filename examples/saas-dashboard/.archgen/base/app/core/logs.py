"""Logs: one JSON object per line (LOG_FORMAT=json, the default) or plain text.

Every line has time (UTC, ISO 8601), level, logger and message. Lines
logged while a request is handled also carry its request_id, and the
organization once the caller is known; the access line of each request
adds method, route, status and duration_ms. uvicorn's own loggers go
through the same handler.
"""

import contextvars
import datetime as dt
import json
import logging
import sys
from typing import Any

from app.core.config import get_settings

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
organization: contextvars.ContextVar[str | None] = contextvars.ContextVar("organization", default=None)

# Attributes a log call may pass in `extra` that end up as fields.
FIELDS = ("method", "route", "status", "duration_ms", "client")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid, org = request_id.get(), organization.get()
        if rid:
            out["request_id"] = rid
        if org:
            out["organization"] = org
        for key in FIELDS:
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def configure_logging() -> None:
    """One handler on the root logger, the format and level from the settings."""
    settings = get_settings()
    handler = logging.StreamHandler(sys.stderr)
    if settings.LOG_FORMAT == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.LOG_LEVEL.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # The application logs each request itself (see app/main.py).
    logging.getLogger("uvicorn.access").disabled = True
