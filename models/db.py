"""Engines, sessions and schema migration (Alembic) for any SQLAlchemy URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from models.exceptions import DatabaseOpenError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The first 16 bytes of every SQLite database file (https://www.sqlite.org/fileformat.html).
SQLITE_HEADER = b"SQLite format 3\x00"


def sqlite_file(url: URL) -> Path | None:
    """Return the file of a SQLite URL; None for another database or an in-memory one."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def make_engine(url: str) -> Engine:
    """Create an engine; for a SQLite file, create its folder and turn on foreign keys and WAL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # The crawler's writers, the scheduler and the web app may write at once: wait for the lock
    # (up to a minute) instead of failing after sqlite3's default five seconds.
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic configuration bound to `engine` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (creating it on an empty database)."""
    command.upgrade(alembic_config(engine), revision)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def open_database(url: str) -> sessionmaker[Session]:
    """Create the engine for `url`, migrate it to head and return a session factory.

    Any failure to open or migrate raises DatabaseOpenError naming the URL with its password hidden.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseOpenError(f"{url!r} is not a database URL") from None
    shown = parsed.render_as_string(hide_password=True)
    engine: Engine | None = None
    try:
        foreign = _foreign_file(parsed)
        if foreign is not None:
            raise DatabaseOpenError(
                f"{shown}: {foreign} exists and is not a SQLite database; "
                "give a new file name or an existing database"
            )
        engine = make_engine(url)
        migrate(engine)
        return session_factory(engine)
    except (SQLAlchemyError, CommandError, ImportError, OSError) as exc:
        if engine is not None:
            engine.dispose()
        raise DatabaseOpenError(f"{shown}: cannot open the database ({_reason(exc)})") from exc


def _foreign_file(url: URL) -> Path | None:
    """Return a SQLite URL's file if it exists, is not empty and lacks the SQLite header, else None.

    SQLite would otherwise turn a short text file into a database, overwriting what it held.
    """
    path = sqlite_file(url)
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return None
    with path.open("rb") as handle:
        return None if handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER else path


def _reason(exc: BaseException) -> str:
    """Return the first line of what went wrong, without SQLAlchemy's wrapping and links."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    if isinstance(exc, ImportError):
        return f"its driver is not installed: {exc}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@contextmanager
def database(url: str) -> Iterator[sessionmaker[Session]]:
    """Open (and migrate) the database at `url` for a block; its connections close afterwards."""
    sessions = open_database(url)
    try:
        yield sessions
    finally:
        sessions.kw["bind"].dispose()
