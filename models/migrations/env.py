"""Alembic environment: migrations run on the engine handed in by models.db (online only)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

import models
from models.search import include_name

target_metadata = models.Base.metadata


def run_migrations_online() -> None:
    """Run the migrations on the engine in the Alembic config attributes."""
    engine: Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table by dropping the old one; with foreign keys on, that drop
            # would cascade (ON DELETE CASCADE) and delete the rows of every table that refers to it.
            # The pragma only takes effect outside a transaction, so it is set before one begins.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
            include_name=include_name,  # the text search's FTS table and trigram indexes (models.search)
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


run_migrations_online()
