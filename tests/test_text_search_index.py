"""The text index behind the tender list's free text: kept in step with the notices, built and removed by
migration 0009 on SQLite and PostgreSQL, used by the query plans, and optional where pg_trgm is not."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import ColumnElement, create_engine, delete, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from anbudsradar.web.queries.filters import TenderFilter
from anbudsradar.web.queries.tenders import conditions
from crawlers.parsers.dispatch import ParseOutcome
from models import Notice
from models.db import alembic_config, database, make_engine, migrate
from models.flags import refresh_flags
from models.search import FTS_TABLE, FTS_TRIGGERS, TRIGRAM_INDEXES
from models.store import NoticeStore
from tests.test_text_search import CASE_NOTICES, COMPOUND_NOTICES, TODAY, found, record, store

NOTICES = {**CASE_NOTICES, **COMPOUND_NOTICES}


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    with database(database_url) as sessions, sessions() as db_session:
        store(db_session, NOTICES)
        yield db_session


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def fts_ids(session: Session, q: str) -> set[int]:
    """Return the notice ids that the SQLite FTS table itself finds for the text `q`."""
    phrase = '"' + q.replace('"', '""') + '"'
    return set(
        session.scalars(text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q"), {"q": phrase})
    )


def assert_index_in_step(session: Session) -> None:
    """On SQLite, FTS5's integrity check with rank 1 compares the index with every notice's text."""
    if dialect(session) == "sqlite":
        session.execute(text(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"))


def notice_pk(session: Session, key: str) -> int:
    return session.scalars(select(Notice.id).where(Notice.notice_id == key)).one()


def plan(session: Session, condition: ColumnElement[bool]) -> str:
    """Return the query plan of the tender list's count under one condition, as one string."""
    query = select(func.count(Notice.id)).where(condition)
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    if dialect(session) == "sqlite":
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return "\n".join(str(row[-1]) for row in rows)
    session.execute(text("SET LOCAL enable_seqscan = off"))  # a few rows: make the index the only way
    return "\n".join(session.scalars(text(f"EXPLAIN {compiled}")))


def text_condition(session: Session, q: str) -> ColumnElement[bool]:
    [condition] = conditions(TenderFilter(q=q), TODAY, dialect(session))
    return condition


def reads_the_index(session: Session, q: str) -> bool:
    """Whether the plan of the tender list's count for `q` reads the text index (PostgreSQL: both)."""
    shown = plan(session, text_condition(session, q))
    if dialect(session) == "sqlite":
        return f"SCAN {FTS_TABLE} VIRTUAL TABLE INDEX" in shown
    return "Seq Scan" not in shown and all(
        f"Bitmap Index Scan on {name}" in shown for name in TRIGRAM_INDEXES
    )


def sees(session: Session, q: str) -> set[str]:
    """What the tender list finds for `q` with its count read through the text index.

    On SQLite the index is first checked against every notice's text, and what it finds itself must be
    what the list shows; on PostgreSQL the list runs with sequential scans off.
    """
    assert reads_the_index(session, q)
    assert_index_in_step(session)
    result = found(session, q)
    if dialect(session) == "sqlite":
        keys = dict(session.execute(select(Notice.id, Notice.notice_id)).all())
        assert {keys[pk] for pk in fts_ids(session, q) if pk in keys} == result
        assert fts_ids(session, q) <= set(keys), "the index names a deleted notice"
    session.commit()  # ends the transaction, and with it enable_seqscan = off
    return result


def test_a_new_notice_is_found(session: Session) -> None:
    store(session, {"kiruna": ("Snöröjning i Kiruna", "Vägar och torg.")})
    assert sees(session, "KIRUNA") == {"kiruna"}
    assert sees(session, "SNÖRÖJNING") == {"alvsbyn", "winter", "kiruna"}


def test_a_changed_title_or_description_is_found_by_its_new_text_only(session: Session) -> None:
    notice = session.get(Notice, notice_pk(session, "alvsbyn"))
    assert notice is not None
    notice.title = "Isbekämpning i Älvsbyn"
    session.commit()
    assert sees(session, "SNÖRÖJNING") == {"winter"}
    assert sees(session, "ISBEKÄMPNING") == {"alvsbyn"}
    notice.description = None
    session.commit()
    assert sees(session, "PLOGNING") == set()
    assert sees(session, "ÄLVSBYN") == {"alvsbyn"}


def test_a_deleted_notice_leaves_the_index(session: Session) -> None:
    pk = notice_pk(session, "alvsbyn")
    session.execute(delete(Notice).where(Notice.id == pk))
    session.commit()
    assert sees(session, "ÄLVSBYN") == set()
    if dialect(session) == "sqlite":
        assert fts_ids(session, "Älvsbyn") == set()


def test_updates_of_other_columns_leave_the_index_as_it_was(session: Session) -> None:
    session.execute(update(Notice).values(deadline="2027-01-01T12:00:00+01:00", reserved=True))
    refresh_flags(session)
    session.commit()
    assert sees(session, "STÄD") == {"schools", "cleaning"}


def test_a_new_version_of_a_notice_is_found_by_its_new_text(session: Session) -> None:
    first = record("alvsbyn", *NOTICES["alvsbyn"])
    changed = replace(first, source_path="v2.xml", title="Sandning i ÄLVSBYN", description="Gator och torg.")
    ingest = NoticeStore(session).ingest
    counts = ingest([ParseOutcome("v2.xml", b"<v2/>", "eforms", [changed])], source="test").counts()
    assert counts["updated"] == 1
    assert sees(session, "snöröjning") == {"winter"}
    assert sees(session, "SANDNING I ÄLV") == {"alvsbyn"}
    again = ingest([ParseOutcome("v2.xml", b"<v2/>", "eforms", [changed])], source="test").counts()
    assert again["unchanged"] == 1
    assert sees(session, "sandning i älv") == {"alvsbyn"}
    assert session.scalar(select(func.count(Notice.id))) == len(NOTICES)


def search_objects(session: Session) -> set[str]:
    """Return the names of the text-search objects present: FTS table and triggers, or trigram indexes."""
    if dialect(session) == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE name LIKE 'notice_fts%'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE tablename = 'notice' AND indexname LIKE '%trgm'"
    return set(session.scalars(text(query)))


def expected_objects(session: Session) -> set[str]:
    if dialect(session) == "sqlite":
        shadow = {f"{FTS_TABLE}_{name}" for name in ("data", "idx", "docsize", "config")}
        return {FTS_TABLE, *shadow, *FTS_TRIGGERS}
    return set(TRIGRAM_INDEXES)


def test_migration_0009_goes_down_and_up_again_with_the_existing_notices(
    session: Session, database_url: str
) -> None:
    assert search_objects(session) == expected_objects(session)
    session.close()
    engine = make_engine(database_url)
    try:
        command.downgrade(alembic_config(engine), "0008")
        with Session(engine) as old:
            assert search_objects(old) == set()
            store(old, {"kiruna": ("Snöröjning i Kiruna", "Stored at 0008.")})
        migrate(engine)
        with Session(engine) as new:
            assert search_objects(new) == expected_objects(new)
            assert sees(new, "SNÖRÖJNING") == {"alvsbyn", "winter", "kiruna"}
            assert sees(new, "STÄD") == {"schools", "cleaning"}
            store(new, {"boden": ("Snöröjning i Boden", "Stored at 0009.")})
            assert sees(new, "SNÖRÖJNING") == {"alvsbyn", "winter", "kiruna", "boden"}
    finally:
        engine.dispose()


def test_the_query_plan_reads_the_text_index(session: Session) -> None:
    assert reads_the_index(session, "snöröjning")
    session.rollback()
    if dialect(session) == "sqlite":  # too short for trigrams: a scan
        assert not reads_the_index(session, "ö")


@pytest.mark.postgres
def test_without_pg_trgm_the_migration_succeeds_and_the_search_scans(
    postgres_admin_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A role that may not create extensions (no CREATE on the database) still migrates to head."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{name}" LOGIN'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    owner = create_engine(make_url(postgres_admin_url).set(database=name), isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:
        connection.execute(text(f'GRANT CREATE, USAGE ON SCHEMA public TO "{name}"'))
    owner.dispose()
    url = make_url(postgres_admin_url).set(username=name, database=name).render_as_string(hide_password=False)
    with (
        caplog.at_level(logging.WARNING, logger="models.migrations"),
        database(url) as sessions,
        sessions() as session,
    ):
        assert search_objects(session) == set()
        store(session, NOTICES)
        assert found(session, "SNÖRÖJNING") == {"alvsbyn", "winter"}
        assert found(session, "STÄD") == {"schools", "cleaning"}
        assert "Seq Scan" in plan(session, text_condition(session, "snöröjning"))
        version = session.scalar(text("SELECT version_num FROM alembic_version"))
        assert version == ScriptDirectory.from_config(alembic_config(session.get_bind())).get_current_head()
    assert any("pg_trgm is not available" in message for message in caplog.messages)
