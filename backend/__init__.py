"""Platform core and the services too small for a top-level folder."""
