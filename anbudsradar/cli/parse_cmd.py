"""`anbudsradar parse PATH...`: print one normalised JSON record per notice (JSON Lines)."""

from __future__ import annotations

import json
import sys

import click

from crawlers.parsers.dispatch import parse_paths


@click.command()
@click.argument("paths", nargs=-1, required=True)
def parse(paths: tuple[str, ...]) -> None:
    """Parse notice files, directories or .tar.gz packages and print JSON Lines to stdout.

    Exit status 0 when every input was read, 1 when some failed (the others are still written).
    """
    out = sys.stdout
    failed = 0
    for outcome in parse_paths(paths):
        if outcome.error is not None:
            failed += 1
            click.echo(f"error: {outcome.error}", err=True)
            continue
        for record in outcome.records:
            out.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
    out.flush()
    if failed:
        sys.exit(1)
