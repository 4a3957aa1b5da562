"""Dash multi-page portal mounted on the platform's Flask server.

The map: ``shell/`` is the HTTP shell (login, the guard, CSRF, headers, role checks);
``jobs/`` the background jobs; ``admin/``, ``analyst/``, ``investor/`` and ``manager/`` each
role's pages, data, figures and actions; ``pages/`` the pages every role sees;
``components/`` and ``shared/`` what several pages use; ``site.py`` lists every page.
docs/architecture.md ("Portal map") has the whole of it.
"""

from __future__ import annotations

from flask import Flask

from backend.service_directory import Services
from portal.dash_app import create_dash_app
from portal.shell.cookies import install_cookie_policy
from portal.shell.csrf import install_csrf_cookie
from portal.shell.guard import install_guard
from portal.shell.headers import install_security_headers
from portal.shell.session import install_sessions


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
