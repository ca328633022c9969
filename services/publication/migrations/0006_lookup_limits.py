"""lookup limits: failed citizen look-ups per tracking code and per source address (runtime/lookup_limits.py)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 15:56:41.099567
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lookup_failures',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('lookup_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lookup_failures_failed_at'), ['failed_at'], unique=False)
        batch_op.create_index('ix_lookup_failures_key_failed_at', ['key', 'failed_at'], unique=False)

    op.create_table('lookup_trusted',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('proved_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('lookup_trusted', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lookup_trusted_proved_at'), ['proved_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('lookup_trusted', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lookup_trusted_proved_at'))

    op.drop_table('lookup_trusted')
    with op.batch_alter_table('lookup_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_lookup_failures_key_failed_at')
        batch_op.drop_index(batch_op.f('ix_lookup_failures_failed_at'))

    op.drop_table('lookup_failures')
