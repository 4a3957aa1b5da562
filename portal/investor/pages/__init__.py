"""The investor's pages: /investor (my holdings)."""
