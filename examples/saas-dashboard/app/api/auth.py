"""Sign-in with server-side sessions.

POST /api/auth/login sets two cookies: `session` (HttpOnly; the server
stores only its SHA-256) and `csrf_token` (readable by the page's script,
which sends it back as X-CSRF-Token on every state-changing request).
"""

import datetime as dt
import math
import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from app.api.deps import DbDep, SessionRow, User, Viewer, client_ip, role
from app.core.config import get_settings
from app.core.db import utcnow
from app.core.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    new_token,
    token_hash,
    verify_password,
)
from app.services import audit, rate_limit
from app.services.users import Organization, normalise_email, user_json

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginIn(BaseModel):
    email: str = Field(min_length=3, max_length=255)
    password: str = Field(min_length=1, max_length=1024)
    # Only when one e-mail address has accounts in several organizations
    # with this password (the answer to such a sign-in lists them).
    organization_id: uuid.UUID | None = None


def _set_cookies(response: Response, token: str, csrf: str) -> None:
    settings = get_settings()
    max_age = settings.SESSION_ABSOLUTE_HOURS * 3600
    # archgen:control secure-cookies
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=max_age,
        path="/",
        secure=settings.cookie_secure,
        httponly=False,
        samesite="lax",
    )


def _clear_cookies(response: Response) -> None:
    secure = get_settings().cookie_secure
    for name, http_only in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(name, path="/", secure=secure, httponly=http_only, samesite="lax")


@router.post("/login", openapi_extra=role("public"))
def login(body: LoginIn, request: Request, response: Response, db: DbDep) -> dict[str, Any]:
    settings = get_settings()
    email = normalise_email(body.email)
    ip = client_ip(request)
    wait = rate_limit.retry_after(db, email, ip)
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many failed sign-ins from this address; try later",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    # An e-mail address is unique within an organization, so it may have an
    # account in several; the password picks among them.
    query = select(User).where(User.email == email)
    if body.organization_id is not None:
        query = query.where(User.organization_id == body.organization_id)
    candidates = list(db.scalars(query))
    matched = [u for u in candidates if verify_password(u.password_hash, body.password)]
    if not candidates:
        verify_password(None, body.password)  # the same time as a wrong password
    active = [u for u in matched if u.is_active]
    if not active:
        rate_limit.failed(db, email, ip)
        for candidate in candidates:
            audit.record(
                db,
                organization_id=candidate.organization_id,
                actor_user_id=candidate.id,
                action="auth.login_failed",
                target=f"user:{candidate.id}",
                ip=ip,
            )
        db.commit()
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong e-mail or password")
    if len(active) > 1:
        # The caller proved the password of each: it may see which they are.
        orgs = {o.id: o.name for o in db.scalars(select(Organization).where(Organization.id.in_([u.organization_id for u in active])))}
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            {
                "message": "this e-mail address signs in to several organizations; send organization_id",
                "organizations": sorted(
                    ({"id": str(u.organization_id), "name": orgs.get(u.organization_id, "")} for u in active),
                    key=lambda o: (o["name"], o["id"]),
                ),
            },
        )
    user = active[0]
    rate_limit.succeeded(db, email, ip)
    # A fresh session id at every sign-in; the request's old one ends.
    # archgen:control session-rotation
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        previous = db.get(SessionRow, token_hash(old))
        if previous is not None:
            db.delete(previous)
    token, csrf = new_token(), new_token()
    now = utcnow()
    db.add(
        SessionRow(
            id=token_hash(token),
            organization_id=user.organization_id,
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + dt.timedelta(hours=settings.SESSION_ABSOLUTE_HOURS),
        )
    )
    audit.record(
        db,
        organization_id=user.organization_id,
        actor_user_id=user.id,
        action="auth.login",
        target=f"user:{user.id}",
        ip=ip,
    )
    db.commit()
    _set_cookies(response, token, csrf)
    return {"user": user_json(user), "csrf_token": csrf}


@router.post("/logout", openapi_extra=role("viewer"))
def logout(principal: Viewer, response: Response, db: DbDep) -> dict[str, bool]:
    row = db.get(SessionRow, principal.session_id)
    if row is not None:
        db.delete(row)
    audit.record(
        db,
        organization_id=principal.organization_id,
        actor_user_id=principal.user_id,
        action="auth.logout",
        target=f"user:{principal.user_id}",
        ip=principal.ip,
    )
    db.commit()
    _clear_cookies(response)
    return {"ok": True}


@router.get("/me", openapi_extra=role("viewer"))
def me(principal: Viewer, db: DbDep) -> dict[str, Any]:
    user = db.get(User, principal.user_id)
    return {"user": user_json(user), "csrf_token": principal.csrf_token}
