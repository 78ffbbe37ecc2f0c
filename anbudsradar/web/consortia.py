"""The consortium board's actions: accept, dismiss or annotate a suggestion, with a history row each."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from anbudsradar.web.exceptions import NotFoundError
from models.base import utcnow
from models.matching import ConsortiumEvent, ConsortiumSuggestion

Action = Literal["accepted", "dismissed", "proposed", "note"]
ACTIONS: tuple[str, ...] = ("accepted", "dismissed", "proposed", "note")
MAX_NOTE = 2000


def change_suggestion(
    session: Session, suggestion_id: int, action: Action, actor: str, note: str | None = None
) -> ConsortiumSuggestion:
    """Set a suggestion's status (or only add a note) and record who did it; the caller commits.

    "proposed" puts a dismissed or accepted suggestion back on the board.
    """
    suggestion = session.get(ConsortiumSuggestion, suggestion_id)
    if suggestion is None:
        raise NotFoundError("Konsortieförslaget", suggestion_id)
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}")
    note = (note or "").strip()[:MAX_NOTE] or None
    if action == "note" and note is None:
        raise ValueError("an empty note was not saved")
    now = utcnow()
    if action != "note":
        suggestion.status = action
    if note is not None:
        suggestion.note = note
    suggestion.changed_by = actor
    suggestion.changed_at = now
    session.add(ConsortiumEvent(suggestion_pk=suggestion.id, action=action, actor=actor, note=note, at=now))
    return suggestion
