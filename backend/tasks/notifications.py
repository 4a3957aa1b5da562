"""The notification service's scheduled work: send the emails and texts that are due (every
30 s), and record the morning's digests. Safe to repeat and to run on several workers: each
message is claimed before it is sent, and each digest is recorded once per person and period."""

from __future__ import annotations

from notifications.interface import NotificationService


def send_due_emails(notifications: NotificationService) -> dict[str, int]:
    return notifications.send_due_emails()


def send_due_sms(notifications: NotificationService) -> dict[str, int]:
    return notifications.send_due_sms()


def send_digests(notifications: NotificationService) -> int:
    """Every morning: the daily digests of the last days and last week's weekly ones, each
    recorded once (the outbox sends them with the rest)."""
    return notifications.send_digests()
