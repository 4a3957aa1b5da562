"""The two wire operations of a webhook: signing a body as Stripe does, and POSTing it.

Plain `http.client`, not urllib: a webhook must go straight to its URL, never through a proxy
that the environment's http_proxy variables would otherwise impose."""

from __future__ import annotations

import hashlib
import hmac
import http.client
from collections.abc import Sequence
from urllib.parse import urlsplit


def sign(body: bytes, timestamp: int, secrets: Sequence[str]) -> str:
    signed = f"{timestamp}.".encode() + body
    parts = [f"v1={hmac.new(s.encode(), signed, hashlib.sha256).hexdigest()}" for s in secrets]
    return ",".join([f"t={timestamp}", *parts])


def post(url: str, body: bytes, signature: str, timeout: float) -> tuple[int | None, str | None]:
    parts = urlsplit(url)
    connection_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_type(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": signature,
               "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"}
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, None
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
