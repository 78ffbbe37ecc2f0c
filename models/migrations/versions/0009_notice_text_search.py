"""indexed, Unicode case-insensitive free-text search over notice title and description

SQLite: an external-content FTS5 table with the trigram tokenizer, three triggers that keep it in step
with notice, filled from the existing notices. PostgreSQL: pg_trgm GIN indexes that ILIKE uses; where
the extension cannot be created the upgrade logs a warning and the search scans as before.
models.search says how the tender list queries them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 13:00:00.000000
"""

from __future__ import annotations

import logging

from alembic import op
from sqlalchemy.exc import DBAPIError


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

log = logging.getLogger('models.migrations')

# The search objects as they stand at this revision (models.search names them for the queries).
SQLITE_UPGRADE = (
    """
    CREATE VIRTUAL TABLE notice_fts USING fts5(
        title, description, content='notice', content_rowid='id', tokenize='trigram'
    )
    """,
    """
    CREATE TRIGGER notice_fts_insert AFTER INSERT ON notice BEGIN
        INSERT INTO notice_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
    END
    """,
    """
    CREATE TRIGGER notice_fts_delete AFTER DELETE ON notice BEGIN
        INSERT INTO notice_fts (notice_fts, rowid, title, description)
        VALUES ('delete', old.id, old.title, old.description);
    END
    """,
    # only a change of the text (not of a flag or a date) touches the index
    """
    CREATE TRIGGER notice_fts_update AFTER UPDATE OF id, title, description ON notice BEGIN
        INSERT INTO notice_fts (notice_fts, rowid, title, description)
        VALUES ('delete', old.id, old.title, old.description);
        INSERT INTO notice_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
    END
    """,
    "INSERT INTO notice_fts (notice_fts) VALUES ('rebuild')",  # index the existing notices
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS notice_fts_update",
    "DROP TRIGGER IF EXISTS notice_fts_delete",
    "DROP TRIGGER IF EXISTS notice_fts_insert",
    "DROP TABLE IF EXISTS notice_fts",
)
PG_INDEXES = {'ix_notice_title_trgm': 'title', 'ix_notice_description_trgm': 'description'}


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_UPGRADE:
            op.execute(statement)
    else:
        _upgrade_postgresql()


def _upgrade_postgresql() -> None:
    """Create pg_trgm (a trusted extension: the database's CREATE privilege is enough) and the indexes.

    Both are tried inside a savepoint, so a server without the extension (no postgresql-contrib) or a
    role that may not create it leaves the database as it was, with a warning, instead of failing.
    """
    bind = op.get_bind()
    if not bind.exec_driver_sql("SELECT lower('ÅÄÖ') = 'åäö'").scalar():
        log.warning(
            "the database's LC_CTYPE folds ASCII letters only: the free-text search will tell "
            "'Älvsbyn' from 'älvsbyn' (create the database with a UTF-8 locale, e.g. sv_SE.UTF-8)"
        )
    try:
        with bind.begin_nested():
            bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS pg_trgm')
            for name, column in PG_INDEXES.items():
                bind.exec_driver_sql(f'CREATE INDEX {name} ON notice USING gin ({column} gin_trgm_ops)')
    except DBAPIError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        log.warning(
            'pg_trgm is not available (%s): the free-text search scans the notices without an index '
            '(docs/web.md: how to add the extension and the indexes later)',
            reason,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
    else:  # pg_trgm stays: other objects of the database may use it
        for name in PG_INDEXES:
            op.execute(f'DROP INDEX IF EXISTS {name}')
