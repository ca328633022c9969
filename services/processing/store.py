"""Processing's tables (its own database or schema)."""

import sqlalchemy as sa

from runtime import limits
from runtime.audit import audit_tables
from runtime.calendar_store import calendar_tables
from runtime.messaging import messaging_tables

metadata = sa.MetaData()

# One row per accepted assignment: the unit's work on one case.
work_items = sa.Table(
    "work_items", metadata,
    sa.Column("assignment_id", sa.String(limits.UUID), primary_key=True),
    sa.Column("case_id", sa.String(limits.UUID), nullable=False, index=True),
    sa.Column("unit_id", sa.String(limits.ID), nullable=False, index=True),
    sa.Column("unit_name", sa.String(300), nullable=False, server_default=""),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("content", sa.Text, nullable=False, server_default=""),
    # The case's media as MediaRef dicts (proto field names).
    sa.Column("media", sa.JSON, nullable=False),
    sa.Column("handler_id", sa.String(200), nullable=False, server_default=""),
    sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
    # Đ8.2a: acceptance + the unit's limit (in working days; null on items from before it was kept).
    sa.Column("handling_working_days", sa.Integer, nullable=True),
    sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
    sa.Column("extended_to", sa.DateTime(timezone=True), nullable=True),
    sa.Column("extension_reason", sa.Text, nullable=False, server_default=""),
    # The result (Appendix I).
    sa.Column("answer", sa.Text, nullable=False, server_default=""),
    sa.Column("document_number", sa.String(limits.DOCUMENT_NUMBER), nullable=False, server_default=""),
    sa.Column("addressee_kind", sa.String(limits.KIND), nullable=False, server_default=""),
    sa.Column("evidence_media_ids", sa.JSON, nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("approval_deadline", sa.DateTime(timezone=True), nullable=True),
    sa.Column("return_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
    # No server_default on booleans (PostgreSQL rejects '0'); every insert sets them.
    sa.Column("on_time", sa.Boolean, nullable=True),
    sa.Column("edited_by_leader", sa.Boolean, nullable=False),
    # Đ10.4: rework after publication's review or a "not satisfied" rating.
    sa.Column("rework_kind", sa.String(32), nullable=False, server_default=""),
    sa.Column("rework_requested_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("rework_deadline", sa.DateTime(timezone=True), nullable=True),
    sa.Column("rework_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rating_rework_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# Evidence files (Đ8.3); `assignment_id` is set once a submitted result uses the file.
evidence = sa.Table(
    "evidence", metadata,
    sa.Column("media_id", sa.String(limits.UUID), primary_key=True),
    # From the upload header: the assignment the file was uploaded for, when given.
    sa.Column("owner_id", sa.String(limits.UUID), nullable=True),
    sa.Column("assignment_id", sa.String(limits.UUID), sa.ForeignKey("work_items.assignment_id"), nullable=True,
              index=True),
    sa.Column("content_type", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("filename", sa.String(limits.NAME), nullable=False, server_default=""),
    sa.Column("storage_key", sa.String(200), nullable=False),
    # The copy without location metadata (images only): the one shown with a published answer.
    sa.Column("public_key", sa.String(200), nullable=False, server_default=""),
    # Stored as received, not re-encoded (video, PDF): only for authorised staff, never published.
    sa.Column("quarantined", sa.Boolean, nullable=False, server_default=sa.true()),
    # Set when the answer it supports is published (Đ10): only then is the public copy served.
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# Who did what, when and why, per work item (the unit's part of the audit trail).
history = sa.Table(
    "history", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("assignment_id", sa.String(limits.UUID), nullable=False, index=True),
    sa.Column("action", sa.String(48), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False, server_default=""),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

messaging_tables(metadata)
audit_tables(metadata)
# The run-time calendar (day rules and force-majeure pauses) announced by routing.
calendar_tables(metadata)
