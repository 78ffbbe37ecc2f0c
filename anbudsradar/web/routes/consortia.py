"""The consortium board: suggestions per tender with coverage and reasons; accept, dismiss, note; history."""

from __future__ import annotations

from collections import OrderedDict
from typing import Annotated, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Depends, Form, Query
from pydantic import AfterValidator
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from anbudsradar.web.consortia import MAX_NOTE, change_suggestion
from anbudsradar.web.csrf import verify_csrf
from anbudsradar.web.deps import DbSession, PathId, RequiredUser
from anbudsradar.web.inputs import without_nul
from anbudsradar.web.queries.notice import SuggestionView, suggestions
from anbudsradar.web.routes.auth import safe_next
from anbudsradar.web.templating import render
from models import ConsortiumSuggestion

router = APIRouter(prefix="/coordinator", include_in_schema=False)


@router.get("/consortia", response_class=HTMLResponse)
def board(
    request: Request,
    session: DbSession,
    user: RequiredUser,
    status: Literal["proposed", "accepted", "dismissed", "all"] = "proposed",
    changed: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    """Suggestions grouped by tender, best first, of one status (default: those waiting for a decision).

    `changed` names a suggestion just accepted, dismissed or reopened: the page says what it is now and
    where it went, since its card may have left this tab.
    """
    found = suggestions(session, status=None if status == "all" else status, limit=500)
    by_notice: OrderedDict[int, list[SuggestionView]] = OrderedDict()
    for suggestion in found:
        by_notice.setdefault(suggestion.notice_id, []).append(suggestion)
    done = session.get(ConsortiumSuggestion, changed) if changed else None
    return render(request, "consortia.html", {"groups": by_notice, "status": status, "done": done})


@router.post("/consortia/{suggestion_id}", dependencies=[Depends(verify_csrf)])
def act(
    session: DbSession,
    user: RequiredUser,
    suggestion_id: PathId,
    *,
    action: Annotated[Literal["accepted", "dismissed", "proposed", "note"], Form()],
    note: Annotated[str, Form(max_length=MAX_NOTE), AfterValidator(without_nul)] = "",
    back: Annotated[str, Query(max_length=2000)] = "",
) -> RedirectResponse:
    """Accept, dismiss, reopen or annotate a suggestion, recording who did it; then go back."""
    try:
        change_suggestion(session, suggestion_id, action, user.actor, note)
    except ValueError:
        pass  # an empty note changes nothing
    else:
        session.commit()
    target = safe_next(back) if back else "/coordinator/consortia"
    if urlsplit(target).path == "/coordinator/consortia":  # the card may leave this tab: say where it went
        target = _with_param(target, "changed", str(suggestion_id))
    return RedirectResponse(f"{target}#forslag-{suggestion_id}", status_code=303)


def _with_param(target: str, name: str, value: str) -> str:
    """Return a local URL with one query parameter set (others kept)."""
    parts = urlsplit(target)
    query = [(key, item) for key, item in parse_qsl(parts.query) if key != name] + [(name, value)]
    return urlunsplit(("", "", parts.path, urlencode(query), ""))
