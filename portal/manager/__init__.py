"""The manager's part of the portal: their pools, and every action that writes to the books.

``pages/`` (overview, pools, one pool) over ``data`` (the services' answers shaped for the
pages), ``figures`` (the Plotly charts), ``panels`` (the pool page's pieces) and
``actions/`` (the forms, their previews and postings). The overview's "Recompute analytics"
is the shared job in portal/jobs/.
"""
