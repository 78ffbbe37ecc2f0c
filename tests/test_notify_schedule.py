"""The scheduler: jobs stored in the project database, triggers in the configured time zone, SIGTERM."""

from __future__ import annotations

import logging
import os
import select
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from anbudsradar import jobs
from models.db import database
from notifier.schedule import build_scheduler, digest_due, install_jobs, job_specs, list_jobs
from tests.conftest import REPO_ROOT
from tests.test_notify_support import add_company, add_match, add_notice, fake_services, notifier_settings

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_the_digest_runs_mondays_at_seven_stockholm_time(tmp_path: Path) -> None:
    specs = {spec.id: spec for spec in job_specs(notifier_settings(tmp_path))}
    assert set(specs) == {"crawl", "digest", "digest-catch-up"}
    assert all(spec.trigger.timezone == STOCKHOLM for spec in specs.values())  # type: ignore[attr-defined]
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=STOCKHOLM)  # summer time starts on Sunday 29 March
    next_digest = specs["digest"].trigger.get_next_fire_time(None, saturday)
    assert next_digest == datetime(2026, 3, 30, 7, 0, tzinfo=STOCKHOLM)
    assert next_digest.utcoffset().total_seconds() == 2 * 3600  # type: ignore[union-attr]
    next_crawl = specs["crawl"].trigger.get_next_fire_time(None, saturday)
    assert next_crawl == datetime(2026, 3, 29, 5, 0, tzinfo=STOCKHOLM)


def test_day_time_and_zone_come_from_the_settings(tmp_path: Path) -> None:
    settings = notifier_settings(
        tmp_path,
        ANBUDSRADAR_DIGEST_DAY="fri",
        ANBUDSRADAR_DIGEST_TIME="15:30",
        ANBUDSRADAR_DIGEST_TIMEZONE="Europe/Helsinki",
    )
    digest = next(spec for spec in job_specs(settings) if spec.id == "digest")
    helsinki = ZoneInfo("Europe/Helsinki")
    when = digest.trigger.get_next_fire_time(None, datetime(2026, 12, 1, tzinfo=helsinki))
    assert when == datetime(2026, 12, 4, 15, 30, tzinfo=helsinki)


def test_jobs_persist_in_the_project_database_and_unchanged_ones_keep_their_next_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    settings = notifier_settings(tmp_path)
    scheduler = build_scheduler(url, settings)
    scheduler.start(paused=True)
    install_jobs(scheduler, settings)
    first = {job.id: job.next_run for job in list_jobs(scheduler)}
    scheduler.shutdown(wait=False)
    engine = create_engine(url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT id FROM apscheduler_jobs ORDER BY id")).scalars().all()
    engine.dispose()
    assert stored == ["crawl", "digest", "digest-catch-up"]
    # a restart with the same settings keeps the stored jobs (a missed run is still made up);
    # a changed time replaces that job
    changed = notifier_settings(tmp_path, ANBUDSRADAR_CRAWL_TIME="04:15")
    scheduler = build_scheduler(url, changed)
    scheduler.start(paused=True)
    install_jobs(scheduler, changed)
    second = {job.id: job for job in list_jobs(scheduler)}
    scheduler.shutdown(wait=False)
    assert second["digest"].next_run == first["digest"]
    assert second["crawl"].next_run is not None and second["crawl"].next_run.astimezone(STOCKHOLM).hour == 4


def test_schedule_runs_in_the_foreground_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANBUDSRADAR_")}
    env |= {
        "ANBUDSRADAR_DATA_DIR": str(tmp_path),
        "ANBUDSRADAR_DATABASE_URL": f"sqlite:///{tmp_path / 'schedule.db'}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "anbudsradar", "schedule"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines: list[str] = []
        while not any("scheduler running" in line for line in lines):
            ready, _, _ = select.select([process.stderr], [], [], 30)
            assert ready, "the scheduler did not start: " + "".join(lines)
            line = process.stderr.readline()  # type: ignore[union-attr]
            assert line, "the scheduler exited: " + "".join(lines)
            lines.append(line)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "SIGTERM: stopping after running jobs" in stderr and "scheduler stopped" in stderr
    listed = {line.split()[0]: line for line in stdout.splitlines()}
    assert set(listed) == {"crawl", "digest", "digest-catch-up"}
    assert " 07:00+01:00 " in listed["digest"] or " 07:00+02:00 " in listed["digest"]


def test_the_digest_job_runs_a_round_with_the_environment_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'job.db'}"
    with database(url) as factory, factory() as session:
        company = add_company(session, 1, "Städkooperativet Glänsande")
        add_match(session, company, add_notice(session, "n1", "Städning", "2099-01-01"), 0.9, ["Städning"])
        session.commit()
    monkeypatch.setenv("ANBUDSRADAR_DATABASE_URL", url)
    monkeypatch.setenv("ANBUDSRADAR_DATA_DIR", str(tmp_path))
    jobs.reset_stop()
    jobs.digest_job()
    [written] = [p.name for p in (tmp_path / "outbox").iterdir()]
    assert written.endswith("_7696000012.eml")
    jobs.digest_catch_up_job()  # already sent this week: nothing happens
    assert len(list((tmp_path / "outbox").iterdir())) == 1


def test_the_catch_up_waits_until_the_digest_is_due(tmp_path: Path) -> None:
    settings = notifier_settings(tmp_path)
    assert not digest_due(settings, datetime(2026, 11, 30, 6, 59, tzinfo=STOCKHOLM))  # Monday, before 07:00
    assert digest_due(settings, datetime(2026, 11, 30, 7, 0, tzinfo=STOCKHOLM))
    assert digest_due(settings, datetime(2026, 12, 6, 23, 0, tzinfo=STOCKHOLM))  # Sunday, same week
    friday = notifier_settings(tmp_path, ANBUDSRADAR_DIGEST_DAY="fri")
    assert not digest_due(friday, datetime(2026, 12, 3, 12, 0, tzinfo=STOCKHOLM))


def test_tag_and_match_call_the_services_or_say_clearly_they_are_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []
    fake_services(
        monkeypatch,
        {
            "anbudsradar_test_missing": ("tag_database", None),
            "anbudsradar_test_matching": ("match_database", calls.append),
        },
    )
    monkeypatch.setenv("ANBUDSRADAR_DATABASE_URL", "sqlite:///x.db")
    jobs.reset_stop()
    with caplog.at_level(logging.INFO, logger="anbudsradar.jobs"):
        jobs.tag_and_match_job()
    assert calls == ["sqlite:///x.db"]
    assert "skipping tag_database: module anbudsradar_test_missing is not installed yet" in caplog.text


def test_the_crawl_job_runs_the_crawl_command_then_tags_and_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    steps: list[str] = []
    monkeypatch.setattr(jobs, "CRAWL_COMMAND", (sys.executable, "-c", "print('crawling')"))
    monkeypatch.setattr(jobs, "tag_and_match_job", lambda: steps.append("tag and match"))
    jobs.reset_stop()
    jobs.crawl_job()
    assert steps == ["tag and match"]
    jobs.request_stop()  # a shutdown during the crawl skips tagging and matching
    jobs.crawl_job()
    assert steps == ["tag and match"]
    jobs.reset_stop()


def test_a_crawl_missed_while_the_machine_was_off_is_made_up_the_same_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Back at noon after the 05:00 crawl was missed: before, a 6-hour grace skipped that day's crawl."""
    ran = threading.Event()
    monkeypatch.setattr(jobs, "crawl_job", ran.set)  # the stored reference resolves to this
    settings = notifier_settings(tmp_path)
    scheduler = build_scheduler(f"sqlite:///{tmp_path / 'jobs.db'}", settings)
    scheduler.start(paused=True)
    try:
        install_jobs(scheduler, settings)
        scheduler.modify_job("crawl", next_run_time=datetime.now(STOCKHOLM) - timedelta(hours=8))
        scheduler.resume()
        assert ran.wait(15), "the crawl missed 8 hours ago was not made up"
    finally:
        scheduler.shutdown(wait=False)
