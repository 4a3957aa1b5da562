"""Reusable pieces of portal pages."""
