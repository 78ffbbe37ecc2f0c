"""The stored reserved flag behind the reserved filter follows fields and tags through ingest, tagging
and the migration that introduced it (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from anbudsradar.ingest import ingest_paths
from anbudsradar.samples.norrbotten import write_samples
from anbudsradar.tagging import retag
from anbudsradar.web.queries.filters import TenderFilter
from anbudsradar.web.queries.tenders import list_tenders
from crawlers.parsers.dispatch import ParseOutcome
from crawlers.parsers.record import NoticeRecord
from matcher.tagger import Tagger
from models import Notice
from models.db import alembic_config, database, make_engine, migrate
from models.reserved import refresh_reserved
from models.store import NoticeStore

TODAY = date(2026, 11, 29)
CONSTRUCTION = "Ombyggnad av Storgatan"  # a sample notice that reserves nothing
RESERVING_TEXT = (
    "Städning av Storgatans kontor. Upphandlingen är reserverad enligt 4 kap. 18 § LOU för "
    "leverantörer vars huvudsakliga syfte är social och yrkesmässig integrering av personer med "
    "funktionsnedsättning eller som har det svårt på arbetsmarknaden."
)


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load()


@pytest.fixture
def session(database_url: str, tmp_path: Path) -> Iterator[Session]:
    ingest_paths([str(p) for p in write_samples(tmp_path / "samples", TODAY)], database_url)
    with database(database_url) as sessions, sessions() as db_session:
        yield db_session


def flags(session: Session) -> dict[int, bool]:
    """Return each stored notice's stored flag, by primary key."""
    return dict(session.execute(select(Notice.id, Notice.reserved)).all())


def reserved_listed(session: Session) -> set[int]:
    """Return the ids the tender list shows under the reserved filter."""
    page = list_tenders(session, TenderFilter(reserved=True), TODAY, page_size=100)
    return {row.id for row in page.rows}


def titled(session: Session, start: str) -> Notice:
    return session.scalars(select(Notice).where(Notice.title.startswith(start))).one()


def construction(session: Session) -> Notice:
    return titled(session, CONSTRUCTION)


def change(session: Session, notice: Notice, **fields: object) -> None:
    """Ingest a new version of a stored notice with some fields changed."""
    record = replace(NoticeRecord.from_dict(notice.record), **fields)
    NoticeStore(session).ingest([ParseOutcome("changed.xml", b"<changed/>", "eforms", [record])], source="t")


def test_structured_reservations_are_flagged_at_ingest(session: Session) -> None:
    stored = flags(session)
    assert stored[titled(session, "Lokalvård i Luleå").id] is True  # BT-71 shelteredWorkshop
    assert stored[construction(session).id] is False
    expected = {
        notice.id
        for notice in session.scalars(select(Notice))
        if notice.reserved_participation or notice.reserved_execution
    }
    assert {n.id for n in session.scalars(select(Notice).where(Notice.reserved))} == expected
    assert reserved_listed(session) == expected


def test_a_change_notice_that_drops_the_reservation_clears_the_flag(session: Session) -> None:
    cleaning = titled(session, "Lokalvård i Luleå")
    assert cleaning.reserved
    change(session, cleaning, reserved_participation=[], lots=[])
    session.refresh(cleaning)
    assert cleaning.reserved is False
    assert cleaning.id not in reserved_listed(session)


def test_a_reservation_found_only_in_the_text_is_flagged_after_tagging(
    session: Session, tagger: Tagger
) -> None:
    retag(session, tagger)
    notice = construction(session)
    assert notice.reserved is False
    change(session, notice, description=RESERVING_TEXT)
    notice = construction(session)
    assert notice.reserved is False, "no field says so: only the tagger can tell"
    retag(session, tagger)
    assert construction(session).reserved is True
    assert notice.id in reserved_listed(session)
    change(session, notice, description="Ombyggnad av gata, etapp 2.")
    retag(session, tagger)
    assert construction(session).reserved is False
    assert notice.id not in reserved_listed(session)


def test_the_migration_computes_the_flag_of_existing_notices(
    session: Session, tagger: Tagger, database_url: str
) -> None:
    retag(session, tagger)
    change(session, construction(session), description=RESERVING_TEXT)
    retag(session, tagger)
    before = flags(session)
    assert before[construction(session).id] is True, "reserved by its text only"
    assert before[titled(session, "Lokalvård i Luleå").id] is True, "reserved by BT-71"
    session.close()
    engine = make_engine(database_url)
    try:
        command.downgrade(alembic_config(engine), "0006")  # the revision before the flag
        assert "reserved" not in {column["name"] for column in inspect(engine).get_columns("notice")}
        migrate(engine)
    finally:
        engine.dispose()
    assert flags(session) == before
    refresh_reserved(session)
    assert flags(session) == before
