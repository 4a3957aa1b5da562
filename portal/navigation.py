"""Who sees which part of the portal: each role's landing page and navbar links, in one table.

The navbar renders from this table and every page's layout checks the same roles, so a link
and the permission behind it cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.platform.actors import Role

SITE_TITLE = "Investment Pools"


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str


HOME: dict[Role, str] = {
    Role.ADMIN: "/admin",
    Role.MANAGER: "/manager",
    Role.INVESTOR: "/investor",
    Role.ANALYST: "/analyst",
}

LINKS: dict[Role, tuple[NavLink, ...]] = {
    Role.ADMIN: (
        NavLink("Users", "/admin/users"),
        NavLink("Audit", "/admin/audit"),
        NavLink("System", "/admin/system"),
        NavLink("Payments", "/admin/payments"),
        NavLink("Emails", "/admin/emails"),
    ),
    Role.MANAGER: (
        NavLink("Overview", "/manager"),
        NavLink("Pools", "/manager/pools"),
        NavLink("Payments", "/manager/payments"),
        NavLink("Documents", "/documents"),
    ),
    Role.INVESTOR: (
        NavLink("My holdings", "/investor"),
        NavLink("Payments", "/investor/payments"),
        NavLink("Documents", "/documents"),
    ),
    Role.ANALYST: (NavLink("Explorer", "/analyst"),),
}


def home_path(role: Role) -> str:
    return HOME[role]
