"""User service: people who log in, and their roles."""
