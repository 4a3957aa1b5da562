"""A page of the portal, declared where it lives and registered with each Dash app as it is built.

Dash's own discovery (``use_pages`` with a pages folder) imports every file of one folder
that contains "register_page". The portal's pages live in their role's folder
(portal/admin/pages/, portal/manager/pages/, ...), so the app turns discovery off
(``pages_folder=""``) and registers the pages listed in portal/site.py instead.

A page module declares ``PAGE = Page(__name__, path=..., name=...)``, marks its layout with
``@PAGE.layout`` and its callbacks with ``@PAGE.callback(...)`` (``dash.callback``'s
arguments). Nothing reaches Dash at import: ``Page.register`` hands the page and its
callbacks to the app being built, and is called once per app. Dash moves ``dash.callback``s
into the first app that serves a request, and a process may build several apps (tests do;
a worker builds the portal again), so each app must be given its callbacks afresh; Dash's
discovery achieved the same by executing every page file again for each app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import dash
from dash.development.base_component import Component

from portal.navigation import SITE_TITLE

Layout = Callable[..., Component]
Callback = TypeVar("Callback", bound=Callable[..., Any])


class Page:
    """One page: its path, its name (the browser's title), its layout and its callbacks."""

    def __init__(self, module: str, *, path: str, name: str, path_template: str | None = None) -> None:
        """`path_template` (e.g. "/manager/pools/<pool_id>") passes the variables to the layout."""
        self.module = module
        self.path = path
        self.name = name
        self.path_template = path_template
        self._layout: Layout | None = None
        self._callbacks: list[tuple[tuple[Any, ...], dict[str, Any], Callable[..., Any]]] = []

    @property
    def title(self) -> str:
        return SITE_TITLE if self.path == "/" else f"{self.name} · {SITE_TITLE}"

    def layout(self, render: Layout) -> Layout:
        """Decorator: what Dash calls whenever anyone navigates to the page."""
        self._layout = render
        return render

    def callback(self, *dependencies: Any, **options: Any) -> Callable[[Callback], Callback]:
        """Decorator taking ``dash.callback``'s arguments; the callback is registered with
        each app in `register`."""

        def declare(function: Callback) -> Callback:
            self._callbacks.append((dependencies, options, function))
            return function

        return declare

    def register(self) -> None:
        """Register the page and its callbacks with the Dash app being built."""
        if self._layout is None:
            raise RuntimeError(f"page {self.module} has no layout: mark one with @PAGE.layout")
        extra = {"path_template": self.path_template} if self.path_template else {}
        dash.register_page(  # type: ignore[no-untyped-call]
            self.module, path=self.path, name=self.name, title=self.title, layout=self._layout, **extra
        )
        for dependencies, options, function in self._callbacks:
            dash.callback(*dependencies, **options)(function)
