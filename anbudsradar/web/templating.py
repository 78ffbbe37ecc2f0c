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

LOCAL_TIME = ZoneInfo("Europe/Stockholm")  # times on the pages are Swedish local time


def sek(amount: float | None, currency: str | None = "SEK") -> str:
    """Format an amount the Swedish way: "1 200 000 kr" (non-breaking thousands separators)."""
    if amount is None:
        return "–"
    text = f"{amount:,.0f}".replace(",", "\u00a0")
    return f"{text}\u00a0kr" if currency in (None, "SEK") else f"{text}\u00a0{currency}"


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
    env.filters.update(sek=sek, day=day, percent=percent, branch_or_social=branch_or_social)
    env.globals.update(
        labels=labels,
        branch_name=labels.branch_name,
        social_name=labels.social_name,
        urlencode=urlencode,
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
