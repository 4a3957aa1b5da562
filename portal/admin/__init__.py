"""The admin's part of the portal: users, the audit log and the running system's health.

``pages/`` (overview, users, audit, system) over ``data`` (the services' answers shaped for
the pages). The system page's "Recompute analytics" is the shared job in portal/jobs/.
"""
