"""`anbudsradar companies | network | match | consortia | bench match`: registry, matching, teams.

Each command opens the database from the settings, calls one service function of matcher/, commits,
and prints; domain errors become command-line errors here and nowhere else.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from anbudsradar.config import ConfigError, load_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from matcher.registry import ImportReport


def _console() -> Console:
    """Return a console; 160 columns when not a terminal (pipes, tests)."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


@contextmanager
def _session() -> Iterator[Session]:
    """Open the configured database; domain errors become click errors."""
    from matcher.exceptions import MatcherError  # noqa: PLC0415 - keep `anbudsradar --help` fast
    from models.db import database  # noqa: PLC0415

    try:
        url = load_settings().database_url
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        with database(url) as sessions, sessions() as session:
            yield session
    except MatcherError as exc:
        raise click.ClickException(str(exc)) from None


def _report(report: ImportReport | object, what: str) -> None:
    """Print an import report; exit 1 when some row was rejected."""
    errors = getattr(report, "errors", [])
    for problem in errors:
        click.echo(f"error: {problem}", err=True)
    click.echo(
        f"{getattr(report, 'source', '')}: {report.created} new, {report.updated} updated, "  # type: ignore[attr-defined]
        f"{report.unchanged} unchanged {what}, {len(errors)} rejected"  # type: ignore[attr-defined]
    )
    if errors:
        sys.exit(1)


@click.group()
def companies() -> None:
    """Import, list, show and export the company registry (see docs/companies.md)."""


@companies.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def companies_import(file: Path) -> None:
    """Import companies from FILE (.csv or .yaml), idempotently by organisation number.

    Every bad row is reported with its line number and the good rows are imported; exit status 1
    when some row was rejected.
    """
    from matcher.registry import import_companies  # noqa: PLC0415

    with _session() as session:
        report = import_companies(session, file)
        session.commit()
    _report(report, "companies")


@companies.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also list inactive companies.")
def companies_list(show_all: bool) -> None:
    """List the companies: organisation number, name, branches, area, size and share."""
    from matcher.match_profiles import CompanyProfile  # noqa: PLC0415
    from matcher.registry import iter_companies  # noqa: PLC0415
    from matcher.registry_fields import format_org_number  # noqa: PLC0415

    table = Table(show_lines=False)
    for column in ("org. nr", "name", "branches", "area", "employees", "share", "active"):
        table.add_column(column)
    with _session() as session:
        for company in iter_companies(session, active_only=not show_all):
            area = CompanyProfile.from_company(company).area.describe()
            share = "" if company.integration_share is None else f"{company.integration_share:.0%}"
            table.add_row(
                format_org_number(company.org_number), company.name, ", ".join(company.branches), area,
                "" if company.employees is None else str(company.employees), share,
                "yes" if company.active else "no",
            )
    _console().print(table)


@companies.command("show")
@click.argument("org_number")
def companies_show(org_number: str) -> None:
    """Show one company: its profile, network links and best stored matches."""
    from sqlalchemy import select  # noqa: PLC0415

    from matcher.match_profiles import CompanyProfile  # noqa: PLC0415
    from matcher.registry import find_company  # noqa: PLC0415
    from matcher.registry_fields import COLUMNS, format_org_number  # noqa: PLC0415
    from matcher.registry_network import list_links  # noqa: PLC0415
    from models.matching import MatchResult  # noqa: PLC0415
    from models.notice import Notice  # noqa: PLC0415

    console = _console()
    with _session() as session:
        company = find_company(session, org_number)
        profile = CompanyProfile.from_company(company)
        console.print(f"[bold]{company.name}[/] ({format_org_number(company.org_number)})")
        for column in COLUMNS[2:]:
            value = getattr(company, column)
            text = ", ".join(value) if isinstance(value, list) else value
            console.print(f"  {column}: {text}", markup=False)
        console.print(f"  area in words: {profile.area.describe()}", markup=False)
        capacity = "unknown" if profile.capacity_sek is None else f"{profile.capacity_sek:,.0f} SEK"
        console.print(f"  capacity used for matching: {capacity} ({profile.capacity_source})", markup=False)
        eligible = "yes" if profile.eligible else "no"
        console.print(f"  eligible for reserved contracts (4 kap. 18 §): {eligible}")
        for link, a, b in list_links(session):
            if company.id in (a.id, b.id):
                other = b if a.id == company.id else a
                console.print(f"  link: {link.kind} with {other.name} (weight {link.weight:g})", markup=False)
        rows = session.execute(
            select(MatchResult, Notice.title)
            .join(Notice, Notice.id == MatchResult.notice_pk)
            .where(MatchResult.company_pk == company.id)
            .order_by(MatchResult.score.desc())
            .limit(10)
        ).all()
        for match, title in rows:
            lot = f" [{match.lot_id}]" if match.lot_id else ""
            console.print(f"  match {match.score:.2f}: {title}{lot}: {match.reasons[0]}", markup=False)


@companies.command("export")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True), default="-")
@click.option("--active-only", is_flag=True, help="Leave out inactive companies.")
def companies_export(file: Path, active_only: bool) -> None:
    """Export the companies as CSV in the import format (to FILE, or stdout with '-')."""
    from matcher.registry import export_companies, iter_companies  # noqa: PLC0415

    with _session() as session:
        rows = list(iter_companies(session, active_only=active_only))
        if str(file) == "-":
            export_companies(rows, sys.stdout)
            return
        try:
            with file.open("w", encoding="utf-8", newline="") as out:
                count = export_companies(rows, out)
        except OSError as exc:  # a folder that does not exist, no permission, a full disk
            raise click.ClickException(f"{file}: cannot write the file ({exc.strerror})") from None
    click.echo(f"wrote {count} companies to {file}", err=True)


@click.group()
def network() -> None:
    """Import and list the supplier network: links between companies (network, joint bids…)."""


@network.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def network_import(file: Path) -> None:
    """Import links from FILE (.csv or .yaml with org_a, org_b, kind, weight, note), idempotently."""
    from matcher.registry_network import import_network  # noqa: PLC0415

    with _session() as session:
        report = import_network(session, file)
        session.commit()
    _report(report, "links")


@network.command("list")
def network_list() -> None:
    """List every link of the supplier network."""
    from matcher.registry_network import list_links  # noqa: PLC0415

    table = Table()
    for column in ("company", "company", "kind", "weight", "note"):
        table.add_column(column)
    with _session() as session:
        for link, a, b in list_links(session):
            table.add_row(a.name, b.name, link.kind, f"{link.weight:g}", link.note or "")
    _console().print(table)


@click.command()
@click.option("--company", "org_number", help="Only this company (organisation number); also shows "
              "reserved contracts it may not bid for, and why.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only notices published since DATE.")
@click.option("--limit", type=click.IntRange(1, 10**4), default=30, show_default=True, help="Lines to print.")
@click.option("--dry-run", is_flag=True, help="Print the matches without storing them.")
def match(*, org_number: str | None, since: datetime | None, limit: int, dry_run: bool) -> None:
    """Score companies against the open notices and lots, store the matches and print them ranked.

    Each line shows the score, the company, the notice (and lot), the reasons in Swedish and the
    contribution of each factor (branch, area, size, time, reserved, social).
    """
    from sqlalchemy import select  # noqa: PLC0415

    from matcher.match_reasons import breakdown  # noqa: PLC0415
    from matcher.matching import compute_matches, store_matches  # noqa: PLC0415
    from models.notice import Notice  # noqa: PLC0415

    since_day: date | None = since.date() if since else None
    console = _console()
    with _session() as session:
        run = compute_matches(session, org_number=org_number, since=since_day, with_blocked=bool(org_number))
        stored = None if dry_run else store_matches(session, run)
        session.commit()
        pks = sorted({i.notice_pk for i in run.items})
        query = select(Notice.id, Notice.title).where(Notice.id.in_(pks))
        titles = dict(session.execute(query).all())
    names = {p.pk: p.name for p in run.profiles}
    ranked = sorted(run.matches, key=lambda m: (-m.score, names[m.company_pk], m.notice_pk, m.lot_id or ""))
    for m in ranked[:limit]:
        lot = f" [{m.lot_id}]" if m.lot_id else ""
        head = f"{names[m.company_pk]} – #{m.notice_pk} {titles.get(m.notice_pk)}{lot}"
        console.print(f"[bold]{m.score:.2f}[/] {head}", highlight=False)
        for reason in m.reasons:
            console.print(f"      {reason}", markup=False, highlight=False)
        console.print(f"      {breakdown(m.details, m.score)}", markup=False, highlight=False, style="dim")
    for b in run.blocked[:limit]:
        lot = f" [{b.lot_id}]" if b.lot_id else ""
        head = f"{names[b.company_pk]} – #{b.notice_pk} {titles.get(b.notice_pk)}{lot}"
        console.print(f"[bold]not shown[/] {head}", highlight=False)
        for reason in b.reasons:
            console.print(f"      {reason}", markup=False, highlight=False)
    summary = f"{len(run.profiles)} companies × {len(run.items)} open items: {len(run.matches)} matches"
    if stored is not None:
        summary += (f" ({stored.created} new, {stored.updated} updated, {stored.unchanged} unchanged, "
                    f"{stored.removed} removed)")
    click.echo(summary + f" in {run.seconds:.2f} s")


# A suggestion's database id: positive and within a 32-bit INTEGER, so no database sees a bad one.
SUGGESTION_ID = click.IntRange(1, 2**31 - 1)


@click.command()
@click.argument("notice_id")
@click.option("--accept", "accept_id", type=SUGGESTION_ID, help="Accept suggestion ID.")
@click.option("--dismiss", "dismiss_id", type=SUGGESTION_ID, help="Dismiss suggestion ID.")
@click.option("--propose", "propose_id", type=SUGGESTION_ID, help="Set suggestion ID back to proposed.")
@click.option("--by", "actor", default="", help="Who changes the status (required with --accept/--dismiss).")
@click.option("--note", help="A note to keep with the status change.")
@click.option("--teams", type=click.IntRange(1, 10), default=3, show_default=True, help="Teams per tender.")
def consortia(
    *,
    notice_id: str,
    accept_id: int | None,
    dismiss_id: int | None,
    propose_id: int | None,
    actor: str,
    note: str | None,
    teams: int,
) -> None:
    """Suggest teams of 2–4 companies for NOTICE_ID (database id or notice id) and list them.

    While the notice is open, teams are searched again (CP-SAT) and stored as proposed; accepted
    and dismissed ones keep their status. --accept/--dismiss/--propose ID --by NAME change one.
    """
    from matcher.consortium_service import (  # noqa: PLC0415
        find_notice,
        set_status,
        stored_suggestions,
        suggest_for_notice,
    )

    wanted = ((accept_id, "accepted"), (dismiss_id, "dismissed"), (propose_id, "proposed"))
    changes = [(i, status) for i, status in wanted if i is not None]
    console = _console()
    with _session() as session:
        notice = find_notice(session, notice_id)
        for suggestion_id, status in changes:
            row = set_status(session, suggestion_id, status, actor, note)
            click.echo(f"suggestion {row.id}: {status} by {row.changed_by}")
        summary = None if changes else suggest_for_notice(session, notice, teams=teams)
        session.commit()
        rows = stored_suggestions(session, notice.id)
        names = _company_names(session, {pk for row in rows for pk in row.member_pks})
        console.print(f"[bold]#{notice.id} {notice.title}[/]", highlight=False)
        if summary is not None:
            click.echo(f"{summary}")
        if not rows:
            click.echo("no team suggested: one company can take each part alone, or no team covers it")
        for row in rows:
            lot = f" [{row.lot_id}]" if row.lot_id else ""
            members = " + ".join(names.get(pk, f"#{pk}") for pk in row.member_pks)
            who = f" by {row.changed_by}" if row.changed_by else ""
            line = f"{lot} {row.score:.2f} {row.status}{who}: {members}"
            console.print(f"[bold]{row.id}[/]{line}", highlight=False)
            for key, pks in row.coverage.items():
                console.print(f"      {key}: {', '.join(names.get(pk, str(pk)) for pk in pks)}", markup=False)
            for reason in row.reasons:
                console.print(f"      {reason}", markup=False, highlight=False)


def _company_names(session: Session, pks: set[int]) -> dict[int, str]:
    """Return company names by primary key."""
    from sqlalchemy import select  # noqa: PLC0415

    from models.company import Company  # noqa: PLC0415

    query = select(Company.id, Company.name).where(Company.id.in_(pks))
    return dict(session.execute(query).all())


def _network_sizes(_ctx: click.Context, _param: click.Parameter, value: str) -> list[int]:
    """Read --networks: comma-separated whole numbers from 2 to 10**6 (the companies in a network)."""
    sizes = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        if not part.isascii() or not part.isdigit() or not 2 <= int(part) <= 10**6:
            raise click.BadParameter(f"{part!r} is not a network size from 2 to 1000000 (e.g. 100,1000)")
        sizes.append(int(part))
    return sizes


@click.command("match")
@click.option("--companies", "n_companies", type=click.IntRange(1, 10**6), default=10_000, show_default=True,
              help="Seed-generated companies to match.")
@click.option("--notices", "n_notices", type=click.IntRange(1, 10**7), default=50_000, show_default=True,
              help="Seed-generated open notices to match them against.")
@click.option("--networks", default="100,1000,10000", show_default=True, callback=_network_sizes,
              help="Network sizes for the consortium search, comma-separated.")
@click.option("--tenders", type=click.IntRange(1, 1000), default=30, show_default=True,
              help="Tenders per network size.")
@click.option("--seed", type=int, default=20261129, show_default=True,
              help="Seed of the generated companies, notices and networks.")
def bench_match(*, n_companies: int, n_notices: int, networks: list[int], tenders: int, seed: int) -> None:
    """Measure matching (companies × open notices, peak memory) and team search (CP-SAT vs greedy)."""
    from anbudsradar.benchmarks.match_bench import run_consortium_bench, run_match_bench  # noqa: PLC0415

    result = run_match_bench(n_companies, n_notices, seed)
    click.echo(result.describe())
    for line in run_consortium_bench(networks, tenders, seed):
        click.echo(line.describe())
