"""What more than one role's pages use: the pools a user may see and the live-update poll.

Kept out of the role folders so that no role imports another (an import-linter contract
holds the role folders independent).
"""
