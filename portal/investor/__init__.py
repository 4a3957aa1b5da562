"""The investor's part of the portal: their holdings, pool by pool, live.

``pages/`` (the dashboard) over ``data`` (the dashboard gathered from the services),
``figures`` (its charts) and ``jobs`` (every pool's statement for a period, a background job).
"""
