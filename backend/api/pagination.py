"""Cursor pagination for list endpoints: `?limit=` and `?cursor=` in, `{items, next_cursor}` out.

Services page by id ("after this id, at most this many") and say the last id of a page
when more may follow. Here that id becomes an opaque cursor, base64url text, so clients
pass it back untouched and never build or do arithmetic on it; the encoding can change
without breaking them. Keyset paging by id means a row added or removed between two
requests never makes another row appear twice or go missing.

OpenAPI names schemas after the model class, so each endpoint declares a concrete
subclass (`class PoolPageOut(Page[PoolOut])`) rather than the bare generic.
"""

from __future__ import annotations

import base64
import binascii
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from backend.platform.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_CURSOR_PREFIX = "id:"

ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page.")
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)

    def after_id(self) -> int | None:
        return decode_cursor(self.cursor)


def encode_cursor(last_id: int | None) -> str | None:
    if last_id is None:
        return None
    raw = f"{_CURSOR_PREFIX}{last_id}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    digits = raw.removeprefix(_CURSOR_PREFIX)
    if not raw.startswith(_CURSOR_PREFIX) or not digits.isdigit() or len(digits) > 18:
        raise ValidationFailed("cursor: not a cursor this API issued; pass next_cursor back as is",
                               field="cursor")
    return int(digits)
