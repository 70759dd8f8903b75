"""The ASGI application: `uvicorn app.main:app`."""

from collections.abc import Awaitable, Callable
from importlib import import_module
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from app.api import admin, auth, compliance, dashboard, frontend, health, ingest
from app.api.deps import ACCESS_LEVELS, SAFE_METHODS
from app.core.body_limit import BodyLimit
from app.core.config import get_settings
from app.core.security import (
    CONTENT_SECURITY_POLICY,
    DOCS_CONTENT_SECURITY_POLICY,
    SECURITY_HEADERS,
)
from app.models import load_all

load_all()

ROUTERS = [
    health.router,
    auth.router,
    admin.router,
    dashboard.router,
    ingest.router,
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


def create_app() -> FastAPI:
    settings = get_settings()
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

    # Outermost: bodies are counted as they arrive (chunked ones too).
    application.add_middleware(
        BodyLimit,
        limit_for=lambda path: (
            settings.INGEST_MAX_BYTES if path.startswith("/api/ingest/") else settings.MAX_BODY_BYTES
        ),
    )
    check_routes(application)
    return application


app = create_app()
