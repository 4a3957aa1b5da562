"""Every page of the portal in one table, and the callbacks no single page owns.

`create_dash_app` calls `register_pages` for each app it builds (portal/page_registry.py says
why per app). The URL of each page is in its module's ``PAGE``; the navbar's links per role
are in portal/navigation.py.
"""

from __future__ import annotations

from portal.admin.pages import audit as admin_audit
from portal.admin.pages import emails as admin_emails
from portal.admin.pages import overview as admin_overview
from portal.admin.pages import payments as admin_payments
from portal.admin.pages import system as admin_system
from portal.admin.pages import users as admin_users
from portal.analyst.pages import explorer as analyst_explorer
from portal.components import bell
from portal.investor.pages import holdings as investor_holdings
from portal.investor.pages import payments as investor_payments
from portal.manager import team_panel as manager_team_panel
from portal.manager.actions import callbacks as manager_action_callbacks
from portal.manager.pages import overview as manager_overview
from portal.manager.pages import payments as manager_payments
from portal.manager.pages import pool as manager_pool
from portal.manager.pages import pools as manager_pools
from portal.page_registry import Page
from portal.pages import documents, home, not_found_404, notifications

PAGES: tuple[Page, ...] = (
    # every role
    home.PAGE,  # /
    notifications.PAGE,  # /notifications
    documents.PAGE,  # /documents (investors, managers, admins)
    not_found_404.PAGE,  # /404, and any path no page claims
    # admin
    admin_overview.PAGE,  # /admin
    admin_users.PAGE,  # /admin/users
    admin_audit.PAGE,  # /admin/audit
    admin_system.PAGE,  # /admin/system
    admin_payments.PAGE,  # /admin/payments
    admin_emails.PAGE,  # /admin/emails
    # analyst
    analyst_explorer.PAGE,  # /analyst
    # investor
    investor_holdings.PAGE,  # /investor
    investor_payments.PAGE,  # /investor/payments
    # manager
    manager_overview.PAGE,  # /manager
    manager_pools.PAGE,  # /manager/pools
    manager_pool.PAGE,  # /manager/pools/<pool_id>
    manager_payments.PAGE,  # /manager/payments
)


def register_pages() -> None:
    """Register every page, and the shared callbacks, with the Dash app being built."""
    for page in PAGES:
        page.register()
    # The bell sits in the navbar of every page; the manager's action forms (on the pools
    # page and on each pool's page) all post through one callback.
    bell.register_callbacks()
    manager_action_callbacks.register_callbacks()
    # The team panel on each pool's page (portal/manager/team_panel.py).
    manager_team_panel.register_callbacks()
