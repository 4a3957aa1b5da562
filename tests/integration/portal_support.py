"""Shared helpers for the portal tests (no tests here; named test_portal_* to live with them).

A portal is the real server from create_app over the `container` fixture's database, with
one user per role whose password the tests know.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.actors import Actor, Role
from backend.platform.config import load_settings
from backend.users.interface import UserCreate

PASSWORD = "portal-test-password-1"
ROUTING_OUTPUT = ".._pages_content.children..._pages_store.data.."


@dataclass
class Portal:
    app: Flask
    container: Container
    created: dict[Role, str] = field(default_factory=dict)

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def email(self, role: Role) -> str:
        """The email of this portal's user with `role`, created on first use (argon2 is slow)."""
        if role not in self.created:
            email = f"{role.value}@portal.test"
            self.container.users.create_user(
                Actor.operator("portal-tests"), UserCreate(email=email, role=role, password=PASSWORD)
            )
            self.created[role] = email
        return self.created[role]


def make_portal(container: Container, **settings: str) -> Portal:
    """The portal over `container`'s database; `settings` override the environment."""
    if settings:
        values = {"VAR_DIR": str(container.settings.var_dir), **settings}
        container = Container(load_settings(**values), db=container.db, cache=container.cache)
    return Portal(create_app(container), container)


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no csrf_token field"
    return match.group(1)


def device_of(email: str) -> str:
    """A person's test browser: a device id of the portal's shape (43 URL-safe characters)."""
    return base64.urlsafe_b64encode(hashlib.sha256(email.encode()).digest()).decode().rstrip("=")


def login(
    client: FlaskClient, email: str, password: str = PASSWORD, *, next_url: str | None = None
) -> TestResponse:
    # One browser per person, as in life: a fresh test client is not a new device to warn of.
    client.set_cookie("pools_device", device_of(email), path="/login")
    page = client.get("/login" + (f"?next={next_url}" if next_url else ""))
    data = {"email": email, "password": password, "csrf_token": form_token(page.get_data(as_text=True))}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


def csrf_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None, "no _csrf_token cookie was set"
    return cookie.value


def routing_callback(pathname: str) -> dict[str, Any]:
    """The body dash-renderer POSTs to /_dash-update-component when the URL changes."""
    return {
        "output": ROUTING_OUTPUT,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def render_page(client: FlaskClient, pathname: str) -> str:
    """What Dash renders into the page container for `pathname`, as JSON text."""
    response = client.post(
        "/_dash-update-component",
        json=routing_callback(pathname),
        headers={"X-CSRFToken": csrf_cookie(client)},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def components(tree: Any) -> list[dict[str, Any]]:
    """Every component in a Dash layout's JSON, depth first."""
    found: list[dict[str, Any]] = []
    if isinstance(tree, list):
        for item in tree:
            found += components(item)
    elif isinstance(tree, dict) and "props" in tree and "type" in tree:
        found.append(tree)
        found += components(tree["props"].get("children"))
    return found


def nav_links(tree: Any) -> dict[str, str]:
    return {c["props"]["children"]: c["props"]["href"] for c in components(tree) if c["type"] == "NavLink"}


def texts_by_id(tree: Any) -> dict[str, Any]:
    """Each component with an id, mapped to its children."""
    return {c["props"]["id"]: c["props"].get("children") for c in components(tree) if "id" in c["props"]}


class ResourceRefs(HTMLParser):
    """Every URL a page loads CSS or JS from (link href, script src)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"link": "href", "script": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value is not None:
                self.urls.append(value)


def resource_urls(html: str) -> list[str]:
    parser = ResourceRefs()
    parser.feed(html)
    return parser.urls
