"""program_terms: the program settings partners' desks apply, synced in the global scope

Same fields as the workbench's store revision 0007. The rows are written from the program
settings when the server starts and whenever a channel manager changes one.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 18:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('program_terms',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('partner_id', sa.String(length=36), nullable=True),
    sa.Column('key', sa.Text(), nullable=True),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('scope', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_terms'))
    )
    with op.batch_alter_table('program_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_terms_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index('ix_program_terms_scope_seq', ['scope', 'seq'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('program_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_program_terms_scope_seq')
        batch_op.drop_index(batch_op.f('ix_program_terms_partner_id'))
    op.drop_table('program_terms')
