"""Error pages: a 404 page for unknown ids and paths, 403 for bad forms, 429, 500 without a traceback.

Paths under /api get JSON instead of pages.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from anbudsradar.web import labels
from anbudsradar.web.exceptions import CsrfError, LoginRequiredError, NotFoundError, RateLimitedError
from anbudsradar.web.templating import render

log = logging.getLogger(__name__)

TITLES = {
    400: "Felaktig förfrågan",
    401: "Inloggning krävs",
    403: "Förbjudet",
    404: "Sidan finns inte",
    405: "Metoden är inte tillåten",
    429: "För många försök",
    500: "Något gick fel",
}


def is_api(request: Request) -> bool:
    """Tell whether the request is for the JSON API, whose errors are JSON."""
    return request.url.path.startswith("/api/")


def error_page(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """Return the error as a page (or as JSON under /api)."""
    if is_api(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    response = render(
        request,
        "error.html",
        {"status": status, "title": TITLES.get(status, "Fel"), "message": message},
        status,
    )
    response.headers.update(headers or {})
    return response


async def _not_found(request: Request, exc: Exception) -> Response:
    return error_page(request, 404, str(exc))


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.status_code != 404 else f"Det finns ingen sida på adressen {request.url.path}."
    return error_page(request, exc.status_code, str(detail), dict(exc.headers or {}))


async def _validation(request: Request, exc: Exception) -> Response:
    """Answer bad input: FastAPI's 422 JSON for the API; for pages a 404 for a bad id, else a 400."""
    assert isinstance(exc, RequestValidationError)
    if is_api(request):
        return await request_validation_exception_handler(request, exc)
    errors = exc.errors()
    if any(error.get("loc", ("",))[0] == "path" for error in errors):
        return error_page(request, 404, f"Det finns ingen sida på adressen {request.url.path}.")
    fields = ", ".join(labels.parameter(str(error.get("loc", ("?",))[-1])) for error in errors)
    return error_page(request, 400, f"Ogiltiga värden i: {fields}.")


async def _login_required(request: Request, exc: Exception) -> Response:
    if is_api(request):
        return JSONResponse({"detail": "inloggning krävs"}, status_code=401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


async def _csrf(request: Request, exc: Exception) -> Response:
    return error_page(request, 403, str(exc))


async def _rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimitedError)
    return error_page(request, 429, str(exc), {"Retry-After": str(exc.retry_after)})


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500, "Ett oväntat fel inträffade. Felet är loggat; försök igen senare.")


def install_error_handlers(app: FastAPI) -> None:
    """Register every handler on `app`."""
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(LoginRequiredError, _login_required)
    app.add_exception_handler(CsrfError, _csrf)
    app.add_exception_handler(RateLimitedError, _rate_limited)
    app.add_exception_handler(Exception, _server_error)
