"""`anbudsradar digest` (one digest round by hand) and `anbudsradar schedule` (the scheduler)."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from anbudsradar.config import ConfigError, load_settings
from notifier.delivery import DeliveryOutcome, RoundSummary
from notifier.exceptions import (
    BackendConfigError,
    NotifierConfigError,
    UnknownCompanyError,
    WeekFormatError,
)
from notifier.schedule import ScheduledJob
from notifier.settings import NotifierSettings, load_notifier_settings
from notifier.weeks import IsoWeek

STATUS_STYLES = {
    "sent": "green",
    "would-send": "cyan",
    "failed": "bold red",
    "retry": "yellow",
    "error": "bold red",
    "busy": "magenta",
}
PROBLEMS = frozenset({"failed", "retry", "error"})


def _settings() -> tuple[str, NotifierSettings]:
    """Both settings groups, as command-line errors when a variable is wrong."""
    try:
        return load_settings().database_url, load_notifier_settings()
    except (ConfigError, NotifierConfigError) as exc:
        raise click.UsageError(str(exc)) from None


@click.command()
@click.option("--week", help="ISO week, e.g. 2026-W49 (default: this week in the digest time zone).")
@click.option("--company", "org_number", metavar="ORGNR", help="Only this company (organisation number).")
@click.option("--dry-run", is_flag=True, help="Build and show the digests; record and send nothing.")
@click.option("--retry-failed", is_flag=True, help="Try digests that failed for good (5xx) again.")
def digest(week: str | None, org_number: str | None, dry_run: bool, retry_failed: bool) -> None:
    """Run one digest round: each company's digest for the week, sent once (SMTP or the outbox).

    Running the same week again sends nothing new; an interrupted round resumes. Exit status 1
    when a digest failed or is waiting for a retry (see the table).
    """
    from models.db import database  # noqa: PLC0415 - keep `anbudsradar --help` fast
    from notifier.delivery import run_digest_round  # noqa: PLC0415

    database_url, settings = _settings()
    try:
        iso_week = IsoWeek.parse(week) if week else None
    except WeekFormatError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    console = Console(width=None if sys.stdout.isatty() else 160)
    try:
        with database(database_url) as sessions:
            summary = run_digest_round(
                sessions,
                settings,
                week=iso_week,
                org_number=org_number,
                dry_run=dry_run,
                retry_failed=retry_failed,
            )
    except UnknownCompanyError as exc:
        raise click.BadParameter(str(exc), param_hint="--company") from None
    except BackendConfigError as exc:
        raise click.ClickException(f"digest round stopped: {exc}") from None
    _print_round(console, summary, settings)
    if any(outcome.status in PROBLEMS for outcome in summary.outcomes):
        sys.exit(1)


def _print_round(console: Console, summary: RoundSummary, settings: NotifierSettings) -> None:
    """Print a table of outcomes, then where the messages went."""
    title = f"Digest {summary.week}" + (" (dry run: nothing recorded or sent)" if summary.dry_run else "")
    table = Table(title=title)
    for column in ("company", "org.nr", "status", "items", "subject / note"):
        table.add_column(column)
    for outcome in summary.outcomes:
        style = STATUS_STYLES.get(outcome.status, "")
        table.add_row(
            escape(outcome.company),
            outcome.org_number,
            f"[{style}]{outcome.status}[/]" if style else outcome.status,
            _items(outcome),
            _detail(outcome),
        )
    console.print(table)
    counts = ", ".join(f"{count} {status}" for status, count in sorted(summary.counts().items()))
    where = f"the outbox {settings.outbox}" if summary.backend == "outbox" else f"SMTP {settings.smtp_host}"
    console.print(f"{counts or 'no companies'} — via {where}", highlight=False)
    if summary.stopped:
        console.print("stopped before the end; run it again to continue", style="yellow")


def _items(outcome: DeliveryOutcome) -> str:
    """'1+3 new, 1 changed' from section counts."""
    counts = outcome.counts
    if not counts:
        return ""
    parts = [f"{counts.get('reserved', 0)}+{counts.get('new', 0)} new"]
    parts += [f"{counts[name]} {name}" for name in ("closing", "changed", "consortia") if counts.get(name)]
    return ", ".join(parts)


def _detail(outcome: DeliveryOutcome) -> str:
    """Return the subject, and the error or note when there is one."""
    lines = [escape(outcome.subject or "")]
    if outcome.error:
        lines.append(f"[red]{escape(outcome.error)}[/]")
    if outcome.note:
        lines.append(escape(f"({outcome.note})"))
    return "\n".join(line for line in lines if line)


@click.command()
@click.option("--list", "list_only", is_flag=True, help="Store the jobs, show their next runs and exit.")
def schedule(list_only: bool) -> None:
    """Run the scheduler in the foreground: crawl daily (then tag and match), digests weekly.

    Jobs are kept in the project database. SIGTERM or Ctrl-C stops it cleanly: running jobs are
    asked to stop (the crawl subprocess gets SIGTERM, a digest round ends after its current message).
    """
    from anbudsradar import jobs  # noqa: PLC0415
    from notifier.schedule import read_jobs, run_scheduler  # noqa: PLC0415

    database_url, settings = _settings()
    if list_only:
        _print_jobs(read_jobs(database_url, settings), settings)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"{signal.Signals(signum).name}: stopping after running jobs", err=True)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    jobs.reset_stop()

    def on_started(scheduled: list[ScheduledJob]) -> None:
        _print_jobs(scheduled, settings)
        click.echo("scheduler running (SIGTERM or Ctrl-C to stop)", err=True)

    run_scheduler(database_url, settings, stop, on_started=on_started, on_stopping=jobs.request_stop)
    click.echo("scheduler stopped", err=True)


def _print_jobs(scheduled: list[ScheduledJob], settings: NotifierSettings) -> None:
    """One line per job with its next run in the digest time zone."""
    for job in scheduled:
        when = (
            job.next_run.astimezone(settings.timezone).isoformat(" ", "minutes") if job.next_run else "paused"
        )
        click.echo(f"{job.id:<16} next {when}  {job.trigger}  ({job.name})")
