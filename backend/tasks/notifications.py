"""The notification service's scheduled work: send the emails and texts that are due (every
30 s). Safe to repeat and to run on several workers: each message is claimed before it is
sent."""

from __future__ import annotations

from notifications.interface import NotificationService


def send_due_emails(notifications: NotificationService) -> dict[str, int]:
    return notifications.send_due_emails()


def send_due_sms(notifications: NotificationService) -> dict[str, int]:
    return notifications.send_due_sms()
