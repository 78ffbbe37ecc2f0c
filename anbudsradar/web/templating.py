"""Jinja2 for the pages: autoescaped templates in templates/web, Swedish filters, one `render` helper."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from anbudsradar.resources import templates_dir
from anbudsradar.web import labels
from anbudsradar.web.csrf import CSRF_FIELD, csrf_token, set_csrf_cookie
from matcher.match_profiles import service_area
from models import Company
from models.identifiers import identifier_label
from notifier.formatting import format_amount, parse_deadline

LOCAL_TIME = ZoneInfo("Europe/Stockholm")  # times on the pages are Swedish local time


def sek(amount: float | None, currency: str | None = "SEK") -> str:
    """Format an amount as the digest does: "1 200 000 kr", "9 999 999,99 EUR" (never rounded up)."""
    if amount is None:
        return "–"
    return format_amount(amount, currency, "sv")


def deadline(value: str | None, with_time: bool = True) -> str:
    """Format a stored deadline in Swedish local time as the digest reads it: "2026-12-29 23:59".

    A deadline given as a date alone stays a date; `with_time=False` gives the local date only.
    """
    moment = parse_deadline(value, LOCAL_TIME)
    if moment is None:
        return value or "–"
    local = moment.astimezone(LOCAL_TIME)
    if not with_time or len(value or "") == 10:
        return local.date().isoformat()
    return local.strftime("%Y-%m-%d %H:%M")


def area(company: Company) -> str:
    """Describe a company's service area with names, not codes: "Luleå, Boden och 40 km runt Piteå"."""
    service = service_area(company)
    return "–" if service.empty else service.describe()


def day(value: date | datetime | str | None) -> str:
    """Format a date (or an ISO string's date part) as YYYY-MM-DD, a time in Swedish local time."""
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite gives stored UTC back naive
        return aware.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value[:10]


def percent(value: float | None) -> str:
    """Format a share 0..1 as a whole percentage."""
    return "–" if value is None else f"{value * 100:.0f}\u00a0%"


def branch_or_social(code: str) -> str:
    """Return the Swedish name of a branch or social-clause code."""
    name = labels.branch_name(code)
    return name if name != code else labels.social_name(code)


def make_environment() -> Environment:
    """Return the page environment; every template is HTML-autoescaped and unknown names fail."""
    env = Environment(
        loader=FileSystemLoader(templates_dir() / "web"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        sek=sek,
        day=day,
        deadline=deadline,
        area=area,
        percent=percent,
        branch_or_social=branch_or_social,
        strategic=labels.strategic_name,
        parameter=labels.parameter,
        decimal=labels.decimal,
    )
    env.globals.update(
        labels=labels,
        branch_name=labels.branch_name,
        social_name=labels.social_name,
        urlencode=urlencode,
        identifier_label=identifier_label,
        CSRF_FIELD=CSRF_FIELD,
    )
    return env


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page with the request, the logged-in user and a CSRF token in its context."""
    env: Environment = request.app.state.templates
    page = env.get_template(template).render(
        request=request,
        user=getattr(request.state, "user", None),
        settings=request.app.state.settings,
        csrf_token=csrf_token(request),
        **(context or {}),
    )
    response = HTMLResponse(page, status_code=status_code)
    set_csrf_cookie(request, response)
    return response
