"""The regulation's rules shared by every service: its limits (the profile) and its clocks.

Services cite rule ids of QĐ 58/2024 (`Đ8.2a`); the numbers themselves live in `profile.py` so a
province can load its own.
"""
