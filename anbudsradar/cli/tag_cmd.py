"""`anbudsradar tag | train | evaluate | bench tag`: ASF branch and social-clause tags.

spaCy and scikit-learn are imported inside the commands, so that loading this module (and
`anbudsradar parse`) stays fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from crawlers.parsers.dispatch import parse_paths
from matcher.exceptions import MatcherError
from matcher.settings import DEFAULT_DATA_DIR, MODEL_PATH, SEED

if TYPE_CHECKING:
    from crawlers.parsers.record import NoticeRecord
    from matcher.tagger import Tagger

_DATA_HELP = (
    "Folder with the real data (shared/data/real); default ../shared/data/real beside the repository."
)


def _data_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Return the --data option shared by train, evaluate and bench tag."""
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=DEFAULT_DATA_DIR,
        show_default=True,
        help=_DATA_HELP,
    )


def _load_tagger(model: Path) -> Tagger:
    """Load the tagger, turning a missing or foreign artifact into a command-line error."""
    from matcher.tagger import Tagger  # noqa: PLC0415 - spaCy and scikit-learn load only for tagging

    try:
        return Tagger.load(model)
    except MatcherError as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@click.option(
    "--text-only",
    is_flag=True,
    help="Ignore CPV codes and every structured field; use titles and descriptions alone.",
)
@click.option(
    "--model",
    type=click.Path(path_type=Path, dir_okay=False),
    default=MODEL_PATH,
    help="Classifier artifact (default: the one shipped in matcher/model/).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=256,
    show_default=True,
    help="Notices tagged together (spaCy nlp.pipe batches).",
)
@click.argument("paths", nargs=-1)
def tag(paths: tuple[str, ...], text_only: bool, model: Path, batch_size: int) -> None:
    """Tag notice files, directories or .tar.gz packages; print one JSON object per notice.

    Keys: notice_id, source_path, language, branches, social, lots (lot_id, branches, social);
    each tag has code, score in [0, 1] and evidence. Exit status 0 when every input was read,
    1 when some failed (the others are still written), 2 on a usage error. Without paths, tags
    the notices stored in the database instead (as `anbudsradar retag`).
    """
    if not paths:
        if text_only:
            raise click.UsageError("--text-only applies to files; stored notices are tagged with every field")
        from anbudsradar.cli.retag_cmd import retag_database  # noqa: PLC0415

        retag_database(model, everything=False)
        return
    tagger = _load_tagger(model)
    out = sys.stdout
    failed = 0
    pending: list[NoticeRecord] = []
    for outcome in parse_paths(paths):
        if outcome.error is not None:
            failed += 1
            click.echo(f"error: {outcome.error}", err=True)
            continue
        pending += outcome.records
        if len(pending) >= batch_size:
            _write(tagger, pending, text_only, out)
            pending = []
    _write(tagger, pending, text_only, out)
    out.flush()
    if failed:
        sys.exit(1)


def _write(tagger: Tagger, records: list[NoticeRecord], text_only: bool, out: TextIO) -> None:
    """Tag a batch of records and write one JSON line per notice."""
    for tags in tagger.tag_records(records, text_only=text_only):
        out.write(json.dumps(tags.to_dict(), ensure_ascii=False) + "\n")


@click.command()
@_data_option()
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=MODEL_PATH,
    show_default=True,
    help="Where to write the artifact; MODEL_CARD.md is written beside it.",
)
@click.option("--seed", type=int, default=SEED, show_default=True, help="Seed of every random choice.")
def train(data_dir: Path, output: Path, seed: int) -> None:
    """Train the branch classifier on ../shared/data/real and write the artifact and its model card.

    C, the decision threshold and the description boost are chosen first on development folds of
    the training side (never the held-out test notices); the figures go into the model card.
    """
    from matcher.service import train_and_describe  # noqa: PLC0415 - spaCy/scikit-learn on demand

    try:
        model = train_and_describe(data_dir, output, seed)
    except MatcherError as exc:
        raise click.ClickException(str(exc)) from None
    chosen = model.metadata["development"]["chosen"]
    click.echo(
        f"chosen on development folds of the training side: C={chosen['C']}, "
        f"threshold={chosen['threshold']}, description boost={chosen['description_boost']}; "
        + ", ".join(f"{lang} out-of-fold micro-F1 {chosen[lang]['F1']:.3f}" for lang in ("sv", "en"))
    )
    click.echo(f"wrote {output} ({output.stat().st_size / 1024:.0f} KiB), version {model.version}")
    click.echo(f"wrote {output.parent / 'MODEL_CARD.md'}")


@click.command()
@_data_option()
@click.option(
    "--model",
    type=click.Path(path_type=Path, dir_okay=False),
    default=MODEL_PATH,
    help="Classifier artifact to evaluate.",
)
@click.option("--errors", "with_errors", is_flag=True, help="Also list every notice the tagger got wrong.")
def evaluate(data_dir: Path, model: Path, with_errors: bool) -> None:
    """Measure --text-only branch tags on held-out real notices beside a keyword baseline.

    Per language; also reserved-contract tags (structured fields plus text).
    """
    from matcher.service import evaluation_report  # noqa: PLC0415 - spaCy/scikit-learn on demand

    tagger = _load_tagger(model)
    try:
        click.echo(evaluation_report(tagger, data_dir, with_errors=with_errors))
    except MatcherError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("tag")
@_data_option()
@click.option(
    "--notices",
    type=click.IntRange(1, 1_000_000),
    default=3000,
    show_default=True,
    help="How many notices to tag (the real Swedish and English notices, repeated).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=256,
    show_default=True,
    help="Notices tagged together (spaCy nlp.pipe batches).",
)
@click.option(
    "--model",
    type=click.Path(path_type=Path, dir_okay=False),
    default=MODEL_PATH,
    help="Classifier artifact (default: the one shipped in matcher/model/).",
)
def bench_tag(data_dir: Path, notices: int, batch_size: int, model: Path) -> None:
    """Tagging speed on one core (notices/s, batched with nlp.pipe) and model load time."""
    from matcher import bench  # noqa: PLC0415 - spaCy/scikit-learn on demand

    try:
        result = bench.run(data_dir, notices=notices, batch_size=batch_size, model_path=model)
    except MatcherError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"cores: {result.cores}")
    click.echo(
        f"model load: {result.model_load_seconds:.2f} s (classifier artifact); "
        f"{result.pipeline_load_seconds:.2f} s (spaCy pipelines and rules, both languages)"
    )
    click.echo(
        f"notices: {result.notices} ({result.unique_notices} distinct real Swedish/English notices, "
        f"mean {result.mean_chars:.0f} characters), batches of {batch_size}"
    )
    click.echo(
        f"tagging: {result.per_second:.0f} notices/s wall clock, {result.cpu_per_second:.0f} notices/s "
        f"of CPU time ({result.seconds:.2f} s)"
    )
    click.echo(
        f"first pass over the distinct notices (cold caches): {result.first_pass_per_second:.0f} notices/s"
    )
    click.echo(f"--text-only: {result.text_only_per_second:.0f} notices/s")
