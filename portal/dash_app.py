"""The Dash app, mounted on the platform's Flask server.

Dash serves its own JavaScript and CSS from the installed packages (serve_locally) and the
Bootstrap theme from portal/assets, so the portal loads with no network beyond this server.
The pages are registered from one table (portal/site.py), not found by Dash scanning a
folder: each role's pages live in that role's folder. Background callbacks (long jobs) go to
the manager portal/jobs/managers.py picks from the configuration; the files they prepare are
served by portal/jobs/files.py's route.

The index page is Dash's own with two changes: `lang` on <html> (screen readers pick their
voice from it), and portal/assets/theme.js loaded in <head>, so the light/dark theme is set
before the first paint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dash import Dash
from flask import Flask

from portal.components import navbar
from portal.jobs.files import install_downloads
from portal.jobs.managers import create_manager
from portal.layout import serve_layout
from portal.navigation import SITE_TITLE
from portal.shell import csrf
from portal.site import register_pages

INDEX = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        <script src="/assets/theme.js"></script>
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def create_dash_app(server: Flask) -> Dash:
    manager = create_manager(server, server.extensions["container"])
    hooks_before = list(server.before_request_funcs.get(None, ()))
    app = Dash(
        "portal",  # the package: assets/ is found next to portal/__init__.py
        server=server,  # type: ignore[arg-type]  # Dash's annotation omits a Flask instance
        use_pages=True,
        # No folder to scan: register_pages below registers every page (portal/site.py).
        pages_folder="",
        serve_locally=True,
        # Served when asked for, not put on every page: the charts' plotly.js bundle
        # (portal/assets/plotly_bundle.js says why and when it loads).
        assets_path_ignore=["vendor"],
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
        index_string=INDEX,
    )
    # After the app exists: Dash refuses pages registered before one is created.
    register_pages()
    navbar.register_callbacks(app)
    app.layout = serve_layout
    install_downloads(server)
    _finish_first_request_setup(server, hooks_before)
    return app


def _finish_first_request_setup(server: Flask, hooks_before: Sequence[Callable[[], object]]) -> None:
    """Run Dash's first-request hooks now, once, before any request can.

    Dash finishes its set-up (moving the callbacks into its map, adding the pages router's
    callback) in before_request hooks guarded by a plain check-then-set flag. Two requests
    arriving together at a fresh threaded worker both passed the check and changed the
    callback map under each other: one answered 500 ("dictionary changed size during
    iteration"), an API request as likely as a page. Run here, the flags are set before the
    server takes a request and every later call returns at once."""
    dash_hooks = [
        hook
        for hook in server.before_request_funcs.get(None, ())
        if hook not in hooks_before and hook.__module__.startswith("dash")
    ]
    # A request context because the layout Dash validates reads the (anonymous) session.
    with server.test_request_context("/"):
        for hook in dash_hooks:
            hook()
