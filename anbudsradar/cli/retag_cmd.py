"""`anbudsradar retag` (and `anbudsradar tag` without paths): tag what is stored in the database."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from anbudsradar.config import ConfigError, load_settings
from matcher.settings import MODEL_PATH


def retag_database(model: Path, everything: bool) -> None:
    """Tag every stored notice whose tags are missing or stale, with a progress bar and a summary."""
    from anbudsradar.cli.tag_cmd import _load_tagger  # noqa: PLC0415 - loads spaCy only when run
    from anbudsradar.tagging import notices_to_tag, retag  # noqa: PLC0415
    from models.db import database  # noqa: PLC0415

    try:
        settings = load_settings()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    tagger = _load_tagger(model)
    with database(settings.database_url) as sessions, sessions() as session:
        pending = len(notices_to_tag(session, tagger.version, everything=everything))
        columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("tagging", total=pending)
            summary = retag(session, tagger, everything=everything, progress=lambda n: bar.advance(task, n))
    click.echo(
        f"tagged {summary.tagged} notices ({summary.tags} tags), {summary.up_to_date} already up to date "
        f"(tagger {summary.tagger_version}, database {settings.database_url})"
    )


@click.command()
@click.option("--all", "everything", is_flag=True, help="Retag every notice, not only new or changed ones.")
@click.option(
    "--model",
    type=click.Path(path_type=Path, dir_okay=False),
    default=MODEL_PATH,
    help="Classifier artifact (default: the one shipped in matcher/model/).",
)
def retag(everything: bool, model: Path) -> None:
    """Tag the notices stored in the database that are new or changed since they were tagged."""
    retag_database(model, everything)
