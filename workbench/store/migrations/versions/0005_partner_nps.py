"""partners.nps, partners.nps_surveyed_on: the vendor's customer NPS survey of the partner

Vendor-owned (domain/model.py); the tier rubric's satisfaction criterion scores from it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 17:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nps', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('nps_surveyed_on', sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('nps_surveyed_on')
        batch_op.drop_column('nps')
