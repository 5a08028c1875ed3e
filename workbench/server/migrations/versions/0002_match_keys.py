"""match keys: the conflict check's pre-filter, filled for the records already stored

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 19:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('match_keys',
    sa.Column('key', sa.String(length=320), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('key', 'record_id', name=op.f('pk_match_keys'))
    )
    with op.batch_alter_table('match_keys', schema=None) as batch_op:
        batch_op.create_index('ix_match_keys_record', ['record_id', 'source'], unique=False)
    _backfill(op.get_bind())


def _backfill(conn: sa.Connection) -> None:
    # The keys come from today's matcher; a later change to it needs a revision that refills.
    from workbench.server import matchkeys

    for source, table in ((matchkeys.REGISTRATION, "registrations"),
                          (matchkeys.DIRECT, "direct_opportunities")):
        ids = conn.execute(sa.text(f"SELECT id FROM {table}")).scalars().all()
        for start in range(0, len(ids), 1000):
            matchkeys.refresh(conn, source, ids[start:start + 1000])


def downgrade() -> None:
    with op.batch_alter_table('match_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_match_keys_record')
    op.drop_table('match_keys')
