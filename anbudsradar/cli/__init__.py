"""The `anbudsradar` command line: a thin layer that parses options and calls one service function.

Subcommands are imported only when run, so that `anbudsradar parse` starts fast and never imports
the database layer, spaCy or scikit-learn.
"""

from __future__ import annotations

import importlib
import sys

import click

# command name -> "module:function" of a click command, imported on first use.
COMMANDS: dict[str, str] = {
    "parse": "anbudsradar.cli.parse_cmd:parse",
    "ingest": "anbudsradar.cli.ingest_cmd:ingest",
    "bench": "anbudsradar.cli.bench_cmd:bench",
    "demo": "anbudsradar.cli.demo_cmd:demo",
    "digest": "anbudsradar.cli.notify_cmd:digest",
    "schedule": "anbudsradar.cli.notify_cmd:schedule",
    "tag": "anbudsradar.cli.tag_cmd:tag",
    "train": "anbudsradar.cli.tag_cmd:train",
    "evaluate": "anbudsradar.cli.tag_cmd:evaluate",
    "retag": "anbudsradar.cli.retag_cmd:retag",
    "crawl": "anbudsradar.cli.crawl_cmd:crawl",
    "sources": "anbudsradar.cli.crawl_cmd:sources",
    "serve": "anbudsradar.cli.web_cmd:serve",
    "users": "anbudsradar.cli.web_cmd:users",
    "companies": "anbudsradar.cli.match_cmd:companies",
    "network": "anbudsradar.cli.match_cmd:network",
    "match": "anbudsradar.cli.match_cmd:match",
    "consortia": "anbudsradar.cli.match_cmd:consortia",
}
# `anbudsradar bench NAME`: benchmark name -> "module:function" of a click command.
BENCHMARKS: dict[str, str] = {
    "parse": "anbudsradar.cli.bench_parse:bench_parse_cmd",
    "tag": "anbudsradar.cli.tag_cmd:bench_tag",
    "crawl": "anbudsradar.cli.crawl_cmd:bench_crawl",
    "web": "anbudsradar.cli.web_cmd:bench_web",
    "match": "anbudsradar.cli.match_cmd:bench_match",
}

# Domain errors that any command may meet, reported as a clean error (exit status 1) in one place
# rather than in every command: "module:class", checked only once its module has been imported, so
# that `anbudsradar parse` never loads the database layer to catch them.
CLEAN_ERRORS: tuple[str, ...] = (
    "models.exceptions:DatabaseOpenError",
    "crawlers.exceptions:CrawlError",  # e.g. ScratchFolderError: a --folder holding other files
)


def clean_error_types() -> tuple[type[Exception], ...]:
    """Return the CLEAN_ERRORS classes whose modules are loaded (others cannot have been raised)."""
    types: list[type[Exception]] = []
    for target in CLEAN_ERRORS:
        module_name, attr = target.split(":")
        module = sys.modules.get(module_name)
        if module is not None:
            types.append(getattr(module, attr))
    return tuple(types)


class LazyGroup(click.Group):
    """A click group whose subcommands live in their own modules and load on demand."""

    def __init__(self, *args: object, commands: dict[str, str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands = COMMANDS if commands is None else commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return every subcommand name, sorted."""
        return sorted(self.lazy_commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return the named subcommand, or None if there is none."""
        target = self.lazy_commands.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command

    def invoke(self, ctx: click.Context) -> object:
        """Run the subcommand, turning a CLEAN_ERRORS error into a click error with its message."""
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if isinstance(exc, clean_error_types()):
                raise click.ClickException(str(exc)) from None
            raise


@click.group(cls=LazyGroup)
@click.version_option(package_name="anbudsradar")
def main() -> None:
    """Anbudsradar: public contracts for work-integrating social enterprises (ASF)."""
