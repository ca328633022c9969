"""Intake's tables (its own database or schema)."""

import sqlalchemy as sa

from runtime import limits
from runtime.audit import audit_tables
from runtime.calendar_store import calendar_tables
from runtime.crypto import sealed_with
from runtime.lookup_limits import lookup_limit_tables
from runtime.messaging import messaging_tables

metadata = sa.MetaData()

cases = sa.Table(
    "cases", metadata,
    sa.Column("case_id", sa.String(limits.UUID), primary_key=True),
    sa.Column("tracking_code", sa.String(limits.TRACKING_CODE), nullable=False, unique=True),
    sa.Column("channel", sa.Integer, nullable=False),
    # "<channel>:<external id>" or "req:<request id>": a retry finds its case here.
    sa.Column("idempotency_key", sa.String(limits.IDEMPOTENCY_KEY), nullable=True, unique=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("location_address", sa.Text, nullable=False, server_default=""),
    sa.Column("ward_code", sa.String(limits.WARD_CODE), nullable=False, server_default=""),
    sa.Column("ward_name", sa.String(limits.NAME), nullable=False, server_default=""),
    # The pre-2025 unit the address named, when it was mapped to the current ward.
    sa.Column("mapped_from", sa.String(limits.TITLE), nullable=False, server_default=""),
    sa.Column("latitude", sa.Float, nullable=True),
    sa.Column("longitude", sa.Float, nullable=True),
    sa.Column("keep_identity_secret", sa.Boolean, nullable=False),
    # Name, phone, e-mail and address, encrypted with security.contact_key.
    sa.Column("contact_enc", sa.LargeBinary, nullable=False, info=sealed_with("contact_key")),
    sa.Column("screening_flags", sa.JSON, nullable=False),
    # Đ6.5 findings with their reasons: [{"flag", "reason_vi", "reason_en"}].
    sa.Column("findings", sa.JSON, nullable=True),
    # Đ6.1: the legacy encoding(s) the text was repaired from, e.g. "tcvn3".
    sa.Column("text_repaired_from", sa.String(100), nullable=False, server_default=""),
    # The staff member who entered the case on a caller's behalf (hotline).
    sa.Column("operator_id", sa.String(limits.OPERATOR), nullable=False, server_default=""),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

media = sa.Table(
    "media", metadata,
    sa.Column("media_id", sa.String(limits.UUID), primary_key=True),
    sa.Column("case_id", sa.String(limits.UUID), sa.ForeignKey("cases.case_id"), nullable=True, index=True),
    sa.Column("content_type", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("filename", sa.String(limits.NAME), nullable=False, server_default=""),
    sa.Column("storage_key", sa.String(200), nullable=False),
    # The copy without location metadata (images only; empty when there is none): the only one
    # that may ever be shown publicly.
    sa.Column("public_key", sa.String(200), nullable=False, server_default=""),
    # Stored as received, not re-encoded (video, PDF): only for authorised staff, never published.
    sa.Column("quarantined", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# Đ13.8, Đ16.6: every disclosure of a submitter's contact, and every request for one. A case whose
# submitter asked to stay confidential (Đ6.4) needs a second officer: its row is "pending" until
# another disclosure officer approves ("disclosed") or refuses ("refused") it. Never the contact.
disclosures = sa.Table(
    "disclosures", metadata,
    sa.Column("disclosure_id", sa.String(limits.UUID), primary_key=True),
    sa.Column("case_id", sa.String(limits.UUID), sa.ForeignKey("cases.case_id"), nullable=False, index=True),
    sa.Column("requesting_body", sa.String(limits.TITLE), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    # The officer who recorded the request: the verified token's subject.
    sa.Column("requested_by", sa.String(limits.OPERATOR), nullable=False, server_default=""),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    # "disclosed", "pending" or "refused".
    sa.Column("status", sa.String(16), nullable=False, server_default="disclosed"),
    sa.Column("confidential", sa.Boolean, nullable=False, server_default=sa.false()),
    # The second officer, for a confidential case's request.
    sa.Column("decided_by", sa.String(limits.OPERATOR), nullable=False, server_default=""),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("refusal_reason", sa.Text, nullable=False, server_default=""),
    # When the contact was handed over (NULL while pending, or when refused).
    sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_disclosures_requested_at", "requested_at"),
)

# The units a case is assigned to (routing's assignment.created and .returned): whose staff may
# download its originals (Đ13.8, Đ16.6). One row per assignment; a returned one no longer counts.
case_units = sa.Table(
    "case_units", metadata,
    sa.Column("assignment_id", sa.String(limits.UUID), primary_key=True),
    sa.Column("case_id", sa.String(limits.UUID), nullable=False, index=True),
    sa.Column("unit_id", sa.String(limits.UNIT_ID), nullable=False),
    sa.Column("returned", sa.Boolean, nullable=False, server_default=sa.false()),
)

messaging_tables(metadata)
audit_tables(metadata)
# Failed citizen look-ups, per tracking code and per source address (runtime/lookup_limits.py).
lookup_limit_tables(metadata)
# The calendar the hotline's office hours follow (Đ5.2), as announced by routing.
calendar_tables(metadata)
