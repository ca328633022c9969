"""The regulation profile: every limit of the regulation in one place, loadable per province.

The default is QĐ 58/2024/QĐ-UBND (Tây Ninh). A province with other numbers writes a TOML file
with the fields it changes (`[profile]` table, same names as below) and points
`regulation.profile_file` at it.
"""

from __future__ import annotations

import dataclasses
import tomllib
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

    @staticmethod
    def load(path: str) -> "RegulationProfile":
        """DEFAULT with the values of `path`'s [profile] table; unknown or non-positive values fail."""
        with open(path, "rb") as fh:
            values = tomllib.load(fh).get("profile", {})
        known = {f.name: f.type for f in dataclasses.fields(RegulationProfile)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"unknown profile setting(s): {', '.join(unknown)}")
        for key, value in values.items():
            if key != "name" and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
                raise ValueError(f"profile.{key} must be a positive whole number")
        return dataclasses.replace(DEFAULT, **values)


DEFAULT = RegulationProfile()
