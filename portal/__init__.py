"""Dash multi-page portal mounted on the platform's Flask server."""

from __future__ import annotations

from flask import Flask

from backend.service_directory import Services
from portal.cookies import install_cookie_policy
from portal.csrf import install_csrf_cookie
from portal.dash_app import create_dash_app
from portal.guard import install_guard
from portal.headers import install_security_headers
from portal.session import install_sessions


def install_portal(server: Flask, container: Services) -> None:
    """Mount the login pages, the login guard, CSRF protection, security headers and Dash."""
    install_cookie_policy(server, container.settings.session_cookie_secure)
    # Before Dash: Flask runs before_request hooks in order, and Dash's own (first-request
    # setup, page routing) must never run for a request the guard refuses.
    install_guard(server)
    install_sessions(server, container)
    install_csrf_cookie(server)
    dash_app = create_dash_app(server)
    install_security_headers(server, dash_app.csp_hashes)
    server.extensions["portal_dash"] = dash_app
