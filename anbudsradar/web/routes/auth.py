"""Login and logout: rate-limited, CSRF-protected, with a fresh session token on every login."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from pydantic import AfterValidator
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from anbudsradar.web.auth import SESSION_COOKIE, authenticate, end_session, start_session
from anbudsradar.web.csrf import verify_csrf
from anbudsradar.web.deps import DbSession, OptionalUser
from anbudsradar.web.inputs import one_line
from anbudsradar.web.ratelimit import check_login_allowed, record_attempt
from anbudsradar.web.templating import render

router = APIRouter(include_in_schema=False)
DEFAULT_NEXT = "/coordinator/companies"


def safe_next(target: str | None) -> str:
    """Return a local path to go to after login (never another site)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return DEFAULT_NEXT


def client_address(request: Request) -> str:
    """Return the client's address as the rate limit keys it."""
    return request.client.host if request.client else "unknown"


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    user: OptionalUser,
    next_: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
) -> HTMLResponse:
    """Show the login form."""
    return render(request, "login.html", {"next": safe_next(next_), "error": None, "username": ""})


@router.post("/login", dependencies=[Depends(verify_csrf)], response_model=None)
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=200), AfterValidator(one_line)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next_: Annotated[str, Form(alias="next", max_length=2000)] = "",
) -> Response:
    """Check the password (after the rate limit), start a session and go on; else show the form again."""
    settings = request.app.state.settings
    name = username.strip().lower()
    client = client_address(request)
    check_login_allowed(
        session, name, client, limit=settings.login_attempts, window_minutes=settings.login_window_minutes
    )
    user = authenticate(session, name, password)
    record_attempt(session, name, client, user is not None, settings.login_window_minutes)
    if user is None:
        session.commit()
        return render(
            request,
            "login.html",
            {"next": safe_next(next_), "error": "Fel användarnamn eller lösenord.", "username": username},
            status_code=401,
        )
    token = start_session(session, user, settings.session_hours)
    session.commit()
    response = RedirectResponse(safe_next(next_), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return response


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request, session: DbSession) -> RedirectResponse:
    """End the session and forget the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        end_session(session, token)
        session.commit()
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
