"""What a log line must never carry: credentials and account numbers.

Two rules, applied by the JSON log formatter to every line:

* a field whose name says it holds a secret (password, passwd, secret, token,
  authorization, cookie, api_key, iban, account_number, card; any case, anywhere in the
  name, `-` and `_` alike) has its value replaced by ``[redacted]``, whatever it is;
* text (the message, string values, an exception's traceback) has bearer credentials, JWTs
  and IBAN-shaped strings replaced by a mask that keeps only their last four characters,
  enough to tell two apart in an incident, not enough to use either; and the password of a
  URL's `user:password@` replaced by the mask alone.

Pure: no logging, no framework. Amounts, dates, pool names, GTIDs (``0-1-23``), ISO 11649
payment references (``RF18...``, printed on every invoice) and lower-case hex ids are left
as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"
MASK = "****"

SENSITIVE_KEY_PARTS = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "cookie",
    "apikey",
    "iban",
    "accountnumber",
    "card",
)
"""Compared with a field's name lower-cased and without `_` and `-`: `api_key`, `API-Key`
and `apiKey` are all the same name."""

# RFC 6750's b64token; eight characters at least, so prose ("send a Bearer access token")
# is left alone.
_BEARER = re.compile(r"\bBearer\s+([A-Za-z0-9\-._~+/]{8,}=*)", re.IGNORECASE)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
# user:password@ in a URL (a database's, a broker's): the password goes, the user stays.
_URL_PASSWORD = re.compile(r"(?<=://)([^/\s:@]+):([^/\s@]+)@")
# Two letters (the country; RF is ISO 11649's creditor reference, no country), two check
# digits, then 11 to 30 letters and digits, written solid or in groups of four.
_IBAN = re.compile(
    r"(?<![A-Za-z0-9])(?!RF)[A-Z]{2}[0-9]{2}"
    r"(?:(?: [A-Z0-9]{4}){3,7}(?: [A-Z0-9]{1,4})?|(?: [A-Z0-9]{4}){2} [A-Z0-9]{3}|[A-Z0-9]{11,30})"
    r"(?![A-Za-z0-9])"
)


def mask(secret: str) -> str:
    """`****` and the last four characters (spaces dropped); all of it for a short one."""
    solid = secret.replace(" ", "")
    return MASK + solid[-4:] if len(solid) > 8 else MASK


def is_sensitive_key(key: str) -> bool:
    name = key.lower().replace("_", "").replace("-", "")
    return any(part in name for part in SENSITIVE_KEY_PARTS)


def scrub_text(text: str) -> str:
    """`text` with every bearer credential, JWT, URL password and IBAN masked."""
    if "bearer" in text.lower():
        text = _BEARER.sub(lambda m: f"Bearer {mask(m.group(1))}", text)
    if "eyJ" in text:
        text = _JWT.sub(lambda m: mask(m.group(0)), text)
    if "://" in text:
        text = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}:{MASK}@", text)
    return _IBAN.sub(lambda m: mask(m.group(0)), text)


def redact_value(value: Any) -> Any:
    """A log field's value made safe to write: strings scrubbed, mappings redacted by key,
    sequences item by item; anything else (a Decimal, a date, an exception) as its text,
    scrubbed too. Numbers, booleans and None are kept as they are."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return redact_fields(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(item) for item in value]
    return scrub_text(str(value))


def redact_fields(fields: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        str(key): REDACTED if is_sensitive_key(str(key)) else redact_value(value)
        for key, value in fields.items()
    }
