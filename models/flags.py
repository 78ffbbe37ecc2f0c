"""The stored notice flags behind the tender list's filters: reserved, employment and social.

Each of the officers' filters combines eForms fields with tags found in the text; computing one per
request means reading every notice's JSON and probing its tags. The flags are computed here, in SQL,
after every ingest batch and every tagging batch, so each filter reads one indexed column
(`Notice.reserved`, `Notice.employment`, `Notice.social`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import ColumnElement, String, cast, exists, func, or_, select, update
from sqlalchemy.orm import Session

from matcher.taxonomy import RESERVED_CODES
from models.notice import Notice
from models.tag import NoticeTag

# BT-775 social objectives other than "opp" (employment of people far from the labour market).
OTHER_SOCIAL_OBJECTIVES = ("acc-all", "et-eq", "gen-eq", "hum-right", "other", "work-cond")
# Stay below SQLite's bound-parameter limit on old builds (999).
_CHUNK = 900


def _tagged(*codes: str) -> ColumnElement[bool]:
    """Whether the notice or one of its lots carries one of these social tags."""
    return exists(
        select(NoticeTag.id).where(
            NoticeTag.notice_pk == Notice.id, NoticeTag.kind == "social", NoticeTag.code.in_(codes)
        )
    )


def _holds(column: object, code: str) -> ColumnElement[bool]:
    """Whether a JSON list of codes holds `code` (a LIKE on its text: the same SQL on every database)."""
    return cast(column, String).like(f'%"{code}"%')


def reserved_expression() -> ColumnElement[bool]:
    """Whether a notice is reserved: BT-71 or BT-736 (the union over its lots), or a reserved tag."""
    return or_(
        func.json_array_length(Notice.reserved_participation) > 0,
        Notice.reserved_execution.is_(True),
        _tagged(*RESERVED_CODES),
    )


def employment_expression() -> ColumnElement[bool]:
    """Whether a notice has an employment requirement: BT-775 "opp", or the tag found in the text."""
    return or_(_holds(Notice.social_objectives, "opp"), _tagged("employment_requirement"))


def social_expression() -> ColumnElement[bool]:
    """Whether a notice has other social considerations: other BT-775 codes, BT-06 soc-obj, or the tag."""
    return or_(
        *[_holds(Notice.social_objectives, code) for code in OTHER_SOCIAL_OBJECTIVES],
        _holds(Notice.strategic_procurement, "soc-obj"),
        _tagged("social_considerations"),
    )


# Stored column name -> what it says; refresh_flags recomputes every one of them.
FLAGS: dict[str, Callable[[], ColumnElement[bool]]] = {
    "reserved": reserved_expression,
    "employment": employment_expression,
    "social": social_expression,
}


def refresh_flags(session: Session, notice_pks: Iterable[int] | None = None) -> None:
    """Recompute the stored flags of the given notices (every notice when None) from fields and tags.

    Pending changes are flushed first, so new tags and notices count; loaded notices then read the
    new values.
    """
    session.flush()
    values = {name: expression() for name, expression in FLAGS.items()}
    statement = update(Notice).values(values).execution_options(synchronize_session=False)
    chosen: set[int] | None = None
    if notice_pks is None:
        session.execute(statement)
    else:
        chosen = set(notice_pks)
        ids = sorted(chosen)
        for start in range(0, len(ids), _CHUNK):
            session.execute(statement.where(Notice.id.in_(ids[start : start + _CHUNK])))
    for item in list(session.identity_map.values()):
        if isinstance(item, Notice) and (chosen is None or item.id in chosen):
            session.expire(item, list(FLAGS))
