"""Publication: review, publication or private delivery of results (Đ10), replies and ratings (Đ11),
the public knowledge base (Đ3.2) and the public timeline (Đ12.2).

Owns: each case's review state, the units' approved answers and what was published of them,
restrictions (Đ10.3c), citizens' replies and ratings, the public timeline. Keeps the contact
verifiers (keyed hashes) of a case, never the contact. Emits `case.under_review`,
`case.published`, `result.delivered`, `case.restricted`, `rework.requested`, `case.rated`,
`citizen.replied`.
"""
