"""The stored flags behind the reserved, employment and social filters follow fields and tags through
ingest, tagging and the migrations that introduced them (SQLite and PostgreSQL)."""

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
from models.flags import FLAGS, OTHER_SOCIAL_OBJECTIVES, refresh_flags
from models.store import NoticeStore

TODAY = date(2026, 11, 29)
FLAG_NAMES = tuple(FLAGS)
CLEANING = "Lokalvård i Luleå"  # BT-71 shelteredWorkshop on its lots
IT_REPAIR = "Reparation och återbruk av IT"  # BT-775 opp and work-cond, BT-06 soc-obj
CONSTRUCTION = "Ombyggnad av Storgatan"  # a sample notice that says nothing social
PLAIN_TEXT = "Ombyggnad av gata, etapp 2."
# A revision to migrate down to -> the flags added by the migrations after it.
ADDED_AFTER = {"0007": {"employment", "social"}, "0006": {"reserved", "employment", "social"}}
# Text that only the tagger can read as a reservation, an employment requirement or another social aim.
TEXTS = {
    "reserved": (
        "Städning av Storgatans kontor. Upphandlingen är reserverad enligt 4 kap. 18 § LOU för "
        "leverantörer vars huvudsakliga syfte är social och yrkesmässig integrering av personer med "
        "funktionsnedsättning eller som har det svårt på arbetsmarknaden."
    ),
    "employment": (
        "Städning av Storgatans kontor. Sysselsättningskrav: leverantören ska under avtalstiden "
        "anställa minst två långtidsarbetslösa personer."
    ),
    "social": (
        "Städning av Storgatans kontor. Leverantören ska tillämpa särskilda arbetsrättsliga villkor "
        "och respektera mänskliga rättigheter i leverantörskedjan."
    ),
}
# One more notice per eForms value that raises a flag on its own: (record fields, the flag it raises).
FIELD_CASES: dict[str, tuple[dict[str, object], str]] = {
    "BT-71 res-ws": ({"reserved_participation": ["shelteredWorkshop"]}, "reserved"),
    "BT-71 res-pub-ser": ({"reserved_participation": ["publicServiceMissionOrganization"]}, "reserved"),
    "BT-736": ({"reserved_execution": True}, "reserved"),
    "BT-775 opp": ({"social_objectives": ["opp"]}, "employment"),
    **{f"BT-775 {code}": ({"social_objectives": [code]}, "social") for code in OTHER_SOCIAL_OBJECTIVES},
    "BT-06 soc-obj": ({"strategic_procurement": ["soc-obj"]}, "social"),
}
# The eForms fields that raise each flag, emptied to withdraw it: (notice, record fields).
WITHDRAWN = {
    "reserved": (CLEANING, {"reserved_participation": [], "reserved_execution": False, "lots": []}),
    "employment": (IT_REPAIR, {"social_objectives": ["work-cond"], "lots": []}),
    "social": (IT_REPAIR, {"social_objectives": ["opp"], "strategic_procurement": [], "lots": []}),
}


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load()


@pytest.fixture
def session(database_url: str, tmp_path: Path) -> Iterator[Session]:
    ingest_paths([str(p) for p in write_samples(tmp_path / "samples", TODAY)], database_url)
    with database(database_url) as sessions, sessions() as db_session:
        add_field_cases(db_session)
        yield db_session


def add_field_cases(session: Session) -> None:
    """Store one notice per FIELD_CASES entry, titled by its key, saying nothing else social."""
    silent = {
        "lots": [],
        "reserved_participation": [],
        "reserved_execution": False,
        "social_objectives": [],
        "strategic_procurement": [],
        "changes_notice_id": None,
    }
    template = replace(NoticeRecord.from_dict(construction(session).record), **silent)
    records = [
        replace(template, notice_id=f"flags-{n}", procedure_id=f"flags-{n}", title=case, **fields)
        for n, (case, (fields, _)) in enumerate(FIELD_CASES.items())
    ]
    NoticeStore(session).ingest([ParseOutcome("cases.xml", b"<cases/>", "eforms", records)], source="t")


def flags(session: Session) -> dict[int, dict[str, bool]]:
    """Return each stored notice's stored flags, by primary key."""
    columns = [getattr(Notice, name) for name in FLAG_NAMES]
    return {
        notice_pk: dict(zip(FLAG_NAMES, values, strict=True))
        for notice_pk, *values in session.execute(select(Notice.id, *columns))
    }


def flagged(session: Session, name: str) -> set[int]:
    """Return the ids of the notices whose stored flag `name` is set."""
    return {notice_pk for notice_pk, values in flags(session).items() if values[name]}


def listed(session: Session, name: str) -> set[int]:
    """Return the ids the tender list shows under one filter, and check the rows say so too."""
    page = list_tenders(session, TenderFilter.model_validate({name: True}), TODAY, page_size=100)
    assert all(getattr(row, name) for row in page.rows)
    return {row.id for row in page.rows}


def by_fields(notice: Notice) -> dict[str, bool]:
    """Return what the eForms fields alone say of a notice (before any tagging)."""
    return {
        "reserved": bool(notice.reserved_participation) or notice.reserved_execution,
        "employment": "opp" in notice.social_objectives,
        "social": bool(set(notice.social_objectives) & set(OTHER_SOCIAL_OBJECTIVES))
        or "soc-obj" in notice.strategic_procurement,
    }


def titled(session: Session, start: str) -> Notice:
    return session.scalars(select(Notice).where(Notice.title.startswith(start))).one()


def construction(session: Session) -> Notice:
    return titled(session, CONSTRUCTION)


def change(session: Session, notice: Notice, **fields: object) -> None:
    """Ingest a new version of a stored notice with some fields changed."""
    record = replace(NoticeRecord.from_dict(notice.record), **fields)
    NoticeStore(session).ingest([ParseOutcome("changed.xml", b"<changed/>", "eforms", [record])], source="t")


def test_each_field_value_raises_its_flag_alone(session: Session) -> None:
    stored = flags(session)
    for case, (_, name) in FIELD_CASES.items():
        assert stored[titled(session, case).id] == {flag: flag == name for flag in FLAG_NAMES}, case


def test_the_fields_set_the_flags_at_ingest(session: Session) -> None:
    stored = flags(session)
    assert stored[titled(session, CLEANING).id] == {"reserved": True, "employment": False, "social": False}
    assert stored[titled(session, IT_REPAIR).id] == {"reserved": False, "employment": True, "social": True}
    assert stored[construction(session).id] == dict.fromkeys(FLAG_NAMES, False)
    assert stored == {notice.id: by_fields(notice) for notice in session.scalars(select(Notice))}
    for name in FLAG_NAMES:
        assert flagged(session, name), f"no sample notice is {name}: the test proves nothing"
        assert listed(session, name) == flagged(session, name)


@pytest.mark.parametrize("name", FLAG_NAMES)
def test_a_change_notice_that_withdraws_the_clause_clears_only_its_flag(session: Session, name: str) -> None:
    title, fields = WITHDRAWN[name]
    notice = titled(session, title)
    before = flags(session)[notice.id]
    assert before[name] is True
    change(session, notice, **fields)
    session.refresh(notice)
    assert getattr(notice, name) is False
    assert flags(session)[notice.id] == {**before, name: False}
    assert notice.id not in listed(session, name)


@pytest.mark.parametrize("name", FLAG_NAMES)
def test_a_clause_found_only_in_the_text_is_flagged_after_tagging(
    session: Session, tagger: Tagger, name: str
) -> None:
    retag(session, tagger)
    notice = construction(session)
    assert flags(session)[notice.id] == dict.fromkeys(FLAG_NAMES, False)
    change(session, notice, description=TEXTS[name])
    notice = construction(session)
    assert getattr(notice, name) is False, "no field says so: only the tagger can tell"
    retag(session, tagger)
    assert flags(session)[notice.id][name] is True
    assert getattr(construction(session), name) is True, "a loaded notice reads the new flag"
    assert notice.id in listed(session, name)
    change(session, notice, description=PLAIN_TEXT)
    retag(session, tagger)
    assert flags(session)[notice.id] == dict.fromkeys(FLAG_NAMES, False)
    assert notice.id not in listed(session, name)


@pytest.mark.parametrize("tagged", [False, True], ids=["fields-only", "tagged"])
@pytest.mark.parametrize("revision", list(ADDED_AFTER))
def test_the_migrations_compute_the_flags_of_existing_notices(
    session: Session, tagger: Tagger, database_url: str, revision: str, tagged: bool
) -> None:
    if tagged:  # the tags repeat the fields; the text of one notice is seen only by the tagger
        retag(session, tagger)
        change(session, construction(session), description=" ".join(TEXTS.values()))
        retag(session, tagger)
    before = flags(session)
    if tagged:
        assert before[construction(session).id] == dict.fromkeys(FLAG_NAMES, True), "by its text only"
    else:  # every field value on its own, in a notice without tags
        assert before == {notice.id: by_fields(notice) for notice in session.scalars(select(Notice))}
    assert before[titled(session, CLEANING).id]["reserved"] is True, "reserved by BT-71"
    assert before[titled(session, IT_REPAIR).id]["social"] is True, "social by BT-775 and BT-06"
    session.close()
    engine = make_engine(database_url)
    try:
        command.downgrade(alembic_config(engine), revision)
        columns = {column["name"] for column in inspect(engine).get_columns("notice")}
        assert not columns & ADDED_AFTER[revision]
        assert columns >= set(FLAG_NAMES) - ADDED_AFTER[revision]
        migrate(engine)
    finally:
        engine.dispose()
    assert flags(session) == before
    refresh_flags(session)
    assert flags(session) == before
