"""Alembic environment: migrations run on the engine handed in by models.db (online only)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

import models

target_metadata = models.Base.metadata


def run_migrations_online() -> None:
    """Run the migrations on the engine in the Alembic config attributes."""
    engine: Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
