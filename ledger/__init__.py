"""Ledger service: exact double-entry books for investment pools and the pure maths they post."""
