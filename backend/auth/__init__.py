"""Authentication service: passwords, login throttling, JWT access and refresh tokens."""
