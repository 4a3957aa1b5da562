"""The service container for code that runs inside a request (layouts, callbacks)."""

from __future__ import annotations

from flask import current_app

from backend.service_directory import Services


def services() -> Services:
    container: Services = current_app.extensions["container"]
    return container
