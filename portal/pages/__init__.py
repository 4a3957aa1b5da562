"""Dash pages: each module registers one path and checks its roles in its layout."""
