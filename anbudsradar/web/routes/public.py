"""Pages for procurement officers: start, tender list and page, buyers and their overview, exports."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, StreamingResponse

from anbudsradar.web import labels
from anbudsradar.web.charts import Series, grouped_bars
from anbudsradar.web.deps import DbSession, OptionalUser, PathId, SearchText, TenderAccess
from anbudsradar.web.exports import STANDARD_CSV, SWEDISH_EXCEL_CSV, CsvStyle, csv_lines, ocds_package
from anbudsradar.web.queries.buyers import UNKNOWN_BRANCH, buyer_overview, list_buyers, year_before
from anbudsradar.web.queries.filters import TenderFilter, parse_filter
from anbudsradar.web.queries.notice import tender_detail
from anbudsradar.web.queries.tenders import conditions, filter_choices, list_tenders, sort_order
from anbudsradar.web.templating import render

router = APIRouter(include_in_schema=False)
SORTABLE = (
    ("title", "Titel"),
    ("buyer", "Köpare"),
    ("published", "Publicerad"),
    ("deadline", "Sista anbudsdag"),
    ("amount", "Uppskattat värde"),
)


def today(request: Request) -> date:
    """Return the app's notion of today (tests replace `app.state.today`)."""
    clock = getattr(request.app.state, "today", None)
    return clock() if clock else date.today()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: OptionalUser) -> HTMLResponse:
    """Show the start page: what the service does and where to go."""
    return render(request, "home.html")


@router.get("/notices", response_class=HTMLResponse, dependencies=[TenderAccess])
def tender_list(request: Request, session: DbSession) -> HTMLResponse:
    """Show the filterable, sortable, paginated tender list; the filter state is the URL."""
    flt, bad = parse_filter(dict(request.query_params))
    page = list_tenders(session, flt, today(request), request.app.state.settings.page_size)
    query = urlencode(flt.params(page=1))
    return render(
        request,
        "notices.html",
        {
            "page": page,
            "flt": flt,
            "bad": bad,
            "choices": filter_choices(session),
            "sortable": SORTABLE,
            "export_query": urlencode({**flt.active(), "sort": flt.sort, "order": flt.order}),
            "query": query,
        },
        status_code=400 if bad else 200,
    )


def _dialect(request: Request) -> str:
    return str(request.app.state.sessions.kw["bind"].dialect.name)


def _export_filter(request: Request) -> TenderFilter:
    flt, _bad = parse_filter(dict(request.query_params))
    return flt


@router.get("/notices/export.csv", dependencies=[TenderAccess])
def export_csv(request: Request) -> StreamingResponse:
    """Export the filtered list as CSV (RFC 4180: ",", decimal point; UTF-8 with a BOM)."""
    return _csv_response(request, STANDARD_CSV, "upphandlingar.csv")


@router.get("/notices/export.excel.csv", dependencies=[TenderAccess])
def export_excel_csv(request: Request) -> StreamingResponse:
    """Export the filtered list as CSV for Excel with Swedish settings (";", decimal comma)."""
    return _csv_response(request, SWEDISH_EXCEL_CSV, "upphandlingar-excel.csv")


def _csv_response(request: Request, style: CsvStyle, filename: str) -> StreamingResponse:
    """Stream the filtered list as a CSV file in one style."""
    flt = _export_filter(request)
    lines = csv_lines(
        request.app.state.sessions,
        conditions(flt, today(request), _dialect(request)),
        sort_order(flt, _dialect(request)),
        request.app.state.settings.export_limit,
        style,
    )
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/notices/export.ocds.json", dependencies=[TenderAccess])
def export_ocds(request: Request) -> StreamingResponse:
    """Export the filtered list as an OCDS 1.1 release package."""
    flt = _export_filter(request)
    base = str(request.base_url).rstrip("/")
    body = ocds_package(
        request.app.state.sessions,
        conditions(flt, today(request), _dialect(request)),
        sort_order(flt, _dialect(request)),
        limit=request.app.state.settings.export_limit,
        uri=str(request.url),
        base_url=base,
    )
    return StreamingResponse(
        body,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="upphandlingar.ocds.json"'},
    )


@router.get("/notices/{notice_id}", response_class=HTMLResponse, dependencies=[TenderAccess])
def tender_page(request: Request, session: DbSession, notice_id: PathId) -> HTMLResponse:
    """One tender: all fields, lots, tags with highlighted evidence, matching companies, consortia."""
    detail = tender_detail(session, notice_id)
    return render(request, "notice.html", {"d": detail, "n": detail.notice, "today": today(request)})


@router.get("/buyers", response_class=HTMLResponse, dependencies=[TenderAccess])
def buyers(request: Request, session: DbSession, q: SearchText = None) -> HTMLResponse:
    """All buyers with their notice counts."""
    return render(request, "buyers.html", {"buyers": list_buyers(session, q), "q": q or ""})


@router.get("/buyers/{buyer_id}", response_class=HTMLResponse, dependencies=[TenderAccess])
def buyer_page(
    request: Request,
    session: DbSession,
    buyer_id: PathId,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> HTMLResponse:
    """Show a buyer's overview for a period (default: twelve months): table, chart, missed chances."""
    end = end or today(request)
    start = start or year_before(end)
    overview = buyer_overview(session, buyer_id, start, end)
    names = [labels.branch_name(b.code) if b.code != UNKNOWN_BRANCH else b.code for b in overview.branches]
    chart = grouped_bars(
        f"Upphandlingar per bransch, {start} – {end}",
        names,
        [
            Series("Alla", "bar-all"),
            Series("Reserverade", "bar-reserved"),
            Series("Sociala krav", "bar-social"),
        ],
        [[b.total, b.reserved, b.social] for b in overview.branches],
    )
    return render(request, "buyer.html", {"o": overview, "chart": chart, "start": start, "end": end})
