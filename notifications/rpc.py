"""The notification service over gRPC: its contract (the Protocol in notifications/interface.py,
as investment_pools.notifications.v1.NotificationService) and a client implementing the
Protocol.

A document's PDF travels as protobuf `bytes` beside its description. Opening a document is
not a read: it records who read it and when, so it is sent once. The sending rounds
(`send_due_emails`, `send_due_sms`, `send_digests`) act for nobody: beat's tasks, run by the
service's own process, where its providers are."""

from __future__ import annotations

from types import ModuleType
from typing import ClassVar

from backend.platform.rpc.client import RpcClient, remote
from backend.platform.rpc.contract import ServiceContract
from backend.protos.investment_pools.notifications.v1 import notifications_pb2
from notifications.interface import NotificationService

NOTIFICATIONS = ServiceContract(
    "notifications",
    NotificationService,
    reads=frozenset(
        {
            "list_for_user",
            "unread_count",
            "preferences",
            "language",
            "digest",
            "documents",
            "delivery_log",
            "provider_health",
            "preview_email",
            "preview_document",
        }
    ),
)


class NotificationServiceClient(RpcClient):
    contract = NOTIFICATIONS
    messages: ClassVar[ModuleType] = notifications_pb2

    list_for_user = remote(NotificationService.list_for_user)
    unread_count = remote(NotificationService.unread_count)
    mark_read = remote(NotificationService.mark_read)
    mark_all_read = remote(NotificationService.mark_all_read)
    preferences = remote(NotificationService.preferences)
    set_preference = remote(NotificationService.set_preference)
    language = remote(NotificationService.language)
    set_language = remote(NotificationService.set_language)
    digest = remote(NotificationService.digest)
    set_digest = remote(NotificationService.set_digest)
    send_digests = remote(NotificationService.send_digests)
    unsubscribe = remote(NotificationService.unsubscribe)
    documents = remote(NotificationService.documents)
    open_document = remote(NotificationService.open_document)
    issue_statements = remote(NotificationService.issue_statements)
    create_for_event = remote(NotificationService.create_for_event)
    send_due_emails = remote(NotificationService.send_due_emails)
    send_due_sms = remote(NotificationService.send_due_sms)
    apply_sms_report = remote(NotificationService.apply_sms_report)
    delivery_log = remote(NotificationService.delivery_log)
    resend_delivery = remote(NotificationService.resend_delivery)
    resend_document = remote(NotificationService.resend_document)
    provider_health = remote(NotificationService.provider_health)
    preview_email = remote(NotificationService.preview_email)
    preview_document = remote(NotificationService.preview_document)
