"""The scheduler: APScheduler 3.x with its jobs stored in the project database.

Jobs (functions in anbudsradar.jobs, stored by reference): "crawl" daily (tagging and matching run
right after each crawl), "digest" weekly, and "digest-catch-up" every hour or so, which runs the
week's round again once it is due: it retries transient failures and reaches companies that a
stopped or killed round never got to (finished digests are skipped, so nothing is sent twice).
Every trigger carries the configured time zone. A job whose trigger did not change is left in
the store as it is, so a run missed while the scheduler was down is still made up (within the
misfire grace time) after a restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from models.db import make_engine, migrate
from models.delivery import SCHEDULER_JOBS_TABLE
from notifier.settings import WEEKDAYS, NotifierSettings

log = logging.getLogger(__name__)

# A run missed by up to this much (machine asleep, scheduler restarted) still happens, once.
MISFIRE_GRACE_SECONDS = 6 * 3600
# The daily crawl is made up later the same day too (a machine started at noon still crawls
# today; coalesced, so once), but never runs twice in a row with the next day's crawl.
CRAWL_MISFIRE_GRACE_SECONDS = 20 * 3600


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One scheduled job: its id, the function it runs (by reference) and when."""

    id: str
    func: str
    name: str
    trigger: BaseTrigger
    misfire_grace_seconds: int = MISFIRE_GRACE_SECONDS


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    """A job as stored, for listing."""

    id: str
    name: str
    trigger: str
    next_run: datetime | None


def job_specs(settings: NotifierSettings) -> list[JobSpec]:
    """Return the jobs and their triggers from the settings (each trigger in the configured zone)."""
    zone = settings.timezone
    return [
        JobSpec(
            "crawl",
            "anbudsradar.jobs:crawl_job",
            "crawl all sources, then tag and match",
            CronTrigger(hour=settings.crawl_time.hour, minute=settings.crawl_time.minute, timezone=zone),
            CRAWL_MISFIRE_GRACE_SECONDS,
        ),
        JobSpec(
            "digest",
            "anbudsradar.jobs:digest_job",
            "weekly digest round",
            CronTrigger(
                day_of_week=settings.digest_day,
                hour=settings.digest_time.hour,
                minute=settings.digest_time.minute,
                timezone=zone,
            ),
        ),
        JobSpec(
            "digest-catch-up",
            "anbudsradar.jobs:digest_catch_up_job",
            "finish this week's round: retries, and anyone a stopped round did not reach",
            IntervalTrigger(minutes=settings.retry_minutes, timezone=zone),
        ),
    ]


def digest_due(settings: NotifierSettings, now: datetime) -> bool:
    """Whether this week's digest time (e.g. Monday 07:00) has come, in the digest time zone."""
    local = now.astimezone(settings.timezone)
    monday = local.date() - timedelta(days=local.weekday())
    due = datetime.combine(
        monday + timedelta(days=WEEKDAYS.index(settings.digest_day)), settings.digest_time, settings.timezone
    )
    return local >= due


def build_scheduler(database_url: str, settings: NotifierSettings) -> BackgroundScheduler:
    """Return a scheduler whose job store is the project database (migrated first)."""
    engine = make_engine(database_url)
    migrate(engine)  # creates the job table (models.delivery) along with everything else
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=SCHEDULER_JOBS_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        timezone=settings.timezone,
    )


def install_jobs(scheduler: BackgroundScheduler, settings: NotifierSettings) -> None:
    """Store the configured jobs; keep unchanged ones as stored, replace changed ones, drop others."""
    specs = {spec.id: spec for spec in job_specs(settings)}
    for job in scheduler.get_jobs():
        if job.id not in specs:
            log.info("removing job %s, no longer configured", job.id)
            job.remove()
    for spec in specs.values():
        existing = scheduler.get_job(spec.id)
        # repr() of a cron trigger includes its fields and time zone (str() has no zone).
        wanted = (spec.func, repr(spec.trigger), spec.misfire_grace_seconds)
        if existing is not None and (
            existing.func_ref,
            repr(existing.trigger),
            existing.misfire_grace_time,
        ) == wanted:
            continue
        scheduler.add_job(
            spec.func,
            spec.trigger,
            id=spec.id,
            name=spec.name,
            replace_existing=True,
            misfire_grace_time=spec.misfire_grace_seconds,
        )


def list_jobs(scheduler: BackgroundScheduler) -> list[ScheduledJob]:
    """Return the stored jobs with their next run time (in the scheduler's time zone)."""
    return [
        ScheduledJob(job.id, job.name, str(job.trigger), job.next_run_time)
        for job in sorted(scheduler.get_jobs(), key=lambda job: job.id)
    ]


def run_scheduler(
    database_url: str,
    settings: NotifierSettings,
    stop: threading.Event,
    on_started: Callable[[list[ScheduledJob]], None] | None = None,
    on_stopping: Callable[[], None] | None = None,
) -> None:
    """Run the jobs until `stop` is set, then wait for running jobs to end and shut down."""
    scheduler = build_scheduler(database_url, settings)
    scheduler.start(paused=True)
    try:
        install_jobs(scheduler, settings)
        scheduler.resume()
        if on_started is not None:
            on_started(list_jobs(scheduler))
        stop.wait()
        if on_stopping is not None:
            on_stopping()
    finally:
        scheduler.shutdown(wait=True)


def read_jobs(database_url: str, settings: NotifierSettings) -> list[ScheduledJob]:
    """Install the configured jobs and list them, without running anything."""
    scheduler = build_scheduler(database_url, settings)
    scheduler.start(paused=True)
    try:
        install_jobs(scheduler, settings)
        return list_jobs(scheduler)
    finally:
        scheduler.shutdown(wait=False)
