"""The weekly digest read as an ASF reads it: defects found by reading real digests, one test each.

Each test builds digests through the real chain (NoticeStore, SQLite, DigestBuilder, templates,
the outbox backend) and reads the message as a mail client does. Real notices are read from
../shared/data/real (or ANBUDSRADAR_REAL_DATA) and those tests skip where it is absent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace

import lxml.html
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from crawlers.parsers.dispatch import parse_one
from matcher.match_reasons import time_phrase
from models import Company, DigestDelivery, Notice
from models.db import database
from models.store import NoticeStore
from notifier.delivery import run_digest_round
from notifier.formatting import NBSP
from notifier.settings import NotifierSettings
from notifier.weeks import IsoWeek
from tests.conftest import real_path
from tests.test_notify_support import (
    NOW,
    WEEK,
    add_company,
    add_consortium,
    add_match,
    add_notice,
    notifier_settings,
    org_number,
    parse,
)

STOCKHOLM_SNOW = "ted-legacy/SE_2018S-082-185357.xml"  # Snöröjning, Stockholm, place of performance "SE"
RUTHIN_GRASS = "ocds/sell2wales/ocds-kuma6s-148160__ocds-kuma6s-148160-release-148160.json"  # 3 lots, GBP


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with database(f"sqlite:///{tmp_path / 'audit.db'}") as factory:
        yield factory


def send_week(
    sessions: sessionmaker[Session], settings: NotifierSettings, week: str = WEEK, now: datetime = NOW
) -> dict[str, EmailMessage]:
    """Run one round into the outbox and return the week's messages by organisation number."""
    summary = run_digest_round(sessions, settings, week=IsoWeek.parse(week), now=now)
    assert all(o.status in ("sent", "empty") for o in summary.outcomes), summary.outcomes
    return {
        path.stem.split("_")[1]: parse(path.read_bytes()) for path in settings.outbox.glob(f"{week}_*.eml")
    }


def text_of(message: EmailMessage) -> str:
    """The plain-text part with the wire's CRLF line ends read as lines."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]


def html_of(message: EmailMessage) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(message.get_body(("html",)).get_content())  # type: ignore[union-attr]


def one_line(text: str) -> str:
    """Text with wrapped lines joined, to find a sentence wherever the wrap fell (no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def store_real(session: Session, relative: str) -> Notice:
    """Parse a real published notice with the project's parser and store it; return the notice."""
    path = real_path(relative)
    outcome = parse_one(path.read_bytes(), str(path))
    NoticeStore(session).ingest([outcome], source="test")
    [record] = outcome.records
    return session.scalars(select(Notice).where(Notice.notice_id == record.notice_id)).one()


def matcher_deadline_reason(deadline: datetime, days_left: float) -> str:
    """The deadline reason in the matcher's own words (matcher.match_reasons.time_phrase)."""
    item = SimpleNamespace(deadline=deadline, days_left=days_left, notice_type="contract-notice")
    return time_phrase(item, SimpleNamespace(min_days=5))  # type: ignore[arg-type]


def test_the_reasons_of_one_lot_are_shown_with_that_lot_not_mixed_into_the_notice(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Before: 'Värdet 2,7 mnkr är större än er kapacitet' next to 'Värdet 900 000 kr ryms i er
    kapacitet' and 'Litet kontrakt (400 000 kr)', all under "Varför den passar er", without saying
    which lot each is about (the demo's snow-clearing tender for Grönt & Snö i Boden)."""
    with sessions() as session:
        company = add_company(session, 1, "Grönt & Snö i Boden", branches=["snow_streets"])
        snow = add_notice(
            session,
            "snow",
            "Snöröjning och halkbekämpning av gång- och cykelvägar i Boden",
            lots=(
                ("LOT-0001", "Område Centrum", 1_400_000, False),
                ("LOT-0002", "Område Sävast", 900_000, False),
            ),
            amount=2_700_000,
        )
        area = "Snöröjning, halkbekämpning, gaturenhållning i Boden, inom ert område"
        together = "överväg att lämna anbud tillsammans med andra"
        too_big = f"Värdet 2,7 mnkr är större än er kapacitet (1 mnkr) – {together}"
        fits = f"Värdet 900{NBSP}000 kr ryms i er kapacitet (1 mnkr)"
        centre = f"Värdet 1,4 mnkr är större än er kapacitet (1 mnkr) – {together}"
        add_match(session, company, snow, 0.82, [area, too_big])
        add_match(session, company, snow, 0.89, [area, centre], lot_id="LOT-0001")
        add_match(session, company, snow, 0.95, [area, fits], lot_id="LOT-0002")
        session.commit()
    message = send_week(sessions, notifier_settings(tmp_path))[org_number(1)]
    text = text_of(message)
    why = text.split("Varför den passar er:")[1].split("Delområden som passar:")[0]
    assert one_line(why) == f"- {area} - {too_big}"  # the notice's own reasons, once
    lots = one_line(text.split("Delområden som passar:")[1].split("Läs annonsen")[0])
    assert f"Område Sävast (900{NBSP}000{NBSP}kr, matchning 95{NBSP}%) · {fits}" in lots
    assert f"Område Centrum (1{NBSP}400{NBSP}000{NBSP}kr, matchning 89{NBSP}%) · {centre}" in lots
    items = html_of(message).xpath("//li[starts-with(normalize-space(.), 'Område Sävast')]")
    assert fits in items[0].text_content() and centre not in items[0].text_content()


def test_the_deadline_is_told_once_with_the_days_left_counted_when_the_digest_is_sent(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Before: 'Sista anbudsdag: 13 december 2026 kl. 12.00 (14 dagar kvar)' next to the matcher's
    reason 'Sista anbudsdag 13 december (13 dagar kvar)' in one entry of the demo (the matcher counts
    whole 24 hours when it matched, the entry calendar days when sent), and 'Kort om tid: … (1 dag
    kvar)' for one day. Here the matches are a day old: the Monday crawl failed, Sunday's stand."""
    deadline = datetime(2026, 12, 13, 11, 0, tzinfo=UTC)  # 12.00 in Stockholm
    matched_at = NOW - timedelta(days=1)
    soon = datetime(2026, 12, 1, 22, 59, tzinfo=UTC)
    stated = matcher_deadline_reason(deadline, (deadline - matched_at).total_seconds() / 86400)
    short = matcher_deadline_reason(soon, 1.4)
    assert stated == "Sista anbudsdag 13 december (14 dagar kvar)" and short.endswith("(1 dag kvar)")
    with sessions() as session:
        company = add_company(session, 1, "Flyttkompaniet Nystart", branches=["removals_courier"])
        moving = add_notice(session, "moving", "Flytthjälp vid byte av skollokaler", deadline.isoformat())
        add_match(session, company, moving, 0.9, ["Flytt och bud i Boden, inom ert område", stated])
        urgent = add_notice(session, "urgent", "Flytt av arkiv", "2026-12-01T23:59:00+01:00")
        add_match(session, company, urgent, 0.8, ["Flytt och bud i Luleå, inom ert område", short])
        undated = add_notice(session, "undated", "Budtjänster", None)
        add_match(session, company, undated, 0.7, ["Flytt och bud", "Ingen sista anbudsdag angiven"])
        session.commit()
    message = send_week(sessions, notifier_settings(tmp_path))[org_number(1)]
    text = text_of(message)
    assert f"Sista anbudsdag: 13{NBSP}december 2026 kl.{NBSP}12.00 (13 dagar kvar)" in text
    assert f"Sista anbudsdag: 1{NBSP}december 2026 kl.{NBSP}23.59 (1 dag kvar)" in text
    assert "Sista anbudsdag: ingen angiven" in text
    html = html_of(message).text_content()
    for body in (text, html):
        assert one_line(body).count("dagar kvar") == 1  # the entry's own count, not the matcher's
        assert "Sista anbudsdag 13 december" not in body and "Kort om tid" not in body
        assert "Ingen sista anbudsdag angiven" not in body


def test_a_lot_without_a_title_or_a_value_reads_as_words(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Before: '- LOT-0002 (inte angivet, matchning 80 %)': an internal id and a value nobody gave."""
    with sessions() as session:
        company = add_company(session, 1, "Städkooperativet Glänsande")
        english = add_company(session, 2, "Café Åkern", digest_language="en")
        schools = add_notice(
            session,
            "schools",
            "Lokalvård i skolor",
            lots=(("LOT-0001", "Centrum", 500_000, False), ("LOT-0002", None, None, False)),
        )
        for who in (company, english):
            add_match(session, who, schools, 0.9, ["Städ och lokalvård i Luleå"])
            add_match(session, who, schools, 0.8, ["Städ och lokalvård i Luleå"], lot_id="LOT-0002")
        session.commit()
    messages = send_week(sessions, notifier_settings(tmp_path))
    swedish, in_english = text_of(messages[org_number(1)]), text_of(messages[org_number(2)])
    assert f"     - Delområde 2 (matchning 80{NBSP}%)" in swedish
    assert "     - Lot 2 (match 80%)" in in_english
    html = html_of(messages[org_number(1)]).text_content()
    for body in (swedish, in_english, html):
        assert "LOT-0002" not in body
        assert "(inte angivet," not in body and "(not given," not in body


def test_the_place_names_swedish_regions_and_leaves_out_codes_a_reader_cannot_use(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Real notices. Before: 'Plats: Stockholm, SE' (the whole country as a code) and
    'Plats: Ruthin, UKL13' (a Welsh NUTS-3 code)."""
    now = datetime(2025, 2, 10, 6, 0, tzinfo=UTC)
    with sessions() as session:
        snow = store_real(session, STOCKHOLM_SNOW)
        grass = store_real(session, RUTHIN_GRASS)
        assert snow.nuts == ["SE"] and grass.nuts == ["UKL13"]
        company = add_company(session, 1, "Grönt & Snö", branches=["grounds", "snow_streets"])
        add_match(session, company, snow, 0.9, ["Snöröjning"])
        add_match(session, company, grass, 0.8, ["Grönyteskötsel och trädgård"])
        for lot in grass.lots:
            add_match(session, company, grass, 0.74, ["Grönyteskötsel och trädgård"], lot_id=lot.lot_id)
        session.commit()
    message = send_week(sessions, notifier_settings(tmp_path), week="2025-W07", now=now)[org_number(1)]
    text = text_of(message)
    places = re.findall(r"^   Plats: (.*)$", text, flags=re.MULTILINE)
    assert sorted(places) == ["Ruthin", "Stockholm, Sverige"]
    assert f"Uppskattat värde: 600{NBSP}000{NBSP}GBP" in text
    assert f"     - Principal Roads (matchning 74{NBSP}%)" in text  # the lots give no value of their own
    html = html_of(message).text_content()
    assert "UKL13" not in text and "UKL13" not in html and ", SE\n" not in text


def test_the_intro_names_the_day_of_the_last_digest_in_stockholm_time(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Before: '… sedan förra brevet 29 november 2026.' for a digest sent at 00.30 on 30 November
    in Stockholm (23.30 UTC the day before), and without 'den' before the date."""
    settings = notifier_settings(tmp_path)
    with sessions() as session:
        company = add_company(session, 1, "Städkooperativet Glänsande")
        add_match(session, company, add_notice(session, "first", "Städning av kontor"), 0.9, ["Städ"])
        session.commit()
    send_week(sessions, settings)
    with sessions() as session:
        stored_utc = datetime(2026, 11, 29, 23, 30)  # naive UTC, as SQLite keeps it
        session.execute(update(DigestDelivery).values(sent_at=stored_utc))
        company = session.scalars(select(Company)).one()
        add_match(session, company, add_notice(session, "second", "Städning av skolor"), 0.9, ["Städ"])
        session.commit()
    message = send_week(sessions, settings, week="2026-W50", now=NOW + timedelta(days=7))[org_number(1)]
    intro = "Här är veckans upphandlingar som passar er, sedan förra brevet den 30 november 2026."
    assert intro in one_line(text_of(message)).replace(NBSP, " ")
    assert intro in one_line(html_of(message).text_content()).replace(NBSP, " ")


def test_a_tender_with_several_suggested_teams_is_shown_once_with_every_team(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Before: the whole tender (buyer, place, deadline, value, link) once per suggested team: six
    times in the demo's digest for Grönt & Snö i Boden; and a partner line of 130 characters."""
    with sessions() as session:
        names = [
            "Grönt & Snö i Boden ekonomisk förening",
            "Bodens Fastighetsservice Kooperativ ekonomisk förening",
            "Snöänglarna Boden ekonomisk förening",
            "Piteå Snöröjning Kooperativ ekonomisk förening",
        ]
        me, *others = [
            add_company(session, i + 1, name, branches=["snow_streets"]) for i, name in enumerate(names)
        ]
        snow = add_notice(session, "snow", "Snöröjning av gång- och cykelvägar i Boden", amount=2_700_000)
        add_match(session, me, snow, 0.9, ["Snöröjning i Boden"])
        for team in ([me, others[0]], [me, others[1]], [me, *others]):
            add_consortium(
                session, snow, team, {"snow_streets": [c.id for c in team]}, ["Ni kan dela upp arbetet"]
            )
        session.commit()
    message = send_week(sessions, notifier_settings(tmp_path))[org_number(1)]
    text = text_of(message)
    consortia = text.split("FÖRSLAG: LÄMNA ANBUD TILLSAMMANS")[1].split("\n-- \n")[0]
    assert consortia.count("Snöröjning av gång- och cykelvägar i Boden") == 1
    assert consortia.count("Läs annonsen:") == 1
    assert [line.strip() for line in consortia.splitlines() if line.strip().startswith("Förslag")] == [
        "Förslag 1 av 3:",
        "Förslag 2 av 3:",
        "Förslag 3 av 3:",
    ]
    assert one_line(consortia).count("Tillsammans med:") == 3
    long_lines = [line for line in text.splitlines() if len(line) > 78 and "://" not in line]
    assert long_lines == []
    document = html_of(message)
    cards = document.xpath("//table[@class='card'][contains(., 'Tillsammans med')]")
    assert len(cards) == 1
    assert cards[0].text_content().count("Tillsammans med") == 3


def test_lots_that_share_a_title_are_told_apart_by_their_number(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Before: the real Scotland notice's three lots, all "EC0849 ACE End of Lease Cleaning Services",
    read as three identical lines."""
    shared = "End of Lease Cleaning Services"
    with sessions() as session:
        company = add_company(session, 1, "Städkooperativet Norr", branches=["cleaning"])
        lots = (
            ("LOT-0001", shared, 300_000.0, False),
            ("LOT-0002", shared, 200_000.0, False),
            ("LOT-0003", "Window cleaning", 100_000.0, False),
        )
        lease = add_notice(session, "lease", "End of lease cleaning, three areas", lots=lots)
        add_match(session, company, lease, 0.8, ["Städ och lokalvård i Luleå"])
        for lot_id, score in (("LOT-0001", 0.9), ("LOT-0002", 0.85), ("LOT-0003", 0.82)):
            add_match(session, company, lease, score, ["Städ och lokalvård i Luleå"], lot_id=lot_id)
        session.commit()
    message = send_week(sessions, notifier_settings(tmp_path))[org_number(1)]
    for body in (one_line(text_of(message)), one_line(html_of(message).text_content())):
        assert f"{shared} (delområde 1)" in body and f"{shared} (delområde 2)" in body
        assert "Window cleaning" in body and "Window cleaning (delområde" not in body


def test_a_lot_still_open_stays_in_the_digest_with_its_own_deadline(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """The notice's deadline is its lots' earliest: once the first lot closed, the open lot's match was
    left out of the digest."""
    with sessions() as session:
        company = add_company(session, 1, "Grönt & Snö i Boden", branches=["snow_streets"])
        lots = (
            ("LOT-0001", "Område Centrum", 900_000.0, False),
            ("LOT-0002", "Område Sävast", 800_000.0, False),
        )
        snow = add_notice(session, "snow", "Snöröjning i Boden", "2026-11-27T12:00:00+01:00", lots=lots)
        snow.lots[0].deadline = "2026-11-27T12:00:00+01:00"  # closed before the digest is sent
        snow.lots[1].deadline = "2026-12-18T12:00:00+01:00"
        add_match(session, company, snow, 0.9, ["Snöröjning i Boden"], lot_id="LOT-0002")
        add_match(session, company, snow, 0.9, ["Snöröjning i Boden"], lot_id="LOT-0001")
        session.commit()
    message = send_week(sessions, notifier_settings(tmp_path))[org_number(1)]
    text = one_line(text_of(message))
    assert "Snöröjning i Boden" in text and "Område Sävast" in text
    assert "Område Centrum" not in text, "the closed lot is not offered"
    assert f"Sista anbudsdag: 18{NBSP}december 2026 kl.{NBSP}12.00" in text


def test_a_reservation_abroad_is_named_by_the_directive_not_by_lou(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """A Spanish reserved tender's badge said "Reserverad, 4 kap. 18 § LOU": no Swedish law reserves it."""
    with sessions() as session:
        company = add_company(session, 1, "Städkooperativet Norr", branches=["cleaning"])
        lulea = add_notice(session, "lulea", "Lokalvård i Luleå", reserved=True)
        girona = add_notice(session, "girona", "Servicio de limpieza", reserved=True, buyer="Ajuntament")
        assert girona.buyer is not None
        girona.buyer.country = "ES"
        add_match(session, company, lulea, 0.9, ["Städ och lokalvård i Luleå"], eligible=True)
        add_match(session, company, girona, 0.8, ["Städ och lokalvård"], eligible=True)
        session.commit()
    message = send_week(sessions, notifier_settings(tmp_path))[org_number(1)]
    for body in (one_line(text_of(message)), one_line(html_of(message).text_content())):
        entries = body.split("Läs annonsen")  # one notice's entry, its badges included, in each piece
        [swedish] = [entry for entry in entries if "Lokalvård i Luleå" in entry]
        [spanish] = [entry for entry in entries if "Servicio de limpieza" in entry]
        assert f"Reserverad, 4{NBSP}kap. 18{NBSP}§ LOU" in swedish
        assert f"Reserverad, art.{NBSP}20 i direktiv 2014/24/EU" in spanish and "LOU" not in spanish
