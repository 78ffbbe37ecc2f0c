"""`anbudsradar serve`, `anbudsradar users add|passwd` and `anbudsradar bench web`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from anbudsradar.config import ConfigError, check_database_url, load_settings
from models.db import sqlite_file

DEMO_DATABASE = Path("var/demo/anbudsradar.db")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
@click.option(
    "--database",
    "database_url",
    help="Database URL (default: ANBUDSRADAR_DATABASE_URL, else anbudsradar.db in ANBUDSRADAR_DATA_DIR).",
)
@click.option(
    "--demo",
    is_flag=True,
    help=f"Serve the demo's database ({DEMO_DATABASE}, or the one of --database) with the demo's "
    "secret key if none is set.",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
    help="Uvicorn's log level; debug also logs every request.",
)
def serve(host: str, port: int, database_url: str | None, demo: bool, log_level: str) -> None:
    """Serve the web pages and the JSON API with uvicorn."""
    import uvicorn  # noqa: PLC0415 - only this command needs the server

    from anbudsradar.web.app import create_app  # noqa: PLC0415
    from anbudsradar.web.exceptions import WebConfigError  # noqa: PLC0415
    from anbudsradar.web.settings import load_web_settings  # noqa: PLC0415

    try:
        if database_url is None:
            database_url = f"sqlite:///{DEMO_DATABASE}" if demo else load_settings().database_url
        else:
            check_database_url(database_url, "--database")
        if demo:
            _use_demo_key(database_url)
        settings = load_web_settings(demo=demo)
    except (WebConfigError, ConfigError) as exc:
        raise click.ClickException(str(exc)) from None
    app = create_app(database_url, settings)
    click.echo(f"Anbudsradar på http://{host}:{port}/ (databas {database_url})")
    if demo:
        from anbudsradar.web.demo import ensure_demo_user  # noqa: PLC0415

        username, password = ensure_demo_user(database_url)
        click.echo(f"Samordnarens sidor: logga in som {username!r} med lösenordet {password!r} (bara demo)")
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=log_level == "debug")


def _use_demo_key(database_url: str) -> None:
    """Check that the demo database exists; without ANBUDSRADAR_SECRET_KEY, use the demo's key.

    The demo signs its digests' unsubscribe and preference links with the `secret_key` file it
    writes beside its database; serving with that key makes those links work.
    """
    path = sqlite_file(make_url(database_url))
    if path is None:
        return
    if not path.is_file():
        raise click.ClickException(f"{path} does not exist: run `anbudsradar demo` first")
    key_file = path.parent / "secret_key"
    if not os.environ.get("ANBUDSRADAR_SECRET_KEY") and key_file.is_file():
        os.environ["ANBUDSRADAR_SECRET_KEY"] = key_file.read_text(encoding="utf-8").strip()


@click.group()
def users() -> None:
    """Manage the users who may log in to the coordinator pages."""


def _database_url(database_url: str | None) -> str:
    """Return the --database URL, checked, or else the configured one; a bad one is a clean error."""
    try:
        if database_url:
            check_database_url(database_url, "--database")
            return database_url
        return load_settings().database_url
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", help="The name shown in the pages and in the consortium history.")
@click.option("--database", "database_url", help="Database URL (default: ANBUDSRADAR_DATABASE_URL).")
@click.password_option(help="The password (asked for when not given; at least 10 characters).")
def add_user(username: str, display_name: str | None, database_url: str | None, password: str) -> None:
    """Add a user who may log in."""
    from anbudsradar.web.auth import create_user  # noqa: PLC0415
    from anbudsradar.web.exceptions import UserError  # noqa: PLC0415
    from models.db import database  # noqa: PLC0415

    with database(_database_url(database_url)) as sessions, sessions() as session:
        try:
            user = create_user(session, username, password, display_name)
        except UserError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        click.echo(f"added user {user.username}")


@users.command("passwd")
@click.argument("username")
@click.option("--database", "database_url", help="Database URL (default: ANBUDSRADAR_DATABASE_URL).")
@click.password_option(help="The new password (asked for when not given).")
def change_password(username: str, database_url: str | None, password: str) -> None:
    """Set a user's password (and log the user out everywhere)."""
    from anbudsradar.web.auth import set_password  # noqa: PLC0415
    from anbudsradar.web.exceptions import UserError  # noqa: PLC0415
    from models.db import database  # noqa: PLC0415

    with database(_database_url(database_url)) as sessions, sessions() as session:
        try:
            user = set_password(session, username, password)
        except UserError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        click.echo(f"changed the password of {user.username}")


@click.command("web")
@click.option(
    "--notices",
    default=50_000,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Synthetic notices to store.",
)
@click.option(
    "--requests",
    "requests_",
    default=600,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Requests per measured URL.",
)
@click.option(
    "--concurrency", default=4, show_default=True, type=click.IntRange(1, 32), help="Client threads."
)
@click.option(
    "--database",
    "database_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep the filled SQLite database here and reuse it on the next run (default: a temporary one).",
)
def bench_web(notices: int, requests_: int, concurrency: int, database_path: Path | None) -> None:
    """Load-test the tender list: requests/s and p50/p95 latency with N notices in SQLite."""
    from anbudsradar.benchmarks import web_bench  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="anbudsradar-bench-web-") as folder:
        path = database_path or Path(folder) / "web-bench.db"
        url = f"sqlite:///{path}"
        # reuse a filled database; a new path, an empty file or a database without notices is filled
        total = web_bench.count_notices(url) if path.is_file() and path.stat().st_size else 0
        if total == 0:
            click.echo(f"filling {path} with {notices} synthetic notices (structured tags)…")
            total = web_bench.fill_database(url, notices, progress=lambda n: click.echo(f"  {n} stored"))
        click.echo(f"{total} notices in {path}")
        port = web_bench.free_port()
        server = web_bench.start_server(url, port)
        try:
            base = f"http://127.0.0.1:{port}"
            web_bench.load(base, ["/notices"], min(20, requests_), concurrency)  # warm-up, not reported
            for label, paths in web_bench.SCENARIOS:
                result = web_bench.load(base, paths, requests_, concurrency)
                click.echo(f"{label:<48} {web_bench.summary(result)}")
        finally:
            server.terminate()
            server.wait(timeout=30)
