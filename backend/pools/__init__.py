"""Pool service: investment pools, their terms, lifecycle, managers and analyst grants."""
