"""The consortium board: suggestions per tender with coverage and reasons; accept, dismiss, note; history."""

from __future__ import annotations

from collections import OrderedDict
from typing import Annotated, Literal

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

router = APIRouter(prefix="/coordinator", include_in_schema=False)


@router.get("/consortia", response_class=HTMLResponse)
def board(
    request: Request,
    session: DbSession,
    user: RequiredUser,
    status: Literal["proposed", "accepted", "dismissed", "all"] = "proposed",
) -> HTMLResponse:
    """Suggestions grouped by tender, best first, of one status (default: those waiting for a decision)."""
    found = suggestions(session, status=None if status == "all" else status, limit=500)
    by_notice: OrderedDict[int, list[SuggestionView]] = OrderedDict()
    for suggestion in found:
        by_notice.setdefault(suggestion.notice_id, []).append(suggestion)
    return render(request, "consortia.html", {"groups": by_notice, "status": status})


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
    return RedirectResponse(f"{target}#forslag-{suggestion_id}", status_code=303)
