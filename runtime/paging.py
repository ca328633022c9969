"""Offset paging for list RPCs, with opaque page tokens (`pakn.common.v1.PageRequest`).

Lists that grow while people page through them (the coordinator's inbox) use keyset tokens of
their own (services/routing/domain.py); the others use this.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from runtime.errors import Validator

DEFAULT_PAGE = 50
MAX_PAGE = 200


@dataclass(frozen=True)
class Window:
    offset: int
    size: int

    def next_token(self, fetched: int) -> str:
        """The token of the next page, given how many rows were fetched with `size + 1`."""
        return token(self.offset + self.size) if fetched > self.size else ""


def token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def window(page_size: int, page_token: str) -> Window:
    """The page asked for; a negative size or a malformed token is INVALID_ARGUMENT."""
    v = Validator()
    if page_size < 0:
        v.add("page.page_size", "Kích thước trang không hợp lệ", "page_size must not be negative")
    offset = 0
    if page_token:
        try:
            offset = int(base64.urlsafe_b64decode(page_token.encode()).decode().removeprefix("o:"))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            offset = -1
        if offset < 0:
            v.add("page.page_token", "Mã trang không hợp lệ", "page_token is malformed")
    v.raise_if_any()
    return Window(offset, min(page_size or DEFAULT_PAGE, MAX_PAGE))
