"""When the portal's cookies (session and CSRF) carry the Secure flag.

SESSION_COOKIE_SECURE=true forces it and false refuses it; left unset, a cookie is Secure
whenever the request that sets it arrived over HTTPS, so a TLS deployment cannot forget it.
Behind a TLS-terminating proxy that only works with ProxyFix; set the variable there.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

AUTO_SECURE_KEY = "PORTAL_COOKIE_SECURE_AUTO"


def cookie_secure(app: Flask) -> bool:
    if app.config.get("SESSION_COOKIE_SECURE"):
        return True
    return bool(app.config.get(AUTO_SECURE_KEY)) and has_request_context() and request.is_secure


class PortalSessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        return cookie_secure(app)


def install_cookie_policy(server: Flask, configured: bool | None) -> None:
    server.config[AUTO_SECURE_KEY] = configured is None
    server.session_interface = PortalSessionInterface()
