"""stored, indexed reserved flag on notices

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# What models.reserved.reserved_expression (now models.flags) computed, as it stood at this revision.
BACKFILL = """
UPDATE notice SET reserved = (
    json_array_length(reserved_participation) > 0
    OR reserved_execution = TRUE
    OR EXISTS (
        SELECT 1 FROM notice_tag
        WHERE notice_tag.notice_pk = notice.id
          AND notice_tag.kind = 'social'
          AND notice_tag.code IN ('reserved_sheltered', 'reserved_public_service')
    )
)
"""


def upgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reserved', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_notice_reserved_deadline', ['reserved', 'deadline'], unique=False)
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_reserved_deadline')
        batch_op.drop_column('reserved')
