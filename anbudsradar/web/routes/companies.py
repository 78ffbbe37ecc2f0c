"""Coordinator pages for the company registry: list, search, create, edit, deactivate, CSV import, network."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, UploadFile
from pydantic import AfterValidator
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from anbudsradar.web.charts import network_drawing
from anbudsradar.web.company_form import CompanyForm, empty_form, form_from_company, parse_form
from anbudsradar.web.csrf import verify_csrf
from anbudsradar.web.deps import DbSession, PathId, RequiredUser, SearchText
from anbudsradar.web.inputs import one_line
from anbudsradar.web.queries.companies import (
    StatusFilter,
    company_matches,
    get_company,
    list_companies,
    network_links,
)
from anbudsradar.web.queries.notice import suggestions
from anbudsradar.web.registry_import import ImportReport, import_csv
from anbudsradar.web.templating import render
from matcher.areas import ensure_municipalities
from models.company import Company

router = APIRouter(prefix="/coordinator", include_in_schema=False)
Csrf = Depends(verify_csrf)
MAX_IMPORT_BYTES = 5 * 1024 * 1024


@router.get("", response_class=HTMLResponse)
def coordinator_home(user: RequiredUser) -> RedirectResponse:
    """Send the coordinator to the company registry."""
    return RedirectResponse("/coordinator/companies", status_code=303)


@router.get("/companies", response_class=HTMLResponse)
def companies(
    request: Request,
    session: DbSession,
    user: RequiredUser,
    *,
    q: SearchText = None,
    status: StatusFilter = "active",
    branch: Annotated[str | None, Query(max_length=40), AfterValidator(one_line)] = None,
) -> HTMLResponse:
    """Show the company list, searchable by name, organisation number or keyword."""
    found = list_companies(session, q, status, branch or None)
    return render(
        request,
        "companies.html",
        {"companies": found, "q": q or "", "status": status, "branch": branch or ""},
    )


@router.get("/companies/new", response_class=HTMLResponse)
def new_company(request: Request, user: RequiredUser) -> HTMLResponse:
    """Show an empty company form."""
    return render(request, "company_form.html", {"form": empty_form(), "company": None})


async def _submitted(request: Request) -> tuple[dict[str, str], list[str], bool]:
    form = await request.form()
    data = {key: value for key, value in form.items() if isinstance(value, str)}
    return data, [b for b in form.getlist("branches") if isinstance(b, str)], form.get("digest_paused") == "1"


@router.post("/companies/new", dependencies=[Csrf], response_model=None)
async def create_company(request: Request, user: RequiredUser) -> Response:
    """Validate and store a new company; on errors show the form again with each field's message."""
    form = parse_form(*await _submitted(request))
    return await run_in_threadpool(_create, request, form)


def _create(request: Request, form: CompanyForm) -> Response:
    with request.app.state.sessions() as session:
        if form.ok and session.scalar(
            select(Company.id).where(Company.org_number == form.values["org_number"])
        ):
            form.errors["org_number"] = "Ett företag med det organisationsnumret finns redan."
        if not form.ok:
            return render(request, "company_form.html", {"form": form, "company": None}, status_code=400)
        ensure_municipalities(session)  # the area centre refers to the municipality table
        company = Company(**form.values)
        session.add(company)
        session.commit()
        return RedirectResponse(f"/coordinator/companies/{company.id}", status_code=303)


@router.get("/companies/import", response_class=HTMLResponse)
def import_form(request: Request, user: RequiredUser) -> HTMLResponse:
    """Show the CSV import form."""
    return render(request, "company_import.html", {"report": None, "filename": None})


@router.post("/companies/import", dependencies=[Csrf], response_class=HTMLResponse)
async def import_companies(request: Request, user: RequiredUser, file: UploadFile) -> HTMLResponse:
    """Import a CSV with the command line's validation: good rows are stored, bad rows are listed."""
    data = await file.read(MAX_IMPORT_BYTES + 1)
    name = file.filename or "uppladdad fil"
    if len(data) > MAX_IMPORT_BYTES:
        report = ImportReport(
            errors=[f"{name}: filen är större än {MAX_IMPORT_BYTES // 1024 // 1024} MB."]
        )
    else:
        report = await run_in_threadpool(_import, request, data, name)
    status = 200 if report.ok else 400
    return render(request, "company_import.html", {"report": report, "filename": name}, status_code=status)


def _import(request: Request, data: bytes, name: str) -> ImportReport:
    with request.app.state.sessions() as session:
        report = import_csv(session, data, name)
        if report.stored:
            session.commit()
        return report


@router.get("/companies/{company_id}", response_class=HTMLResponse)
def company_page(
    request: Request, session: DbSession, user: RequiredUser, company_id: PathId
) -> HTMLResponse:
    """One company: its profile, contacts, matches, network links and consortium suggestions."""
    company = get_company(session, company_id)
    mine = [s for s in suggestions(session, limit=500) if any(pk == company_id for pk, _ in s.members)]
    return render(
        request,
        "company.html",
        {
            "c": company,
            "matches": company_matches(session, company_id),
            "links": network_links(session, company_id),
            "suggestions": mine,
        },
    )


@router.get("/companies/{company_id}/edit", response_class=HTMLResponse)
def edit_company(
    request: Request, session: DbSession, user: RequiredUser, company_id: PathId
) -> HTMLResponse:
    """Show the form filled with the company."""
    company = get_company(session, company_id)
    return render(request, "company_form.html", {"form": form_from_company(company), "company": company})


@router.post("/companies/{company_id}/edit", dependencies=[Csrf], response_model=None)
async def update_company(request: Request, user: RequiredUser, company_id: PathId) -> Response:
    """Validate and save the changes; on errors show the form again."""
    form = parse_form(*await _submitted(request))
    return await run_in_threadpool(_update, request, company_id, form)


def _update(request: Request, company_id: PathId, form: CompanyForm) -> Response:
    with request.app.state.sessions() as session:
        company = get_company(session, company_id)
        clash = session.scalar(
            select(Company.id).where(
                Company.org_number == form.values["org_number"], Company.id != company_id
            )
        )
        if form.ok and clash:
            form.errors["org_number"] = "Ett annat företag har det organisationsnumret."
        if not form.ok:
            return render(request, "company_form.html", {"form": form, "company": company}, status_code=400)
        ensure_municipalities(session)  # the area centre refers to the municipality table
        for key, value in form.values.items():
            setattr(company, key, value)
        session.commit()
        return RedirectResponse(f"/coordinator/companies/{company_id}", status_code=303)


@router.post("/companies/{company_id}/active", dependencies=[Csrf])
def set_active(
    session: DbSession, user: RequiredUser, company_id: PathId, active: Annotated[str, Form(pattern="^[01]$")]
) -> RedirectResponse:
    """Deactivate (no digest, no matches, kept for history) or reactivate a company."""
    company = get_company(session, company_id)
    company.active = active == "1"
    session.commit()
    return RedirectResponse(f"/coordinator/companies/{company_id}", status_code=303)


@router.get("/network", response_class=HTMLResponse)
def network(request: Request, session: DbSession, user: RequiredUser) -> HTMLResponse:
    """Show the supplier network: every link in a table, and a drawing."""
    links = network_links(session)
    linked = {pk for link in links for pk in (link.a_id, link.b_id)}
    nodes = [(c.id, c.name) for c in list_companies(session, status="all") if c.id in linked]
    drawing = network_drawing(nodes, [(link.a_id, link.b_id, link.kind) for link in links])
    return render(request, "network.html", {"links": links, "drawing": drawing})
