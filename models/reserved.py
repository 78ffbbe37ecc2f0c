"""The stored `Notice.reserved` flag: reserved by the notice's fields or by a reserved-contract tag.

The reserved filter of the tender list is the procurement officers' main view; computing it per
request means parsing every notice's JSON and probing its tags. The flag is computed here, in SQL,
after every ingest batch and every tagging batch, so the filter reads one indexed column.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.orm import Session

from models.notice import Notice
from models.tag import NoticeTag

# Social tags that mean "reserved contract" (LOU 4 kap. 18 § / BT-71 res-ws, BT-736; res-pub-ser).
RESERVED_TAG_CODES = ("reserved_sheltered", "reserved_public_service")
# Stay below SQLite's bound-parameter limit on old builds (999).
_CHUNK = 900


def reserved_expression() -> ColumnElement[bool]:
    """Whether a notice is reserved: BT-71 or BT-736 (the union over its lots), or a reserved tag."""
    return or_(
        func.json_array_length(Notice.reserved_participation) > 0,
        Notice.reserved_execution.is_(True),
        exists(
            select(NoticeTag.id).where(
                NoticeTag.notice_pk == Notice.id,
                NoticeTag.kind == "social",
                NoticeTag.code.in_(RESERVED_TAG_CODES),
            )
        ),
    )


def refresh_reserved(session: Session, notice_pks: Iterable[int] | None = None) -> None:
    """Recompute the stored flag of the given notices (every notice when None) from fields and tags.

    Pending changes are flushed first, so new tags and notices count; loaded notices then read the
    new value.
    """
    session.flush()
    statement = update(Notice).values(reserved=reserved_expression()).execution_options(
        synchronize_session=False
    )
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
            session.expire(item, ["reserved"])
