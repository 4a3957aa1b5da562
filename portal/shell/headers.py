"""Security headers on every response the server sends.

The Content-Security-Policy allows scripts only from this origin plus the hashes of the
inline scripts Dash writes into its index page (the renderer bootstrap and clientside
callbacks), so no 'unsafe-inline' and no 'unsafe-eval' for scripts: Dash 4's renderer and
components run without eval (the browser test fails on any CSP violation). Styles do need
'unsafe-inline': dash-renderer and dcc insert <style> elements at run time whose content
is theirs, not ours, so hashes would break on every Dash upgrade. Bootstrap's CSS embeds its
icons as data: URIs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Flask, Response, request

_STATIC_DIRECTIVES = (
    "default-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


def content_security_policy(script_hashes: Sequence[str]) -> str:
    script_src = " ".join(["script-src 'self'", *script_hashes])
    return "; ".join([*_STATIC_DIRECTIVES[:1], script_src, *_STATIC_DIRECTIVES[1:]])


def install_security_headers(server: Flask, script_hashes: Callable[[], Sequence[str]]) -> None:
    """`script_hashes` is asked per response: Dash adds inline scripts on its first request."""

    @server.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy", content_security_policy(script_hashes()))
        if not request.path.startswith("/api/") and response.mimetype in ("text/html", "application/json"):
            # Pages, layouts and callback answers are per-user and carry the CSRF token.
            headers.setdefault("Cache-Control", "no-store")
        return response
