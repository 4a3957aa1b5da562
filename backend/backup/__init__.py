"""Database backups: full and incremental mariadb-backup copies and archived binary logs,
sealed at rest, verified by preparing them, restored to any transaction (the runbook is in
docs/operations.md, "Backups and restore")."""
