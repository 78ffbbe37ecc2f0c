"""`anbudsradar crawl`, `anbudsradar sources` and `anbudsradar bench crawl`."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from anbudsradar.config import ConfigError, load_settings
from crawlers.exceptions import CrawlError


def _console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=160)


def _parse_overrides(values: tuple[str, ...]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(
                f"{value!r}: expected NAME=VALUE (e.g. DOWNLOAD_DELAY=5)", param_hint="-s"
            )
        overrides[name.strip()] = setting
    return overrides


@click.command()
@click.argument("names", nargs=-1, metavar="[SOURCE]...")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Fetch what was published or changed from this date (default: each source's high-water mark).",
)
@click.option(
    "--sources-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The sources file (default: $ANBUDSRADAR_SOURCES or ./sources.yaml).",
)
@click.option("--fast", is_flag=True, help="No AutoThrottle or delays: only for servers on this machine.")
@click.option(
    "-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("-v", "--verbose", is_flag=True, help="Log Scrapy's progress (INFO) instead of warnings only.")
def crawl(  # noqa: PLR0917 - click passes each option as an argument
    names: tuple[str, ...],
    since: datetime | None,
    sources_file: Path | None,
    fast: bool,
    overrides: tuple[str, ...],
    as_json: bool,
    verbose: bool,
) -> None:
    """Crawl the named sources (default: every enabled, verified one) and store their notices.

    Each source goes on from its high-water mark, so a re-crawl fetches only what is new or
    changed. Ends with a table per source (requests, new, updated, failed, duration); exit
    status 1 when a source failed or has a warning (e.g. "selectors may be outdated").
    """
    from crawlers.run import crawl as run_crawl  # noqa: PLC0415 - Scrapy loads only for this command

    try:
        settings = load_settings()
        report = run_crawl(
            names,
            database_url=settings.database_url,
            sources_file=sources_file,
            since=since.date() if since else None,
            fast=fast,
            overrides=_parse_overrides(overrides),
            log_level="INFO" if verbose else "WARNING",
        )
    except (ConfigError, CrawlError) as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        _print_report(_console(), report)
    if not report.ok:
        sys.exit(1)


def _print_report(console: Console, report: Any) -> None:
    table = Table(title=f"Crawl ({report.duration_s:.1f} s) into {report.database_url}")
    numbers = ("requests", "new", "updated", "unchanged", "failed", "filtered", "seconds")
    for column in ("source", "kind", "status", "since", *numbers, "high-water mark"):
        table.add_column(column, justify="right" if column in numbers else "left")
    for result in report.results:
        table.add_row(
            result.source,
            result.kind,
            result.status,
            result.since or "-",
            str(result.requests),
            str(result.new),
            str(result.updated),
            str(result.unchanged),
            str(result.failed),
            str(result.filtered),
            f"{result.duration_s:.1f}",
            result.high_water_mark or "-",
        )
    console.print(table)
    for result in report.results:
        for line in (result.message or "").splitlines():
            console.print(f"[bold]{result.source}[/]: {line}", highlight=False)


@click.command()
@click.option(
    "--sources-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The sources file (default: $ANBUDSRADAR_SOURCES or ./sources.yaml).",
)
def sources(sources_file: Path | None) -> None:
    """List the configured sources and their last crawl (status, counts, high-water mark)."""
    from crawlers.config import load_crawl_settings  # noqa: PLC0415
    from crawlers.sources import load_sources  # noqa: PLC0415
    from crawlers.state import last_runs, load_states  # noqa: PLC0415
    from models.db import database  # noqa: PLC0415

    try:
        settings = load_settings()
        configured = load_sources(sources_file or load_crawl_settings().sources_file)
    except (ConfigError, CrawlError) as exc:
        raise click.UsageError(str(exc)) from None
    with database(settings.database_url) as sessions, sessions() as session:
        states, runs = load_states(session), last_runs(session)
    table = Table(title=f"Sources ({len(configured)})")
    for column in (
        "source",
        "kind",
        "crawled",
        "URL / buyer",
        "last run",
        "status",
        "new",
        "failed",
        "high-water mark",
    ):
        table.add_column(column)
    for name, source in configured.items():
        state, run = states.get(name), runs.get(name)
        crawled = (
            "yes" if source.crawled_by_default else ("example: verify" if not source.verified else "disabled")
        )
        where = source.buyer.name if source.buyer else (source.url or "(default TED endpoint)")
        table.add_row(
            name,
            source.kind,
            crawled,
            where,
            f"{run.finished_at:%Y-%m-%d %H:%M}" if run and run.finished_at else "never",
            run.status if run else "-",
            str(run.new) if run else "-",
            str(run.failed) if run else "-",
            (state.high_water_mark if state else None) or "-",
        )
    _console().print(table)


@click.command("crawl")
@click.option("--notices", default=2000, show_default=True, help="Notices served through the TED-shaped API.")
@click.option("--package-notices", default=3000, show_default=True, help="Notices in the daily package.")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var/bench-crawl"),
    show_default=True,
    help="Where the benchmark writes its databases and sources (emptied first; refused if it holds "
    "other files).",
)
def bench_crawl(notices: int, package_notices: int, folder: Path) -> None:
    """Crawl throughput against a local server (politeness off) and daily-package back-fill."""
    from crawlers.bench import run_crawl_benchmark  # noqa: PLC0415

    today = date.today()
    result = run_crawl_benchmark(folder, api_notices=notices, package_notices=package_notices, today=today)
    for line in result.lines():
        click.echo(line)
