"""The admin's pages: /admin, /admin/users, /admin/audit, /admin/system."""
