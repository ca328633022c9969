"""Publication's tables (its own database or schema)."""

import sqlalchemy as sa

from runtime import limits
from runtime.audit import audit_tables
from runtime.calendar_store import calendar_tables
from runtime.lookup_limits import lookup_limit_tables
from runtime.messaging import messaging_tables

metadata = sa.MetaData()

# One row per case; created by whichever event arrives first (events may arrive out of order).
cases = sa.Table(
    "cases", metadata,
    sa.Column("case_id", sa.String(limits.UUID), primary_key=True),
    # Null until case.received has arrived.
    sa.Column("tracking_code", sa.String(limits.TRACKING_CODE), nullable=True, unique=True),
    sa.Column("channel", sa.Integer, nullable=False, server_default="0"),
    sa.Column("content", sa.Text, nullable=False, server_default=""),
    sa.Column("keep_identity_secret", sa.Boolean, nullable=False, default=False),
    # Keyed hashes of the submitter's phone and e-mail (never the contact itself).
    sa.Column("contact_verifiers", sa.JSON, nullable=False),
    sa.Column("category_code", sa.String(limits.CATEGORY_CODE), nullable=False, server_default=""),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("review_deadline", sa.DateTime(timezone=True), nullable=True),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True, index=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("restricted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("restriction_reason", sa.Text, nullable=True),
    # Folded text of the content and the published answers (Đ3.2 search).
    sa.Column("search_text", sa.Text, nullable=False, server_default=""),
    sa.Column("rating", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rating_comment", sa.Text, nullable=True),
    sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# One row per assignment (a unit's part of a case) and its answer.
answers = sa.Table(
    "answers", metadata,
    sa.Column("assignment_id", sa.String(limits.ID), primary_key=True),
    sa.Column("case_id", sa.String(limits.UUID), nullable=False, index=True),
    sa.Column("unit_id", sa.String(limits.ID), nullable=False, server_default=""),
    sa.Column("unit_name", sa.String(300), nullable=False, server_default=""),
    # Returned (Đ8.2b): its answer is no longer expected.
    sa.Column("returned", sa.Boolean, nullable=False, default=False),
    sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("answer", sa.Text, nullable=False, server_default=""),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("approved", sa.Boolean, nullable=False, default=False),
    sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
    # What the public reads: a copy taken at publication (Đ10.3a), kept while a unit re-handles.
    sa.Column("published_answer", sa.Text, nullable=True),
    sa.Column("published_evidence", sa.JSON, nullable=True),
    # Đ10.4c: re-handlings after a "not satisfied" rating.
    sa.Column("reworks_after_rating", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# The public process view (Đ12.2): unit ids and names, never personal data.
timeline = sa.Table(
    "timeline", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(limits.UUID), nullable=False, index=True),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("description_vi", sa.Text, nullable=False),
    sa.Column("description_en", sa.Text, nullable=False),
    sa.Column("unit_id", sa.String(limits.ID), nullable=False, server_default=""),
)

reworks = sa.Table(
    "reworks", metadata,
    sa.Column("rework_id", sa.String(limits.UUID), primary_key=True),
    sa.Column("case_id", sa.String(limits.UUID), nullable=False, index=True),
    sa.Column("assignment_id", sa.String(limits.ID), nullable=False),
    sa.Column("unit_id", sa.String(limits.ID), nullable=False),
    # "format" (Đ10.4a), "inaccurate" (Đ10.4b), "not_satisfied" (Đ10.4c).
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
)

# Đ11.1: the citizen's requests for clarification.
replies = sa.Table(
    "replies", metadata,
    sa.Column("reply_id", sa.String(limits.UUID), primary_key=True),
    sa.Column("case_id", sa.String(limits.UUID), nullable=False, index=True),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("replied_at", sa.DateTime(timezone=True), nullable=False),
)

messaging_tables(metadata)
audit_tables(metadata)
# Failed look-ups by the submitter, per tracking code and per source address (runtime/lookup_limits.py).
lookup_limit_tables(metadata)
# The run-time calendar (day rules and force-majeure pauses) announced by routing.
calendar_tables(metadata)
