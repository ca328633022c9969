"""The regulation profile: every limit of QĐ 58/2024/QĐ-UBND (Tây Ninh) in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegulationProfile:
    name: str = "QĐ 58/2024/QĐ-UBND Tây Ninh"
    reception_hours: int = 24          # Đ7: the coordinating unit receives within 24 h
    return_hours: int = 24             # Đ8.2b: a unit returns a case outside its competence within 24 h
    max_handling_working_days: int = 6  # Đ8.2a: at most 6 working days from acceptance
    approval_working_days: int = 1     # Đ9: approval within 1 working day of the result
    publication_hours: int = 24        # Đ10.2: published within 24 h of approval
    rework_working_days: int = 2       # Đ10.4a–b
    rework_per_unit_after_rating: int = 1  # Đ10.4c
    retention_days: int = 365          # Đ12.1


DEFAULT = RegulationProfile()
