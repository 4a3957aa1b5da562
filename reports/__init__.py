"""Reporting: performance, private-markets and risk metrics."""
