"""The Dash app, mounted on the platform's Flask server.

Dash serves its own JavaScript and CSS from the installed packages (serve_locally) and the
Bootstrap theme from portal/assets, so the portal loads with no network beyond this server.
Background callbacks (long jobs) go to the manager portal/background.py picks from the
configuration; the files they prepare are served by portal/jobs_files.py's route.
"""

from __future__ import annotations

from dash import Dash
from flask import Flask

from portal import csrf
from portal.background import create_manager
from portal.jobs_files import install_downloads
from portal.layout import serve_layout
from portal.navigation import SITE_TITLE


def create_dash_app(server: Flask) -> Dash:
    manager = create_manager(server, server.extensions["container"])
    app = Dash(
        "portal",  # the package: assets/ and pages/ are found next to portal/__init__.py
        server=server,  # type: ignore[arg-type]  # Dash's annotation omits a Flask instance
        use_pages=True,
        serve_locally=True,
        title=SITE_TITLE,
        update_title="",
        # Page layouts depend on who is signed in; Dash must not call them at start-up
        # to build a validation layout.
        suppress_callback_exceptions=True,
        # Social-preview meta tags would put absolute URLs in the page for no reader.
        include_pages_meta=False,
        csrf_token_name=csrf.COOKIE_NAME,
        csrf_header_name=csrf.HEADER_NAME,
        background_callback_manager=manager,
    )
    app.layout = serve_layout
    install_downloads(server)
    return app
