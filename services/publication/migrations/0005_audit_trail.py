"""audit trail: the hash-chained audit_log and its head; append-only on PostgreSQL

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from runtime.audit import downgrade_v1, upgrade_v1

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # runtime/audit.py: audit_log, audit_head (one row: seq 0, the genesis hash); on PostgreSQL a
    # trigger refuses UPDATE, DELETE and TRUNCATE of audit_log, and those privileges are revoked.
    upgrade_v1(op)


def downgrade() -> None:
    downgrade_v1(op)
