"""Routing's tables (its own database or schema). No submitter's personal data: the submitter's
identity and contact stay in intake; the inbox keeps only what the coordinator and the units work
with. The only personal data here are the units' leaders and contact persons (Đ16.1), encrypted
with security.directory_key."""

import sqlalchemy as sa

from runtime import limits
from runtime.audit import audit_tables
from runtime.calendar_store import calendar_tables
from runtime.crypto import sealed_with
from runtime.messaging import messaging_tables

metadata = sa.MetaData()

# Đ7.3b: the classification groups, seeded by the first migration.
categories = sa.Table(
    "categories", metadata,
    sa.Column("code", sa.String(limits.CATEGORY_CODE), primary_key=True),
    sa.Column("name_vi", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False),
    sa.Column("sort_order", sa.Integer, nullable=False, server_default="0"),
)

# Đ13.3, Đ16.1: the unit directory.
units = sa.Table(
    "units", metadata,
    sa.Column("unit_id", sa.String(limits.ID), primary_key=True),
    sa.Column("name", sa.String(limits.TITLE), nullable=False),
    sa.Column("leader_title", sa.String(limits.TITLE), nullable=False),
    sa.Column("contact_title", sa.String(limits.TITLE), nullable=False),
    # No server default: Boolean defaults render differently on SQLite and PostgreSQL.
    sa.Column("on_system", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # Đ16.1: {"leader": {name, position, phone, email}, "contact": {...}}, encrypted with
    # security.directory_key; NULL until the unit designates them.
    sa.Column("contacts_enc", sa.LargeBinary, nullable=True, info=sealed_with("directory_key")),
)

# Đ16.1: every change of a unit's entry (units report changes of their leader and contact person),
# with the verified caller who made it. What the changed fields held before is encrypted too.
unit_history = sa.Table(
    "unit_history", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("unit_id", sa.String(limits.ID), sa.ForeignKey("units.unit_id"), nullable=False, index=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(limits.OPERATOR), nullable=False),
    # The call's request id (x-request-id), to find it in the logs and the audit trail.
    sa.Column("request_id", sa.String(limits.OPERATOR), nullable=False, server_default=""),
    # Names of the fields that changed ("name", "leader.phone", ...): never their values.
    sa.Column("fields", sa.JSON, nullable=False),
    # The previous values of those fields, encrypted with security.directory_key.
    sa.Column("previous_enc", sa.LargeBinary, nullable=True, info=sealed_with("directory_key")),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

# The coordinator's inbox (Đ7).
cases = sa.Table(
    "cases", metadata,
    sa.Column("case_id", sa.String(limits.UUID), primary_key=True),
    sa.Column("tracking_code", sa.String(limits.TRACKING_CODE), nullable=False, server_default=""),
    sa.Column("channel", sa.Integer, nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("location_address", sa.Text, nullable=False, server_default=""),
    sa.Column("ward_code", sa.String(limits.WARD_CODE), nullable=False, server_default=""),
    sa.Column("latitude", sa.Float, nullable=True),
    sa.Column("longitude", sa.Float, nullable=True),
    # A list of {media_id, content_type, size_bytes, sha256, filename}.
    sa.Column("media", sa.JSON, nullable=False),
    sa.Column("screening_flags", sa.JSON, nullable=False),
    # Đ6.5 findings with their reasons, for the coordinator's decision (Đ7.3a).
    sa.Column("findings", sa.JSON, nullable=True),
    # Đ6.1: the legacy encoding intake repaired the text from, if any.
    sa.Column("text_repaired_from", sa.String(100), nullable=False, server_default=""),
    sa.Column("ward_name", sa.String(limits.NAME), nullable=False, server_default=""),
    sa.Column("mapped_from", sa.String(limits.TITLE), nullable=False, server_default=""),
    sa.Column("keep_identity_secret", sa.Boolean, nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("category_code", sa.String(limits.CATEGORY_CODE), sa.ForeignKey("categories.code"), nullable=True),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reception_deadline", sa.DateTime(timezone=True), nullable=False),
    sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("cancel_reason_code", sa.String(limits.CODE), nullable=True),
    sa.Column("proposed_unit_name", sa.String(limits.TITLE), nullable=True),
    # When the status last changed (routing's clock, or the occurred_at of a consumed event).
    sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_cases_status_received", "status", "received_at"),
)

# One distribution of a case to one unit (Đ7.3c), up to acceptance (Đ8.2a) or return (Đ8.2b).
assignments = sa.Table(
    "assignments", metadata,
    sa.Column("assignment_id", sa.String(limits.UUID), primary_key=True),
    sa.Column("case_id", sa.String(limits.UUID), sa.ForeignKey("cases.case_id"), nullable=False, index=True),
    sa.Column("unit_id", sa.String(limits.ID), sa.ForeignKey("units.unit_id"), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("return_deadline", sa.DateTime(timezone=True), nullable=False),
    sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("handling_working_days", sa.Integer, nullable=True),
    sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
    sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("return_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("returned_within_limit", sa.Boolean, nullable=True),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_assignments_unit_status", "unit_id", "status"),
)

# Who did what to a case, when and why (the audit trail of the coordinator's acts).
case_history = sa.Table(
    "case_history", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(limits.UUID), nullable=False, index=True),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("actor", sa.String(limits.OPERATOR), nullable=False, server_default=""),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

messaging_tables(metadata)
audit_tables(metadata)
# The run-time calendar (day rules and force-majeure pauses): recorded here through CalendarService.
calendar_tables(metadata)
