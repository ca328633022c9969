"""disclosure approval, case units, lookup limits

Revision ID: 0008
Revises: 0007

Disclosures get a status and a second officer (Đ6.4, Đ13.8): the rows already there were handed
over at once by one officer, so they become "disclosed", requested and disclosed at the same
instant, by the officer recorded as their actor. The units each case is assigned to (for access to
its originals) start empty: routing's assignment events fill them from now on.
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_units',
        sa.Column('assignment_id', sa.String(length=36), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('unit_id', sa.String(length=64), nullable=False),
        sa.Column('returned', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint('assignment_id'),
    )
    op.create_index('ix_case_units_case_id', 'case_units', ['case_id'], unique=False)

    op.create_table(
        'lookup_failures',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_lookup_failures_failed_at', 'lookup_failures', ['failed_at'], unique=False)
    op.create_index('ix_lookup_failures_key_failed_at', 'lookup_failures', ['key', 'failed_at'], unique=False)

    op.create_table(
        'lookup_trusted',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('proved_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index('ix_lookup_trusted_proved_at', 'lookup_trusted', ['proved_at'], unique=False)

    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.alter_column('actor', new_column_name='requested_by', existing_type=sa.String(length=120),
                              existing_nullable=False, existing_server_default='')
        batch_op.add_column(sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='disclosed', nullable=False))
        batch_op.add_column(sa.Column('confidential', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('decided_by', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('refusal_reason', sa.Text(), server_default='', nullable=False))
        batch_op.alter_column('disclosed_at', existing_type=sa.DateTime(timezone=True), nullable=True)
    op.execute("UPDATE disclosures SET requested_at = disclosed_at")
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.alter_column('requested_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index('ix_disclosures_requested_at', ['requested_at'], unique=False)


def downgrade() -> None:
    # Requests not handed over (pending, refused) have no place in the old table: dropped.
    op.execute("DELETE FROM disclosures WHERE disclosed_at IS NULL")
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosures_requested_at')
        batch_op.alter_column('disclosed_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_column('refusal_reason')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by')
        batch_op.drop_column('confidential')
        batch_op.drop_column('status')
        batch_op.drop_column('requested_at')
        batch_op.alter_column('requested_by', new_column_name='actor', existing_type=sa.String(length=120),
                              existing_nullable=False, existing_server_default='')
    op.drop_index('ix_lookup_trusted_proved_at', table_name='lookup_trusted')
    op.drop_table('lookup_trusted')
    op.drop_index('ix_lookup_failures_key_failed_at', table_name='lookup_failures')
    op.drop_index('ix_lookup_failures_failed_at', table_name='lookup_failures')
    op.drop_table('lookup_failures')
    op.drop_index('ix_case_units_case_id', table_name='case_units')
    op.drop_table('case_units')
