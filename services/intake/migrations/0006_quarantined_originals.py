"""quarantined originals

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows already there were stored as received (nothing was re-encoded before): quarantined.
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quarantined', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_column('quarantined')
