"""The pages the digest links to: one-click unsubscribe (RFC 8058) and digest preferences.

A link carries an HMAC token for one company (notifier.links); the token, not a login, allows the
change. The notifier's links to `/notices/{id}` are served by the public tender page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse

from anbudsradar.web.csrf import verify_csrf
from anbudsradar.web.deps import DbSession, OrgNumberPath
from anbudsradar.web.exceptions import NotFoundError
from anbudsradar.web.templating import render
from models.company import Company

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Query(max_length=100)]
MIN_SCORES = (0.3, 0.5, 0.7)


def _company(session: Session, org_number: str, purpose: str, token: str) -> Company:
    """Return the company a valid link is for; an unknown company or a wrong token is a 404."""
    try:
        from notifier.links import secret_key, verify_token  # noqa: PLC0415 - optional: the notifier
        from notifier.settings import load_notifier_settings  # noqa: PLC0415
    except ImportError:
        raise NotFoundError("Länken", org_number) from None
    company = session.scalar(select(Company).where(Company.org_number == org_number[:10]))
    key = secret_key(load_notifier_settings())
    if company is None or not verify_token(key, purpose, company.org_number, token):
        raise NotFoundError("Länken", org_number)
    return company


@router.get("/unsubscribe/{org_number}", response_class=HTMLResponse)
def unsubscribe_form(
    request: Request, session: DbSession, org_number: OrgNumberPath, token: Token = ""
) -> HTMLResponse:
    """Ask to confirm (a GET must not unsubscribe: link scanners follow links)."""
    company = _company(session, org_number, "unsubscribe", token)
    return render(request, "unsubscribe.html", {"c": company, "token": token, "done": False})


@router.post("/unsubscribe/{org_number}", response_class=HTMLResponse)
def unsubscribe(
    request: Request, session: DbSession, org_number: OrgNumberPath, token: Token = ""
) -> HTMLResponse:
    """Pause the company's digest (RFC 8058 one-click POST or the confirmation button)."""
    company = _company(session, org_number, "unsubscribe", token)
    company.digest_paused = True
    session.commit()
    return render(request, "unsubscribe.html", {"c": company, "token": token, "done": True})


@router.get("/preferences/{org_number}", response_class=HTMLResponse)
def preferences_form(
    request: Request, session: DbSession, org_number: OrgNumberPath, token: Token = ""
) -> HTMLResponse:
    """Show the company's digest preferences."""
    company = _company(session, org_number, "preferences", token)
    return render(
        request, "preferences.html", {"c": company, "token": token, "saved": False, "scores": MIN_SCORES}
    )


@router.post("/preferences/{org_number}", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def save_preferences(
    request: Request,
    session: DbSession,
    org_number: OrgNumberPath,
    *,
    token: Token = "",
    paused: Annotated[str, Form(pattern="^[01]?$")] = "",
    min_score: Annotated[float, Form(ge=0, le=1)] = 0.5,
    language: Annotated[str, Form(pattern="^(sv|en)$")] = "sv",
) -> HTMLResponse:
    """Save pause, minimum score and language."""
    company = _company(session, org_number, "preferences", token)
    company.digest_paused = paused == "1"
    company.digest_min_score = min_score
    company.digest_language = language
    session.commit()
    return render(
        request, "preferences.html", {"c": company, "token": token, "saved": True, "scores": MIN_SCORES}
    )
