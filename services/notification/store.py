"""Notification's tables (its own database or schema)."""

import sqlalchemy as sa

from runtime import limits
from runtime.audit import audit_tables
from runtime.crypto import sealed_with
from runtime.messaging import messaging_tables
from services.notification.domain import MASKED_MAX

metadata = sa.MetaData()

# Who to tell about a case: the contact exactly as intake sealed it for this service.
recipients = sa.Table(
    "recipients", metadata,
    sa.Column("case_id", sa.String(limits.UUID), primary_key=True),
    sa.Column("tracking_code", sa.String(limits.TRACKING_CODE), nullable=False),
    # Encrypted with security.notification_key; opened only to send.
    sa.Column("sealed_contact", sa.LargeBinary, nullable=False, info=sealed_with("notification_key")),
    sa.Column("channel", sa.Integer, nullable=False),
    sa.Column("recipient_masked", sa.String(MASKED_MAX), nullable=False, server_default=""),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)

deliveries = sa.Table(
    "deliveries", metadata,
    sa.Column("delivery_id", sa.String(limits.UUID), primary_key=True),
    sa.Column("case_id", sa.String(limits.UUID), nullable=False, index=True),
    sa.Column("template", sa.String(32), nullable=False),
    # 0 until the case's recipient is known (events may arrive out of order).
    sa.Column("channel", sa.Integer, nullable=False),
    sa.Column("status", sa.Integer, nullable=False, index=True),
    # Template parameters: the tracking code and codes only, never personal data.
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("recipient_masked", sa.String(MASKED_MAX), nullable=False, server_default=""),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    # Attempts allowed in total; a resend raises it.
    sa.Column("attempt_limit", sa.Integer, nullable=False),
    # An exception class or a reason code, never exception text.
    sa.Column("last_error", sa.String(128), nullable=True),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("provider_id", sa.String(200), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # De-duplication: one message per case, template and channel.
    sa.UniqueConstraint("case_id", "template", "channel", name="uq_deliveries_case_template_channel"),
)

messaging_tables(metadata)
audit_tables(metadata)
