"""Finding an investor by what staff type into the portal's picker or `?search=` on the API.

The text matches a legal name containing it in any case, "#123" is investor 123 exactly, and
bare digits ("123") match that id as well as names containing them. Both sides are lowered
in SQL because MariaDB compares utf8mb4_bin text byte for byte. SQLite's lower() folds ASCII
letters only, so on the embedded database "émile" does not find "Émile" (MariaDB does).
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, func, or_

from backend.investors.models import Investor
from backend.investors.schemas import INVESTOR_SEARCH_MAX_LENGTH
from backend.platform.errors import ValidationFailed

# Ids are BIGINT: 18 digits always fit, so a longer number is searched as text only.
_ID_ONLY = re.compile(r"#\s*([0-9]{1,18})")
_DIGITS = re.compile(r"[0-9]{1,18}")
# LIKE's wildcards typed in a name ("50%", "a_b") are searched for literally.
_LIKE_ESCAPE = "/"


def _name_contains(text: str) -> ColumnElement[bool]:
    escaped = "".join(f"{_LIKE_ESCAPE}{c}" if c in f"%_{_LIKE_ESCAPE}" else c for c in text)
    return func.lower(Investor.legal_name).like(func.lower(f"%{escaped}%"), escape=_LIKE_ESCAPE)


def search_filter(search: str) -> ColumnElement[bool] | None:
    """The filter for a search text (see the module's docstring); None for a blank one."""
    if len(search) > INVESTOR_SEARCH_MAX_LENGTH:
        raise ValidationFailed(
            f"search: at most {INVESTOR_SEARCH_MAX_LENGTH} characters, got {len(search)}", field="search"
        )
    text = search.strip()
    if not text:
        return None
    exact = _ID_ONLY.fullmatch(text)
    if exact:
        return Investor.id == int(exact.group(1))
    if _DIGITS.fullmatch(text):
        return or_(Investor.id == int(text), _name_contains(text))
    return _name_contains(text)
