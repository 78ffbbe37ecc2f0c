"""`anbudsradar demo`: run the whole chain on the bundled Norrbotten samples and print a summary."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from anbudsradar.demo import DemoResult, run_demo
from crawlers.run import CrawlReport

DEFAULT_FOLDER = Path("var/demo")
RESERVED_LABELS = {"shelteredWorkshop": "4 kap. 18 §", "publicServiceMissionOrganization": "res-pub-ser"}


@click.command()
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_FOLDER,
    show_default=True,
    help="Where the demo writes its samples and database (emptied first; refused if it holds other files).",
)
def demo(folder: Path) -> None:
    """Run the demo end to end and print what each step did."""
    console = Console()
    if not console.is_terminal:  # piped or in CI: rich would assume 80 columns and fold the table
        console = Console(width=160)
    result = run_demo(folder)  # a folder holding other files: ScratchFolderError, a clean error (cli)
    _print_summary(console, result)


def _crawl_lines(report: CrawlReport) -> list[str]:
    return [
        f"   {r.source:<28} {r.kind:<20} {r.requests:>3} requests: {r.new} new, {r.updated} updated, "
        f"{r.unchanged} unchanged, {r.failed} failed" + (f" ({r.message})" if r.message else "")
        for r in report.results
    ]


def _print_summary(console: Console, result: DemoResult) -> None:
    console.print(
        f"[bold]1. Sample notices[/] {len(result.sample_files)} eForms files in {result.folder / 'samples'}"
    )
    console.print(
        f"[bold]2. Crawl[/] the samples served on 127.0.0.1 as TED API, daily package, OCDS, RSS and "
        f"HTML listing sources ({result.crawl.sources_file}) into {result.database_url}:"
    )
    for line in _crawl_lines(result.crawl.first):
        console.print(line, markup=False, highlight=False)
    if result.crawl.again is not None:
        again = result.crawl.again.results
        console.print(
            f"   re-crawl: {sum(r.new for r in again)} new, {sum(r.updated for r in again)} updated "
            f"(each source resumes from its high-water mark)"
        )
    tagging = result.tagging
    console.print(
        f"[bold]3. Tag[/] {tagging.tagged} notices with ASF branches and social clauses "
        f"({tagging.tags} tags, tagger {tagging.tagger_version})"
    )
    table = Table(title="Stored notices", show_lines=False)
    for column in ("type", "buyer", "title", "branches", "social clauses", "deadline", "versions"):
        table.add_column(column)
    for notice in result.notices:
        tags = result.tags.get(notice.id, [])
        branches = ", ".join(t.code for t in tags if t.kind == "branch")
        social = [RESERVED_LABELS.get(code, code) for code in notice.reserved_participation]
        social += [t.code for t in tags if t.kind == "social" and t.code != "reserved_sheltered"]
        table.add_row(
            notice.notice_type,
            notice.buyer.name if notice.buyer else "",
            (notice.title or "")[:50],
            branches or "-",
            ", ".join(dict.fromkeys(social)) or "-",
            (notice.deadline or "-")[:10],
            str(notice.version_count),
        )
    console.print(table)
    _print_matching(console, result)


def _print_matching(console: Console, result: DemoResult) -> None:
    matching = result.matching
    stored = matching.matches
    console.print(
        f"[bold]4. Match[/] {matching.companies} fictional ASFs in Norrbotten ({matching.links} network "
        f"links) against {matching.items} open notices and lots: {stored.created} matches stored, "
        f"{matching.blocked} reserved notices held back from companies that are not eligible"
    )
    for line in matching.top_matches:
        console.print(f"   {line}", markup=False, highlight=False)
    for line in list(dict.fromkeys(matching.blocked_lines))[:2]:
        console.print(f"   {line}", markup=False, highlight=False)
    consortia = matching.consortia
    console.print(
        f"   consortium suggestions: {consortia.created + consortia.updated + consortia.unchanged} for "
        f"{consortia.with_team} tenders that no single company can take alone"
    )
    for line in matching.consortium_lines:
        console.print(f"   {line}", markup=False, highlight=False)
    digests = result.digests
    console.print(
        f"[bold]5. Digests[/] {len(digests.files)} weekly digests (week {digests.summary.week}) written "
        f"as .eml files to {digests.outbox}"
    )
    for path in digests.files[:3]:
        console.print(f"   {path}", markup=False, highlight=False)
    user, password = result.web_login
    if result.folder.resolve() == DEFAULT_FOLDER.resolve():
        command = ".venv/bin/anbudsradar serve --demo   (or: make serve)"
    else:  # `serve --demo` alone serves var/demo under the working directory
        command = f".venv/bin/anbudsradar serve --demo --database {result.database_url}"
    console.print(
        f"[bold]6. Web[/] run the command below and open http://127.0.0.1:8000/notices — "
        f"coordinator login {user} / {password}"
    )
    console.print(f"   {command}", markup=False, highlight=False, soft_wrap=True)
