"""Matching and team search on the stored demo: idempotent upserts, tags over CPV, reservations, statuses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from anbudsradar.ingest import ingest_paths
from anbudsradar.samples.companies import load_demo_companies, org_number
from anbudsradar.samples.norrbotten import write_samples
from matcher.consortium_service import ConsortiumError, set_status, suggest_for_open_notices
from matcher.match_demo import run_match_demo
from matcher.matching import compute_matches, match_database, store_matches
from models import Company, ConsortiumEvent, ConsortiumSuggestion, MatchResult, Notice, NoticeTag
from models.db import database

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
INELIGIBLE_CLEANER = 3  # Lokalvårdarna i Norr AB (fiktiv): 15 % — may not bid for reserved contracts


def demo_database(url: str, folder: Path) -> str:
    write_samples(folder, TODAY)
    assert ingest_paths([str(folder)], url).counts()["failed"] == 0
    return url


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    url = demo_database(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path / "samples")
    with database(url) as sessions, sessions() as db_session:
        load_demo_companies(db_session)
        db_session.commit()
        yield db_session


def pk_of(session: Session, serial: int) -> int:
    return session.scalar(select(Company.id).where(Company.org_number == org_number(serial)))  # type: ignore[return-value]


def notice_pk(session: Session, title_start: str) -> int:
    return session.scalar(select(Notice.id).where(Notice.title.startswith(title_start)))  # type: ignore[return-value]


def test_demo_matches_store_idempotently_on_sqlite_and_postgres(database_url: str, tmp_path: Path) -> None:
    url = demo_database(database_url, tmp_path / "samples")
    with database(url) as sessions, sessions() as session:
        summary = run_match_demo(session, now=NOW)
        assert summary.companies == 30 and summary.links == 20
        assert summary.matches.created > 30 and summary.consortia.with_team >= 1
        assert summary.blocked >= 1 and "LOU 4 kap. 18 §" in summary.blocked_lines[0]
        again = run_match_demo(session, now=NOW)
        assert (again.matches.created, again.matches.updated, again.matches.removed) == (0, 0, 0)
        assert (again.consortia.created, again.consortia.updated, again.consortia.removed) == (0, 0, 0)
        assert session.scalar(select(func.count()).select_from(MatchResult)) == summary.matches.created


def test_a_reserved_notice_is_not_stored_for_an_ineligible_company(session: Session) -> None:
    run = compute_matches(session, now=NOW, with_blocked=True)
    store_matches(session, run)
    cleaning = notice_pk(session, "Lokalvård i Luleå")
    company = pk_of(session, INELIGIBLE_CLEANER)
    rows = session.scalars(select(MatchResult).where(MatchResult.notice_pk == cleaning)).all()
    assert rows and all(r.reserved_eligible is True for r in rows)
    assert company not in {r.company_pk for r in rows}
    blocked = [b for b in run.blocked if b.company_pk == company and b.notice_pk == cleaning]
    assert blocked and "ni har angett 15\u00a0%" in blocked[0].reasons[-1]


def test_matches_per_notice_and_per_lot_with_swedish_reasons(session: Session) -> None:
    store_matches(session, compute_matches(session, now=NOW))
    snow = notice_pk(session, "Snöröjning")
    lots = {r.lot_id for r in session.scalars(select(MatchResult).where(MatchResult.notice_pk == snow))}
    assert lots == {None, "LOT-0001", "LOT-0002", "LOT-0003"}
    match = session.scalars(
        select(MatchResult).where(MatchResult.notice_pk == snow, MatchResult.company_pk == pk_of(session, 14),
                                  MatchResult.lot_id.is_(None))
    ).one()
    assert match.reasons[0].startswith("Snöröjning, halkbekämpning, gaturenhållning (enligt CPV-kod) i Boden")
    assert "inom ert område" in match.reasons[0]
    assert set(match.details["contributions"]) == {"branch", "area", "size", "time", "reserved", "social"}
    closed = notice_pk(session, "Städning av Bodens")  # an award notice: not open
    assert session.scalar(select(func.count()).where(MatchResult.notice_pk == closed)) == 0


def test_stored_tags_replace_the_cpv_fallback(session: Session) -> None:
    cafe = notice_pk(session, "Drift av café")
    evidence = [{"field": "title", "text": "café"}]
    session.add(NoticeTag(notice_pk=cafe, lot_id=None, kind="branch", code="catering", score=0.95,
                          source="rules", evidence=evidence, model_version="test"))
    session.flush()
    run = compute_matches(session, now=NOW)
    cafe_matches = [m for m in run.matches if m.notice_pk == cafe]
    assert cafe_matches and all("(enligt CPV-kod)" not in m.reasons[0] for m in cafe_matches)
    assert all(m.details["branch"]["source"] == "tags" for m in cafe_matches)


def test_since_keeps_only_notices_published_from_that_day(session: Session) -> None:
    everything = compute_matches(session, now=NOW)
    recent = compute_matches(session, now=NOW, since=date(2026, 2, 27))
    old = {i.notice_pk for i in everything.items} - {i.notice_pk for i in recent.items}
    assert old and recent.items
    published = session.scalars(select(Notice.published).where(Notice.id.in_(old))).all()
    assert all(day < date(2026, 2, 27) for day in published)


def test_a_changed_notice_updates_its_matches(session: Session) -> None:
    store_matches(session, compute_matches(session, now=NOW))
    cafe = notice_pk(session, "Drift av café")
    session.execute(update(Notice).where(Notice.id == cafe).values(content_hash="f" * 64))
    summary = store_matches(session, compute_matches(session, now=NOW))
    rows = session.scalars(select(MatchResult).where(MatchResult.notice_pk == cafe)).all()
    assert summary.updated == len(rows) > 0 and summary.created == 0
    assert {r.notice_content_hash for r in rows} == {"f" * 64}


def test_a_company_that_leaves_an_area_loses_its_stale_matches(session: Session) -> None:
    store_matches(session, compute_matches(session, now=NOW))
    company = session.get(Company, pk_of(session, 18))  # Piteå Café & Catering
    assert company is not None
    company.area_municipalities = ["2584"]  # moves to Kiruna
    session.flush()
    summary = store_matches(session, compute_matches(session, now=NOW, org_number=org_number(18)))
    assert summary.removed > 0
    assert session.scalar(select(func.count()).where(MatchResult.company_pk == company.id)) == 0


def test_suggestions_keep_their_status_and_record_who_changed_it(session: Session) -> None:
    run = compute_matches(session, now=NOW)
    first = suggest_for_open_notices(session, run)
    assert first.created >= 3
    laundry = notice_pk(session, "Tvätt av arbetskläder")
    rows = session.scalars(select(ConsortiumSuggestion).where(ConsortiumSuggestion.notice_pk == laundry,
                                                              ConsortiumSuggestion.lot_id.is_(None))).all()
    assert rows and all(r.status == "proposed" and r.solver == "cp-sat" for r in rows)
    accepted, dismissed = rows[0], rows[-1]
    set_status(session, accepted.id, "accepted", "Anna, Coompanion Norrbotten", note="Vi ringer dem")
    if dismissed.id != accepted.id:
        set_status(session, dismissed.id, "dismissed", "Anna")
    again = suggest_for_open_notices(session, run)
    assert (again.created, again.removed) == (0, 0)
    session.refresh(accepted)
    assert (accepted.status, accepted.changed_by, accepted.note) == (
        "accepted", "Anna, Coompanion Norrbotten", "Vi ringer dem"
    )
    query = select(ConsortiumEvent.action).where(ConsortiumEvent.suggestion_pk == accepted.id)
    actions = session.scalars(query.order_by(ConsortiumEvent.id)).all()
    assert actions == ["proposed", "accepted"]
    with pytest.raises(ConsortiumError, match="not one of"):
        set_status(session, accepted.id, "maybe", "Anna")
    with pytest.raises(ConsortiumError, match="say who"):
        set_status(session, accepted.id, "dismissed", " ")
    with pytest.raises(ConsortiumError, match="no consortium suggestion 999999"):
        set_status(session, 999999, "dismissed", "Anna")


def test_match_database_for_the_scheduler(tmp_path: Path) -> None:
    url = demo_database(f"sqlite:///{tmp_path / 'job.db'}", tmp_path / "samples")
    with database(url) as sessions, sessions() as session:
        load_demo_companies(session)
        session.commit()
    summary = match_database(url, now=NOW)
    assert summary.companies == 30 and summary.matches.created > 0
    assert "companies" in str(summary) and "consortia" in str(summary)


@pytest.mark.parametrize(
    ("currency", "said"),
    [
        ("EUR", "Värdet 90\u00a0000 EUR (cirka 1 mnkr)"),  # about 1 mnkr: above the direct-award limit
        ("XYZ", "Värdet 90\u00a0000 XYZ kan inte räknas om till kronor"),  # no rate: size unknown
    ],
)
def test_a_value_in_another_currency_is_judged_in_kronor(session: Session, currency: str, said: str) -> None:
    """Before, 90 000 EUR read as 90 000 kr: "Litet kontrakt (90 000 kr) – passar ett mindre företag"."""
    cleaning = session.get(Notice, notice_pk(session, "Lokalvård i Luleå"))
    assert cleaning is not None
    cleaning.estimated_amount, cleaning.estimated_currency = 90_000.0, currency
    session.commit()
    run = compute_matches(session, now=NOW)
    reasons = [r for m in run.matches if m.notice_pk == cleaning.id and m.lot_id is None for r in m.reasons]
    assert reasons, "the notice is still matched"
    assert any(r.startswith(said) for r in reasons), reasons
    assert not any("Litet kontrakt" in r for r in reasons)


def test_a_lot_still_open_is_matched_after_the_notice_s_earliest_deadline(session: Session) -> None:
    """The notice's deadline is its lots' earliest: once the first lot closed, the open lots dropped out."""
    snow = session.get(Notice, notice_pk(session, "Snöröjning"))
    assert snow is not None and len(snow.lots) == 3
    yesterday, later = "2026-03-01T12:00:00+01:00", "2026-04-15T12:00:00+02:00"
    snow.deadline = snow.lots[0].deadline = yesterday
    snow.lots[1].deadline = snow.lots[2].deadline = later
    session.commit()
    run = compute_matches(session, now=NOW)
    matched = {m.lot_id for m in run.matches if m.notice_pk == snow.id}
    assert matched == {snow.lots[1].lot_id, snow.lots[2].lot_id}, "open lots only, not the notice"
