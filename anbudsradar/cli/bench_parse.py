"""`anbudsradar bench parse`: notices/s for parse and ingest beside bare lxml, with the ratios."""

from __future__ import annotations

import click

from anbudsradar.benchmarks.parse_bench import LoadedInputs, Rate, load_inputs
from anbudsradar.benchmarks.parse_bench import bench_parse as measure_parse
from anbudsradar.samples.synthetic import synthetic_notice_bytes
from crawlers.parsers.inputs import NOTICE_SUFFIXES


@click.command("parse")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--synthetic", default=2000, show_default=True, help="Also measure N seeded synthetic notices.")
@click.option("--rounds", default=5, show_default=True, help="Best of this many rounds.")
def bench_parse_cmd(paths: tuple[str, ...], synthetic: int, rounds: int) -> None:
    """Measure parse (beside bare lxml) on PATHS, then parse and ingest on synthetic notices.

    The PATHS table answers "how close to lxml are we on these files"; the synthetic set, thousands
    of distinct small notices, gives the volume that an ingest rate needs.
    """
    if not paths and synthetic <= 0:
        raise click.UsageError("nothing to measure: give notice paths or --synthetic N > 0")
    if paths:
        loaded = _read_paths(paths)
        count = len(loaded.skipped)
        skipped = f" ({count} skipped as unreadable, each named on stderr)" if count else ""
        _print(
            f"{len(loaded.inputs)} inputs from {', '.join(paths)}{skipped}",
            measure_parse(loaded.inputs, rounds, ingest=False),
            rounds,
        )
    if synthetic > 0:
        inputs = synthetic_notice_bytes(synthetic)
        _print(f"{synthetic} synthetic eForms notices (seeded)", measure_parse(inputs, rounds), rounds)


def _read_paths(paths: tuple[str, ...]) -> LoadedInputs:
    """Read the inputs of every path, naming each skipped one on stderr with the reason.

    A path that holds no readable notice file is a usage error.
    """
    loaded = LoadedInputs([], [])
    for path in paths:
        found = load_inputs([path])
        for error in found.skipped:
            click.echo(f"skipped: {error}", err=True)
        if not found.inputs:
            skipped = f"; {len(found.skipped)} skipped, named above" if found.skipped else ""
            raise click.UsageError(
                f"{path}: no readable notice files in it ({', '.join(NOTICE_SUFFIXES)}){skipped}"
            )
        loaded.inputs.extend(found.inputs)
        loaded.skipped.extend(found.skipped)
    return loaded


def _print(title: str, rates: list[Rate], rounds: int) -> None:
    """Print one table of rates with each one's ratio to the bare lxml line."""
    baseline = rates[0].per_second
    click.echo(f"\n{title}, in memory, best of {rounds} rounds")
    click.echo(
        f"{'measure':<50} {'inputs':>7} {'notices':>8} {'seconds':>8} {'notices/s':>10} {'vs lxml':>8}"
    )
    for rate in rates:
        ratio = rate.per_second / baseline if baseline else 0.0
        click.echo(
            f"{rate.name:<50} {rate.inputs:>7} {rate.notices:>8} {rate.seconds:>8.3f} "
            f"{rate.per_second:>10.0f} {ratio:>7.0%}"
        )
