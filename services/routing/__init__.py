"""Routing: the coordinating unit's work (Đ7) and the units' acceptance of their assignments (Đ8.2).

Owns: the coordinator's inbox (a copy of each received case without personal data), the
categories (Đ7.3b), the unit directory with each unit's leader and contact person (Đ13.3, Đ16.1),
and assignments from distribution up to acceptance or return (Đ7.3c, Đ8.2a–b).

Consumes `case.received` (intake) and the publication outcomes (`case.under_review`,
`case.published`, `result.delivered`, `case.restricted`) to keep the inbox current.
Emits `case.cancelled`, `case.verifying`, `case.classified`, `case.awaiting_unit`,
`assignment.created`, `assignment.accepted`, `assignment.returned`.
"""
