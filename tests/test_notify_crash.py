"""Exactly once across a real kill: a digest round in a subprocess is SIGKILLed halfway, then run again.

The subprocess runs the real round with its backend wrapped so that it stops (prints PAUSED and
sleeps) at a chosen moment: just before handing over message N, or just after the server accepted
it but before the round recorded that. The test then kills it with SIGKILL and restarts the round.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select as sql_select
from sqlalchemy.orm import Session, sessionmaker

from models import DigestDelivery
from models.db import database
from notifier.delivery import run_digest_round
from notifier.weeks import IsoWeek
from tests.conftest import REPO_ROOT
from tests.test_notify_support import (
    NOW,
    WEEK,
    add_company,
    add_match,
    add_notice,
    notifier_settings,
    smtp_env,
    smtp_server,
)

COMPANIES = 6
CHILD = """
import os, sys, time
from datetime import datetime
from models.db import database
from notifier import backends
from notifier.delivery import run_digest_round
from notifier.settings import load_notifier_settings
from notifier.weeks import IsoWeek

backend_class, moment, pause_at = getattr(backends, sys.argv[1]), sys.argv[2], int(sys.argv[3])
real_deliver = backend_class.deliver
calls = 0

def deliver(self, envelope):
    global calls
    calls += 1
    if moment == "before" and calls == pause_at:
        print("PAUSED", envelope.message_id, flush=True)
        time.sleep(120)
    receipt = real_deliver(self, envelope)
    if moment == "after" and calls == pause_at:
        print("PAUSED", envelope.message_id, flush=True)
        time.sleep(120)
    return receipt

backend_class.deliver = deliver
with database(os.environ["ANBUDSRADAR_DATABASE_URL"]) as sessions:
    week, now = IsoWeek.parse(sys.argv[4]), datetime.fromisoformat(sys.argv[5])
    summary = run_digest_round(sessions, load_notifier_settings(), week=week, now=now)
print("DONE", summary.counts(), flush=True)
"""


@pytest.fixture
def database_file(tmp_path: Path) -> Iterator[tuple[str, sessionmaker[Session]]]:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    with database(url) as factory:
        with factory() as session:
            for serial in range(1, COMPANIES + 1):
                company = add_company(session, serial, f"Kooperativ {serial} i Överkalix")
                notice = add_notice(session, f"n{serial}", f"Städning {serial}")
                add_match(session, company, notice, 0.8, ["Städning i ert område"])
            session.commit()
        yield url, factory


def child_env(url: str, tmp_path: Path, extra: dict[str, str]) -> dict[str, str]:
    """The environment of the round in the subprocess: the same settings as the test's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANBUDSRADAR_")}
    env |= {
        "ANBUDSRADAR_DATABASE_URL": url,
        "ANBUDSRADAR_DATA_DIR": str(tmp_path),
        "ANBUDSRADAR_BASE_URL": "https://anbudsradar.example.org",
        "ANBUDSRADAR_SECRET_KEY": "test-secret",
        "ANBUDSRADAR_SMTP_RATE_PER_MINUTE": "0",
        **extra,
    }
    return env


def start_and_kill(env: dict[str, str], backend: str, moment: str, pause_at: int) -> str:
    """Run the round in a subprocess until it pauses, SIGKILL it; return the Message-ID it paused at."""
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, backend, moment, str(pause_at), WEEK, NOW.isoformat()],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "the round in the subprocess did not reach its pause"
        line = process.stdout.readline().decode()  # type: ignore[union-attr]
        assert line.startswith("PAUSED"), line + process.stderr.read().decode()  # type: ignore[union-attr]
        return line.split()[1]
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]


def rows(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return list(session.scalars(sql_select(DigestDelivery.status).order_by(DigestDelivery.company_pk)))


def test_a_run_killed_halfway_and_restarted_sends_each_digest_once(
    database_file: tuple[str, sessionmaker[Session]], tmp_path: Path
) -> None:
    url, factory = database_file
    with smtp_server() as server:
        env = smtp_env(server)
        paused_at = start_and_kill(child_env(url, tmp_path, env), "SmtpBackend", "before", 3)
        assert rows(factory) == ["sent", "sent", "sending"]  # the third was recorded, not handed over
        assert paused_at == f"<digest.{WEEK}.7696000038@coompanion.example.org>"
        restarted = run_digest_round(
            factory, notifier_settings(tmp_path, **env), week=IsoWeek.parse(WEEK), now=NOW
        )
    assert [o.status for o in restarted.outcomes] == ["done", "done"] + ["sent"] * (COMPANIES - 2)
    assert rows(factory) == ["sent"] * COMPANIES
    copies = server.handler.by_message_id()
    assert len(copies) == COMPANIES and set(copies.values()) == {1}


def test_a_second_round_while_the_first_is_alive_does_not_touch_its_message(
    database_file: tuple[str, sessionmaker[Session]], tmp_path: Path
) -> None:
    url, factory = database_file
    with smtp_server() as server:
        env = smtp_env(server)
        process = subprocess.Popen(
            [sys.executable, "-c", CHILD, "SmtpBackend", "before", "2", WEEK, NOW.isoformat()],
            cwd=REPO_ROOT,
            env=child_env(url, tmp_path, env),
            stdout=subprocess.PIPE,
        )
        try:
            ready, _, _ = select.select([process.stdout], [], [], 60)
            assert ready and process.stdout.readline().startswith(b"PAUSED")  # type: ignore[union-attr]
            concurrent = run_digest_round(
                factory, notifier_settings(tmp_path, **env), week=IsoWeek.parse(WEEK), now=NOW
            )
            busy = [(o.status, (o.note or "").split(" by ")[0]) for o in concurrent.outcomes][1]
            assert busy == ("busy", "being sent")  # the live run keeps its claim
        finally:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            process.stdout.close()  # type: ignore[union-attr]
        assert [o.status for o in concurrent.outcomes] == ["done", "busy"] + ["sent"] * (COMPANIES - 2)
        # the killed run's claim is now dead: the next round takes the message over
        final = run_digest_round(
            factory, notifier_settings(tmp_path, **env), week=IsoWeek.parse(WEEK), now=NOW
        )
    assert [o.status for o in final.outcomes].count("sent") == 1
    assert set(server.handler.by_message_id().values()) == {1} and len(server.handler.received) == COMPANIES


def test_a_kill_between_the_servers_250_and_our_record_resends_with_the_same_message_id(
    database_file: tuple[str, sessionmaker[Session]], tmp_path: Path
) -> None:
    """The one window SMTP cannot close: the documented policy is to resend the same Message-ID."""
    url, factory = database_file
    with smtp_server() as server:
        env = smtp_env(server)
        paused_at = start_and_kill(child_env(url, tmp_path, env), "SmtpBackend", "after", 3)
        assert rows(factory) == ["sent", "sent", "sending"]
        run_digest_round(factory, notifier_settings(tmp_path, **env), week=IsoWeek.parse(WEEK), now=NOW)
    copies = server.handler.by_message_id()
    assert len(copies) == COMPANIES  # nobody lost
    assert copies.pop(paused_at) == 2  # receivers de-duplicate on the identical Message-ID
    assert set(copies.values()) == {1}
    resent = [item.data for item in server.handler.received if item.message["Message-ID"] == paused_at]
    assert resent[0] == resent[1]  # byte for byte the same message


def test_the_outbox_recognises_a_file_written_just_before_the_kill(
    database_file: tuple[str, sessionmaker[Session]], tmp_path: Path
) -> None:
    url, factory = database_file
    paused_at = start_and_kill(child_env(url, tmp_path, {}), "OutboxBackend", "after", 4)
    outbox = tmp_path / "outbox"
    written = outbox / f"{WEEK}_7696000046.eml"
    assert paused_at in written.read_text(encoding="ascii")
    before = written.stat().st_mtime_ns
    assert rows(factory) == ["sent", "sent", "sent", "sending"]
    restarted = run_digest_round(factory, notifier_settings(tmp_path), week=IsoWeek.parse(WEEK), now=NOW)
    assert [o.status for o in restarted.outcomes] == ["done"] * 3 + ["sent"] * (COMPANIES - 3)
    assert written.stat().st_mtime_ns == before  # found, not written again
    assert len(list(outbox.glob("*.eml"))) == COMPANIES
    assert list(outbox.glob(".*")) == []  # no partial files left
