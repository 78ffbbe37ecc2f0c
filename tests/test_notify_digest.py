"""The digest: what goes in which section, how it reads (text, HTML, headers), one round to the outbox."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import lxml.html
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models import Company, DigestDelivery, DigestItem
from models.db import database
from notifier.delivery import run_digest_round
from notifier.digest import Digest, DigestBuilder
from notifier.formatting import NBSP
from notifier.weeks import IsoWeek
from tests.test_notify_support import (
    NOW,
    WEEK,
    add_company,
    add_consortium,
    add_match,
    add_notice,
    change_notice,
    notifier_settings,
    org_number,
    parse,
)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with database(f"sqlite:///{tmp_path / 'digest.db'}") as factory:
        yield factory


def fill_week_49(session: Session) -> None:
    """Two companies, six notices: reserved, new by score, closing, direct award, too weak, closed."""
    glans = add_company(session, 1, "Städkooperativet Glänsande", branches=["cleaning", "laundry"])
    cafe = add_company(session, 2, "Café Åkern", branches=["catering"], digest_language="en")
    preschools = add_notice(
        session,
        "preschools",
        "Lokalvård i Luleå kommuns förskolor",
        lots=(
            ("LOT-1", "Förskolor centrum", 900_000, True),
            ("LOT-2", "Förskolor Gammelstad", 650_000, True),
        ),
        amount=None,
    )
    add_match(
        session,
        glans,
        preschools,
        0.92,
        ["Lokalvård i Luleå, inom ert område"],
        lot_id="LOT-1",
        eligible=True,
    )
    add_match(
        session, glans, preschools, 0.81, ["Fönsterputs ingår i er bransch"], lot_id="LOT-2", eligible=True
    )
    laundry = add_notice(
        session, "laundry", "Tvätt av arbetskläder", "2027-01-09T23:59:00+01:00", amount=5_500_000
    )
    add_match(session, glans, laundry, 0.74, ["Tvätteri: CPV 98310000"])
    mailing = add_notice(session, "mailing", "Paketering och utskick", "2026-12-04", amount=150_000)
    add_match(session, glans, mailing, 0.88, ["Paketering passar er"])
    printing = add_notice(
        session, "print", "Tryck av broschyrer", None, notice_type="direct-award", amount=250_000
    )
    add_match(session, glans, printing, 0.61, ["Tryck"])
    weak = add_notice(session, "weak", "Ombyggnad av Storgatan", amount=18_000_000)
    add_match(session, glans, weak, 0.2, ["Bygg: passar dåligt"])
    closed = add_notice(session, "closed", "Städning av simhallen", "2026-11-20T12:00:00+01:00")
    add_match(session, glans, closed, 0.95, ["Städning"])
    cafe_notice = add_notice(
        session, "cafe", "Drift av café i Piteå stadsbibliotek", buyer="Piteå kommun", city="Piteå"
    )
    add_match(session, cafe, cafe_notice, 0.9, ["Café och servering i Piteå"])
    add_consortium(
        session,
        laundry,
        [glans, cafe],
        {"laundry": [glans.id], "catering": [cafe.id]},
        ["Tillsammans täcker ni tvätt och servering"],
    )
    session.commit()


def build(session: Session, tmp_path: Path, serial: int = 1, days_later: int = 0, week: str = WEEK) -> Digest:
    """Build one company's digest as a round at NOW + `days_later` would."""
    company = session.scalars(select(Company).where(Company.org_number == org_number(serial))).one()
    builder = DigestBuilder(session, notifier_settings(tmp_path), NOW + timedelta(days=days_later))
    return builder.build(company, IsoWeek.parse(week))


def titles(digest: Digest, section: str) -> list[str]:
    return [entry.title for entry in digest.sections[section]]


def test_sections_put_reserved_first_then_new_by_score(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions() as session:
        fill_week_49(session)
        digest = build(session, tmp_path)
    assert titles(digest, "reserved") == ["Lokalvård i Luleå kommuns förskolor"]
    # by score; the weak match (below the company's 0.5) and the closed tender are left out
    assert titles(digest, "new") == ["Paketering och utskick", "Tvätt av arbetskläder", "Tryck av broschyrer"]
    assert titles(digest, "closing") == [] and titles(digest, "changed") == []
    reserved = digest.sections["reserved"][0]
    assert [lot.title for lot in reserved.lots] == ["Förskolor centrum", "Förskolor Gammelstad"]
    assert reserved.amount == 1_550_000  # the lots' values add up when the notice has none
    assert reserved.reasons == ["Lokalvård i Luleå, inom ert område", "Fönsterputs ingår i er bransch"]
    assert reserved.place == "Luleå, Norrbottens län"
    mailing = digest.sections["new"][0]
    assert mailing.days_left == 4  # a date-only deadline means the end of that day
    assert digest.sections["new"][2].direct_award
    assert [c.partners[0].name for c in digest.consortia] == ["Café Åkern"]
    assert digest.new_count == 4


def test_a_reservation_found_in_the_text_gets_the_reserved_badge(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions() as session:
        glans = add_company(session, 1, "Städkooperativet Glänsande", branches=["cleaning"])
        caretaking = add_notice(
            session,
            "caretaking",
            "Vaktmästeri i fritidsgårdar",
            description="Kontraktet är reserverat enligt 4 kap. 18 § LOU.",  # no BT-71 field
        )
        add_match(session, glans, caretaking, 0.9, ["Reserverat kontrakt som ni uppfyller"], eligible=True)
        session.commit()
        digest = build(session, tmp_path)
    [entry] = digest.sections["reserved"]
    assert entry.reserved and entry.reserved_eligible


def test_next_week_tells_only_what_changed_and_what_closes(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = notifier_settings(tmp_path)
    with sessions() as session:
        fill_week_49(session)
    run_digest_round(sessions, settings, week=IsoWeek.parse(WEEK), now=NOW)
    with sessions() as session:
        change_notice(
            session,
            "laundry",
            deadline="2027-01-16T23:59:00+01:00",
            title="Tvätt av arbetskläder och textilier",
        )
        digest = build(session, tmp_path, days_later=14, week="2026-W51")
    assert titles(digest, "reserved") == [] and titles(digest, "new") == []
    assert titles(digest, "changed") == ["Tvätt av arbetskläder och textilier"]
    changes = {c.field: (c.before, c.after) for c in digest.sections["changed"][0].changes}
    assert changes["deadline"] == ("2027-01-09T23:59:00+01:00", "2027-01-16T23:59:00+01:00")
    assert changes["title"] == ("Tvätt av arbetskläder", "Tvätt av arbetskläder och textilier")
    # the preschool tender closes on 20 December, within 7 days of 14 December: a reminder
    assert titles(digest, "closing") == ["Lokalvård i Luleå kommuns förskolor"]
    assert digest.consortia == []


def test_the_same_week_again_sends_nothing_new(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    settings = notifier_settings(tmp_path)
    with sessions() as session:
        fill_week_49(session)
    first = run_digest_round(sessions, settings, week=IsoWeek.parse(WEEK), now=NOW)
    again = run_digest_round(sessions, settings, week=IsoWeek.parse(WEEK), now=NOW)
    assert [o.status for o in first.outcomes] == ["sent", "sent"]
    assert [(o.status, o.note) for o in again.outcomes] == [("done", "sent earlier")] * 2
    assert sorted(p.name for p in settings.outbox.iterdir()) == [
        f"{WEEK}_{o.org_number}.eml" for o in sorted(first.outcomes, key=lambda o: o.org_number)
    ]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(DigestDelivery)) == 2
        told = session.scalars(select(DigestItem.section).order_by(DigestItem.id)).all()
    assert told.count("reserved") == 2 and told.count("consortium") == 2  # both lots; both members


def test_a_company_with_nothing_new_gets_no_email_unless_configured(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions() as session:
        add_company(session, 3, "Tyst Kooperativ")
        session.commit()
    quiet = run_digest_round(sessions, notifier_settings(tmp_path), week=IsoWeek.parse(WEEK), now=NOW)
    assert [o.status for o in quiet.outcomes] == ["empty"]
    assert not (tmp_path / "outbox").exists()
    loud_settings = notifier_settings(tmp_path, ANBUDSRADAR_DIGEST_SEND_EMPTY="true")
    loud = run_digest_round(
        sessions, loud_settings, week=IsoWeek.parse("2026-W50"), now=NOW + timedelta(days=7)
    )
    assert [o.status for o in loud.outcomes] == ["sent"]
    message = parse(next((tmp_path / "outbox").iterdir()).read_bytes())
    assert message["Subject"] == "Anbudsradar vecka 50: inget nytt för Tyst Kooperativ"


def test_paused_inactive_and_addressless_companies_are_skipped(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions() as session:
        add_company(session, 4, "Pausad AB", digest_paused=True)
        add_company(session, 5, "Nedlagd ek. för.", active=False)
        add_company(session, 6, "Utan adress", contact_emails=[])
        session.commit()
    summary = run_digest_round(sessions, notifier_settings(tmp_path), week=IsoWeek.parse(WEEK), now=NOW)
    assert [(o.company, o.status, o.note) for o in summary.outcomes] == [
        ("Utan adress", "skipped", "no contact e-mail address in the registry")
    ]


def test_the_text_part_reads_well_in_swedish(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    settings = notifier_settings(tmp_path)
    with sessions() as session:
        fill_week_49(session)
    run_digest_round(sessions, settings, week=IsoWeek.parse(WEEK), now=NOW)
    message = parse((settings.outbox / f"{WEEK}_7696000012.eml").read_bytes())
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert message["Subject"] == "Anbudsradar vecka 49: 4 nya upphandlingar för Städkooperativet Glänsande"
    sections = [line for line in text.splitlines() if re.fullmatch(r"[A-ZÅÄÖ:,0-9 ]{8,}", line)]
    assert sections == [
        "RESERVERADE UPPHANDLINGAR NI KAN DELTA I",
        "NYA UPPHANDLINGAR SOM PASSAR ER",
        "FÖRSLAG: LÄMNA ANBUD TILLSAMMANS",
    ]
    assert f"Uppskattat värde: 1{NBSP}550{NBSP}000{NBSP}kr" in text
    assert f"Sista anbudsdag: 20{NBSP}december 2026 kl.{NBSP}12.00 (20 dagar kvar)" in text
    assert f"Sista anbudsdag: 4{NBSP}december 2026 kl.{NBSP}23.59 (4 dagar kvar)" in text
    assert "[Direktupphandling]" in text and "Typ: Direktupphandling" in text
    assert "     - Lokalvård i Luleå, inom ert område" in text
    assert "   Läs annonsen: https://example.org/notices/preschools" in text
    assert "Tillsammans med: Café Åkern" in text
    assert "https://anbudsradar.example.org/unsubscribe/7696000012?token=" in text
    assert "(org.nr 769600-0012)" in " ".join(text.split())
    assert max(len(line) for line in text.splitlines()) <= 100  # wrapped; only URLs may run long


def test_an_english_company_gets_the_english_digest(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    settings = notifier_settings(tmp_path)
    with sessions() as session:
        fill_week_49(session)
    run_digest_round(sessions, settings, week=IsoWeek.parse(WEEK), now=NOW)
    message = parse((settings.outbox / f"{WEEK}_7696000020.eml").read_bytes())
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert message["Subject"] == "Anbudsradar week 49: 1 new tender for Café Åkern"
    assert message["Content-Language"] == "en"
    assert "NEW TENDERS THAT FIT YOU" in text
    assert f"Estimated value: 1,200,000{NBSP}SEK" in text
    assert f"Deadline: 20{NBSP}December 2026, 12:00 (20 days left)" in text


def test_headers_are_correct_mime_with_utf8_and_one_click_unsubscribe(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = notifier_settings(tmp_path, ANBUDSRADAR_CONTACT_EMAIL="norrbotten@coompanion.example.org")
    with sessions() as session:
        fill_week_49(session)
    run_digest_round(sessions, settings, week=IsoWeek.parse(WEEK), now=NOW)
    raw = (settings.outbox / f"{WEEK}_7696000012.eml").read_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()  # å, ä, ö travel as RFC 2047 encoded words
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends only
    message = parse(raw)
    assert message["To"] == "Städkooperativet Glänsande <info1@asf1.example.org>"
    assert message["Reply-To"] == "norrbotten@coompanion.example.org"
    assert message["Message-ID"] == f"<digest.{WEEK}.7696000012@localhost>"
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert message["Date"].endswith("+0100")  # Stockholm time
    assert message["MIME-Version"] == "1.0"
    assert message.get_content_type() == "multipart/alternative"
    parts = [(p.get_content_type(), p.get_content_charset()) for p in message.iter_parts()]
    assert parts == [("text/plain", "utf-8"), ("text/html", "utf-8")]
    unsubscribe = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])
    assert unsubscribe[0].startswith("https://anbudsradar.example.org/unsubscribe/7696000012?token=")
    assert unsubscribe[1] == "mailto:norrbotten@coompanion.example.org?subject=unsubscribe%207696000012"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_html_part_is_safe_for_mail_clients_and_links_right(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = notifier_settings(tmp_path)
    with sessions() as session:
        fill_week_49(session)
    run_digest_round(sessions, settings, week=IsoWeek.parse(WEEK), now=NOW)
    message = parse((settings.outbox / f"{WEEK}_7696000012.eml").read_bytes())
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    document = lxml.html.document_fromstring(html)
    assert document.xpath("//script | //img | //style | //link | //iframe | //form") == []
    assert document.xpath("//@src | //@*[starts-with(name(), 'on')]") == []
    hrefs = document.xpath("//a/@href")
    assert all(href.startswith("https://") for href in hrefs)
    titles_linked = {a.text_content().strip(): a.get("href") for a in document.xpath("//a") if a.get("href")}
    assert titles_linked["Lokalvård i Luleå kommuns förskolor"] == "https://example.org/notices/preschools"
    unsubscribe_link = document.xpath("//a[contains(., 'Avregistrera')]/@href")[0]
    assert message["List-Unsubscribe"].startswith(f"<{unsubscribe_link}>")
    headings = [h.text_content() for h in document.xpath("//h2")]
    assert headings == [
        "Reserverade upphandlingar ni kan delta i",
        "Nya upphandlingar som passar er",
        "Förslag: lämna anbud tillsammans",
    ]
    badges = [
        span.text_content() for span in document.xpath("//span[contains(@style, 'border-radius:10px')]")
    ]
    assert badges.count("Direktupphandling") == 1
    assert document.get("lang") == "sv"


def test_dry_run_records_and_sends_nothing(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions() as session:
        fill_week_49(session)
    summary = run_digest_round(
        sessions, notifier_settings(tmp_path), week=IsoWeek.parse(WEEK), now=NOW, dry_run=True
    )
    assert [o.status for o in summary.outcomes] == ["would-send", "would-send"]
    assert (
        summary.outcomes[0].subject
        == "Anbudsradar vecka 49: 4 nya upphandlingar för Städkooperativet Glänsande"
    )
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(DigestDelivery)) == 0
    assert not (tmp_path / "outbox").exists()


def test_an_unusable_address_is_recorded_as_failed_and_the_round_goes_on(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions() as session:
        fill_week_49(session)
        wrong = add_company(session, 7, "Fel Adress", contact_emails=["inte en adress"])
        add_match(session, wrong, add_notice(session, "wrong", "Städning av kontor"), 0.9, ["Städning"])
        session.commit()
    summary = run_digest_round(sessions, notifier_settings(tmp_path), week=IsoWeek.parse(WEEK), now=NOW)
    statuses = {o.company: o.status for o in summary.outcomes}
    assert statuses == {"Städkooperativet Glänsande": "sent", "Café Åkern": "sent", "Fel Adress": "failed"}
    failed = next(o for o in summary.outcomes if o.status == "failed")
    assert failed.error == (
        "Fel Adress (7696000079): contact address 'inte en adress' is not an e-mail address; "
        "fix it in the company registry, then run `anbudsradar digest --retry-failed`"
    )


def test_a_round_is_exactly_once_on_every_database(database_url: str, tmp_path: Path) -> None:
    settings = notifier_settings(tmp_path)
    with database(database_url) as factory:
        with factory() as session:
            fill_week_49(session)
        first = run_digest_round(factory, settings, week=IsoWeek.parse(WEEK), now=NOW)
        again = run_digest_round(factory, settings, week=IsoWeek.parse(WEEK), now=NOW)
    assert first.counts() == {"sent": 2} and again.counts() == {"done": 2}
    assert len(list(settings.outbox.glob("*.eml"))) == 2
