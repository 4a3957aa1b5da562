"""The portal's map, held in place: every page is registered from portal/site.py under the URL,
name and path template it always had, and Dash's private modules are reached through one
adapter (portal/jobs/dash_internals.py).

Dash no longer finds pages by scanning a folder, so a page module missing from the table in
portal/site.py would simply not exist; the walk below catches that.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from portal.site import PAGES

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "portal"
ADAPTER = "portal.jobs.dash_internals"
PRIVATE_PACKAGES = {"dash", "plotly", "_plotly_utils"}

# path: (name, path template). The browser's title is "<name> · Investment Pools".
EXPECTED_PAGES = {
    "/": ("Home", None),
    "/notifications": ("Notifications", None),
    "/documents": ("Documents", None),
    "/404": ("Not found", None),
    "/admin": ("Administration", None),
    "/admin/users": ("Users", None),
    "/admin/audit": ("Audit", None),
    "/admin/system": ("System", None),
    "/admin/payments": ("Payments", None),
    "/admin/emails": ("Emails", None),
    "/analyst": ("Explorer", None),
    "/investor": ("My holdings", None),
    "/investor/payments": ("Payments", None),
    "/manager": ("Overview", None),
    "/manager/pools": ("Pools", None),
    "/manager/pools/pool": ("Pool", "/manager/pools/<pool_id>"),
    "/manager/payments": ("Payments", None),
}


def _portal_modules() -> Iterator[tuple[str, Path]]:
    for file in sorted(PORTAL.rglob("*.py")):
        rel = file.relative_to(ROOT).with_suffix("")
        yield ".".join(p for p in rel.parts if p != "__init__"), file


def _imports(file: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(file.read_text(), str(file))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_every_page_keeps_its_url_name_and_template() -> None:
    found = {page.path: (page.name, page.path_template) for page in PAGES}
    assert found == EXPECTED_PAGES
    assert len(PAGES) == len(found), "two pages share a path"


def test_every_page_module_is_in_the_site_table() -> None:
    declared = {
        module
        for module, file in _portal_modules()
        if any(
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "PAGE" for t in node.targets)
            for node in ast.parse(file.read_text()).body
        )
    }
    assert declared == {page.module for page in PAGES}


def test_dash_finds_the_not_found_page_by_its_module_name() -> None:
    (missing,) = [page for page in PAGES if page.path == "/404"]
    assert missing.module.rsplit(".", 1)[-1] == "not_found_404"


def test_only_the_adapter_imports_private_dash_or_plotly_modules() -> None:
    offenders = [
        f"{module} imports {imported}"
        for module, file in _portal_modules()
        if module != ADAPTER
        for imported in _imports(file)
        if imported.split(".")[0] in PRIVATE_PACKAGES
        and any(part.startswith("_") for part in imported.split("."))
    ]
    assert offenders == [], f"reach Dash's private modules through {ADAPTER}"


def test_the_adapter_check_sees_the_adapter() -> None:
    # Guards the guard: the adapter itself must be found importing them.
    modules = dict(_portal_modules())
    assert "dash._callback_context" in set(_imports(modules[ADAPTER]))
