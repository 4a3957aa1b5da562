"""The analyst's pages: /analyst (the explorer)."""
