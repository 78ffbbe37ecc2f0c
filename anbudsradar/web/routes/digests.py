"""The digest overview for the coordinator: deliveries with failures, and a preview of next Monday's."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse

from anbudsradar.web.deps import DbSession, PathId, RequiredUser
from anbudsradar.web.queries.companies import get_company, list_companies
from anbudsradar.web.queries.deliveries import list_deliveries, preview_digest, status_counts, weeks
from anbudsradar.web.routes.public import today
from anbudsradar.web.templating import render

router = APIRouter(prefix="/coordinator", include_in_schema=False)
# The e-mail's own HTML is shown in a sandboxed frame: no scripts, no forms, nothing from elsewhere.
PREVIEW_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@router.get("/digests", response_class=HTMLResponse)
def deliveries(
    request: Request,
    session: DbSession,
    user: RequiredUser,
    week: Annotated[str | None, Query(pattern=r"^\d{4}-W\d{2}$")] = None,
    status: Literal["sending", "sent", "failed", "retry", "empty"] | None = None,
) -> HTMLResponse:
    """Show what was sent to whom and when, with failures; pick a company to preview."""
    return render(
        request,
        "digests.html",
        {
            "rows": list_deliveries(session, week, status),
            "counts": status_counts(session),
            "weeks": weeks(session),
            "week": week or "",
            "status": status or "",
            "companies": list_companies(session),
        },
    )


@router.get("/digests/preview/{company_id}", response_class=HTMLResponse)
def preview(request: Request, session: DbSession, user: RequiredUser, company_id: PathId) -> HTMLResponse:
    """Next Monday's digest for one company: subject, plain text, and the HTML version in a frame."""
    company = get_company(session, company_id)
    return render(
        request, "digest_preview.html", {"c": company, "p": preview_digest(session, company, today(request))}
    )


@router.get("/digests/preview/{company_id}/message.html", response_class=HTMLResponse)
def preview_html(
    request: Request, session: DbSession, user: RequiredUser, company_id: PathId
) -> HTMLResponse:
    """Serve the HTML part of the preview alone, with a sandboxing Content-Security-Policy."""
    company = get_company(session, company_id)
    found = preview_digest(session, company, today(request))
    body = found.html if found.available and found.html else "<p>Förhandsvisning saknas.</p>"
    return HTMLResponse(body, headers={"Content-Security-Policy": PREVIEW_CSP})
