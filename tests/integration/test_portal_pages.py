"""Role-aware pages: each role reaches its own pages, is refused others', on the server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs_version  # type: ignore[import-untyped]

import portal as portal_assets
from backend.composition.container import Container
from backend.platform.actors import Role
from portal.navigation import HOME, LINKS
from tests.integration.portal_support import Portal, login, make_portal, render_page, resource_urls


@pytest.fixture
def portal(container: Container) -> Portal:
    return make_portal(container)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_a_landing_card_on_each_of_its_pages(portal: Portal, role: Role) -> None:
    client = portal.client()
    login(client, portal.email(role))
    for path in [HOME[role], "/", *(link.href for link in LINKS[role])]:
        page = render_page(client, path)
        # The manager's pages are dashboards now; the other roles' are still landing cards.
        assert ("landing-card" in page or "page-title" in page) and "not-permitted" not in page, path


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.INVESTOR, "/admin"),
        (Role.INVESTOR, "/admin/users"),
        (Role.MANAGER, "/admin/system"),
        (Role.ANALYST, "/investor"),
        (Role.INVESTOR, "/manager/pools"),
        (Role.ADMIN, "/manager"),
    ],
)
def test_a_page_of_another_role_answers_not_permitted(portal: Portal, role: Role, path: str) -> None:
    client = portal.client()
    login(client, portal.email(role))
    page = render_page(client, path)
    assert "Not permitted" in page and "not-permitted" in page
    assert "landing-card" not in page and "page-title" not in page


def test_an_unknown_path_renders_not_found(portal: Portal) -> None:
    client = portal.client()
    login(client, portal.email(Role.MANAGER))
    assert "not-found" in render_page(client, "/no/such/page")


def _local(url: str) -> bool:
    return (url.startswith("/") and not url.startswith("//")) or url.startswith("data:")


def test_login_page_loads_css_from_this_server_only(portal: Portal) -> None:
    client = portal.client()
    urls = resource_urls(client.get("/login").get_data(as_text=True))
    assert "/assets/bootstrap.min.css" in urls
    assert all(_local(u) for u in urls), urls
    for url in urls:
        if url.startswith("/"):
            assert client.get(url).status_code == 200, url  # no session needed


def test_portal_page_loads_css_and_js_from_this_server_only(portal: Portal) -> None:
    client = portal.client()
    login(client, portal.email(Role.ANALYST))
    index = client.get("/analyst")
    html = index.get_data(as_text=True)
    assert index.status_code == 200 and 'id="react-entry-point"' in html
    urls = resource_urls(html)
    assert any("dash_renderer" in u for u in urls) and any("dash_bootstrap_components" in u for u in urls)
    assert any(u.startswith("/assets/bootstrap.min.css") for u in urls)
    assert all(_local(u) for u in urls), [u for u in urls if not _local(u)]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_charts_load_the_cartesian_plotly_bundle_of_the_pinned_version_on_demand(portal: Portal) -> None:
    client = portal.client()
    login(client, portal.email(Role.MANAGER))
    urls = resource_urls(client.get("/manager").get_data(as_text=True))
    # The override is on every page; the bundle itself only when a chart asks for it.
    assert any(u.startswith("/assets/plotly_bundle.js") for u in urls), urls
    assert not any("vendor/" in u or "plotly.min.js" in u for u in urls), urls
    script = (Path(portal_assets.__file__).parent / "assets" / "plotly_bundle.js").read_text()
    found = re.search(r'var url = "(/assets/vendor/plotly-cartesian-([0-9.]+)\.min\.js)"', script)
    assert found is not None, "plotly_bundle.js names no bundle"
    url, version = found.groups()
    # A plotly upgrade that leaves the bundle behind would draw with another plotly.js.
    assert version == get_plotlyjs_version()
    bundle = client.get(url)
    assert bundle.status_code == 200 and bundle.mimetype in {"application/javascript", "text/javascript"}
    assert f"plotly.js (cartesian - minified) v{version}" in bundle.get_data(as_text=True)[:200]
