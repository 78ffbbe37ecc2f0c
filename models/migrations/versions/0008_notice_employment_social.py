"""stored, indexed employment and social flags on notices

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 11:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# What models.flags.employment_expression and social_expression compute, as they stood at this revision.
BACKFILL = """
UPDATE notice SET
    employment = (
        CAST(social_objectives AS VARCHAR) LIKE '%"opp"%'
        OR EXISTS (
            SELECT 1 FROM notice_tag
            WHERE notice_tag.notice_pk = notice.id
              AND notice_tag.kind = 'social'
              AND notice_tag.code = 'employment_requirement'
        )
    ),
    social = (
        CAST(social_objectives AS VARCHAR) LIKE '%"acc-all"%'
        OR CAST(social_objectives AS VARCHAR) LIKE '%"et-eq"%'
        OR CAST(social_objectives AS VARCHAR) LIKE '%"gen-eq"%'
        OR CAST(social_objectives AS VARCHAR) LIKE '%"hum-right"%'
        OR CAST(social_objectives AS VARCHAR) LIKE '%"other"%'
        OR CAST(social_objectives AS VARCHAR) LIKE '%"work-cond"%'
        OR CAST(strategic_procurement AS VARCHAR) LIKE '%"soc-obj"%'
        OR EXISTS (
            SELECT 1 FROM notice_tag
            WHERE notice_tag.notice_pk = notice.id
              AND notice_tag.kind = 'social'
              AND notice_tag.code = 'social_considerations'
        )
    )
"""


def upgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('employment', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('social', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_notice_employment_deadline', ['employment', 'deadline'], unique=False)
        batch_op.create_index('ix_notice_social_deadline', ['social', 'deadline'], unique=False)
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_social_deadline')
        batch_op.drop_index('ix_notice_employment_deadline')
        batch_op.drop_column('social')
        batch_op.drop_column('employment')
