"""Who is calling: sessions, roles, CSRF, API keys, tenancy.

Every route declares who may call it with `openapi_extra=role(...)`:
"public" (no credentials), "api_key" (X-API-Key, ingestion) or a user role,
"viewer" < "analyst" < "admin". app.main refuses to start when a route
declares none, and tests/test_roles.py walks every route of the OpenAPI
schema to check the declaration is enforced.
"""

import datetime as dt
import ipaddress
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog import ROLE_RANK
from app.core import logs
from app.core.config import get_settings
from app.core.db import as_utc, get_db, utcnow
from app.core.security import (
    API_KEY_HEADER,
    CSRF_HEADER,
    SESSION_COOKIE,
    api_key_prefix,
    same_secret,
    token_hash,
)
from app.models import ENTITY_MODELS

User = ENTITY_MODELS["users"]
SessionRow = ENTITY_MODELS["sessions"]
ApiKey = ENTITY_MODELS["api_keys"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ACCESS_LEVELS = ("public", "api_key", "viewer", "analyst", "admin")
# Do not write last_seen_at on every request.
TOUCH_INTERVAL = dt.timedelta(seconds=30)

DbDep = Annotated[Session, Depends(get_db)]


def role(level: str) -> dict[str, Any]:
    """The OpenAPI extension declaring who may call a route."""
    if level not in ACCESS_LEVELS:
        raise ValueError(level)
    return {"x-role": level}


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    organization_id: uuid.UUID
    role: str
    email: str
    session_id: str
    csrf_token: str
    ip: str | None


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address from a header value ("203.0.113.7", "[2001:db8::1]:443", "1.2.3.4:80")."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _forwarded_for(request: Request) -> list[str]:
    """The addresses proxies added, nearest last: RFC 7239 Forwarded, else X-Forwarded-For."""
    forwarded = request.headers.get("forwarded")
    if forwarded:
        out = []
        for element in forwarded.split(","):
            for pair in element.split(";"):
                name, _, value = pair.partition("=")
                if name.strip().lower() == "for":
                    out.append(value)
        return out
    return [part for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]


def client_ip(request: Request) -> str:
    """The client's address: the socket peer, unless the peer is a trusted proxy.

    Behind proxies listed in TRUSTED_PROXIES, the nearest address in the
    forwarding headers that is not itself a trusted proxy. Headers from
    anyone else are ignored: a client cannot pick its own address.
    """
    # archgen:control client-address
    peer = request.client.host if request.client else "unknown"
    trusted = get_settings().trusted_proxies
    current = _address(peer)

    def is_trusted(addr: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
        return addr is not None and any(addr in net for net in trusted)

    if not trusted or not is_trusted(current):
        return peer
    for hop in reversed(_forwarded_for(request)):
        addr = _address(hop)
        if addr is None:
            break
        current = addr
        if not is_trusted(addr):
            break
    return str(current)


def _note_organization(request: Request, organization_id: uuid.UUID) -> None:
    """The caller's organization, for the request's log lines."""
    request.state.organization = str(organization_id)
    logs.organization.set(str(organization_id))


def load_session(request: Request, db: Session) -> tuple[Any, Any] | None:
    """The valid (session, user) of the request's cookie, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    row = db.get(SessionRow, token_hash(token))
    if row is None:
        return None
    settings = get_settings()
    now = utcnow()
    last_seen = as_utc(row.last_seen_at) or now
    expires = as_utc(row.expires_at) or now
    # archgen:control session-expiry
    if expires <= now or last_seen + dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES) <= now:
        db.delete(row)
        db.commit()
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.is_active or user.organization_id != row.organization_id:
        return None
    if now - last_seen >= TOUCH_INTERVAL:
        row.last_seen_at = now
        db.commit()
    return row, user


def require(level: str) -> Callable[..., Principal]:
    """A dependency admitting signed-in users of at least `level`."""
    minimum = ROLE_RANK[level]

    def dependency(request: Request, db: DbDep) -> Principal:
        loaded = load_session(request, db)
        if loaded is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "not signed in")
        row, user = loaded
        if request.method not in SAFE_METHODS:
            # Double-submit: the csrf_token cookie's value must come back in
            # the X-CSRF-Token header, and match the session's token.
            # archgen:control csrf-protection
            if not same_secret(request.headers.get(CSRF_HEADER), row.csrf_token):
                raise HTTPException(status.HTTP_403_FORBIDDEN, "CSRF token missing or invalid")
        # archgen:control role-based-access
        if ROLE_RANK.get(user.role, 0) < minimum:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"requires the {level} role")
        _note_organization(request, user.organization_id)
        return Principal(
            user_id=user.id,
            organization_id=user.organization_id,
            role=user.role,
            email=user.email,
            session_id=row.id,
            csrf_token=row.csrf_token,
            ip=client_ip(request),
        )

    return dependency


Viewer = Annotated[Principal, Depends(require("viewer"))]
Analyst = Annotated[Principal, Depends(require("analyst"))]
Admin = Annotated[Principal, Depends(require("admin"))]


def api_key_organization(request: Request, db: DbDep) -> uuid.UUID:
    """The organization of the X-API-Key header; keys are stored as hashes."""
    key = request.headers.get(API_KEY_HEADER, "")
    prefix = api_key_prefix(key) if len(key) < 200 else None
    if prefix is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or malformed X-API-Key")
    digest = token_hash(key)
    for row in db.scalars(
        select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
    ):
        if same_secret(row.key_hash, digest):
            _note_organization(request, row.organization_id)
            return row.organization_id
    raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or revoked API key")


ApiKeyOrg = Annotated[uuid.UUID, Depends(api_key_organization)]
