"""Settings read in one place: environment variables with embedded defaults and the reason for each."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


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
    database_url = env.get("ANBUDSRADAR_DATABASE_URL") or f"sqlite:///{data_dir / 'anbudsradar.db'}"
    try:
        make_url(database_url)
    except ArgumentError:
        raise ConfigError(
            f"ANBUDSRADAR_DATABASE_URL={database_url!r} is not a database URL "
            "(expected e.g. sqlite:///var/anbudsradar.db or postgresql+psycopg://user@host/db)"
        ) from None
    return Settings(data_dir=data_dir, database_url=database_url)
