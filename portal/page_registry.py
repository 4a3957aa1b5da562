"""Registering a Dash page, typed. Dash imports only page files that contain the text
"register_page", so page modules call it by that name."""

from __future__ import annotations

import dash

from portal.navigation import SITE_TITLE


def register_page(module: str, *, path: str, name: str, path_template: str | None = None) -> None:
    """`path_template` (e.g. "/manager/pools/<pool_id>") passes the variables to the layout."""
    title = SITE_TITLE if path == "/" else f"{name} · {SITE_TITLE}"
    extra = {"path_template": path_template} if path_template else {}
    dash.register_page(module, path=path, name=name, title=title, **extra)  # type: ignore[no-untyped-call]
