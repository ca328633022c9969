"""Notification: e-mail and SMS to the submitter on the steps that concern them (Đ2.7, Đ7.3a).

Owns: message templates, each case's recipient (the contact as intake sealed it, never opened
except to send), deliveries with their attempts and outcomes, de-duplicated per case, template and
channel. Emits `notification.sent` and `notification.failed`.
"""
