"""`anbudsradar demo`: run the whole chain on the bundled Norrbotten samples and print a summary."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from anbudsradar.demo import DemoResult, run_demo

RESERVED_LABELS = {
    "shelteredWorkshop": "4 kap. 18 § (res-ws)",
    "publicServiceMissionOrganization": "res-pub-ser",
}


@click.command()
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var/demo"),
    show_default=True,
    help="Where the demo writes its samples and database (emptied first).",
)
def demo(folder: Path) -> None:
    """Run the demo end to end and print what each step did."""
    console = Console()
    if not console.is_terminal:  # piped or in CI: rich would assume 80 columns and fold the table
        console = Console(width=160)
    result = run_demo(folder)
    _print_summary(console, result)


def _print_summary(console: Console, result: DemoResult) -> None:
    first, again = result.ingest.counts(), result.reingest.counts()
    console.print(
        f"[bold]1. Sample notices[/] {len(result.sample_files)} eForms files in {result.folder / 'samples'}"
    )
    console.print(
        f"[bold]2. Ingest[/] into {result.database_url}: {first['new']} new, {first['updated']} updated, "
        f"{first['unchanged']} unchanged, {first['failed']} failed"
    )
    console.print(
        f"   again (idempotent): {again['new']} new, {again['updated']} updated, "
        f"{again['unchanged']} unchanged, {again['failed']} failed"
    )
    table = Table(title="Stored notices", show_lines=False)
    for column in ("type", "buyer", "title", "CPV", "lots", "reserved", "deadline", "versions"):
        table.add_column(column)
    for notice in result.notices:
        reserved = ", ".join(RESERVED_LABELS.get(code, code) for code in notice.reserved_participation)
        if notice.reserved_execution:
            reserved = ", ".join(filter(None, [reserved, "BT-736"]))
        table.add_row(
            notice.notice_type,
            notice.buyer.name if notice.buyer else "",
            (notice.title or "")[:48],
            notice.cpv_main or "",
            str(len(notice.lots)),
            reserved or "-",
            (notice.deadline or "-")[:10],
            str(notice.version_count),
        )
    console.print(table)
