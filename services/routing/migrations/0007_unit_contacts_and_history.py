"""unit contacts (encrypted) and the unit directory's history (Đ16.1)

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contacts_enc', sa.LargeBinary(), nullable=True))

    op.create_table(
        'unit_history',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('unit_id', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('actor', sa.String(length=120), nullable=False),
        sa.Column('request_id', sa.String(length=120), server_default='', nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('previous_enc', sa.LargeBinary(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.unit_id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('unit_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_history_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('unit_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_history_unit_id'))
    op.drop_table('unit_history')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('contacts_enc')
