"""The service container for code that runs inside a request (layouts, callbacks)."""

from __future__ import annotations

from flask import current_app

from backend.container import Container


def services() -> Container:
    container: Container = current_app.extensions["container"]
    return container
