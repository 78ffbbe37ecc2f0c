"""Delivery by SMTP against a real server on 127.0.0.1 (aiosmtpd, started by each test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from anbudsradar.cli import main
from models import DigestDelivery
from models.db import database
from notifier.backends import RateLimiter, SmtpBackend
from notifier.delivery import run_digest_round
from notifier.exceptions import BackendConfigError
from notifier.weeks import IsoWeek
from tests.net import free_port
from tests.test_notify_support import (
    NOW,
    WEEK,
    add_company,
    add_match,
    add_notice,
    notifier_settings,
    self_signed_certificate,
    server_tls_context,
    smtp_env,
    smtp_server,
)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with database(f"sqlite:///{tmp_path / 'smtp.db'}") as factory:
        with factory() as session:
            for serial, name in enumerate(["Städkooperativet Glänsande", "Åkerns Café", "Grönt & Skönt"], 1):
                company = add_company(session, serial, name)
                notice = add_notice(session, f"n{serial}", f"Lokalvård nummer {serial} i Älvsbyn")
                add_match(session, company, notice, 0.9, [f"Städning i Älvsbyn, skäl {serial}"])
            session.commit()
        yield factory


def statuses(sessions: sessionmaker[Session]) -> list[tuple[str, int, str | None]]:
    with sessions() as session:
        rows = session.scalars(select(DigestDelivery).order_by(DigestDelivery.company_pk))
        return [(row.status, row.attempts, row.error) for row in rows]


def test_messages_arrive_with_both_parts_headers_and_links(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with smtp_server() as server:
        settings = notifier_settings(tmp_path, **smtp_env(server))
        summary = run_digest_round(sessions, settings, week=IsoWeek.parse(WEEK), now=NOW)
    assert summary.backend == "smtp" and summary.counts() == {"sent": 3}
    assert len(server.handler.received) == 3
    first = server.handler.received[0]
    assert first.sender == "anbudsradar@coompanion.example.org"
    assert first.recipients == ["info1@asf1.example.org"]
    message = first.message
    assert message["From"] == "Anbudsradar Norrbotten <anbudsradar@coompanion.example.org>"
    assert message["To"] == "Städkooperativet Glänsande <info1@asf1.example.org>"
    assert message["Subject"] == "Anbudsradar vecka 49: 1 ny upphandling för Städkooperativet Glänsande"
    assert message["Message-ID"] == f"<digest.{WEEK}.7696000012@coompanion.example.org>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Lokalvård nummer 1 i Älvsbyn" in text and "Städning i Älvsbyn, skäl 1" in text
    links = lxml.html.document_fromstring(html).xpath("//a/@href")
    assert "https://example.org/notices/n1" in links
    assert any(
        link.startswith("https://anbudsradar.example.org/unsubscribe/7696000012?token=") for link in links
    )
    assert "Grönt &amp; Skönt" in server.handler.received[2].message.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_login_works(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with smtp_server(users={"digest": "rätt lösenord"}) as server:
        env = smtp_env(server, ANBUDSRADAR_SMTP_USER="digest", ANBUDSRADAR_SMTP_PASSWORD="rätt lösenord")
        summary = run_digest_round(
            sessions, notifier_settings(tmp_path, **env), week=IsoWeek.parse(WEEK), now=NOW
        )
    assert summary.counts() == {"sent": 3}
    assert [item.login for item in server.handler.received] == ["digest"] * 3


def test_a_wrong_password_is_a_clear_error_that_names_the_user_not_the_password(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server(users={"digest": "rätt lösenord"}) as server:
        env = smtp_env(server, ANBUDSRADAR_SMTP_USER="digest", ANBUDSRADAR_SMTP_PASSWORD="fel-hemligt")
        with pytest.raises(BackendConfigError) as error:
            run_digest_round(sessions, notifier_settings(tmp_path, **env), week=IsoWeek.parse(WEEK), now=NOW)
        message = str(error.value)
        assert (
            f"SMTP server 127.0.0.1:{server.port} (none) refused the login of user 'digest': 535" in message
        )
        assert "check ANBUDSRADAR_SMTP_USER and ANBUDSRADAR_SMTP_PASSWORD" in message
        assert "fel-hemligt" not in message
        # the round stopped at the first company, which is left to retry; nothing arrived
        assert statuses(sessions)[0][0] == "retry"
        assert server.handler.received == []
        # the command line shows the same, as an error with exit status 1
        for name, value in {**env, "ANBUDSRADAR_DATA_DIR": str(tmp_path)}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("ANBUDSRADAR_DATABASE_URL", f"sqlite:///{tmp_path / 'smtp.db'}")
        result = CliRunner().invoke(main, ["digest", "--week", WEEK])
    assert result.exit_code == 1
    assert (
        "Error: digest round stopped: SMTP server" in result.output and "refused the login" in result.output
    )
    assert "fel-hemligt" not in result.output


def test_451_then_250_delivers_the_message_once(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with smtp_server() as server:
        server.handler.data_replies = ["451 4.3.0 Mailbox temporarily unavailable"]
        summary = run_digest_round(
            sessions, notifier_settings(tmp_path, **smtp_env(server)), week=IsoWeek.parse(WEEK), now=NOW
        )
    assert summary.counts() == {"sent": 3}
    assert server.handler.data_calls == 4  # one refusal, then each message once
    assert server.handler.by_message_id() == {
        f"<digest.{WEEK}.{o.org_number}@coompanion.example.org>": 1 for o in summary.outcomes
    }
    assert statuses(sessions)[0][:2] == ("sent", 2)


def test_550_is_recorded_as_failed_and_the_others_still_go(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with smtp_server() as server:
        server.handler.reject_recipients["info2@asf2.example.org"] = "550 5.1.1 No such user here"
        summary = run_digest_round(
            sessions, notifier_settings(tmp_path, **smtp_env(server)), week=IsoWeek.parse(WEEK), now=NOW
        )
        assert [o.status for o in summary.outcomes] == ["sent", "failed", "sent"]
        failed = summary.outcomes[1]
        assert failed.attempts == 1  # a permanent error is not retried
        assert "info2@asf2.example.org: 550 5.1.1 No such user here" in (failed.error or "")
        assert statuses(sessions)[1] == ("failed", 1, failed.error)
        # running the week again leaves the failure alone; --retry-failed tries again
        again = run_digest_round(
            sessions, notifier_settings(tmp_path, **smtp_env(server)), week=IsoWeek.parse(WEEK), now=NOW
        )
        assert [(o.status, o.note) for o in again.outcomes][1] == ("done", "failed earlier")
        del server.handler.reject_recipients["info2@asf2.example.org"]
        retried = run_digest_round(
            sessions,
            notifier_settings(tmp_path, **smtp_env(server)),
            week=IsoWeek.parse(WEEK),
            now=NOW,
            retry_failed=True,
        )
    assert [o.status for o in retried.outcomes] == ["done", "sent", "done"]
    assert len(server.handler.received) == 3


def test_connection_refused_is_retried_then_left_for_the_next_run(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    port = free_port()
    env = {
        "ANBUDSRADAR_SMTP_HOST": "127.0.0.1",
        "ANBUDSRADAR_SMTP_PORT": str(port),
        "ANBUDSRADAR_SMTP_SECURITY": "none",
        "ANBUDSRADAR_SMTP_FROM": "anbudsradar@coompanion.example.org",
        "ANBUDSRADAR_SMTP_ATTEMPTS": "3",
    }
    delays: list[float] = []
    summary = run_digest_round(
        sessions, notifier_settings(tmp_path, **env), week=IsoWeek.parse(WEEK), now=NOW, sleep=delays.append
    )
    assert [o.status for o in summary.outcomes] == ["retry"] * 3
    assert delays == [0.01, 0.02] * 3  # back-off doubles
    assert summary.outcomes[0].error == (
        f"SMTP server 127.0.0.1:{port} (none): connection refused "
        "(is the server running? check ANBUDSRADAR_SMTP_HOST and _PORT)"
    )
    assert statuses(sessions)[0][:2] == ("retry", 3)


def test_starttls_with_a_self_signed_certificate(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    with smtp_server(users={"digest": "hemligt"}, starttls=server_tls_context(cert, key)) as server:
        env = smtp_env(
            server,
            ANBUDSRADAR_SMTP_SECURITY="starttls",
            ANBUDSRADAR_SMTP_USER="digest",
            ANBUDSRADAR_SMTP_PASSWORD="hemligt",
        )
        untrusted = notifier_settings(tmp_path, **env)
        with pytest.raises(BackendConfigError, match=r"is not trusted: .*set ANBUDSRADAR_SMTP_CA_FILE"):
            run_digest_round(sessions, untrusted, week=IsoWeek.parse(WEEK), now=NOW)
        trusted = notifier_settings(tmp_path, **env, ANBUDSRADAR_SMTP_CA_FILE=str(cert))
        summary = run_digest_round(sessions, trusted, week=IsoWeek.parse(WEEK), now=NOW)
    assert summary.counts() == {"sent": 3}
    assert [item.login for item in server.handler.received] == ["digest"] * 3


def test_implicit_tls(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    with smtp_server(implicit_tls=server_tls_context(cert, key)) as server:
        env = smtp_env(server, ANBUDSRADAR_SMTP_SECURITY="tls", ANBUDSRADAR_SMTP_CA_FILE=str(cert))
        summary = run_digest_round(
            sessions, notifier_settings(tmp_path, **env), week=IsoWeek.parse(WEEK), now=NOW
        )
    assert summary.counts() == {"sent": 3}


def test_starttls_missing_on_the_server_is_a_configuration_error(tmp_path: Path) -> None:
    with smtp_server() as server:
        backend = SmtpBackend(
            notifier_settings(tmp_path, **smtp_env(server, ANBUDSRADAR_SMTP_SECURITY="starttls"))
        )
        with pytest.raises(BackendConfigError, match="does not offer STARTTLS"):
            backend._connect()


def test_the_rate_limit_spaces_messages_out() -> None:
    clock = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(30, sleep=sleep, clock=lambda: clock[0])
    for _ in range(4):
        limiter.wait()
        clock[0] += 0.5  # each message takes half a second
    assert waits == [1.5, 1.5, 1.5]  # 30 a minute: one every 2 s
    assert RateLimiter(0).interval == 0.0


def test_fictional_demo_companies_are_never_sent_by_smtp(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions() as session:
        add_company(session, 9, "Exempelkooperativet (fiktivt)", fictional=True)
        session.commit()
    with smtp_server() as server:
        summary = run_digest_round(
            sessions, notifier_settings(tmp_path, **smtp_env(server)), week=IsoWeek.parse(WEEK), now=NOW
        )
    skipped = [(o.status, o.note) for o in summary.outcomes if o.company.startswith("Exempel")]
    assert skipped == [("skipped", "fictional (demo) company: never sent by SMTP")]
    assert len(server.handler.received) == 3
