"""Processing: handling inside a unit (Đ8) and the leader's approval (Đ9).

Owns: work items (one per accepted assignment), the handler, result drafts (Appendix I) with
evidence media, extension requests (Đ8.2a), approvals and returns (Đ9.3a–b), rework after
publication's review (Đ10.4a–c), and a per-item history of who did what.
Consumes `assignment.accepted` (routing) and `rework.requested` (publication).
Emits `handler.assigned`, `result.submitted`, `extension.requested`, `result.returned_to_handler`,
`result.approved`.
"""
