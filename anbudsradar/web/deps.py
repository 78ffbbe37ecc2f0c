"""Request dependencies: a database session, the logged-in user, and the access rules of the pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query
from pydantic import AfterValidator
from sqlalchemy.orm import Session
from starlette.requests import Request

from anbudsradar.web.auth import SESSION_COOKIE, CurrentUser, user_for_token
from anbudsradar.web.exceptions import LoginRequiredError
from anbudsradar.web.inputs import one_line


def get_session(request: Request) -> Iterator[Session]:
    """Yield a session for one request; a route commits what it changes, the rest is rolled back."""
    with request.app.state.sessions() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


def optional_user(request: Request, session: DbSession) -> CurrentUser | None:
    """Return the logged-in user, or None; pages show it in the menu."""
    token = request.cookies.get(SESSION_COOKIE)
    user = user_for_token(session, token) if token else None
    request.state.user = user
    return user


def require_user(user: Annotated[CurrentUser | None, Depends(optional_user)]) -> CurrentUser:
    """Return the logged-in user; without one, the page answers with a redirect to the login."""
    if user is None:
        raise LoginRequiredError("inloggning krävs")
    return user


def tender_access(request: Request, user: Annotated[CurrentUser | None, Depends(optional_user)]) -> None:
    """Let anyone see tender pages when ANBUDSRADAR_PUBLIC_TENDERS is on, else only logged-in users."""
    if user is None and not request.app.state.settings.public_tenders:
        raise LoginRequiredError("inloggning krävs")


OptionalUser = Annotated[CurrentUser | None, Depends(optional_user)]
RequiredUser = Annotated[CurrentUser, Depends(require_user)]
TenderAccess = Depends(tender_access)
# Ids in paths: positive and within a 32-bit INTEGER (PostgreSQL's), so no database ever sees a bad one.
PathId = Annotated[int, Path(ge=1, le=2**31 - 1)]


# A search box's text: the same rules as the tender list's `q` (anbudsradar.web.queries.filters).
SearchText = Annotated[str | None, Query(max_length=200), AfterValidator(one_line)]
# A company's organisation number in a digest link (notifier.links): ten digits first.
OrgNumberPath = Annotated[str, Path(pattern=r"^[0-9]{10}")]
