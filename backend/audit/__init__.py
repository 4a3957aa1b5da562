"""Audit log: every state change, with its actor, written in the change's own transaction."""
