"""Storage: new, updated (history kept), unchanged and failed inputs, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import models
from crawlers.parsers.dispatch import ParseOutcome
from crawlers.parsers.exceptions import MalformedInputError
from crawlers.parsers.record import Buyer, Lot, Money, NoticeRecord
from models import IngestFailure, IngestRun, Notice, NoticeVersion, RawPayload
from models.db import database, make_engine
from models.search import include_name
from models.store import NoticeStore


def make_record(notice_id: str = "00001111-2026", **changes: object) -> NoticeRecord:
    """A small eForms-like record of a Luleå cleaning tender."""
    record = NoticeRecord(
        source_format="eforms",
        source_path=f"samples/{notice_id}.xml",
        notice_id=notice_id,
        notice_type="contract-notice",
        language="sv",
        title="Lokalvård i Luleå kommuns förskolor",
        description="Städning av 12 förskolor.",
        buyer=Buyer(name="Luleå kommun", identifier="212000-2723", country="SE", nuts="SE332", city="Luleå"),
        cpv_main="90919200",
        cpv=["90919200", "90911200"],
        nuts=["SE332"],
        lots=[
            Lot(lot_id="LOT-0001", title="Förskolor norr", cpv=["90919200"], nuts=["SE332"]),
            Lot(lot_id="LOT-0002", title="Förskolor söder", cpv=["90911200"], nuts=["SE332"]),
        ],
        reserved_participation=["shelteredWorkshop"],
        estimated_value=Money(1_200_000.0, "SEK"),
        published="2026-11-02",
        deadline="2026-12-01T23:59:00+01:00",
        procedure_id="proc-1",
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def outcome(*records: NoticeRecord, data: bytes | None = None) -> ParseOutcome:
    """Wrap records as the parser would hand them over."""
    path = records[0].source_path
    return ParseOutcome(path, data or f"<raw {path}/>".encode(), "eforms", list(records))


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    with database(database_url) as sessions, sessions() as db_session:
        yield db_session


def ingest(session: Session, *outcomes: ParseOutcome) -> dict[str, int]:
    return NoticeStore(session).ingest(outcomes, source="test").counts()


def count(session: Session, model: type[models.Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    models.db.migrate(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        differences = compare_metadata(context, models.Base.metadata)
    engine.dispose()
    assert differences == []


def test_new_notice_is_stored_with_lots_buyer_and_raw_bytes(session: Session) -> None:
    raw = b"<ContractNotice>original bytes</ContractNotice>"
    assert ingest(session, outcome(make_record(), data=raw)) == {
        "new": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
    }
    notice = session.scalars(select(Notice)).one()
    assert notice.title == "Lokalvård i Luleå kommuns förskolor"
    assert notice.buyer is not None and notice.buyer.name == "Luleå kommun"
    assert [lot.lot_id for lot in notice.lots] == ["LOT-0001", "LOT-0002"]
    assert notice.reserved_participation == ["shelteredWorkshop"]
    assert notice.estimated_amount == 1_200_000.0
    assert notice.versions[0].raw_payload is not None
    assert notice.versions[0].raw_payload.data() == raw
    assert NoticeRecord.from_dict(notice.record) == make_record()


def test_ingesting_twice_changes_nothing(session: Session) -> None:
    first = outcome(make_record()), outcome(make_record("00002222-2026", procedure_id="proc-2"))
    assert ingest(session, *first)["new"] == 2
    rows = {m: count(session, m) for m in (Notice, NoticeVersion, RawPayload, models.Lot, models.Buyer)}
    again = outcome(make_record()), outcome(make_record("00002222-2026", procedure_id="proc-2"))
    assert ingest(session, *again) == {"new": 0, "updated": 0, "unchanged": 2, "failed": 0}
    assert {m: count(session, m) for m in rows} == rows


def test_same_notice_from_another_path_is_unchanged(session: Session) -> None:
    ingest(session, outcome(make_record()))
    moved = make_record(source_path="elsewhere/copy.xml")
    assert ingest(session, outcome(moved))["unchanged"] == 1


def test_new_content_under_the_same_id_updates_and_keeps_history(session: Session) -> None:
    ingest(session, outcome(make_record()))
    newer = make_record(title="Lokalvård i Luleå kommuns förskolor och skolor", published="2026-11-05")
    assert ingest(session, outcome(newer))["updated"] == 1
    notice = session.scalars(select(Notice)).one()
    assert notice.title == "Lokalvård i Luleå kommuns förskolor och skolor"
    assert [v.version for v in notice.versions] == [1, 2]
    assert notice.versions[0].record["title"] == "Lokalvård i Luleå kommuns förskolor"


def test_change_notice_updates_the_notice_it_names(session: Session) -> None:
    ingest(session, outcome(make_record()))
    change = make_record(
        "00009999-2026",
        changes_notice_id="00001111-2026",
        procedure_id=None,
        deadline="2026-12-08T23:59:00+01:00",
        published="2026-11-10",
    )
    assert ingest(session, outcome(change))["updated"] == 1
    notice = session.scalars(select(Notice)).one()
    assert (notice.notice_id, notice.deadline) == ("00009999-2026", "2026-12-08T23:59:00+01:00")
    # The original arriving again is recognised by its own id and does not undo the change.
    assert ingest(session, outcome(make_record()))["unchanged"] == 1
    assert session.scalars(select(Notice)).one().deadline == "2026-12-08T23:59:00+01:00"


def test_new_notice_of_the_same_procedure_and_type_updates_it(session: Session) -> None:
    ingest(session, outcome(make_record()))
    corrected = make_record("00003333-2026", published="2026-11-20", title="Rättad titel")
    award = make_record("00004444-2026", notice_type="award", published="2026-12-20")
    assert ingest(session, outcome(corrected), outcome(award)) == {
        "new": 1,
        "updated": 1,
        "unchanged": 0,
        "failed": 0,
    }
    types = dict(session.execute(select(Notice.notice_type, Notice.title)).all())
    assert types == {"contract-notice": "Rättad titel", "award": "Lokalvård i Luleå kommuns förskolor"}


def test_an_older_version_arriving_late_is_kept_in_history_only(session: Session) -> None:
    ingest(session, outcome(make_record(published="2026-11-10", title="Ny")))
    old = make_record("00000001-2026", published="2026-10-01", title="Gammal")
    assert ingest(session, outcome(old))["updated"] == 1
    notice = session.scalars(select(Notice)).one()
    assert notice.title == "Ny"
    assert sorted(v.record["title"] for v in notice.versions) == ["Gammal", "Ny"]


def test_failures_are_logged_with_their_bytes_and_the_rest_is_stored(session: Session) -> None:
    broken = ParseOutcome(
        "in/broken.xml", b"<ContractNotice><cbc:ID>", error=MalformedInputError("in/broken.xml", "truncated")
    )
    counts = ingest(session, outcome(make_record()), broken)
    assert counts == {"new": 1, "updated": 0, "unchanged": 0, "failed": 1}
    failure = session.scalars(select(IngestFailure)).one()
    assert failure.source_path == "in/broken.xml"
    assert failure.reason == "truncated"
    assert failure.raw_payload is not None and failure.raw_payload.data() == b"<ContractNotice><cbc:ID>"
    ingest(session, broken)
    assert count(session, IngestFailure) == 1
    runs = session.scalars(select(IngestRun).order_by(IngestRun.id)).all()
    assert [(r.new, r.failed) for r in runs] == [(1, 1), (0, 1)]
    assert all(r.finished_at is not None for r in runs)
