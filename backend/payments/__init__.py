"""The payment service: collections, payouts and reconciliation."""
