"""The dashboard page: static HTML, JavaScript and CSS, no CDN, no inline script."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from app.api.deps import role

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
router = APIRouter(tags=["frontend"])


@router.get("/", include_in_schema=True, openapi_extra=role("public"))
def index() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")
