"""Sign-in with server-side sessions.

POST /api/auth/login sets two cookies: `session` (HttpOnly; the server
stores only its SHA-256) and `csrf_token` (readable by the page's script,
which sends it back as X-CSRF-Token on every state-changing request).
"""

import datetime as dt
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
from app.services.users import normalise_email, user_json

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginIn(BaseModel):
    email: str = Field(min_length=3, max_length=255)
    password: str = Field(min_length=1, max_length=1024)


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
    if rate_limit.blocked(email, ip):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many failed sign-ins; try later")
    user = db.scalar(select(User).where(User.email == email))
    ok = verify_password(user.password_hash if user is not None else None, body.password)
    if user is None or not ok or not user.is_active:
        rate_limit.failed(email, ip)
        if user is not None:
            audit.record(
                db,
                organization_id=user.organization_id,
                actor_user_id=user.id,
                action="auth.login_failed",
                target=f"user:{user.id}",
                ip=ip,
            )
            db.commit()
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong e-mail or password")
    rate_limit.succeeded(email)
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
