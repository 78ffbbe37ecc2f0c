"""Errors of the storage layer; each message names the database URL (password hidden)."""

from __future__ import annotations


class DatabaseOpenError(Exception):
    """Raised by models.db.open_database when a database cannot be opened or migrated.

    A server that is down, a driver that is not installed, a SQLite file that cannot be created or is
    not a SQLite database. The command line reports it as a clean error (anbudsradar.cli.LazyGroup).
    """
