"""The ASGI application: `uvicorn app.main:app`."""

from collections.abc import Awaitable, Callable
from importlib import import_module
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from app.api import admin, auth, browse, compliance, dashboard, frontend, health, ingest
from app.api.deps import ACCESS_LEVELS, SAFE_METHODS
from app.core.body_limit import BodyLimit
from app.core.config import get_settings
from app.core.logs import configure_logging
from app.core.observability import RequestContext
from app.core.security import (
    API_KEY_HEADER,
    CONTENT_SECURITY_POLICY,
    CSRF_HEADER,
    DOCS_CONTENT_SECURITY_POLICY,
    SECURITY_HEADERS,
    SESSION_COOKIE,
)
from app.models import load_all

load_all()

ROUTERS = [
    health.router,
    auth.router,
    admin.router,
    dashboard.router,
    ingest.router,
    browse.router,
    compliance.router,
    frontend.router,
]
# One module per metrics or entity_list service of the blueprint.
SERVICE_MODULES = (
    "dashboard_metrics",
    "events_explorer",
)
ROUTERS += [import_module(f"app.api.{name}").router for name in SERVICE_MODULES]
DOCS_PATHS = ("/docs", "/openapi.json")


def check_routes(application: FastAPI) -> None:
    """Every API route must declare who may call it (see app/api/deps.py)."""
    # archgen:control every-route-declares-role
    for route in application.routes:
        if isinstance(route, APIRoute) and route.path not in DOCS_PATHS:
            level = (route.openapi_extra or {}).get("x-role")
            if level not in ACCESS_LEVELS:
                raise RuntimeError(f"route {route.path} declares no role")


SECURITY_SCHEMES = {
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "The HttpOnly session cookie POST /api/auth/login sets.",
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": CSRF_HEADER,
        "description": "The csrf_token cookie's value (also in the login answer), on every state-changing request.",
    },
    "apiKey": {
        "type": "apiKey",
        "in": "header",
        "name": API_KEY_HEADER,
        "description": "An ingestion API key (python -m app.cli create-api-key, or the admin API).",
    },
}
ROLE_TEXT = {
    "public": "Anyone may call it.",
    "api_key": "Needs an API key (X-API-Key).",
    "viewer": "Needs a signed-in user with the viewer role or higher.",
    "analyst": "Needs a signed-in user with the analyst role or higher.",
    "admin": "Needs a signed-in user with the admin role.",
}


def describe_security(schema: dict[str, Any]) -> dict[str, Any]:
    """Declares the security schemes, and each operation's scheme and role."""
    schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    for methods in schema.get("paths", {}).values():
        for method, operation in methods.items():
            level = operation.get("x-role")
            if level is None:
                continue
            if level == "public":
                operation["security"] = []
            elif level == "api_key":
                operation["security"] = [{"apiKey": []}]
            elif method.upper() in SAFE_METHODS:
                operation["security"] = [{"session": []}]
            else:
                operation["security"] = [{"session": [], "csrf": []}]
            text = ROLE_TEXT[level]
            description = operation.get("description", "")
            operation["description"] = f"{description}\n\n{text}".strip() if text not in description else description
    return schema


def create_app() -> FastAPI:
    settings = get_settings()
    if settings.APP_ENV != "test":
        # Tests keep pytest's log capture.
        configure_logging()
    docs = settings.docs_enabled
    application = FastAPI(
        title="SaaS Metrics Dashboard",
        version="0.1.0",
        # Interactive docs only in development.
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )
    for router in ROUTERS:
        application.include_router(router)

    def openapi() -> dict[str, Any]:
        # archgen:control openapi-security
        if application.openapi_schema is None:
            application.openapi_schema = describe_security(
                get_openapi(title=application.title, version=application.version, routes=application.routes)
            )
        return application.openapi_schema

    application.openapi = openapi  # type: ignore[method-assign]
    application.mount("/static", StaticFiles(directory=frontend.STATIC_DIR), name="static")

    @application.middleware("http")
    async def security(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # A state-changing request from another site is refused outright
        # (the CSRF token check in app/api/deps.py is the second line).
        origin = request.headers.get("origin")
        response: Response
        if request.method not in SAFE_METHODS and origin and origin != "null":
            host = request.headers.get("host", "")
            if urlsplit(origin).netloc != host:
                response = JSONResponse({"detail": "cross-origin request refused"}, status_code=403)
            else:
                response = await call_next(request)
        elif request.method not in SAFE_METHODS and origin == "null":
            response = JSONResponse({"detail": "cross-origin request refused"}, status_code=403)
        else:
            response = await call_next(request)
        # archgen:control security-headers
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        is_docs = docs and request.url.path.startswith(DOCS_PATHS)
        response.headers.setdefault(
            "Content-Security-Policy", DOCS_CONTENT_SECURITY_POLICY if is_docs else CONTENT_SECURITY_POLICY
        )
        if settings.cookie_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    # Bodies are counted as they arrive (chunked ones too).
    application.add_middleware(
        BodyLimit,
        limit_for=lambda path: (
            settings.INGEST_MAX_BYTES if path.startswith("/api/ingest/") else settings.MAX_BODY_BYTES
        ),
    )
    # Outermost: the request id, the access log line and the request metrics.
    application.add_middleware(RequestContext)
    check_routes(application)
    return application


app = create_app()
