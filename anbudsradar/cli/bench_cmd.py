"""`anbudsradar bench NAME`: the benchmarks, each measuring side by side in one run."""

from __future__ import annotations

import click

from anbudsradar.cli import BENCHMARKS, LazyGroup


@click.group(cls=LazyGroup, commands=BENCHMARKS)
def bench() -> None:
    """Run a benchmark and print rates and ratios measured in the same run."""
