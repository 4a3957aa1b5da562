"""Registering a Dash page, typed. Dash imports only page files that contain the text
"register_page", so page modules call it by that name."""

from __future__ import annotations

import dash

from portal.navigation import SITE_TITLE


def register_page(module: str, *, path: str, name: str) -> None:
    title = SITE_TITLE if path == "/" else f"{name} · {SITE_TITLE}"
    dash.register_page(module, path=path, name=name, title=title)  # type: ignore[no-untyped-call]
