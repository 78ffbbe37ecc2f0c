"""The scheduled jobs (see notifier.schedule): crawl, then tag and match; the weekly digest; retries.

APScheduler stores each job by reference ("anbudsradar.jobs:digest_job") and calls it without
arguments, so every job reads the settings when it runs. The crawl runs `anbudsradar crawl` as a
subprocess (Scrapy's reactor cannot be restarted in one process); the other steps are service
functions, imported when the job runs. `request_stop()` lets a shutdown end them early.
A digest round waits for a crawl that is running (with its tagging and matching), so that a round
made up after the machine was off is sent with what that crawl finds; a step that fails is logged
and the next one still runs.
"""

from __future__ import annotations

import importlib
import logging
import subprocess
import sys
import threading
from datetime import UTC, datetime

from anbudsradar.config import load_settings

log = logging.getLogger(__name__)

# Service functions that tag and match the whole database, called as fn(database_url) after each
# crawl. They live with their packages; until those exist, the step is skipped with a message.
TAG_AND_MATCH_SERVICES: tuple[tuple[str, str], ...] = (
    ("anbudsradar.tagging", "tag_database"),
    ("matcher.matching", "match_database"),
)
CRAWL_COMMAND: tuple[str, ...] = (sys.executable, "-m", "anbudsradar", "crawl")

_stop = threading.Event()
_crawl_chain = threading.Lock()  # held while a crawl, then its tagging and matching, run
_children: set[subprocess.Popen[bytes]] = set()
_children_lock = threading.Lock()


def crawl_job() -> None:
    """Run `anbudsradar crawl` in a subprocess, then tag and match what it stored."""
    with _crawl_chain:
        _crawl_then_tag_and_match()


def _crawl_then_tag_and_match() -> None:
    log.info("crawl: starting %s", " ".join(CRAWL_COMMAND[1:]))
    child = subprocess.Popen(CRAWL_COMMAND)
    with _children_lock:
        _children.add(child)
    try:
        status = child.wait()
    finally:
        with _children_lock:
            _children.discard(child)
    if status != 0:
        log.warning("crawl: `anbudsradar crawl` exited with status %s (what it stored is kept)", status)
    if _stop.is_set():
        log.info("crawl: stopping, tagging and matching wait for the next crawl")
        return
    tag_and_match_job()


def tag_and_match_job() -> None:
    """Tag the notices and match them to companies, with whichever service functions are installed."""
    database_url = load_settings().database_url
    for module_name, function_name in TAG_AND_MATCH_SERVICES:
        if _stop.is_set():
            return
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                log.warning("skipping %s: module %s is not installed yet", function_name, module_name)
                continue
            raise
        function = getattr(module, function_name, None)
        if function is None:
            log.error(
                "skipping %s: %s has no function %s(database_url)", function_name, module_name, function_name
            )
            continue
        log.info("%s.%s: starting", module_name, function_name)
        try:
            result = function(database_url)
        except Exception:  # one failing step must not stop the next (matching after tagging)
            log.exception("%s.%s failed; going on with the next step", module_name, function_name)
            continue
        log.info("%s.%s: done %s", module_name, function_name, result if result is not None else "")


def digest_job() -> None:
    """Run this week's digest round (nothing is sent twice, so a re-run is harmless)."""
    _digest(catch_up=False)


def digest_catch_up_job() -> None:
    """Once this week's digest is due, finish the round: retries, and companies not reached yet."""
    _digest(catch_up=True)


def _digest(catch_up: bool) -> None:
    """Run a digest round with the current settings and log its counts."""
    from models.db import database  # noqa: PLC0415 - jobs import their services when they run
    from notifier.delivery import run_digest_round  # noqa: PLC0415
    from notifier.exceptions import NotifierError  # noqa: PLC0415
    from notifier.schedule import digest_due  # noqa: PLC0415
    from notifier.settings import load_notifier_settings  # noqa: PLC0415

    settings = load_settings()
    try:
        notifier_settings = load_notifier_settings()
        if catch_up and not digest_due(notifier_settings, datetime.now(UTC)):
            return
        if not _crawl_chain.acquire(blocking=False):
            log.info("digest: waiting for the running crawl, tagging and matching to finish")
            _crawl_chain.acquire()
        try:
            with database(settings.database_url) as sessions:
                summary = run_digest_round(sessions, notifier_settings, stop=_stop)
        finally:
            _crawl_chain.release()
    except NotifierError as exc:
        log.error("digest round stopped: %s", exc)
        return
    counts = summary.counts()
    if not catch_up or set(counts) - {"done", "skipped"}:
        log.info("digest %s via %s: %s", summary.week, summary.backend, counts or "no companies")
    for outcome in summary.outcomes:
        if outcome.status in ("failed", "retry", "error"):
            log.warning(
                "digest %s for %s (%s): %s",
                outcome.status,
                outcome.company,
                outcome.org_number,
                outcome.error,
            )


def request_stop() -> None:
    """Ask running jobs to end: the crawl subprocess gets SIGTERM, digest rounds stop between companies."""
    _stop.set()
    with _children_lock:
        for child in _children:
            if child.poll() is None:
                child.terminate()


def reset_stop() -> None:
    """Allow jobs to run again after `request_stop` (a new scheduler in the same process, tests)."""
    _stop.clear()
