"""Reporting: a read model built from every event, for the Đ13.7 reports and the Đ14 unit figures.

Owns: one row per case (channel, reception, cancellation, publication or private delivery,
rating) and one row per assignment (unit, acceptance, deadline, return, approval, on time). No
personal data: no content, no contact, no tracking code. Tolerates events in any order.
Consumes `case.received`, `case.cancelled`, `assignment.created|accepted|returned`,
`result.approved`, `case.published`, `result.delivered`, `case.restricted`, `case.rated`. Emits nothing.
"""
