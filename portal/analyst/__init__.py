"""The analyst's part of the portal: the explorer over the pools they were granted.

``pages/`` (the explorer) over ``data`` (the export datasets, their filters and grid rows)
and ``jobs`` (the large export, a background job).
"""
