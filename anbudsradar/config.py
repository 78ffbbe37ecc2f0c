"""Settings read in one place: environment variables with embedded defaults and the reason for each."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from models.db import sqlite_file


class ConfigError(ValueError):
    """Raised when a setting has a value that cannot work; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings for one process."""

    # Where runtime files live (database, outbox, crawl state). Default ./var: beside the checkout,
    # ignored by git, so `make demo` works on a fresh clone without any set-up.
    data_dir: Path
    # Any SQLAlchemy URL. Default: a SQLite file in data_dir, enough for one laptop; PostgreSQL
    # (postgresql+psycopg://…) for several users or machines.
    database_url: str


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from the environment (ANBUDSRADAR_*), validating each value."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("ANBUDSRADAR_DATA_DIR", "var"))
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError(
            f"ANBUDSRADAR_DATA_DIR={str(data_dir)!r} is a file, not a folder "
            "(it holds the database, the outbox and the crawl state)"
        )
    database_url = env.get("ANBUDSRADAR_DATABASE_URL") or f"sqlite:///{data_dir / 'anbudsradar.db'}"
    check_database_url(database_url, "ANBUDSRADAR_DATABASE_URL")
    return Settings(data_dir=data_dir, database_url=database_url)


def check_database_url(url: str, name: str) -> None:
    """Raise ConfigError naming `name` (a variable or option) unless `url` is a usable database URL.

    A SQLite file must not be a folder, nor lie in a "folder" that is a file.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"{name}={url!r} is not a database URL "
            "(expected e.g. sqlite:///var/anbudsradar.db or postgresql+psycopg://user@host/db)"
        ) from None
    path = sqlite_file(parsed)
    if path is None:
        return
    if path.is_dir():
        raise ConfigError(f"{name}={url!r}: {path} is a folder, not a SQLite database file")
    folder = next((p for p in path.parents if p.exists()), None)
    if folder is not None and not folder.is_dir():
        raise ConfigError(f"{name}={url!r}: {folder} is a file, so {path} cannot be created in it")
