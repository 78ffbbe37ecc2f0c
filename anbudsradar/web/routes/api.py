"""The JSON API (described at /api/openapi.json) and the /api page that lists its routes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse

from anbudsradar.web.deps import DbSession, PathId, RequiredUser, SearchText, TenderAccess
from anbudsradar.web.queries.buyers import buyer_overview, list_buyers, year_before
from anbudsradar.web.queries.companies import StatusFilter, list_companies
from anbudsradar.web.queries.filters import TenderFilter
from anbudsradar.web.queries.notice import suggestions, tender_detail
from anbudsradar.web.queries.tenders import fetch_rows, list_tenders
from anbudsradar.web.routes.public import today
from anbudsradar.web.schemas import (
    BuyerOut,
    BuyerOverviewOut,
    CompanyOut,
    SuggestionOut,
    TenderOut,
    TenderPageOut,
    TenderSummary,
)
from anbudsradar.web.templating import render
from models.notice import Notice

router = APIRouter(prefix="/api")
pages = APIRouter(include_in_schema=False)
LOGIN = {401: {"description": "Inloggning krävs (sessionskakan från /login)."}}
NOT_FOUND = {404: {"description": "Okänt id."}}


@router.get("/tenders", tags=["Upphandlingar"], dependencies=[TenderAccess], responses=LOGIN)
def api_tenders(
    request: Request,
    session: DbSession,
    flt: Annotated[TenderFilter, Query()],
    page_size: Annotated[int, Query(ge=1, le=500)] = 25,
) -> TenderPageOut:
    """Return the filtered, sorted tender list, a page at a time (the filters of the /notices page)."""
    page = list_tenders(session, flt, today(request), page_size)
    return TenderPageOut(
        total=page.total,
        page=flt.page,
        page_size=page_size,
        pages=page.pages,
        items=[TenderSummary.of(row) for row in page.rows],
    )


@router.get(
    "/tenders/{notice_id}",
    tags=["Upphandlingar"],
    dependencies=[TenderAccess],
    responses={**LOGIN, **NOT_FOUND},
)
def api_tender(session: DbSession, notice_id: PathId) -> TenderOut:
    """One tender: fields, lots, tags with evidence, matching companies, consortium suggestions."""
    detail = tender_detail(session, notice_id)
    row = fetch_rows(session, [Notice.id == notice_id], [Notice.id], limit=1)[0]
    return TenderOut.build(row, detail)


@router.get("/buyers", tags=["Köpare"], dependencies=[TenderAccess], responses=LOGIN)
def api_buyers(session: DbSession, q: SearchText = None) -> list[BuyerOut]:
    """Buyers with their number of notices, most first."""
    return [BuyerOut.of(b) for b in list_buyers(session, q)]


@router.get(
    "/buyers/{buyer_id}/overview",
    tags=["Köpare"],
    dependencies=[TenderAccess],
    responses={**LOGIN, **NOT_FOUND},
)
def api_buyer_overview(
    request: Request,
    session: DbSession,
    buyer_id: PathId,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> BuyerOverviewOut:
    """Return one buyer's reserved and social notices in a period, by branch, and the missed chances."""
    end = end or today(request)
    return BuyerOverviewOut.of(buyer_overview(session, buyer_id, start or year_before(end), end))


@router.get("/companies", tags=["Samordnare"], responses=LOGIN)
def api_companies(
    session: DbSession,
    user: RequiredUser,
    q: SearchText = None,
    status: StatusFilter = "active",
) -> list[CompanyOut]:
    """Return the company registry, with contact e-mails (login required)."""
    return [CompanyOut.model_validate(c, from_attributes=True) for c in list_companies(session, q, status)]


@router.get("/consortia", tags=["Samordnare"], responses=LOGIN)
def api_consortia(
    session: DbSession,
    user: RequiredUser,
    status: Literal["proposed", "accepted", "dismissed"] | None = None,
) -> list[SuggestionOut]:
    """Consortium suggestions with coverage, reasons, status and history (login required)."""
    return [SuggestionOut.of(s) for s in suggestions(session, status=status, limit=500)]


@pages.get("/api", response_class=HTMLResponse)
def api_page(request: Request) -> HTMLResponse:
    """Show a page that lists the API's routes and parameters from the OpenAPI document (offline)."""
    document = request.app.openapi()
    routes = [
        (
            path,
            method.upper(),
            operation.get("summary", ""),
            operation.get("description", ""),
            [p["name"] for p in operation.get("parameters", [])],
        )
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    return render(request, "api.html", {"routes": routes})
