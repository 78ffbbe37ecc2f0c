"""The tagging service stores tags with evidence and re-tags only what changed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from anbudsradar.ingest import ingest_paths
from anbudsradar.samples.norrbotten import write_samples
from anbudsradar.tagging import retag
from crawlers.parsers.dispatch import ParseOutcome
from crawlers.parsers.record import NoticeRecord
from matcher.tagger import Tagger
from models import Notice, NoticeTag
from models.db import database
from models.store import NoticeStore


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load()


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'tags.db'}"
    ingest_paths([str(p) for p in write_samples(tmp_path / "samples", date(2026, 11, 29))], url)
    with database(url) as sessions, sessions() as db_session:
        yield db_session


def tags_of(session: Session, title_start: str) -> dict[tuple[str | None, str], NoticeTag]:
    notice = session.scalars(select(Notice).where(Notice.title.startswith(title_start))).one()
    rows = session.scalars(select(NoticeTag).where(NoticeTag.notice_pk == notice.id))
    return {(row.lot_id, row.code): row for row in rows}


def test_stored_notices_get_branch_and_social_tags_with_evidence(session: Session, tagger: Tagger) -> None:
    summary = retag(session, tagger)
    assert summary.tagged == 13 and summary.up_to_date == 0
    cleaning = tags_of(session, "Lokalvård i Luleå")
    assert cleaning[(None, "cleaning")].score == 1.0
    reserved = cleaning[(None, "reserved_sheltered")]
    assert reserved.kind == "social" and reserved.source == "structured"
    assert any(item["field"].endswith("reserved_participation") for item in reserved.evidence)
    assert (("LOT-0001", "cleaning") in cleaning) and reserved.model_version == tagger.model_version
    cafe = tags_of(session, "Drift av café")
    assert cafe[(None, "catering")].kind == "branch"
    assert cafe[(None, "employment_requirement")].kind == "social"


def test_retag_only_does_what_changed(session: Session, tagger: Tagger) -> None:
    retag(session, tagger)
    again = retag(session, tagger)
    assert (again.tagged, again.up_to_date) == (0, 13)
    notice = session.scalars(select(Notice).where(Notice.title.startswith("Ombyggnad av Storgatan"))).one()
    assert not [code for (_lot, code) in tags_of(session, "Ombyggnad av Storgatan") if code == "cleaning"]
    changed = replace(
        NoticeRecord.from_dict(notice.record),
        title="Lokalvård och städning av Storgatans kontor",
        description="Daglig städning av kontorslokaler.",
        cpv_main="90919200",
        cpv=["90919200"],
        lots=[],
    )
    NoticeStore(session).ingest([ParseOutcome("changed.xml", b"<changed/>", "eforms", [changed])], source="t")
    third = retag(session, tagger)
    assert third.tagged == 1
    assert (None, "cleaning") in tags_of(session, "Lokalvård och städning av Storgatans")
