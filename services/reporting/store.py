"""Reporting's tables (its own database or schema): facts from events, no personal data."""

import sqlalchemy as sa

from runtime import limits
from runtime.audit import audit_tables
from runtime.messaging import messaging_tables

metadata = sa.MetaData()

# Every column but the key may be empty: events arrive in any order.
cases = sa.Table(
    "cases", metadata,
    sa.Column("case_id", sa.String(limits.UUID), primary_key=True),
    sa.Column("channel", sa.Integer, nullable=False, server_default="0"),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=True, index=True),
    sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    # Đ10.3c: not published (state secrets or the provincial People's Committee's decision).
    sa.Column("restricted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("rating", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

assignments = sa.Table(
    "assignments", metadata,
    sa.Column("assignment_id", sa.String(limits.UUID), primary_key=True),
    sa.Column("case_id", sa.String(limits.UUID), nullable=False, index=True),
    sa.Column("unit_id", sa.String(limits.ID), nullable=False, server_default="", index=True),
    sa.Column("unit_name", sa.String(300), nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
    # When processing last moved the deadline (deadline.changed): a late acceptance event keeps it.
    sa.Column("deadline_changed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
    # No server_default on booleans (PostgreSQL rejects '0').
    sa.Column("on_time", sa.Boolean, nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

messaging_tables(metadata)
audit_tables(metadata)
