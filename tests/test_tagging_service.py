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
from matcher.fingerprint import PACKAGE_DIR as MATCHER_DIR
from matcher.fingerprint import RULE_MODULES, rules_fingerprint, shipped_rules_fingerprint
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


def test_a_change_of_rules_retags_every_notice(session: Session, tagger: Tagger) -> None:
    retag(session, tagger)
    same_rules = Tagger(tagger.classifier, tagger.analyser)
    assert same_rules.version == tagger.version and retag(session, same_rules).tagged == 0
    other_rules = Tagger(tagger.classifier, tagger.analyser, rules_version="0123456789ab")
    assert other_rules.model_version == tagger.model_version  # the classifier is the same
    summary = retag(session, other_rules)
    assert (summary.tagged, summary.tagger_version) == (13, f"{tagger.model_version}+rules-0123456789ab")


def test_the_rules_fingerprint_follows_the_bytes_of_the_rule_modules(tmp_path: Path) -> None:
    modules = [MATCHER_DIR / f"{name}.py" for name in RULE_MODULES]
    copies = []
    for module in modules:
        copy = tmp_path / module.name
        copy.write_bytes(module.read_bytes())
        copies.append(copy)
    assert rules_fingerprint(copies) == shipped_rules_fingerprint()
    vocabulary = tmp_path / "vocabulary.py"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + "\n# one more word\n", encoding="utf-8")
    assert rules_fingerprint(copies) != shipped_rules_fingerprint()
