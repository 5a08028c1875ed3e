"""accounts.crm_record_id: the partner's CRM id for an account (Salesforce Id, HubSpot Record ID)

Partner-owned (domain/model.py); the desktop's import matches on it, so a colleague's re-import
of the same CRM export after a sync updates the account instead of creating a twin.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 16:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('crm_record_id', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('crm_record_id')
