"""`anbudsradar ingest PATH...`: parse and store notices idempotently, with a progress bar."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from anbudsradar.config import ConfigError, load_settings
from anbudsradar.ingest import ingest_paths
from crawlers.parsers.dispatch import ParseOutcome


@click.command()
@click.argument("paths", nargs=-1, required=True)
def ingest(paths: tuple[str, ...]) -> None:
    """Parse notice files, directories or .tar.gz packages and store them in the database.

    Running it twice changes nothing. Ends with counts: new, updated, unchanged, failed; exit
    status 1 when some input failed (each is named on stderr and kept in the ingest log).
    """
    try:
        settings = load_settings()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} inputs"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("ingesting", total=None)

        def advance(outcome: ParseOutcome) -> None:
            bar.advance(task)
            if outcome.error is not None:
                bar.console.print(f"error: {outcome.error}", markup=False, highlight=False, soft_wrap=True)

        summary = ingest_paths(paths, settings.database_url, progress=advance)
    counts = summary.counts()
    click.echo(
        f"{summary.inputs} inputs: {counts['new']} new, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['failed']} failed "
        f"(database {settings.database_url})"
    )
    if summary.failed:
        sys.exit(1)
