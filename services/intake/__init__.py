"""Intake: submissions from every channel (Đ5), what they must contain (Đ6), media, tracking codes.

Owns: cases as submitted, the submitter's contact (encrypted), media metadata, tracking codes,
disclosures (Đ13.8). Emits `case.received`. Keeps a citizen-facing status from later events.
"""
