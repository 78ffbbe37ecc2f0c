"""The app factory: one FastAPI app with the pages, the JSON API, static files and error pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from anbudsradar.web.errors import install_error_handlers
from anbudsradar.web.headers import SecurityHeaders
from anbudsradar.web.routes import api, auth, companies, consortia, digest_links, digests, public
from anbudsradar.web.settings import WebSettings, load_web_settings
from anbudsradar.web.templating import make_environment
from models.db import open_database

STATIC_DIR = Path(__file__).resolve().parent / "static"
API_DESCRIPTION = """Upphandlingar (notices) with their reserved-contract and social-clause flags, buyers'
overviews, and, for logged-in users, the company registry and consortium suggestions.
Filters use the same names as the tender list's URL, so a page's query string works here too."""


def create_app(database_url: str, settings: WebSettings | None = None) -> FastAPI:
    """Build the app on the database at `database_url` (migrated to head on start)."""
    settings = settings or load_web_settings()
    sessions = open_database(database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        sessions.kw["bind"].dispose()

    app = FastAPI(
        title="Anbudsradar",
        version="1",
        description=API_DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN; /api lists the routes instead
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.templates = make_environment()
    install_error_handlers(app)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (public, auth, companies, consortia, digests, digest_links, api):
        app.include_router(module.router)
    app.include_router(api.pages)
    return app
