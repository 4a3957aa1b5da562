"""Stripe's wire format: bracket-notation form parameters in, JSON objects and error envelopes out.

Stripe rejects parameters it does not know, and so do we: a typo in the payment service
(`metadata[attempt]` spelt `meta[attempt]`) must fail here as it would against Stripe."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

Obj = dict[str, Any]
"""A Stripe object as it goes on the wire (a JSON object)."""

_KEY_PART = re.compile(r"\[([^\[\]]*)\]")
_ROOT = re.compile(r"^[^\[\]]+")
# Keys under these are free-form strings: `metadata[0]` is a key, never a list index.
_FREE_FORM = frozenset({"metadata"})
_METADATA_LIMITS = (50, 40, 500)  # keys, key length, value length: Stripe's own
# Twelve digits or more in a row could be a card or bank account number a caller put in the wrong field.
_LONG_NUMBER = re.compile(r"\d{12,}")


class ApiError(Exception):
    """An error answered in Stripe's envelope. `stored` says whether the idempotency layer keeps it:
    Stripe keeps the result of any request that started executing, but not one that failed validation."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        stored: bool = True,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        message = _LONG_NUMBER.sub(lambda m: "*" * (len(m.group()) - 4) + m.group()[-4:], message)
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.code = code
        self.param = param
        self.decline_code = decline_code
        self.stored = stored
        self.extra = dict(extra or {})

    @classmethod
    def invalid(cls, message: str, *, param: str | None = None, code: str | None = None) -> ApiError:
        """A parameter the caller got wrong: never stored under an idempotency key."""
        return cls(400, "invalid_request_error", message, param=param, code=code, stored=False)

    @classmethod
    def state(cls, message: str, *, code: str, param: str | None = None) -> ApiError:
        """A well-formed request that the object's state refuses: stored, as Stripe does."""
        return cls(400, "invalid_request_error", message, param=param, code=code)

    @classmethod
    def missing(cls, kind: str, obj_id: str, param: str = "id") -> ApiError:
        return cls(404, "invalid_request_error", f"No such {kind}: '{obj_id}'", code="resource_missing",
                   param=param, stored=False)

    def body(self) -> Obj:
        error: Obj = {"type": self.type, "message": self.message}
        for name in ("code", "param", "decline_code"):
            value = getattr(self, name)
            if value is not None:
                error[name] = value
        error.update(self.extra)
        return {"error": error}


def dumps(obj: Obj) -> bytes:
    # Stripe pretty-prints its bodies; the bytes are what an idempotent replay repeats.
    return (json.dumps(obj, indent=2) + "\n").encode()


def parse_params(pairs: Iterable[tuple[str, str]]) -> Obj:
    """`a[b][c]=v`, `a[]=v` and `a[0]=v` (the SDK's arrays) into nested dicts and lists."""
    root: Obj = {}
    for raw_key, value in pairs:
        head = _ROOT.match(raw_key)
        parts = _KEY_PART.findall(raw_key[head.end():]) if head else []
        if head is None or "".join(f"[{p}]" for p in parts) != raw_key[head.end():]:
            raise ApiError.invalid(f"Invalid parameter name: {raw_key}", param=raw_key)
        _insert(root, [head.group(0), *parts], value, raw_key)
    return {key: _listify(value, key) for key, value in root.items()}


def _insert(node: Obj, path: list[str], value: str, raw_key: str) -> None:
    for depth, part in enumerate(path):
        key = str(len(node)) if part == "" else part
        if depth == len(path) - 1:
            if isinstance(node.get(key), dict):
                raise ApiError.invalid(f"Invalid parameter: {raw_key} is both a value and a hash",
                                       param=raw_key)
            node[key] = value
            return
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ApiError.invalid(f"Invalid parameter: {raw_key} is both a value and a hash", param=raw_key)
        node = child


def _listify(value: Any, key: str) -> Any:
    if not isinstance(value, dict):
        return value
    if key not in _FREE_FORM and value and all(k.isdigit() for k in value):
        return [_listify(value[k], "") for k in sorted(value, key=int)]
    return {k: _listify(v, "" if key in _FREE_FORM else k) for k, v in value.items()}


def allow(params: Obj, names: Iterable[str]) -> None:
    known = {*names, "expand"}
    for name in params:
        if name not in known:
            raise ApiError.invalid(f"Received unknown parameter: {name}", param=name)


def text(params: Obj, name: str, *, required: bool = False) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise ApiError.invalid(f"Missing required param: {name}.", param=name, code="parameter_missing")
        return None
    if not isinstance(value, str):
        raise ApiError.invalid(f"Invalid string: {name} must be a string", param=name)
    return value


def integer(params: Obj, name: str, *, required: bool = False, minimum: int | None = None) -> int | None:
    raw = text(params, name, required=required)
    if raw is None:
        return None
    # Minor units only: "12.50" is refused, exactly as Stripe refuses it.
    if not re.fullmatch(r"-?\d{1,15}", raw):
        raise ApiError.invalid(f"Invalid integer for {name}: whole numbers in minor units only", param=name)
    number = int(raw)
    if minimum is not None and number < minimum:
        raise ApiError.invalid(f"This value must be greater than or equal to {minimum}.", param=name)
    return number


def boolean(params: Obj, name: str) -> bool:
    raw = text(params, name)
    if raw not in (None, "true", "false"):
        raise ApiError.invalid(f"Invalid boolean: {raw}", param=name)
    return raw == "true"


def strings(params: Obj, name: str) -> list[str]:
    value = params.get(name)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) for item in items):
        raise ApiError.invalid(f"Invalid array: {name}", param=name)
    return list(items)


def hash_param(params: Obj, name: str) -> Obj:
    value = params.get(name, {})
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise ApiError.invalid(f"Invalid hash: {name}", param=name)
    return value


def metadata(params: Obj, current: Mapping[str, str] | None = None) -> dict[str, str]:
    """New metadata merged into `current`; an empty value unsets a key, as on Stripe."""
    merged = dict(current or {})
    raw = params.get("metadata")
    if raw == "":  # `metadata=` clears everything
        return {}
    for key, value in hash_param(params, "metadata").items():
        if not isinstance(value, str):
            raise ApiError.invalid("Invalid metadata: values must be strings", param=f"metadata[{key}]")
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    max_keys, max_key, max_value = _METADATA_LIMITS
    if len(merged) > max_keys or any(len(k) > max_key or len(v) > max_value for k, v in merged.items()):
        raise ApiError.invalid("Invalid metadata: too many keys or a key or value too long", param="metadata")
    return merged
