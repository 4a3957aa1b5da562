"""Celery task adapters: each receives the services it needs and calls them.

Nothing here knows Celery or the container; `backend/composition/celery_app.py` registers
each adapter as a task under its stable name and hands it the services of its process.
"""
